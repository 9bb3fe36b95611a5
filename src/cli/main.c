/* The `stackc` command: a thin client of libstackc. It parses arguments, runs one
 * library entry point per command and renders the diagnostics; exit codes are the
 * sc_exit_code enum, documented in docs/cli.md. */
#include "cli/cli.h"
#include "cli/help.h"

#include <stackc/stackc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <signal.h>
#include <link.h>
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef cli_options options;

/* "stackc: MESSAGE DETAIL", then the command's usage line, or the overview when there is
 * no command to speak of. */
static int usage_error(const options *opts, const char *message, const char *detail)
{
    fprintf(stderr, "stackc: %s%s%s\n\n", message, detail ? " " : "", detail ? detail : "");
    if (opts && opts->doc)
        cli_print_command_usage(opts->doc, stderr);
    else
        cli_print_overview(stderr);
    return SC_EXIT_USAGE;
}

/* Sets what one documented option asks for; `value` is NULL for a flag. */
static int set_option(options *opts, const char *name, const char *value)
{
    const char *command = opts->doc->name;
    if (strcmp(name, "--format") == 0 && strcmp(command, "build") == 0) {
        opts->yaml = strcmp(value, "yaml") == 0;
    } else if (strcmp(name, "--format") == 0 && strcmp(command, "graph") == 0) {
        opts->graph = strcmp(value, "svg") == 0       ? GRAPH_SVG
                      : strcmp(value, "mermaid") == 0 ? GRAPH_MERMAID
                                                      : GRAPH_DOT;
    } else if (strcmp(name, "--format") == 0 || strcmp(name, "--diagnostics") == 0) {
        opts->format = strcmp(value, "json") == 0 ? FORMAT_JSON : FORMAT_HUMAN;
    } else if (strcmp(name, "--output") == 0) {
        opts->out_dir = value;
    } else if (strcmp(name, "--target") == 0) {
        opts->compose = strcmp(value, "compose") == 0;
    } else if (strcmp(name, "--stack") == 0) {
        opts->stack = value;
    } else if (strcmp(name, "--app") == 0) {
        opts->app = value;
    } else if (strcmp(name, "--cross-stack") == 0) {
        opts->export_references = strcmp(value, "export") == 0;
    } else if (strcmp(name, "--dump") == 0) {
        opts->dump = value;
    } else if (strcmp(name, "--stdlib") == 0) {
        opts->stdlib_dir = value;
    } else if (strcmp(name, "--param") == 0) {
        if (opts->param_count == (int)(sizeof(opts->params) / sizeof(opts->params[0])))
            return usage_error(opts, "too many --param", NULL);
        opts->params[opts->param_count++] = value;
    } else if (strcmp(name, "--region") == 0) {
        opts->region = value;
    } else if (strcmp(name, "--profile") == 0) {
        opts->profile = value;
    } else if (strcmp(name, "--bucket") == 0) {
        opts->bucket = value;
    } else if (strcmp(name, "--all-components") == 0) {
        opts->all_components = true;
    } else if (strcmp(name, "--yes") == 0) {
        opts->yes = true;
    } else if (strcmp(name, "--verbose") == 0) {
        opts->verbose = true;
    } else if (strcmp(name, "--check") == 0) {
        opts->check_only = true;
    } else if (strcmp(name, "--stdio") == 0) {
        /* the language server's one transport */
    } else if (strcmp(name, "--no-prelude") == 0) {
        opts->no_prelude = true;
    } else if (strcmp(name, "--help") == 0) {
        opts->help = true;
    } else if (strcmp(name, "--man") == 0) {
        opts->man = true;
    } else {
        fprintf(stderr, "stackc: internal error: option %s is documented but not handled\n", name);
        return SC_EXIT_INTERNAL;
    }
    return SC_EXIT_OK;
}

/* One argument that starts with '-': `--name value`, `--name=value`, `-o value` or a flag,
 * checked against the command's documented options (src/cli/help.c). */
