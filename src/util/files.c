/* The file-system accesses other than reading sources, through the context's hooks
 * (sc_context_set_file_system) so that an embedder, a test or a sandbox sees and may
 * answer every one of them; the defaults are the plain POSIX calls. */
#include "util/util.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static sc_file_kind default_kind(void *user, const char *path)
{
    (void)user;
    struct stat st;
    if (stat(path, &st) != 0)
        return SC_FILE_MISSING;
    return S_ISREG(st.st_mode)   ? SC_FILE_REGULAR
           : S_ISDIR(st.st_mode) ? SC_FILE_DIRECTORY
                                 : SC_FILE_OTHER;
}

static bool default_list(void *user, const char *dir,
                         bool (*each)(void *each_data, const char *name), void *each_data)
{
    (void)user;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool ok = true;
    const struct dirent *entry;
    while (ok && (entry = readdir(d)))
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            ok = each(each_data, entry->d_name);
    closedir(d);
    return ok;
}

static FILE *default_open(void *user, const char *path)
{
    (void)user;
    return fopen(path, "rb");
}

static bool default_working_directory(void *user, char *buf, size_t size)
{
    (void)user;
    return getcwd(buf, size) != NULL;
}

sc_file_system sc_default_file_system(void)
{
    return (sc_file_system){default_kind, default_list, default_open, default_working_directory,
                            NULL};
}

void sc_context_set_file_system(sc_context *ctx, const sc_file_system *fs)
{
    sc_file_system chosen = sc_default_file_system();
    if (fs) {
        chosen.user = fs->user;
        if (fs->kind)
            chosen.kind = fs->kind;
        if (fs->list)
            chosen.list = fs->list;
        if (fs->open)
            chosen.open = fs->open;
        if (fs->working_directory)
            chosen.working_directory = fs->working_directory;
    }
    ctx->file_system = chosen;
}

sc_file_kind sc_file_kind_of(const sc_context *ctx, const char *path)
{
    return ctx->file_system.kind(ctx->file_system.user, path);
}

bool sc_list_directory(const sc_context *ctx, const char *dir,
                       bool (*each)(void *each_data, const char *name), void *each_data)
{
    return ctx->file_system.list(ctx->file_system.user, dir, each, each_data);
}

FILE *sc_open_file(const sc_context *ctx, const char *path)
{
    return ctx->file_system.open(ctx->file_system.user, path);
}

bool sc_working_directory(const sc_context *ctx, char *buf, size_t size)
{
    return ctx->file_system.working_directory(ctx->file_system.user, buf, size);
}
