/* What the `stackc` command accepts, written once: the option parser checks arguments
 * against these tables, and the help, the man page and the shell completions are printed
 * from them, so none of them can disagree with another. */
#ifndef STACKC_CLI_HELP_H
#define STACKC_CLI_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct cli_option_doc {
    const char *name;       /* "--output" */
    const char *short_name; /* "-o", or NULL */
    /* The value's placeholder ("DIR"), or its choices ("json|yaml"), or NULL for a flag. */
    const char *value;
    const char *text;
} cli_option_doc;

typedef struct cli_exit_doc {
    int code;
    const char *text;
} cli_exit_doc;

typedef struct cli_command_doc {
    const char *name;
    const char *arguments; /* "FILE [options]" */
    const char *summary;   /* one line, for the command list */
    const char *description;
    const cli_option_doc *options;  /* its own, ending with a {NULL} entry */
    unsigned deploy_options;        /* which of help.c's deploy_options it takes */
    bool compiles;                  /* takes --stdlib and --no-prelude */
    const char *const *examples;    /* ends with NULL; "# ..." lines are comments */
    const cli_exit_doc *exit_codes; /* ends with {-1, NULL} */
} cli_command_doc;

size_t cli_command_count(void);
/* The command at `index` (0 <= index < cli_command_count()), in the order of `stackc help`. */
const cli_command_doc *cli_command_at(size_t index);
/* The command's option at `index`, in the order of its help: its own, the deploy options
 * it takes, --stdlib and --no-prelude if it compiles, and --help last; NULL after that. */
const cli_option_doc *cli_option_at(const cli_command_doc *command, size_t index);
/* The command named `name`, or NULL. */
const cli_command_doc *cli_find_command(const char *name);
/* The option `arg` ("--output", "-o") of `command`; NULL when it has no such option. */
const cli_option_doc *cli_find_option(const cli_command_doc *command, const char *arg);
/* Whether `value` is one of the choices of an option whose value is "a|b|c". */
bool cli_is_choice(const cli_option_doc *option, const char *value);
bool cli_has_choices(const cli_option_doc *option);

/* The list of commands, what every command shares, and the exit codes. */
void cli_print_overview(FILE *out);
/* One command's help: usage, description, options, examples, exit codes. */
void cli_print_command_help(const cli_command_doc *command, FILE *out);
/* "usage: stackc build FILE [options]" and where to read more; for usage errors. */
void cli_print_command_usage(const cli_command_doc *command, FILE *out);
/* The whole manual as a roff man page (section 1). */
void cli_print_man_page(FILE *out);
/* A completion script for `shell` (bash, zsh or fish); false for another shell
 * (completion.c). */
bool cli_print_completion(const char *shell, FILE *out);

#endif