static int parse_option(int argc, char **argv, int *i, options *opts)
{
    const char *arg = argv[*i];
    char name[64];
    const char *value = NULL;
    const char *equals = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t name_len = equals ? (size_t)(equals - arg) : strlen(arg);
    if (name_len >= sizeof(name))
        return usage_error(opts, "unknown option", arg);
    memcpy(name, arg, name_len);
    name[name_len] = '\0';
    const cli_option_doc *option = cli_find_option(opts->doc, name);
    if (!option) {
        char detail[256];
        snprintf(detail, sizeof(detail), "%s for `stackc %s`", name, opts->doc->name);
        return usage_error(opts, "unknown option", detail);
    }
    if (equals) {
        value = equals + 1;
        if (!option->value)
            return usage_error(opts, "this option takes no value:", arg);
    } else if (option->value) {
        if (*i + 1 >= argc)
            return usage_error(opts, "missing value after", arg);
        value = argv[++*i];
    }
    if (cli_has_choices(option) && !cli_is_choice(option, value)) {
        char detail[256];
        snprintf(detail, sizeof(detail), "%s (`stackc %s` takes %s %s)", value, opts->doc->name,
                 option->name, option->value);
        char message[80];
        snprintf(message, sizeof(message), "unknown %s", option->name);
        return usage_error(opts, message, detail);
    }
    return set_option(opts, option->name, value);
}

static int parse_options(int argc, char **argv, options *opts)
{
    if (argc < 2)
        return usage_error(opts, "no command given", NULL);
    opts->command = argv[1];
    if (strcmp(opts->command, "--help") == 0 || strcmp(opts->command, "-h") == 0)
        opts->command = "help";
    else if (strcmp(opts->command, "--version") == 0)
        opts->command = "version";
    opts->doc = cli_find_command(opts->command);
    if (!opts->doc) {
        fprintf(stderr, "stackc: unknown command %s\nrun `stackc help` for the list of commands\n",
                opts->command);
        return SC_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int status = parse_option(argc, argv, &i, opts);
            if (status != SC_EXIT_OK)
                return status;
        } else if (opts->file_count < (int)(sizeof(opts->files) / sizeof(opts->files[0]))) {
            opts->files[opts->file_count++] = arg;
        } else {
            return usage_error(opts, "too many files", NULL);
        }
    }
    return SC_EXIT_OK;
}

sc_context *cli_new_context(const cli_options *opts);

static sc_context *new_context(const options *opts)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return NULL;
    if (opts->stdlib && !opts->no_prelude && sc_context_use_stdlib(ctx, opts->stdlib))
        return ctx;
    sc_context_set_stdlib_dir(ctx, opts->stdlib_dir);
    sc_context_set_prelude(ctx, !opts->no_prelude);
    return ctx;
}

static bool has_prelude(const char *dir)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/prelude.stack", dir);
    return access(path, R_OK) == 0;
}

