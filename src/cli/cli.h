/* Shared between the files of the `stackc` command. */
#ifndef STACKC_CLI_H
#define STACKC_CLI_H

#include <stackc/stackc.h>

#include <stdbool.h>
#include <stddef.h>

typedef enum output_format { FORMAT_HUMAN, FORMAT_JSON } output_format;

typedef enum graph_format { GRAPH_DOT, GRAPH_MERMAID, GRAPH_SVG } graph_format;

struct cli_command_doc;

typedef struct cli_options {
    const char *command;
    const struct cli_command_doc *doc; /* the command's documentation, src/cli/help.c */
    bool help;                         /* COMMAND --help */
    bool man;                          /* help --man */
    const char *files[256];
    int file_count;
    output_format format; /* diagnostics (check, build --diagnostics), test results */
    const char *dump;
    const char *stdlib_dir;
    bool stdlib_given;       /* --stdlib or $STACKC_STDLIB: compiled from its sources */
    const sc_stdlib *stdlib; /* the embedded image, loaded for check, build and graph */
    bool check_only;         /* fmt --check */
    bool no_prelude;
    const char *out_dir;
    const char *stack;
    bool yaml;
    bool export_references;
    const char *app;    /* --app NAME, over the file's `app = "..."` */
    graph_format graph; /* graph --format */
    bool compose;       /* build --target compose */
    /* plan, apply, destroy */
    const char *params[64]; /* --param NAME=VALUE */
    int param_count;
    const char *region;
    const char *profile;
    const char *bucket;
    bool yes;
    bool verbose;
    bool all_components; /* test --all-components */
} cli_options;

typedef enum cli_deploy_command { CLI_PLAN, CLI_APPLY, CLI_DESTROY } cli_deploy_command;

/* Files (files.c). `mkdir -p`; false, with errno saying why, when it cannot. */
bool cli_make_directories(const char *dir);
/* The whole of `path` (up to `limit` bytes), with one spare byte after it; NULL when it
 * cannot be read or memory runs out. The caller frees it. */
char *cli_read_file(const char *path, size_t limit, size_t *len);
/* Writes `len` bytes to `path`, replacing a changed file all at once and only touching
 * one that already holds them. */
bool cli_write_file(const char *path, const char *data, size_t len);

/* A build's outputs, each written beside its file in `dir` as the build emits it
 * (cli_stage_output is an sc_build_options.write_output) and put in place only on
 * commit, once the whole build has succeeded: a failed build leaves the last build's
 * files as they were. Problems are reported on standard error as they happen. */
typedef struct cli_output_stage cli_output_stage;
cli_output_stage *cli_output_stage_new(const char *dir);
bool cli_stage_output(void *stage, const char *name, const char *data, size_t len);
bool cli_output_stage_failed(const cli_output_stage *stage);
size_t cli_output_stage_count(const cli_output_stage *stage);
/* Puts every staged output in place; false when one could not be. */
bool cli_output_stage_commit(cli_output_stage *stage);
/* Frees the stage; without a commit, the staged files are taken away. */
void cli_output_stage_free(cli_output_stage *stage, bool committed);

/* A context with the standard library and prelude the options ask for. */
sc_context *cli_new_context(const cli_options *opts);
/* `stackc lsp`: the language server on standard input and output; returns the exit code. */
int cli_run_lsp(const cli_options *opts);
/* `stackc plan|apply|destroy FILE`: returns the exit code. */
int cli_run_deploy(const cli_options *opts, cli_deploy_command command);

#endif
