/* The `stackc` command: a thin client of libstackc. It parses arguments, runs one
 * library entry point per command and renders the diagnostics; exit codes are the
 * sc_exit_code enum, documented in docs/cli.md. */
#include "cli/cli.h"

#include <stackc/stackc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef cli_options options;

static const char usage_text[] =
    "usage: stackc COMMAND [options] FILE...\n"
    "\n"
    "commands:\n"
    "  check FILE [--format human|json] [--dump=tokens|ast]\n"
    "                       parse and type-check a .stack file and what it imports\n"
    "  build FILE [-o DIR] [--format json|yaml] [--stack NAME] [--cross-stack MODE]\n"
    "                       compile to one CloudFormation template per stack and\n"
    "                       manifest.json in DIR (default stackc.out); MODE is\n"
    "                       stack-output (default) or export\n"
    "  build FILE --target compose [-o DIR]\n"
    "                       write docker-compose.yml and .env to DIR (default\n"
    "                       stackc.out): the site on one machine, see docs/views.md\n"
    "  graph FILE [--format dot|mermaid|svg] [-o FILE]\n"
    "                       draw the architecture; svg needs Graphviz's `dot`\n"
    "  plan FILE [--stack NAME] [--param NAME=VALUE]... [--region R] [--verbose]\n"
    "                       show what apply would change, stack by stack; changes nothing\n"
    "  apply FILE [--stack NAME] [--param NAME=VALUE]... [--yes] [--region R] [--verbose]\n"
    "                       deploy through CloudFormation change sets, in dependency order\n"
    "  destroy FILE [--stack NAME] [--yes] [--region R]\n"
    "                       delete the stacks, in reverse order\n"
    "  test FILE... [--format json] [--all-components]\n"
    "                       run the `test` blocks of each file (and FILE_test.stack\n"
    "                       beside it) against what it compiles to; components' own\n"
    "                       tests run on default instances (all loaded components'\n"
    "                       with --all-components, the standard library's included)\n"
    "  fmt FILE... [--check]  rewrite files in the canonical layout (FILE \"-\": read\n"
    "                       stdin, write stdout); with --check, list the files that\n"
    "                       are not formatted and change nothing\n"
    "  version              print the version\n"
    "\n"
    "options:\n"
    "  --stdlib DIR         where the standard components live (default: $STACKC_STDLIB,\n"
    "                       else the stdlib/ of the source tree stackc was built from)\n"
    "  --no-prelude         do not load the standard components implicitly\n"
    "\n"
    "exit codes: 0 ok, 1 compile errors, 2 usage error, 3 file error, 4 deploy failed,\n"
    "            5 a test failed, 70 internal error, 130 interrupted\n";

static int usage_error(const char *message, const char *detail)
{
    fprintf(stderr, "stackc: %s%s%s\n\n%s", message, detail ? " " : "", detail ? detail : "",
            usage_text);
    return SC_EXIT_USAGE;
}

