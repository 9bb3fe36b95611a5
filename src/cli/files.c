/* The `stackc` command's file writing: whole files read, written or replaced at once, and
 * a build's outputs staged beside the files they replace until the build has succeeded. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `mkdir -p`: `-o site/out/prod` works on a fresh checkout. On failure errno says why. */
bool cli_make_directories(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof(path)) {
        errno = len ? ENAMETOOLONG : ENOENT;
        return false;
    }
    memcpy(path, dir, len + 1);
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return false;
        *slash = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return false;
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}

/* The whole of `path` (up to `limit` bytes), with one spare byte after it; NULL when it
 * cannot be read or memory runs out. */
char *cli_read_file(const char *path, size_t limit, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = sc_read_stream(f, limit, len);
    fclose(f);
    return data;
}

/* Whether the regular file `path` holds exactly the `len` bytes at `data`. */
static bool holds(const char *path, const struct stat *st, const char *data, size_t len)
{
    if ((uint64_t)st->st_size != len)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char block[65536];
    bool same = true;
    for (size_t done = 0; same && done < len;) {
        ssize_t n = read(fd, block, sizeof(block));
        if (n < 0 && errno == EINTR)
            continue;
        same = n > 0 && (size_t)n <= len - done && memcmp(block, data + done, (size_t)n) == 0;
        done += same ? (size_t)n : 0;
    }
    close(fd);
    return same;
}

/* Writes through `path` as given: a FIFO (waiting for its reader), /dev/stdout, a symlink. */
static bool write_through(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Writes `len` bytes at `data` to a new file beside `path` (named in `temp`), to be renamed
 * over it: a full disk or a killed process then leaves the old file whole, never a mix
 * of old and new bytes (`stackc fmt` rewrites user sources this way too). The new file
 * takes the old one's permissions, or 0666 less the umask. */
static bool write_beside(const char *path, const struct stat *old, const char *data, size_t len,
                         char temp[PATH_MAX])
{
    if (snprintf(temp, PATH_MAX, "%s.stackc-%ld.tmp", path, (long)getpid()) >= PATH_MAX)
        return false;
    int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return false;
    bool ok = !old || fchmod(fd, old->st_mode & 07777) == 0;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    ok = close(fd) == 0 && ok;
    if (!ok)
        unlink(temp);
    return ok;
}

/* Replaces `path` by a file holding `len` bytes at `data`, all at once (write_beside). */
static bool replace_file(const char *path, const struct stat *old, const char *data, size_t len)
{
    char temp[PATH_MAX];
    if (!write_beside(path, old, data, len, temp))
        return false;
    if (rename(temp, path) == 0)
        return true;
    unlink(temp);
    return false;
}

/* Writes `len` bytes to `path`, a file that usually holds the previous build's bytes. A
 * file that already holds them keeps them and only gets a new modification time, as if
 * written (build tools compare times): rewriting it would free its blocks (on a file
 * system mounted with `discard`, waiting for the device) and make ext4 write it back,
 * a third of a WordPress build. A changed one is replaced all at once (replace_file);
 * anything but a regular file is written through. */
bool cli_write_file(const char *path, const char *data, size_t len)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT && replace_file(path, NULL, data, len);
    if (!S_ISREG(st.st_mode))
        return write_through(path, data, len);
    if (holds(path, &st, data, len))
        return utimensat(AT_FDCWD, path, NULL, 0) == 0;
    return replace_file(path, &st, data, len);
}

/* One output of a build on its way to its file. */
typedef struct staged_file {
    char *path;    /* where it goes */
    char *temp;    /* its bytes, in a file beside it (write_beside); NULL when none */
    char *through; /* its bytes, for a path that is no regular file (a FIFO, a symlink to
                      /dev/stdout): written through it on commit, never staged on disk */
    size_t len;
} staged_file;

struct cli_output_stage {
    const char *dir;
    bool dir_ready;
    size_t made_from; /* the length of the outermost folder of `dir` this build made (0:
                         none): the folders it made are taken away again when it fails */
    staged_file *files;
    size_t count, capacity;
    bool failed;
};

cli_output_stage *cli_output_stage_new(const char *dir)
{
    cli_output_stage *stage = calloc(1, sizeof(*stage));
    if (stage)
        stage->dir = dir;
    return stage;
}

/* The length of the outermost folder of `dir` that does not exist yet (`a/b` of
 * `a/b/c` when only `a` does), or 0 when `dir` exists. */
