/* The `stackc` command: a thin client of libstackc. It parses arguments, runs one
 * library entry point per command and renders the diagnostics; exit codes are the
 * sc_exit_code enum, documented in docs/cli.md. */
#include <stackc/stackc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum output_format { FORMAT_HUMAN, FORMAT_JSON } output_format;

typedef struct options {
    const char *command;
    const char *files[256];
    int file_count;
    output_format format;
    const char *dump;
    const char *stdlib_dir;
    bool check_only; /* fmt --check */
    bool no_prelude;
    const char *out_dir;
    const char *stack;
    bool yaml;
    bool export_references;
} options;

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
    "  fmt FILE... [--check]  rewrite files in the canonical layout; with --check,\n"
    "                       list the files that are not formatted and change nothing\n"
    "  version              print the version\n"
    "\n"
    "options:\n"
    "  --stdlib DIR         where the standard components live (default: $STACKC_STDLIB,\n"
    "                       else the stdlib/ of the source tree stackc was built from)\n"
    "  --no-prelude         do not load the standard components implicitly\n"
    "\n"
    "exit codes: 0 ok, 1 compile errors, 2 usage error, 3 file error, 4 deploy failed,\n"
    "            5 a test failed, 70 internal error\n";

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
            else
                return usage_error("unknown --format", f);
        } else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && i + 1 < argc) {
            opts->out_dir = argv[++i];
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

static int run_build(const options *opts)
{
    if (opts->file_count != 1)
        return usage_error("build takes exactly one file", NULL);
    if (!readable(opts->files[0]))
        return SC_EXIT_IO;
    sc_context *ctx = new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    sc_build_options build = {.yaml = opts->yaml, .stack = opts->stack,
                              .export_references = opts->export_references};
    bool ok = sc_build_file(ctx, opts->files[0], &build);
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

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
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
    fclose(f);
    *len = used;
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

/* Formats one file; returns an exit code. `changed` tells whether it differed. */
static int format_one(const options *opts, const char *path, bool *changed)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        fprintf(stderr, "stackc: cannot read \"%s\"\n", path);
        return SC_EXIT_IO;
    }
    sc_context *ctx = new_context(opts);
    size_t out_len = 0;
    char *formatted = ctx ? sc_format_buffer(ctx, path, text, len, &out_len) : NULL;
    int status = SC_EXIT_OK;
    if (!formatted) {
        if (ctx)
            render(ctx, opts);
        status = SC_EXIT_COMPILE_ERROR;
    } else {
        *changed = out_len != len || memcmp(formatted, text, len) != 0;
        if (*changed && opts->check_only)
            printf("%s\n", path);
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