static int parse_options(int argc, char **argv, options *opts)
{
    if (argc < 2)
        return usage_error("no command given", NULL);
    opts->command = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") == 0)
                opts->format = FORMAT_JSON;
            else if (strcmp(f, "human") == 0)
                opts->format = FORMAT_HUMAN;
            else if (strcmp(f, "yaml") == 0)
                opts->yaml = true;
            else if (strcmp(f, "dot") == 0)
                opts->graph = GRAPH_DOT;
            else if (strcmp(f, "mermaid") == 0)
                opts->graph = GRAPH_MERMAID;
            else if (strcmp(f, "svg") == 0)
                opts->graph = GRAPH_SVG;
            else
                return usage_error("unknown --format", f);
        } else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && i + 1 < argc) {
            opts->out_dir = argv[++i];
        } else if (strcmp(arg, "--target") == 0 && i + 1 < argc) {
            const char *target = argv[++i];
            if (strcmp(target, "compose") == 0)
                opts->compose = true;
            else if (strcmp(target, "cloudformation") != 0)
                return usage_error("unknown --target", target);
        } else if (strcmp(arg, "--stack") == 0 && i + 1 < argc) {
            opts->stack = argv[++i];
        } else if (strcmp(arg, "--cross-stack") == 0 && i + 1 < argc) {
            const char *mode = argv[++i];
            if (strcmp(mode, "export") == 0)
                opts->export_references = true;
            else if (strcmp(mode, "stack-output") != 0)
                return usage_error("unknown --cross-stack mode", mode);
        } else if (strncmp(arg, "--dump=", 7) == 0) {
            opts->dump = arg + 7;
            if (strcmp(opts->dump, "tokens") != 0 && strcmp(opts->dump, "ast") != 0)
                return usage_error("unknown --dump stage", opts->dump);
        } else if (strcmp(arg, "--stdlib") == 0 && i + 1 < argc) {
            opts->stdlib_dir = argv[++i];
        } else if (strcmp(arg, "--param") == 0 && i + 1 < argc) {
            if (opts->param_count == (int)(sizeof(opts->params) / sizeof(opts->params[0])))
                return usage_error("too many --param", NULL);
            opts->params[opts->param_count++] = argv[++i];
        } else if (strcmp(arg, "--region") == 0 && i + 1 < argc) {
            opts->region = argv[++i];
        } else if (strcmp(arg, "--profile") == 0 && i + 1 < argc) {
            opts->profile = argv[++i];
        } else if (strcmp(arg, "--bucket") == 0 && i + 1 < argc) {
            opts->bucket = argv[++i];
        } else if (strcmp(arg, "--all-components") == 0) {
            opts->all_components = true;
        } else if (strcmp(arg, "--yes") == 0 || strcmp(arg, "-y") == 0) {
            opts->yes = true;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            opts->verbose = true;
        } else if (strcmp(arg, "--check") == 0) {
            opts->check_only = true;
        } else if (strcmp(arg, "--no-prelude") == 0) {
            opts->no_prelude = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option", arg);
        } else if (opts->file_count < (int)(sizeof(opts->files) / sizeof(opts->files[0]))) {
            opts->files[opts->file_count++] = arg;
        } else {
            return usage_error("too many files", NULL);
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
    const char *dir = opts->stdlib_dir ? opts->stdlib_dir : getenv("STACKC_STDLIB");
    sc_context_set_stdlib_dir(ctx, dir ? dir : STACKC_DEFAULT_STDLIB);
    sc_context_set_prelude(ctx, !opts->no_prelude);
    return ctx;
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
 * not a compile error, and scripts can tell the two apart by the exit code. */
static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "stackc: cannot read \"%s\": %s\n", path, strerror(errno));
        return false;
    }
    fclose(f);
    return true;
}

static int run_check(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error("check takes exactly one file", NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    bool ok;
    if (opts->dump && strcmp(opts->dump, "tokens") == 0)
        ok = sc_dump_tokens(ctx, opts->files[0], stdout);
    else if (opts->dump)
        ok = sc_dump_ast(ctx, opts->files[0], stdout);
    else
        ok = sc_check_file(ctx, opts->files[0]);
    render(ctx, opts);
    sc_context_free(ctx);
    return ok ? SC_EXIT_OK : SC_EXIT_COMPILE_ERROR;
}

static bool write_all(const char *path, const char *data, size_t len);
static char *read_all(const char *path, size_t *len);

static int run_build(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error("build takes exactly one file", NULL);
    if (opts->compose && (opts->stack || opts->yaml || opts->export_references))
        return usage_error("--target compose runs every stack and takes no --stack, --format "
                           "yaml or --cross-stack",
                           NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    bool ok;
    if (opts->compose) {
        /* The user's edits to an earlier .env are kept (docs/views.md). */
        char env_path[4096];
        size_t env_len = 0;
        snprintf(env_path, sizeof(env_path), "%s/.env",
                 opts->out_dir ? opts->out_dir : "stackc.out");
        char *previous_env = read_all(env_path, &env_len);
        if (previous_env)
            previous_env[env_len] = '\0'; /* read_all leaves room for it */
        sc_compose_options compose = {.output_dir = opts->out_dir ? opts->out_dir : "stackc.out",
                                      .previous_env = previous_env};
        ok = sc_build_compose(ctx, opts->files[0], &compose);
        free(previous_env);
    } else {
        sc_build_options build = {
            .yaml = opts->yaml, .stack = opts->stack, .export_references = opts->export_references};
        ok = sc_build_file(ctx, opts->files[0], &build);
    }
    /* A machine reading JSON diagnostics still wants its templates on success. */
    if (opts->format == FORMAT_JSON)
        sc_render_json(ctx, stdout);
    else
        sc_render_human(ctx, stderr, isatty(STDERR_FILENO));
    int status = ok ? SC_EXIT_OK : SC_EXIT_COMPILE_ERROR;
    const char *dir = opts->out_dir ? opts->out_dir : "stackc.out";
    if (ok && mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "stackc: cannot create \"%s\": %s\n", dir, strerror(errno));
        status = SC_EXIT_IO;
    }
    for (size_t i = 0; ok && status == SC_EXIT_OK && i < sc_output_count(ctx); i++) {
        size_t len = 0;
        const char *data = sc_output_data(ctx, i, &len);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, sc_output_name(ctx, i));
        if (!write_all(path, data, len)) {
            fprintf(stderr, "stackc: cannot write \"%s\"\n", path);
            status = SC_EXIT_IO;
        }
    }
    if (status == SC_EXIT_OK && opts->format != FORMAT_JSON)
        fprintf(stderr, "wrote %zu files to %s\n", sc_output_count(ctx), dir);
    sc_context_free(ctx);
    return status;
}

