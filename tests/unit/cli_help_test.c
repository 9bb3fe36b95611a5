/* The command line's help: every command has its own (usage, options, examples, exit
 * codes) through `help CMD` and `CMD --help`; every option it documents is accepted and
 * every other refused; the man page is valid roff and carries the same options and
 * examples. */
#include "support.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct run_result {
    int status;
    char *out; /* stdout and stderr together */
} run_result;

static run_result run(const char *args)
{
    char command[4096];
    snprintf(command, sizeof(command), "cd '%s' && '%s' %s 2>&1", STACKC_REPO_ROOT, STACKC_BINARY,
             args);
    run_result r = {0};
    FILE *p = popen(command, "r");
    size_t cap = 1 << 18, len = 0;
    r.out = calloc(1, cap);
    size_t n;
    while (p && (n = fread(r.out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    int status = p ? pclose(p) : -1;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

static const char *const commands[] = {"check", "build",   "graph",      "test",    "fmt", "plan",
                                       "apply", "destroy", "completion", "version", "help"};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void test_every_command_has_its_help(void)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char args[128], usage[128];
        snprintf(args, sizeof(args), "help %s", commands[i]);
        run_result help = run(args);
        CU_ASSERT_EQUAL(help.status, 0);
        snprintf(usage, sizeof(usage), "usage: stackc %s", commands[i]);
        CU_ASSERT_EQUAL(strncmp(help.out, usage, strlen(usage)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(help.out, "\noptions:\n"));
        const char *examples = strstr(help.out, "\nexamples:\n  ");
        CU_ASSERT_PTR_NOT_NULL(examples ? strstr(examples, "\n  stackc ") : NULL);
        CU_ASSERT_PTR_NOT_NULL(strstr(help.out, "\nexit codes:\n  0    "));
        static const char *const spellings[] = {"%s --help", "%s -h"};
        for (size_t s = 0; s < 2; s++) {
            snprintf(args, sizeof(args), spellings[s], commands[i]);
            run_result same = run(args);
            CU_ASSERT_EQUAL(same.status, 0);
            CU_ASSERT_STRING_EQUAL(same.out, help.out);
            free(same.out);
        }
        free(help.out);
    }
}

static void test_overview_lists_every_command(void)
{
    run_result r = run("help");
    CU_ASSERT_EQUAL(r.status, 0);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char line[64];
        snprintf(line, sizeof(line), "\n  %s ", commands[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, line));
    }
    run_result dashed = run("--help");
    CU_ASSERT_STRING_EQUAL(dashed.out, r.out);
    free(dashed.out);
    free(r.out);
    r = run("help frobnicate");
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_STRING_EQUAL(r.out, "stackc: unknown command frobnicate\n"
                                  "run `stackc help` for the list of commands\n");
    free(r.out);
}

/* A value the option accepts, from its placeholder in the help. */
static const char *sample_value(const char *placeholder)
{
    if (strcmp(placeholder, "NAME=VALUE") == 0)
        return "Name=value";
    if (strcmp(placeholder, "DIR") == 0 || strcmp(placeholder, "FILE") == 0)
        return "/tmp/stackc-help-test";
    return "x";
}

/* Runs `stackc COMMAND OPTION [VALUE] --help`: the option parses, so the help is printed. */
static void check_accepted(const char *command, const char *option, const char *value,
                           const char *help)
{
    char args[512];
    snprintf(args, sizeof(args), "%s %s %s --help", command, option, value ? value : "");
    run_result r = run(args);
    if (r.status != 0)
        fprintf(stderr, "\n  `stackc %s` exited %d: %s", args, r.status, r.out);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, help);
    free(r.out);
}

/* Every option line of each command's help ("  -o, --output DIR   text"), tried with
 * each of its choices or a sample value, in both `--name value` and `--name=value`. */
static void test_documented_options_are_accepted(void)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char args[128];
        snprintf(args, sizeof(args), "help %s", commands[i]);
        run_result help = run(args);
        const char *section = strstr(help.out, "\noptions:\n");
        const char *end = strstr(help.out, "\nexamples:\n");
        CU_ASSERT_FATAL(section && end);
        size_t tried = 0;
        for (const char *line = section + 10; line < end; line = strchr(line, '\n') + 1) {
            if (strncmp(line, "  -", 3) != 0)
                continue;
            char names[3][64] = {{0}};
            if (sscanf(line, "  %63s %63s %63s", names[0], names[1], names[2]) < 1)
                continue;
            bool has_short = names[0][strlen(names[0]) - 1] == ',';
            const char *name = has_short ? names[1] : names[0];
            const char *placeholder = has_short ? names[2] : names[1];
            /* A placeholder is upper case or a list of choices; anything else is text. */
            bool takes_value =
                strchr(placeholder, '|') || (placeholder[0] >= 'A' && placeholder[0] <= 'Z');
            if (!takes_value) {
                check_accepted(commands[i], name, NULL, help.out);
            } else if (strchr(placeholder, '|')) {
                char choices[64];
                snprintf(choices, sizeof(choices), "%s", placeholder);
                for (char *c = strtok(choices, "|"); c; c = strtok(NULL, "|"))
                    check_accepted(commands[i], name, c, help.out);
            } else {
                check_accepted(commands[i], name, sample_value(placeholder), help.out);
                char joined[160];
                snprintf(joined, sizeof(joined), "%s=%s", name, sample_value(placeholder));
                check_accepted(commands[i], joined, NULL, help.out);
            }
            tried++;
        }
        CU_ASSERT(tried >= 1); /* --help at least */
        free(help.out);
    }
}