static size_t first_missing(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);
    struct stat st;
    if (len >= sizeof(path) || stat(dir, &st) == 0)
        return 0;
    memcpy(path, dir, len + 1);
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (stat(path, &st) != 0)
            return (size_t)(slash - path);
        *slash = '/';
    }
    return len;
}

static bool prepare_dir(cli_output_stage *stage)
{
    size_t missing = first_missing(stage->dir);
    if (!cli_make_directories(stage->dir)) {
        fprintf(stderr, "stackc: cannot create \"%s\": %s\n", stage->dir, strerror(errno));
        return false;
    }
    stage->made_from = missing;
    stage->dir_ready = true;
    return true;
}

/* Takes away the folders this build made for itself, innermost first; each only when
 * still empty, so nothing anyone else put there goes. */
static void remove_made_dirs(const cli_output_stage *stage)
{
    char path[4096];
    size_t len = strlen(stage->dir);
    if (!stage->made_from || len >= sizeof(path))
        return;
    memcpy(path, stage->dir, len + 1);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';
    while (len >= stage->made_from && rmdir(path) == 0) {
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return;
        *slash = '\0';
        len = (size_t)(slash - path);
    }
}

/* Stages `data` for `file->path`: a file that already holds it is left as it is (and only
 * touched on commit, as cli_write_file does). */
static bool stage_file(staged_file *file, const char *data, size_t len)
{
    char temp[PATH_MAX];
    struct stat st;
    if (lstat(file->path, &st) != 0) {
        if (errno != ENOENT || !write_beside(file->path, NULL, data, len, temp))
            return false;
    } else if (!S_ISREG(st.st_mode)) {
        file->through = malloc(len + 1);
        if (!file->through)
            return false;
        memcpy(file->through, data, len);
        file->len = len;
        return true;
    } else if (holds(file->path, &st, data, len)) {
        return true;
    } else if (!write_beside(file->path, &st, data, len, temp)) {
        return false;
    }
    file->temp = strdup(temp);
    if (!file->temp)
        unlink(temp);
    return file->temp != NULL;
}

bool cli_stage_output(void *user, const char *name, const char *data, size_t len)
{
    cli_output_stage *stage = user;
    if (stage->failed || (!stage->dir_ready && !prepare_dir(stage))) {
        stage->failed = true;
        return false;
    }
    if (stage->count == stage->capacity) {
        size_t capacity = stage->capacity ? stage->capacity * 2 : 16;
        staged_file *files = realloc(stage->files, capacity * sizeof(*files));
        if (!files) {
            fprintf(stderr, "stackc: out of memory\n");
            stage->failed = true;
            return false;
        }
        stage->files = files;
        stage->capacity = capacity;
    }
    staged_file *file = &stage->files[stage->count];
    *file = (staged_file){0};
    size_t size = strlen(stage->dir) + strlen(name) + 2;
    file->path = malloc(size);
    if (file->path)
        snprintf(file->path, size, "%s/%s", stage->dir, name);
    stage->count++;
    if (!file->path || !stage_file(file, data, len)) {
        fprintf(stderr, "stackc: cannot write \"%s/%s\"\n", stage->dir, name);
        stage->failed = true;
        return false;
    }
    return true;
}

bool cli_output_stage_failed(const cli_output_stage *stage)
{
    return stage->failed;
}

size_t cli_output_stage_count(const cli_output_stage *stage)
{
    return stage->count;
}

static bool commit_file(const staged_file *file)
{
    if (file->temp) {
        if (rename(file->temp, file->path) == 0)
            return true;
        unlink(file->temp);
        return false;
    }
    if (file->through)
        return write_through(file->path, file->through, file->len);
    return utimensat(AT_FDCWD, file->path, NULL, 0) == 0;
}

bool cli_output_stage_commit(cli_output_stage *stage)
{
    bool ok = true;
    for (size_t i = 0; i < stage->count; i++) {
        if (commit_file(&stage->files[i]))
            continue;
        fprintf(stderr, "stackc: cannot write \"%s\"\n", stage->files[i].path);
        ok = false;
    }
    return ok;
}

void cli_output_stage_free(cli_output_stage *stage, bool committed)
{
    if (!stage)
        return;
    for (size_t i = 0; i < stage->count; i++) {
        staged_file *file = &stage->files[i];
        if (!committed && file->temp)
            unlink(file->temp);
        free(file->path);
        free(file->temp);
        free(file->through);
    }
    if (!committed)
        remove_made_dirs(stage);
    free(stage->files);
    free(stage);
}