/* The whole of `f`, with one spare byte after it; NULL when out of memory. */
static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 16384, used = 0;
    char *data = malloc(cap);
    while (data) {
        used += fread(data + used, 1, cap - used, f);
        if (used < cap)
            break;
        char *grown = realloc(data, cap * 2);
        if (!grown)
            free(data);
        data = grown;
        cap *= 2;
    }
    *len = used;
    return data;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = read_stream(f, len);
    fclose(f);
    return data;
}

static bool write_all(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
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
        return usage_error("graph takes exactly one file", NULL);
    if (opts->format == FORMAT_JSON || opts->yaml)
        return usage_error("graph --format is dot, mermaid or svg", NULL);
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
        if (!write_all(opts->out_dir, data, len)) {
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
    char *text = piped ? read_stream(stdin, &len) : read_all(path, &len);
    if (!text) {
        fprintf(stderr, "stackc: cannot read \"%s\"\n", name);
        return SC_EXIT_IO;
    }
    sc_context *ctx = new_context(opts);
    size_t out_len = 0;
    char *formatted = ctx ? sc_format_buffer(ctx, name, text, len, &out_len) : NULL;
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
        else if (*changed && !write_all(path, formatted, out_len)) {
            fprintf(stderr, "stackc: cannot write \"%s\"\n", path);
            status = SC_EXIT_IO;
        }
    }
    free(formatted);
    free(text);
    sc_context_free(ctx);
    return status;
}

/* Runs each file's tests; one report per file, then the totals on the last line. */
static int run_test(const options *opts)
{
    if (opts->file_count == 0)
        return usage_error("test needs at least one file", NULL);
    size_t failed = 0, passed = 0;
    bool compiled = true;
    for (int i = 0; i < opts->file_count; i++) {
        if (!readable(opts->files[i]))
            return SC_EXIT_IO;
        sc_context *ctx = new_context(opts);
        if (!ctx)
            return SC_EXIT_INTERNAL;
        sc_context_set_all_component_tests(ctx, opts->all_components);
        if (!sc_test_file(ctx, opts->files[i])) {
            render(ctx, opts);
            compiled = false;
        } else {
            sc_render_human(ctx, stderr, isatty(STDERR_FILENO)); /* warnings */
            sc_render_tests(ctx, stdout, opts->format == FORMAT_JSON);
            failed += sc_tests_failed(ctx);
            passed += sc_tests_run(ctx) - sc_tests_failed(ctx);
        }
        sc_context_free(ctx);
    }
    if (opts->file_count > 1 && opts->format != FORMAT_JSON)
        printf("%zu passed, %zu failed\n", passed, failed);
    if (!compiled)
        return SC_EXIT_COMPILE_ERROR;
    return failed ? SC_EXIT_TEST_FAILED : SC_EXIT_OK;
}

static int run_fmt(const options *opts)
{
    if (opts->file_count == 0)
        return usage_error("fmt needs at least one file", NULL);
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

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "lsp") == 0) /* the server takes options of its own */
        return cli_run_lsp(argc - 2, argv + 2);
    options opts = {0};
    int status = parse_options(argc, argv, &opts);
    if (status != SC_EXIT_OK)
        return status;
    if (strcmp(opts.command, "check") == 0)
        return run_check(&opts);
    if (strcmp(opts.command, "fmt") == 0)
        return run_fmt(&opts);
    if (strcmp(opts.command, "build") == 0)
        return run_build(&opts);
    if (strcmp(opts.command, "graph") == 0)
        return run_graph(&opts);
    if (strcmp(opts.command, "test") == 0)
        return run_test(&opts);
    if (strcmp(opts.command, "plan") == 0 || strcmp(opts.command, "apply") == 0 ||
        strcmp(opts.command, "destroy") == 0) {
        if (opts.file_count != 1)
            return usage_error(opts.command, "takes exactly one file");
        if (!readable(opts.files[0]))
            return SC_EXIT_IO;
        cli_deploy_command which = opts.command[0] == 'p'   ? CLI_PLAN
                                   : opts.command[0] == 'a' ? CLI_APPLY
                                                            : CLI_DESTROY;
        return cli_run_deploy(&opts, which);
    }
    if (strcmp(opts.command, "version") == 0 || strcmp(opts.command, "--version") == 0) {
        printf("stackc %s\n", STACKC_VERSION);
        return SC_EXIT_OK;
    }
    if (strcmp(opts.command, "help") == 0 || strcmp(opts.command, "--help") == 0) {
        fputs(usage_text, stdout);
        return SC_EXIT_OK;
    }
    return usage_error("unknown command", opts.command);
}
