/* The command line's documentation as data, and everything printed from it: the
 * overview, each command's help, the man page and the shell completions. */
#include "cli/help.h"

#include <string.h>

/* ---- the commands ---------------------------------------------------------------------- */

static const cli_option_doc common_options[] = {
    {"--stdlib", NULL, "DIR",
     "where the standard components are (the folder holding prelude.stack); default: "
     "$STACKC_STDLIB, else the copy installed beside stackc (PREFIX/share/stackc/stdlib), "
     "else, for a binary in its build tree, the source tree's stdlib/"},
    {"--no-prelude", NULL, NULL, "do not load the standard components implicitly"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc help_option = {"--help", "-h", NULL, "print this help and exit"};

static const cli_option_doc check_options[] = {
    {"--format", NULL, "human|json",
     "how diagnostics are printed: human (default) on standard error, or json, one document "
     "on standard output: {\"diagnostics\": [{\"severity\", \"code\", \"message\", \"span\", "
     "\"notes\", \"help\"}], \"errors\": N}"},
    {"--dump", NULL, "tokens|ast|typed|expanded",
     "print what a stage sees instead of only checking: the lexer's tokens, the parser's "
     "tree, each declaration with its checked type (typed), or each stack's resources "
     "before emission (expanded)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc build_options[] = {
    {"--output", "-o", "DIR",
     "the folder to write into (default stackc.out); it is created, with any missing parent "
     "folders"},
    {"--format", NULL, "json|yaml",
     "the templates' format (default json); it does not change how diagnostics are printed"},
    {"--diagnostics", NULL, "human|json",
     "how diagnostics are printed: human (default) on standard error, or json on standard "
     "output, the document `stackc check --format json` prints"},
    {"--stack", NULL, "STACK", "write only this stack's template (and the manifest)"},
    {"--app", NULL, "NAME",
     "the app's name, over the file's `app = \"...\"`: it starts every deployed stack's name"},
    {"--cross-stack", NULL, "stack-output|export",
     "how a stack reads another's outputs: stack-output (default, Fn::GetStackOutput, no "
     "export lock) or export (Export and Fn::ImportValue)"},
    {"--target", NULL, "cloudformation|compose",
     "what to write: cloudformation (default), or compose, a docker-compose.yml and .env that "
     "run the site on one machine (docs/views.md); compose takes no --stack, --format yaml or "
     "--cross-stack"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc graph_options[] = {
    {"--format", NULL, "dot|mermaid|svg",
     "dot (Graphviz, default), mermaid, or svg, drawn by Graphviz's `dot` command"},
    {"--output", "-o", "FILE", "write the graph to FILE instead of standard output"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc test_options[] = {
    {"--format", NULL, "human|json", "the results as text (default) or one JSON document per file"},
    {"--all-components", NULL, NULL,
     "also run the tests of every loaded component on a default instance, the standard "
     "library's included"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc fmt_options[] = {
    {"--check", NULL, NULL,
     "change nothing: print the files that are not in the canonical layout and exit 1 if there "
     "are any"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc lsp_options[] = {
    {"--stdio", NULL, NULL,
     "talk over standard input and output, the one transport there is (clients that pass it "
     "are accepted)"},
    {NULL, NULL, NULL, NULL},
};

/* plan, apply and destroy share their options; `commands` says which take each. */
enum { FOR_PLAN = 1, FOR_APPLY = 2, FOR_DESTROY = 4 };

typedef struct deploy_option {
    cli_option_doc doc;
    unsigned commands;
} deploy_option;

static const deploy_option deploy_options[] = {
    {{"--stack", NULL, "STACK", "work on this stack only"}, FOR_PLAN | FOR_APPLY | FOR_DESTROY},
    {{"--app", NULL, "NAME",
      "the app's name, over the file's `app = \"...\"`: every stack is deployed as NAME-STACK, "
      "and a stack another app owns is never touched"},
     FOR_PLAN | FOR_APPLY | FOR_DESTROY},
    {{"--param", NULL, "NAME=VALUE",
      "a value for a deploy-time parameter, repeatable; NAME is the template's name, the "
      "declaration's in PascalCase (`param db_user` is --param DbUser=...)"},
     FOR_PLAN | FOR_APPLY},
    {{"--yes", "-y", NULL,
      "do not ask before changing anything (needed when standard input is not a terminal)"},
     FOR_APPLY | FOR_DESTROY},
    {{"--region", NULL, "REGION",
      "the AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)"},
     FOR_PLAN | FOR_APPLY | FOR_DESTROY},
    {{"--profile", NULL, "PROFILE", "the profile of ~/.aws/config and ~/.aws/credentials to use"},
     FOR_PLAN | FOR_APPLY | FOR_DESTROY},
    {{"--bucket", NULL, "BUCKET",
      "the S3 bucket for templates too big to send inline (default "
      "stackc-assets-ACCOUNT-REGION, created when missing)"},
     FOR_PLAN | FOR_APPLY},
    {{"--verbose", "-v", NULL, "show every HTTP request, with signatures and tokens redacted"},
     FOR_PLAN | FOR_APPLY | FOR_DESTROY},
};

#define DEPLOY_OPTION_COUNT (sizeof(deploy_options) / sizeof(deploy_options[0]))

static const cli_option_doc help_options[] = {
    {"--man", NULL, NULL, "print the whole manual as a man page (roff), the text of stackc(1)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_option_doc no_options[] = {{NULL, NULL, NULL, NULL}};

static const char *const check_examples[] = {
    "stackc check site.stack",
    "stackc check --format json site.stack",
    "stackc check --dump=ast site.stack",
    NULL,
};
static const char *const build_examples[] = {
    "stackc build site.stack",
    "# YAML templates in a folder made on the way",
    "stackc build site.stack -o out/prod --format yaml",
    "stackc build site.stack --stack Network",
    "# the site on one machine",
    "stackc build site.stack --target compose -o local",
    NULL,
};
static const char *const graph_examples[] = {
    "stackc graph site.stack --format svg -o site.svg",
    "stackc graph site.stack --format mermaid",
    NULL,
};
static const char *const test_examples[] = {
    "stackc test site.stack",
    "stackc test --all-components site.stack",
    NULL,
};
static const char *const fmt_examples[] = {
    "stackc fmt site.stack lib/*.stack",
    "stackc fmt --check site.stack",
    "# what an editor runs on save",
    "stackc fmt - < site.stack",
    NULL,
};
static const char *const plan_examples[] = {
    "stackc plan site.stack",
    "stackc plan site.stack --stack Api --param Image=registry.example.com/api:1.4",
    NULL,
};
static const char *const apply_examples[] = {
    "stackc apply site.stack",
    "# in CI, where nobody can answer the question",
    "stackc apply site.stack --yes --region eu-west-1",
    NULL,
};
static const char *const destroy_examples[] = {
    "stackc destroy site.stack",
    "stackc destroy site.stack --stack Wordpress --yes",
    NULL,
};
static const char *const completion_examples[] = {
    "# for this bash session",
    "source <(stackc completion bash)",
    "# for good (the Debian package installs all three)",
    "stackc completion bash > ~/.local/share/bash-completion/completions/stackc",
    "stackc completion zsh > ~/.zfunc/_stackc  # with fpath+=(~/.zfunc) in ~/.zshrc",
    "stackc completion fish > ~/.config/fish/completions/stackc.fish",
    NULL,
};
static const char *const help_examples[] = {
    "stackc help build",
    "stackc build --help",
    "stackc help --man | man -l -",
    NULL,
};
static const char *const version_examples[] = {"stackc version", NULL};
static const char *const lsp_examples[] = {
    "# what an editor starts; see docs/lsp.md for VS Code, Neovim, Helix and Zed",
    "stackc lsp",
    NULL,
};

#define EXIT_OK(what)                                                                              \
    {                                                                                              \
        0, what                                                                                    \
    }
#define EXIT_USAGE                                                                                 \
    {                                                                                              \
        2, "usage error: unknown option or value, missing or extra FILE"                           \
    }
#define EXIT_READ                                                                                  \
    {                                                                                              \
        3, "FILE, a file it imports or the standard library cannot be read"                        \
    }
#define EXIT_END                                                                                   \
    {                                                                                              \
        -1, NULL                                                                                   \
    }

static const cli_exit_doc check_exits[] = {
    EXIT_OK("no errors (warnings may have been printed)"),
    {1, "compile errors"},
    EXIT_USAGE,
    EXIT_READ,
    EXIT_END,
};
static const cli_exit_doc build_exits[] = {
    EXIT_OK("every file written"),
    {1, "compile errors; nothing was written"},
    EXIT_USAGE,
    {3, "a file could not be read, or the output folder or a file in it could not be written"},
    EXIT_END,
};
static const cli_exit_doc graph_exits[] = {
    EXIT_OK("the graph was written"),
    {1, "compile errors"},
    EXIT_USAGE,
    {3, "a file could not be read or written, or Graphviz's `dot` is missing or failed"},
    EXIT_END,
};
static const cli_exit_doc test_exits[] = {
    EXIT_OK("every test passed"),
    {1, "compile errors"},
    EXIT_USAGE,
    EXIT_READ,
    {5, "a test failed"},
    EXIT_END,
};
static const cli_exit_doc fmt_exits[] = {
    EXIT_OK("formatted (with --check: every file already was)"),
    {1, "a syntax error, or --check found files to format"},
    EXIT_USAGE,
    {3, "a file could not be read or written"},
    EXIT_END,
};
static const cli_exit_doc deploy_exits[] = {
    EXIT_OK("done (or nothing to change)"),
    {1, "compile errors; nothing was sent"},
    {2, "usage error, before anything was sent: unknown option, stack or parameter, a missing "
        "parameter, no region or credentials, no --yes without a terminal"},
    EXIT_READ,
    {4, "the deployment failed; the root cause is reported at its source line"},
    {130, "interrupted (Ctrl-C); running it again picks up where it stopped"},
    EXIT_END,
};
static const cli_exit_doc lsp_exits[] = {
    EXIT_OK("the client asked it to shut down, then to exit"),
    {1, "the client exited it without asking it to shut down first, as LSP says"},
    EXIT_USAGE,
    {3, "the standard library cannot be found"},
    EXIT_END,
};
static const cli_exit_doc simple_exits[] = {
    EXIT_OK("printed"),
    {2, "usage error: unknown argument"},
    EXIT_END,
};

static const cli_command_doc commands[] = {
    {"check", "FILE [options]", "parse and type-check a .stack file and what it imports",
     "Parses FILE and every file it imports, and checks every name, type, secret and AWS limit. "
     "A tests file, NAME_test.stack, is checked with NAME.stack, the program it tests. "
     "Nothing is written. Each diagnostic names the file, line and column, says what is wrong "
     "and, where it can, how to fix it: `file:line:col: error[CODE]: message`, the source line "
     "with a caret under the cause, notes, and `help:`.",
     check_options, 0, true, check_examples, check_exits},
    {"build", "FILE [options]", "compile to CloudFormation templates and manifest.json",
     "Compiles FILE to one CloudFormation template per stack and manifest.json (the stacks in "
     "deployment order, their parameters, outputs and assets) in the output folder. The same "
     "input gives byte-identical files. With --target compose it writes a docker-compose.yml "
     "and .env that run the site on one machine instead; an earlier .env's edits are kept.",
     build_options, 0, true, build_examples, build_exits},
    {"graph", "FILE [options]", "draw the architecture (Graphviz dot, Mermaid or SVG)",
     "Draws the stacks, services, databases, filesystems and the traffic allowed between them, "
     "from what FILE compiles to.",
     graph_options, 0, true, graph_examples, graph_exits},
    {"test", "FILE... [options]", "run the test blocks against what each file compiles to",
     "Runs the `test` blocks of each FILE, and of FILE_test.stack beside it, against the "
     "templates it compiles to; the tests inside the components FILE defines run on default "
     "instances of them. One report per file; with several files, a last line with the "
     "totals.",
     test_options, 0, true, test_examples, test_exits},
    {"fmt", "FILE... [options]", "rewrite files in the canonical layout",
     "Rewrites each FILE in the canonical layout, in place. The FILE `-` is standard input, "
     "formatted to standard output (named <stdin> in messages), as editors that format on save "
     "expect.",
     fmt_options, 0, false, fmt_examples, fmt_exits},
    {"plan", "FILE [options]", "show what apply would change, stack by stack; changes nothing",
     "Compiles FILE in memory and asks CloudFormation, through change sets, what deploying it "
     "would change: each resource added, modified or removed, with its .stack source line, and "
     "whether it would be replaced. The change sets are deleted afterwards. Credentials and "
     "region come from the usual AWS chain; AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) "
     "points stackc at any compatible endpoint.",
     no_options, FOR_PLAN, true, plan_examples, deploy_exits},
    {"apply", "FILE [options]", "deploy through CloudFormation change sets",
     "Compiles FILE, builds and pushes its container images, and deploys its stacks through "
     "CloudFormation change sets, in dependency order: it shows each plan, asks before "
     "changing anything (unless --yes), follows the progress live and, when a deployment fails, "
     "reports the root cause at its .stack line.",
     no_options, FOR_APPLY, true, apply_examples, deploy_exits},
    {"destroy", "FILE [options]", "delete the stacks, in reverse dependency order",
     "Deletes the stacks FILE deploys, the last deployed first, after asking (unless --yes).",
     no_options, FOR_DESTROY, true, destroy_examples, deploy_exits},
    {"completion", "bash|zsh|fish", "print a shell completion script",
     "Prints a script that completes stackc's commands and options in the shell, the values "
     "of options with fixed choices, .stack files, and the stack and parameter names declared "
     "in the .stack file on the command line.",
     no_options, 0, false, completion_examples, simple_exits},
    {"lsp", "[options]", "run the language server (LSP 3.17) on standard input and output",
     "Serves an editor: diagnostics as you type, hover, go to definition, references, "
     "completion, the outline, formatting and quick fixes, for every .stack file the editor "
     "opens. The standard library is checked once, when it starts; each edit is checked "
     "again in well under a millisecond for a file the size of the WordPress example.",
     lsp_options, 0, true, lsp_examples, lsp_exits},
    {"version", "", "print the version", "Prints `stackc VERSION`.", no_options, 0, false,
     version_examples, simple_exits},
    {"help", "[COMMAND] [options]", "print the help of stackc or of one command",
     "Prints the list of commands, or one command's usage, options, examples and exit codes "
     "(the same as `stackc COMMAND --help`).",
     help_options, 0, false, help_examples, simple_exits},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const cli_exit_doc all_exits[] = {
    {0, "success"},
    {1, "compile errors (or `fmt --check` found files to format)"},
    {2, "usage error: unknown command or option, missing file argument"},
    {3, "a file could not be read or written"},
    {4, "a deployment failed"},
    {5, "a `stackc test` assertion failed"},
    {70, "internal error"},
    {130, "interrupted (Ctrl-C) during plan, apply or destroy; a rerun picks up where it stopped"},
    EXIT_END,
};

size_t cli_command_count(void)
{
    return COMMAND_COUNT;
}

const cli_command_doc *cli_command_at(size_t index)
{
    return index < COMMAND_COUNT ? &commands[index] : NULL;
}

const cli_option_doc *cli_option_at(const cli_command_doc *command, size_t index)
{
    for (const cli_option_doc *o = command->options; o->name; o++) {
        if (index-- == 0)
            return o;
    }
    for (size_t i = 0; i < DEPLOY_OPTION_COUNT; i++) {
        if ((deploy_options[i].commands & command->deploy_options) && index-- == 0)
            return &deploy_options[i].doc;
    }
    for (const cli_option_doc *o = common_options; command->compiles && o->name; o++) {
        if (index-- == 0)
            return o;
    }
    return index == 0 ? &help_option : NULL;
}

const cli_command_doc *cli_find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static bool option_is(const cli_option_doc *option, const char *arg)
{
    return strcmp(option->name, arg) == 0 ||
           (option->short_name && strcmp(option->short_name, arg) == 0);
}

const cli_option_doc *cli_find_option(const cli_command_doc *command, const char *arg)
{
    const cli_option_doc *o;
    for (size_t i = 0; (o = cli_option_at(command, i)); i++) {
        if (option_is(o, arg))
            return o;
    }
    return NULL;
}

bool cli_has_choices(const cli_option_doc *option)
{
    return option->value && strchr(option->value, '|');
}

bool cli_is_choice(const cli_option_doc *option, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = option->value; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t choice_len = bar ? (size_t)(bar - p) : strlen(p);
        if (choice_len == len && strncmp(p, value, len) == 0)
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* ---- plain text ------------------------------------------------------------------------ */

#define TEXT_WIDTH 80
#define OPTION_COLUMN 26

/* Prints `text` filled to TEXT_WIDTH, continuation lines indented by `indent`; the first
 * line starts at column `column`. */
static void print_filled(FILE *out, const char *text, int indent, int column)
{
    const char *p = text;
    bool line_start = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        if (word == 0)
            break;
        if (!line_start && column + 1 + (int)word > TEXT_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', out);
            column++;
        }
        fwrite(p, 1, word, out);
        column += (int)word;
        line_start = false;
        p += word;
    }
    fputc('\n', out);
}

/* "-o, --output DIR" */
static int print_option_name(FILE *out, const cli_option_doc *o)
{
    int n = 0;
    if (o->short_name)
        n += fprintf(out, "%s, ", o->short_name);
    n += fprintf(out, "%s", o->name);
    if (o->value)
        n += fprintf(out, " %s", o->value);
    return n;
}

static void print_option(FILE *out, const cli_option_doc *o)
{
    int n = fprintf(out, "  ") + print_option_name(out, o);
    if (n + 2 > OPTION_COLUMN) {
        fprintf(out, "\n%*s", OPTION_COLUMN, "");
    } else {
        fprintf(out, "%*s", OPTION_COLUMN - n, "");
    }
    print_filled(out, o->text, OPTION_COLUMN, OPTION_COLUMN);
}

static void print_exit_codes(FILE *out, const cli_exit_doc *exits)
{
    for (const cli_exit_doc *e = exits; e->text; e++) {
        int n = fprintf(out, "  %-5d", e->code);
        print_filled(out, e->text, 7, n);
    }
}

#define COMMAND_COLUMN 20

void cli_print_overview(FILE *out)
{
    fputs("usage: stackc COMMAND [options] FILE...\n\n", out);
    print_filled(out,
                 "stackc compiles .stack, a declarative language for AWS deployments, to "
                 "CloudFormation, checking every name, type, secret and AWS limit first, and "
                 "deploys it.",
                 0, 0);
    fputs("\ncommands:\n", out);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const cli_command_doc *c = &commands[i];
        size_t first_argument = strcspn(c->arguments, " ");
        int n = fprintf(out, "  %s %.*s", c->name, (int)first_argument, c->arguments);
        if (n + 2 > COMMAND_COLUMN)
            fprintf(out, "\n%*s", COMMAND_COLUMN, "");
        else
            fprintf(out, "%*s", COMMAND_COLUMN - n, "");
        print_filled(out, c->summary, COMMAND_COLUMN, COMMAND_COLUMN);
    }
    fputc('\n', out);
    print_filled(out,
                 "Run `stackc help COMMAND` or `stackc COMMAND --help` for a command's options, "
                 "examples and exit codes, and `stackc help --man` for the whole manual.",
                 0, 0);
    fputs("\noptions of the commands that compile:\n", out);
    for (const cli_option_doc *o = common_options; o->name; o++)
        print_option(out, o);
    fputs("\nexit codes:\n", out);
    print_exit_codes(out, all_exits);
}

static void print_usage_line(const cli_command_doc *command, FILE *out)
{
    fprintf(out, "usage: stackc %s%s%s\n", command->name, *command->arguments ? " " : "",
            command->arguments);
}

void cli_print_command_usage(const cli_command_doc *command, FILE *out)
{
    print_usage_line(command, out);
    fprintf(out, "run `stackc help %s` for its options, examples and exit codes\n", command->name);
}

void cli_print_command_help(const cli_command_doc *command, FILE *out)
{
    print_usage_line(command, out);
    fputc('\n', out);
    print_filled(out, command->description, 0, 0);
    fputs("\noptions:\n", out);
    const cli_option_doc *o;
    for (size_t i = 0; (o = cli_option_at(command, i)); i++)
        print_option(out, o);
    fputs("\nexamples:\n", out);
    for (const char *const *e = command->examples; *e; e++)
        fprintf(out, "  %s\n", *e);
    fputs("\nexit codes:\n", out);
    print_exit_codes(out, command->exit_codes);
}

/* ---- the man page ---------------------------------------------------------------------- */

/* Text for roff: backslashes and hyphens escaped, a leading . or ' made literal. */
static void roff(FILE *out, const char *text)
{
    if (*text == '.' || *text == '\'')
        fputs("\\&", out);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-')
            fputs("\\-", out);
        else
            fputc(*p, out);
    }
}

static void roff_line(FILE *out, const char *text)
{
    roff(out, text);
    fputc('\n', out);
}

static void man_option(FILE *out, const cli_option_doc *o)
{
    fputs(".TP\n.B ", out);
    if (o->short_name) {
        roff(out, o->short_name);
        fputs(", ", out);
    }
    roff(out, o->name);
    if (o->value) {
        fputs(" \\fI", out);
        roff(out, o->value);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff_line(out, o->text);
}

static void man_exit_codes(FILE *out, const cli_exit_doc *exits)
{
    for (const cli_exit_doc *e = exits; e->text; e++) {
        fprintf(out, ".TP\n.B %d\n", e->code);
        roff_line(out, e->text);
    }
}

static void man_command(FILE *out, const cli_command_doc *c)
{
    fprintf(out, ".SS \"stackc %s ", c->name);
    roff(out, c->arguments);
    fputs("\"\n", out);
    roff_line(out, c->description);
    fputs(".PP\nOptions:\n.RS\n", out);
    const cli_option_doc *o;
    for (size_t i = 0; (o = cli_option_at(c, i)); i++)
        man_option(out, o);
    fputs(".RE\n", out);
    fputs(".PP\nExamples:\n.RS\n.nf\n", out);
    for (const char *const *e = c->examples; *e; e++)
        roff_line(out, *e);
    fputs(".fi\n.RE\n.PP\nExit status:\n.RS\n", out);
    man_exit_codes(out, c->exit_codes);
    fputs(".RE\n", out);
}

void cli_print_man_page(FILE *out)
{
    fputs(".\\\" Generated by `stackc help --man` from the text of `stackc help`; do not edit.\n"
          ".TH STACKC 1 \"\" \"stackc " STACKC_VERSION "\" \"User Commands\"\n"
          ".SH NAME\nstackc \\- compile .stack deployments to CloudFormation and deploy them\n"
          ".SH SYNOPSIS\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        fprintf(out, ".B stackc %s\n", commands[i].name);
        if (*commands[i].arguments)
            roff_line(out, commands[i].arguments);
        fputs(".br\n", out);
    }
    fputs(".SH DESCRIPTION\n"
          "stackc compiles .stack, a declarative language for AWS deployments, to "
          "CloudFormation, after checking every name, type, secret and AWS limit, and reports "
          "mistakes at the line that caused them; plan, apply and destroy deploy through "
          "CloudFormation change sets.\n"
          ".SH COMMANDS\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        man_command(out, &commands[i]);
    fputs(".SH OPTIONS\nOf every command that compiles:\n", out);
    for (const cli_option_doc *o = common_options; o->name; o++)
        man_option(out, o);
    man_option(out, &help_option);
    fputs(".SH \"EXIT STATUS\"\n", out);
    man_exit_codes(out, all_exits);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B STACKC_STDLIB\nwhere the standard components are, unless \\fB\\-\\-stdlib\\fR "
          "says.\n"
          ".TP\n.B AWS_REGION\\fR, \\fBAWS_PROFILE\\fR, \\fBAWS_ACCESS_KEY_ID\\fR, ...\n"
          "the usual AWS configuration, read by plan, apply and destroy.\n"
          ".TP\n.B AWS_ENDPOINT_URL\\fR, \\fBAWS_ENDPOINT_URL_\\fISERVICE\n"
          "send the AWS requests to another, compatible endpoint.\n"
          ".SH FILES\n"
          ".TP\n.I PREFIX/share/stackc/stdlib\n"
          "the standard components (\\fIprelude.stack\\fR, \\fInetwork.stack\\fR, ...) and the "
          "CloudFormation resource schemas (\\fIschema/\\fR), found relative to the stackc "
          "executable.\n"
          ".SH \"SEE ALSO\"\n"
          "The language reference, the diagnostics and the CLI's documentation are in the "
          "project's docs/ folder.\n",
          out);
}