/* The directory this executable is in (symbolic links resolved), or false. */
static bool executable_dir(char *dir, size_t size)
{
    ssize_t len = readlink("/proc/self/exe", dir, size - 1);
    if (len <= 0 || (size_t)len >= size - 1)
        return false;
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* Whether `exe_dir` (resolved) is the build tree this stackc was built in. Resolving a
 * path walks it with a readlink per component, so the plain comparison goes first. */
static bool in_build_tree(const char *exe_dir)
{
    if (strcmp(STACKC_BUILD_DIR, exe_dir) == 0)
        return true;
    char build_dir[PATH_MAX];
    return realpath(STACKC_BUILD_DIR, build_dir) && strcmp(build_dir, exe_dir) == 0;
}

/* Where the standard library is, in order: --stdlib, $STACKC_STDLIB, the installed copy
 * beside this executable (BINDIR/../share/stackc/stdlib, so a moved prefix keeps
 * working), and, for the binary in the build tree only, the source tree's stdlib/.
 * Prints what it tried and returns false when none holds the library. */
static bool locate_stdlib(options *opts, char *found, size_t size)
{
    opts->stdlib_given = true;
    if (opts->stdlib_dir)
        return true;
    const char *from_env = getenv("STACKC_STDLIB");
    if (from_env && *from_env) {
        opts->stdlib_dir = from_env;
        return true;
    }
    opts->stdlib_given = false;
    char exe_dir[PATH_MAX];
    if (!executable_dir(exe_dir, sizeof(exe_dir))) {
        fprintf(stderr, "stackc: cannot tell where the stackc executable is (/proc/self/exe): "
                        "pass --stdlib DIR or set STACKC_STDLIB\n");
        return false;
    }
    /* Resolved, not BINDIR/../share/...: the library recognises its files by this prefix
     * and writes them as std/FILE into templates, the same wherever stackc is installed. */
    char installed[PATH_MAX + 64];
    snprintf(installed, sizeof(installed), "%s/%s", exe_dir, STACKC_INSTALLED_STDLIB);
    if (size >= PATH_MAX && has_prelude(installed) && realpath(installed, found) &&
        has_prelude(found)) {
        opts->stdlib_dir = found;
        return true;
    }
    if (in_build_tree(exe_dir) && has_prelude(STACKC_SOURCE_STDLIB)) {
        opts->stdlib_dir = STACKC_SOURCE_STDLIB;
        return true;
    }
    fprintf(stderr,
            "stackc: cannot find the standard library: %s has no prelude.stack\n"
            "  install stackc with `cmake --install` (or its Debian package), or pass --stdlib "
            "DIR or set STACKC_STDLIB to the folder that holds prelude.stack\n",
            installed);
    return false;
}

#ifdef STACKC_EMBEDDED_STDLIB
/* The standard library this stackc was built with, checked at build time (the image
 * is generated by tools/stdlib-image). */
extern const unsigned char stackc_stdlib_image[];
extern const size_t stackc_stdlib_image_size;

/* Where in this executable's file the image starts, from the program headers: the
 * offset of the loadable segment that holds it. False when that cannot be told. */
static bool image_file_offset(off_t *offset)
{
    const ElfW(Phdr) *headers = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t count = getauxval(AT_PHNUM);
    uintptr_t bias = 0;
    for (size_t i = 0; headers && i < count; i++)
        if (headers[i].p_type == PT_PHDR)
            bias = (uintptr_t)headers - headers[i].p_vaddr;
    uintptr_t at = (uintptr_t)stackc_stdlib_image - bias;
    for (size_t i = 0; headers && i < count; i++) {
        const ElfW(Phdr) *h = &headers[i];
        if (h->p_type == PT_LOAD && at >= h->p_vaddr &&
            at + stackc_stdlib_image_size <= h->p_vaddr + h->p_filesz) {
            *offset = (off_t)(h->p_offset + (at - h->p_vaddr));
            return true;
        }
    }
    return false;
}

/* Maps the image's memory from this executable's file at the address it was made at,
 * read-only: only the pages a compilation touches are read, from the page cache that
 * every stackc process shares. NULL when it cannot (the library then copies it). */
static void *map_embedded_image(size_t *length)
{
    uintptr_t address;
    size_t start;
    off_t offset;
    if (!sc_stdlib_image_placement(stackc_stdlib_image, stackc_stdlib_image_size, &address, &start,
                                   length) ||
        !image_file_offset(&offset) || (offset + (off_t)start) % sysconf(_SC_PAGESIZE) != 0)
        return NULL;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *mapped = mmap((void *)address, *length, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd,
                        offset + (off_t)start);
    close(fd);
    if (mapped != MAP_FAILED && (uintptr_t)mapped != address) {
        munmap(mapped, *length);
        return NULL;
    }
    return mapped == MAP_FAILED ? NULL : mapped;
}
#endif

/* Starts check, build and graph from the embedded library when the library in use is
 * the one found beside this stackc (the installed copy, or the source tree's for the
 * build tree's binary): the files of the image. A library named by --stdlib or
 * $STACKC_STDLIB is compiled from its sources, as is every library when the image
 * cannot be loaded. Returns the mapping to unmap after sc_stdlib_free, or NULL. */
static void *load_embedded_stdlib(options *opts, size_t *length)
{
#ifdef STACKC_EMBEDDED_STDLIB
    if (opts->stdlib_given || opts->no_prelude)
        return NULL;
    void *mapped = map_embedded_image(length);
    opts->stdlib = sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, mapped,
                                        opts->stdlib_dir);
    return mapped;
#else
    (void)opts;
    (void)length;
    return NULL;
#endif
}

