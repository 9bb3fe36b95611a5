/* `stackc plan|apply|destroy`: compile the file in memory, hand its templates and
 * manifest to the deploy workflow (libstackc_aws), and print what it reports. */
#include "cli/cli.h"

#include <stackc/deploy.h>
#include <stackc/stackc.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by SIGINT or SIGTERM: the workflow stops within a second, cleaning up what it
 * made. A second signal ends the process (SA_RESETHAND). The one piece of process
 * state, as signals require. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    interrupted = 1;
}

static bool ask(void *ctx, const char *question)
{
    (void)ctx;
    fprintf(stderr, "%s [y/N] ", question);
    char line[64];
    return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* How events are shown: on a terminal, progress is one line rewritten in place with
 * the counts and elapsed time; elsewhere every event is a plain line. */
typedef struct display {
    bool terminal;
    bool progress_shown; /* a progress line is on screen and must be cleared first */
} display;

static void clear_progress(display *d)
{
    if (d->progress_shown)
        fputs("\r\033[K", stderr);
    d->progress_shown = false;
}

static void show(void *ctx, const sc_deploy_event *event)
{
    display *d = ctx;
    /* A failure stays on screen: it is printed as a line, not drawn over. */
    const char *status = event->status ? event->status : "";
    size_t len = strlen(status);
    bool failed = len > 7 && strcmp(status + len - 7, "_FAILED") == 0;
    if (d->terminal && event->kind == SC_DEPLOY_EV_PROGRESS && !failed) {
        clear_progress(d);
        fprintf(stderr, "  [%zu/%zu] %.1fs  %s %s%s%s", event->done, event->total,
                (double)event->elapsed_ms / 1000.0, event->status ? event->status : "",
                event->nested ? event->nested : "", event->nested ? "/" : "",
                event->logical_id ? event->logical_id : "");
        fflush(stderr);
        d->progress_shown = true;
        return;
    }
    clear_progress(d);
    char *text = sc_deploy_event_text(event);
    if (text)
        fputs(text, event->kind == SC_DEPLOY_EV_OUTPUT ? stdout : stderr);
    free(text);
}

static void log_http(void *ctx, const char *text)
{
    fputs(text, ctx);
}

/* --param NAME=VALUE, split at the first '='. */
static bool parse_params(const cli_options *opts, sc_deploy_param *params)
{
    for (int i = 0; i < opts->param_count; i++) {
        const char *eq = strchr(opts->params[i], '=');
        if (!eq || eq == opts->params[i]) {
            fprintf(stderr, "stackc: --param takes NAME=VALUE, not \"%s\"\n", opts->params[i]);
            return false;
        }
        params[i].name = strndup(opts->params[i], (size_t)(eq - opts->params[i]));
        params[i].value = eq + 1;
    }
    return true;
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

int cli_run_deploy(const cli_options *opts, cli_deploy_command command)
{
    sc_context *ctx = cli_new_context(opts);
    if (!ctx)
        return SC_EXIT_INTERNAL;
    /* The whole program is built: --stack narrows the deployment, not the manifest. */
    sc_build_options build = {.app = opts->app};
    if (!sc_build_file(ctx, opts->files[0], &build)) {
        sc_render_human(ctx, stderr, isatty(STDERR_FILENO));
        sc_context_free(ctx);
        return SC_EXIT_COMPILE_ERROR;
    }
    /* Stacks are named after the app, so two apps never share one: deploying needs one. */
    if (!sc_build_app(ctx)) {
        fprintf(stderr,
                "stackc: %s names no app: add `app = \"NAME\"` at the top of the file, or pass "
                "--app NAME\n       every stack is deployed as NAME-STACK, so that apps "
                "sharing an account never replace each other's stacks\n",
                opts->files[0]);
        sc_context_free(ctx);
        return SC_EXIT_USAGE;
    }
    size_t count = sc_output_count(ctx);
    sc_deploy_file *files = calloc(count ? count : 1, sizeof(*files));
    sc_deploy_param *params =
        calloc(opts->param_count ? (size_t)opts->param_count : 1, sizeof(*params));
    char *assets_dir = folder_of(opts->files[0]);
    int status = SC_EXIT_USAGE;
    if (files && params && assets_dir && parse_params(opts, params)) {
        for (size_t i = 0; i < count; i++) {
            files[i].name = sc_output_name(ctx, i);
            files[i].data = sc_output_data(ctx, i, &files[i].len);
        }
        sc_deploy_input input = {.files = files, .file_count = count, .assets_dir = assets_dir};
        display screen = {.terminal = isatty(STDERR_FILENO) != 0};
        sc_deploy_options options = {
            .stack = opts->stack,
            .region = opts->region,
            .profile = opts->profile,
            .bucket = opts->bucket,
            .params = params,
            .param_count = (size_t)opts->param_count,
            .yes = opts->yes,
            .interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO),
            .confirm = ask,
            .on_event = show,
            .event_ctx = &screen,
            .log = opts->verbose ? log_http : NULL,
            .log_ctx = stderr,
            .cancel = &interrupted,
        };
        struct sigaction action = {.sa_handler = on_interrupt, .sa_flags = SA_RESETHAND};
        sigaction(SIGINT, &action, NULL);
        sigaction(SIGTERM, &action, NULL);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        sc_deploy_result result = command == CLI_PLAN    ? sc_deploy_plan(&input, &options)
                                  : command == CLI_APPLY ? sc_deploy_apply(&input, &options)
                                                         : sc_deploy_destroy(&input, &options);
        clear_progress(&screen);
        curl_global_cleanup();
        status = result == SC_DEPLOY_OK || result == SC_DEPLOY_NO_CHANGES ? SC_EXIT_OK
                 : result == SC_DEPLOY_FAILED                             ? SC_EXIT_DEPLOY_FAILED
                 : result == SC_DEPLOY_CANCELLED                          ? SC_EXIT_CANCELLED
                                                                          : SC_EXIT_USAGE;
    }
    for (int i = 0; params && i < opts->param_count; i++)
        free((char *)params[i].name);
    free(params);
    free(files);
    free(assets_dir);
    sc_context_free(ctx);
    return status;
}