static void expect_usage_error(const char *args, const char *message)
{
    run_result r = run(args);
    CU_ASSERT_EQUAL(r.status, 2);
    if (!strstr(r.out, message))
        fprintf(stderr, "\n  `stackc %s` printed: %s", args, r.out);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, message));
    free(r.out);
}

static void test_other_options_are_refused(void)
{
    expect_usage_error("check --yes site.stack",
                       "stackc: unknown option --yes for `stackc check`\n");
    expect_usage_error("check site.stack --yes",
                       "usage: stackc check FILE [options]\nrun `stackc help check`");
    expect_usage_error("fmt --stdlib /tmp x.stack", "unknown option --stdlib for `stackc fmt`");
    expect_usage_error("build x.stack --format human",
                       "unknown --format human (`stackc build` takes --format json|yaml)");
    expect_usage_error("check x.stack --format", "stackc: missing value after --format");
    expect_usage_error("fmt --check=yes x.stack", "this option takes no value: --check=yes");
    expect_usage_error("completion tcsh", "stackc: no completion for the shell tcsh");
    expect_usage_error("version extra", "stackc: version takes no arguments");
}

static void test_man_page(void)
{
    char path[] = "/tmp/stackc-man-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    char args[256];
    snprintf(args, sizeof(args), "help --man > %s", path);
    run_result r = run(args);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    /* groff's own checks, every warning on: the page must be clean. */
    char lint[512];
    snprintf(lint, sizeof(lint), "groff -man -Tutf8 -ww -z %s 2>&1", path);
    FILE *p = popen(lint, "r");
    char warnings[4096] = "";
    size_t n = p ? fread(warnings, 1, sizeof(warnings) - 1, p) : 0;
    warnings[n] = '\0';
    int status = p ? pclose(p) : -1;
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_STRING_EQUAL(warnings, "");
    char *man = test_read_file(path, NULL);
    CU_ASSERT_FATAL(man != NULL);
    CU_ASSERT_EQUAL(strncmp(man, ".\\\" Generated by `stackc help --man`", 34), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(man, "\n.TH STACKC 1 "));
    /* Each command's section, options and examples, as the help prints them. */
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char section[64];
        snprintf(section, sizeof(section), "\n.SS \"stackc %s", commands[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(man, section));
        snprintf(args, sizeof(args), "help %s", commands[i]);
        run_result help = run(args);
        const char *examples = strstr(help.out, "\nexamples:\n");
        for (const char *line = examples ? examples + 11 : ""; strncmp(line, "  ", 2) == 0;
             line = strchr(line, '\n') + 1) {
            char roff[512] = "\n";
            size_t len = 1;
            for (const char *c = line + 2; *c != '\n' && len < sizeof(roff) - 3; c++) {
                if (*c == '-')
                    roff[len++] = '\\';
                roff[len++] = *c;
            }
            roff[len++] = '\n';
            roff[len] = '\0';
            if (!strstr(man, roff))
                fprintf(stderr, "\n  the man page lacks the example [%s]", roff + 1);
            CU_ASSERT_PTR_NOT_NULL(strstr(man, roff));
        }
        free(help.out);
    }
    free(man);
    unlink(path);
}

int main(void)
{
    static const test_case cases[] = {
        {"every command has its help: help CMD, CMD --help, CMD -h",
         test_every_command_has_its_help},
        {"help lists every command; an unknown one is a usage error",
         test_overview_lists_every_command},
        {"every documented option and value is accepted", test_documented_options_are_accepted},
        {"options a command does not document are refused", test_other_options_are_refused},
        {"the man page is clean roff with every command's examples", test_man_page},
        {NULL, NULL},
    };
    return test_main("cli_help", cases);
}