sc_context *cli_new_context(const cli_options *opts)
{
    return new_context(opts);
}

static void render(const sc_context *ctx, const options *opts)
{
    if (opts->format == FORMAT_JSON)
        sc_render_json(ctx, stdout);
    else
        sc_render_human(ctx, stderr, isatty(STDERR_FILENO));
}

/* The main file must be readable before anything runs: that failure is an I/O error,
 * not a compile error, and scripts can tell the two apart by the exit code. Asked
 * without opening it: opening a FIFO would take its one writer from the compiler. */
static bool readable(const char *path)
{
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "stackc: cannot read \"%s\": %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

static int run_check(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error(opts, "check takes exactly one file", NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    bool ok;
    if (opts->dump && strcmp(opts->dump, "tokens") == 0)
        ok = sc_dump_tokens(ctx, opts->files[0], stdout);
    else if (opts->dump && strcmp(opts->dump, "typed") == 0)
        ok = sc_dump_typed(ctx, opts->files[0], stdout);
    else if (opts->dump && strcmp(opts->dump, "expanded") == 0)
        ok = sc_dump_expanded(ctx, opts->files[0], stdout);
    else if (opts->dump)
        ok = sc_dump_ast(ctx, opts->files[0], stdout);
    else
        ok = sc_check_file(ctx, opts->files[0]);
    render(ctx, opts);
    sc_context_free(ctx);
    return ok ? SC_EXIT_OK : SC_EXIT_COMPILE_ERROR;
}

/* A compose build's outputs, kept in the context until it has succeeded. */
static int write_outputs(sc_context *ctx, const char *dir, size_t *written)
{
    if (!cli_make_directories(dir)) {
        fprintf(stderr, "stackc: cannot create \"%s\": %s\n", dir, strerror(errno));
        return SC_EXIT_IO;
    }
    for (size_t i = 0; i < sc_output_count(ctx); i++) {
        size_t len = 0;
        const char *data = sc_output_data(ctx, i, &len);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, sc_output_name(ctx, i));
        if (!cli_write_file(path, data, len)) {
            fprintf(stderr, "stackc: cannot write \"%s\"\n", path);
            return SC_EXIT_IO;
        }
    }
    *written = sc_output_count(ctx);
    return SC_EXIT_OK;
}

/* A CloudFormation build's outputs, staged as they were written, put in place. */
static int commit_outputs(cli_output_stage *stage, size_t *written)
{
    if (!cli_output_stage_commit(stage))
        return SC_EXIT_IO;
    *written = cli_output_stage_count(stage);
    return SC_EXIT_OK;
}

static int run_build(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error(opts, "build takes exactly one file", NULL);
    if (opts->compose && (opts->stack || opts->yaml || opts->export_references))
        return usage_error(opts,
                           "--target compose runs every stack and takes no --stack, --format "
                           "yaml or --cross-stack",
                           NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    const char *dir = opts->out_dir ? opts->out_dir : "stackc.out";
    cli_output_stage *stage = NULL; /* a build's templates and manifest, as they are written */
    bool ok;
    if (opts->compose) {
        /* The user's edits to an earlier .env are kept (docs/views.md). */
        char env_path[4096];
        size_t env_len = 0;
        snprintf(env_path, sizeof(env_path), "%s/.env", dir);
        char *previous_env = cli_read_file(env_path, SIZE_MAX - 1, &env_len);
        if (previous_env)
            previous_env[env_len] = '\0'; /* cli_read_file leaves room for it */
        sc_compose_options compose = {.output_dir = dir, .previous_env = previous_env};
        ok = sc_build_compose(ctx, opts->files[0], &compose);
        free(previous_env);
    } else {
        /* The last build's manifest, to warn of a rename that would replace data. */
        char manifest_path[4096];
        size_t manifest_len = 0;
        snprintf(manifest_path, sizeof(manifest_path), "%s/manifest.json", dir);
        char *previous = cli_read_file(manifest_path, SIZE_MAX - 1, &manifest_len);
        if (previous)
            previous[manifest_len] = '\0';
        stage = cli_output_stage_new(dir);
        sc_build_options build = {.yaml = opts->yaml,
                                  .stack = opts->stack,
                                  .export_references = opts->export_references,
                                  .app = opts->app,
                                  .previous_manifest = previous,
                                  .write_output = cli_stage_output,
                                  .write_output_user = stage};
        ok = stage && sc_build_file(ctx, opts->files[0], &build);
        free(previous);
    }
    /* A machine reading JSON diagnostics still wants its templates on success. */
    if (opts->format == FORMAT_JSON)
        sc_render_json(ctx, stdout);
    else
        sc_render_human(ctx, stderr, isatty(STDERR_FILENO));
    int status = ok ? SC_EXIT_OK : SC_EXIT_COMPILE_ERROR;
    if (!stage && !opts->compose)
        status = SC_EXIT_INTERNAL;
    else if (stage && cli_output_stage_failed(stage))
        status = SC_EXIT_IO;
    size_t written = 0;
    if (status == SC_EXIT_OK)
        status = stage ? commit_outputs(stage, &written) : write_outputs(ctx, dir, &written);
    cli_output_stage_free(stage, status == SC_EXIT_OK);
    if (status == SC_EXIT_OK && opts->format != FORMAT_JSON)
        fprintf(stderr, "wrote %zu files to %s\n", written, dir);
    sc_context_free(ctx);
    return status;
}

/* Pipes `dot` text through Graphviz (`dot -Tsvg`) into `out_fd`. Graphviz is optional:
 * when it is missing the user is told how to get it, or to ask for text instead. */
static int render_svg(const char *dot, size_t len, int out_fd)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        fprintf(stderr, "stackc: cannot run Graphviz: %s\n", strerror(errno));
        return SC_EXIT_IO;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    if (out_fd != STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    char *argv[] = {"dot", "-Tsvg", NULL};
    pid_t pid;
    int spawned = posix_spawnp(&pid, "dot", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[0]);
    if (spawned != 0) {
        close(pipe_fds[1]);
        if (spawned == ENOENT)
            fprintf(stderr,
                    "stackc: --format svg needs Graphviz's `dot` command, which is not installed "
                    "(or not on PATH)\n"
                    "  install Graphviz (Debian: apt-get install graphviz), or write the graph as "
                    "text with --format dot or --format mermaid\n");
        else
            fprintf(stderr, "stackc: cannot run Graphviz's `dot`: %s\n", strerror(spawned));
        return SC_EXIT_IO;
    }
    signal(SIGPIPE, SIG_IGN); /* a `dot` that dies early is reported, not fatal */
    bool written = true;
    for (size_t done = 0; done < len && written;) {
        ssize_t n = write(pipe_fds[1], dot + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        written = n > 0;
        done += written ? (size_t)n : 0;
    }
    close(pipe_fds[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!written || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "stackc: Graphviz's `dot` failed to render the graph\n");
        return SC_EXIT_IO;
    }
    return SC_EXIT_OK;
}

static int run_graph(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error(opts, "graph takes exactly one file", NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    bool ok = sc_graph_file(ctx, opts->files[0],
                            opts->graph == GRAPH_MERMAID ? SC_GRAPH_MERMAID : SC_GRAPH_DOT);
    sc_render_human(ctx, stderr, isatty(STDERR_FILENO));
    int status = ok ? SC_EXIT_OK : SC_EXIT_COMPILE_ERROR;
    size_t len = 0;
    const char *data = ok ? sc_output_data(ctx, 0, &len) : NULL;
    if (data && opts->graph == GRAPH_SVG) {
        int fd =
            opts->out_dir ? open(opts->out_dir, O_WRONLY | O_CREAT | O_TRUNC, 0644) : STDOUT_FILENO;
        if (fd < 0) {
            fprintf(stderr, "stackc: cannot write \"%s\": %s\n", opts->out_dir, strerror(errno));
            status = SC_EXIT_IO;
        } else {
            fflush(stdout);
            status = render_svg(data, len, fd);
            if (fd != STDOUT_FILENO)
                close(fd);
        }
    } else if (data && opts->out_dir) {
        if (!cli_write_file(opts->out_dir, data, len)) {
            fprintf(stderr, "stackc: cannot write \"%s\"\n", opts->out_dir);
            status = SC_EXIT_IO;
        }
    } else if (data) {
        fwrite(data, 1, len, stdout);
    }
    sc_context_free(ctx);
    return status;
}

/* Formats one file; returns an exit code. `changed` tells whether it differed. */
/* Formats `path` in place; "-" formats standard input to standard output, as editors
 * that format on save expect. */
static int format_one(const options *opts, const char *path, bool *changed)
{
    bool piped = strcmp(path, "-") == 0;
    const char *name = piped ? "<stdin>" : path;
    size_t len = 0;
    /* Past the limit, the formatter reports E0009 for the file. */
    size_t limit = (size_t)SC_MAX_SOURCE_BYTES + 1;
    char *text = piped ? sc_read_stream(stdin, limit, &len) : cli_read_file(path, limit, &len);
    if (!text) {
        fprintf(stderr, "stackc: cannot read \"%s\"\n", name);
        return SC_EXIT_IO;
    }
    sc_context *ctx = new_context(opts);
    size_t out_len = 0;
    const char *formatted = ctx ? sc_format_buffer(ctx, name, text, len, &out_len) : NULL;
    int status = SC_EXIT_OK;
    if (!formatted) {
        if (ctx)
            render(ctx, opts);
        status = SC_EXIT_COMPILE_ERROR;
    } else {
        *changed = out_len != len || memcmp(formatted, text, len) != 0;
        if (*changed && opts->check_only)
            printf("%s\n", name);
        else if (piped && !opts->check_only)
            fwrite(formatted, 1, out_len, stdout);
        else if (*changed && !cli_write_file(path, formatted, out_len)) {
            fprintf(stderr, "stackc: cannot write \"%s\"\n", path);
            status = SC_EXIT_IO;
        }
    }
    free(text);
    sc_context_free(ctx);
    return status;
}

#define TEST_FILE_SUFFIX "_test.stack"

/* NAME.stack for NAME_test.stack (which holds NAME.stack's tests and is loaded with it),
 * in `buf`; NULL for any other file name. */
static const char *tested_file(const char *path, char *buf, size_t cap)
{
    size_t len = strlen(path), suffix = strlen(TEST_FILE_SUFFIX);
    if (len <= suffix || strcmp(path + len - suffix, TEST_FILE_SUFFIX) != 0 ||
        path[len - suffix - 1] == '/')
        return NULL;
    snprintf(buf, cap, "%.*s.stack", (int)(len - suffix), path);
    return buf;
}

/* Whether `file` is among the first `count` of `ran`. */
static bool already_ran(char *const *ran, int count, const char *file)
{
    for (int j = 0; j < count; j++)
        if (ran[j] && strcmp(ran[j], file) == 0)
            return true;
    return false;
}

/* Runs each file's tests; one report per file, then the totals on the last line.
 * `stackc test site_test.stack` runs site.stack, which loads its tests file; a file
 * named twice that way runs once. */
static int run_test(const options *opts)
{
    if (opts->file_count == 0)
        return usage_error(opts, "test needs at least one file", NULL);
    size_t failed = 0, passed = 0;
    bool compiled = true;
    int status = SC_EXIT_OK;
    char tested[PATH_MAX];
    char **ran = calloc((size_t)opts->file_count, sizeof(*ran)); /* the files run, owned */
    for (int i = 0; ran && i < opts->file_count && status == SC_EXIT_OK; i++) {
        if (!readable(opts->files[i])) {
            status = SC_EXIT_IO;
            break;
        }
        const char *main_file = tested_file(opts->files[i], tested, sizeof(tested));
        bool companion = main_file && access(main_file, R_OK) == 0;
        const char *file = companion ? main_file : opts->files[i];
        if (already_ran(ran, i, file))
            continue;
        ran[i] = strdup(file);
        sc_context *ctx = new_context(opts);
        if (!ctx || !ran[i]) {
            sc_context_free(ctx);
            status = SC_EXIT_INTERNAL;
            break;
        }
        sc_context_set_all_component_tests(ctx, opts->all_components);
        if (!sc_test_file(ctx, file)) {
            render(ctx, opts);
            if (main_file && !companion)
                fprintf(stderr,
                        "stackc: %s holds the tests of %s, which is not there: pass the file "
                        "they test (its tests file is loaded with it)\n",
                        opts->files[i], main_file);
            compiled = false;
        } else {
            sc_render_human(ctx, stderr, isatty(STDERR_FILENO)); /* warnings */
            sc_render_tests(ctx, stdout, opts->format == FORMAT_JSON);
            failed += sc_tests_failed(ctx);
            passed += sc_tests_run(ctx) - sc_tests_failed(ctx);
        }
        sc_context_free(ctx);
    }
    for (int i = 0; ran && i < opts->file_count; i++)
        free(ran[i]);
    if (!ran)
        return SC_EXIT_INTERNAL;
    free(ran);
    if (status != SC_EXIT_OK)
        return status;
    if (opts->file_count > 1 && opts->format != FORMAT_JSON)
        printf("%zu passed, %zu failed\n", passed, failed);
    if (!compiled)
        return SC_EXIT_COMPILE_ERROR;
    return failed ? SC_EXIT_TEST_FAILED : SC_EXIT_OK;
}

static int run_fmt(const options *opts)
{
    if (opts->file_count == 0)
        return usage_error(opts, "fmt needs at least one file", NULL);
    int worst = SC_EXIT_OK;
    bool any_changed = false;
    for (int i = 0; i < opts->file_count; i++) {
        bool changed = false;
        int status = format_one(opts, opts->files[i], &changed);
        any_changed = any_changed || changed;
        if (status > worst)
            worst = status;
    }
    if (worst == SC_EXIT_OK && opts->check_only && any_changed)
        return SC_EXIT_COMPILE_ERROR;
    return worst;
}

static int run_help(const options *opts)
{
    if (opts->man) {
        if (opts->file_count != 0)
            return usage_error(opts, "help --man takes no command", NULL);
        cli_print_man_page(stdout);
        return SC_EXIT_OK;
    }
    if (opts->file_count > 1)
        return usage_error(opts, "help takes one command", NULL);
    if (opts->file_count == 0) {
        cli_print_overview(stdout);
        return SC_EXIT_OK;
    }
    const cli_command_doc *command = cli_find_command(opts->files[0]);
    if (!command) {
        fprintf(stderr, "stackc: unknown command %s\nrun `stackc help` for the list of commands\n",
                opts->files[0]);
        return SC_EXIT_USAGE;
    }
    cli_print_command_help(command, stdout);
    return SC_EXIT_OK;
}

static int run_completion(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error(opts, "completion takes one shell: bash, zsh or fish", NULL);
    if (!cli_print_completion(opts->files[0], stdout))
        return usage_error(opts, "no completion for the shell", opts->files[0]);
    return SC_EXIT_OK;
}

#ifdef STACKC_DEPLOY_IN_PROCESS
static int run_deploy(const options *opts, char **argv)
{
    (void)argv;
    if (opts->file_count != 1)
        return usage_error(opts, opts->command, "takes exactly one file");
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    cli_deploy_command which = strcmp(opts->command, "plan") == 0    ? CLI_PLAN
                               : strcmp(opts->command, "apply") == 0 ? CLI_APPLY
                                                                     : CLI_DESTROY;
    return cli_run_deploy(opts, which);
}
#else
/* Where `stackc-deploy` is: beside the installed `stackc` (BINDIR/../libexec/stackc), or
 * the build tree's for the binary in the build tree. */
static bool locate_deploy_helper(char *found, size_t size)
{
    char exe_dir[PATH_MAX];
    if (!executable_dir(exe_dir, sizeof(exe_dir)))
        return false;
    snprintf(found, size, "%s/%s", exe_dir, STACKC_INSTALLED_DEPLOY);
    if (access(found, X_OK) == 0)
        return true;
    if (in_build_tree(exe_dir) && access(STACKC_BUILD_DEPLOY, X_OK) == 0) {
        snprintf(found, size, "%s", STACKC_BUILD_DEPLOY);
        return true;
    }
    return false;
}

/* plan, apply and destroy run in `stackc-deploy`, which links the AWS client (libcurl,
 * expat): this process, with the same arguments and the standard library it found,
 * becomes that one. */
static int run_deploy(const options *opts, char **argv)
{
    char helper[PATH_MAX + 64] = "stackc-deploy";
    if (!locate_deploy_helper(helper, sizeof(helper))) {
        fprintf(stderr,
                "stackc: cannot run `stackc %s`: its helper %s is missing beside this stackc\n"
                "  install stackc with `cmake --install` (or its Debian package)\n",
                opts->command, helper);
        return SC_EXIT_IO;
    }
    if (setenv("STACKC_STDLIB", opts->stdlib_dir, 1) != 0) {
        fprintf(stderr, "stackc: %s\n", strerror(errno));
        return SC_EXIT_INTERNAL;
    }
    execv(helper, argv);
    fprintf(stderr, "stackc: cannot run %s: %s\n", helper, strerror(errno));
    return SC_EXIT_IO;
}
#endif

static int run_with_stdlib(options *opts, char **argv)
{
    char stdlib_dir[PATH_MAX + 64];
    if (!locate_stdlib(opts, stdlib_dir, sizeof(stdlib_dir)))
        return SC_EXIT_IO;
    if (strcmp(opts->command, "test") == 0)
        return run_test(opts);
    if (strcmp(opts->command, "lsp") == 0)
        return cli_run_lsp(opts);
    if (strcmp(opts->command, "check") != 0 && strcmp(opts->command, "build") != 0 &&
        strcmp(opts->command, "graph") != 0)
        return run_deploy(opts, argv);
    size_t mapped_length = 0;
    void *mapped = load_embedded_stdlib(opts, &mapped_length);
    int status = strcmp(opts->command, "check") == 0   ? run_check(opts)
                 : strcmp(opts->command, "build") == 0 ? run_build(opts)
                                                       : run_graph(opts);
    sc_stdlib_free((sc_stdlib *)opts->stdlib);
    if (mapped)
        munmap(mapped, mapped_length);
    return status;
}

/* A build hands back tens of megabytes in the middle (the instance tree's scopes and
 * records), and that memory must go back to the system, not wait in the heap while
 * expansion and emission grow. glibc raises its mmap threshold each time it frees a large block,
 * after which the library's arena chunks come from the heap and stay there when freed: a fixed
 * threshold keeps them mapped on their own (10,000 instances: 252 -> 236 MB, WordPress unchanged).
 */
static void hand_memory_back(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int main(int argc, char **argv)
{
    options opts = {0};
    int status = parse_options(argc, argv, &opts);
    if (status != SC_EXIT_OK)
        return status;
    if (opts.help) {
        cli_print_command_help(opts.doc, stdout);
        return SC_EXIT_OK;
    }
    if (strcmp(opts.command, "help") == 0)
        return run_help(&opts);
    if (strcmp(opts.command, "completion") == 0)
        return run_completion(&opts);
    if (strcmp(opts.command, "version") == 0) {
        if (opts.file_count != 0)
            return usage_error(&opts, "version takes no arguments", NULL);
        printf("stackc %s\n", STACKC_VERSION);
        return SC_EXIT_OK;
    }
    if (strcmp(opts.command, "fmt") == 0)
        return run_fmt(&opts); /* needs no standard library */
    hand_memory_back();
    return run_with_stdlib(&opts, argv);
}
