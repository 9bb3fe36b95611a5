/* Shared between the files of the `stackc` command. */
#ifndef STACKC_CLI_H
#define STACKC_CLI_H

#include <stackc/stackc.h>

#include <stdbool.h>

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

/* A context with the standard library and prelude the options ask for. */
sc_context *cli_new_context(const cli_options *opts);
/* `stackc lsp`: the language server on standard input and output; returns the exit code. */
int cli_run_lsp(const cli_options *opts);
/* `stackc plan|apply|destroy FILE`: returns the exit code. */
int cli_run_deploy(const cli_options *opts, cli_deploy_command command);

#endif
