/* Public API of the deploy workflow (src/deploy): `stackc plan`, `apply` and `destroy`
 * as one call each, on top of the AWS client of <stackc/aws.h>.
 *
 * The workflow knows nothing of the .stack language. Its input is what `stackc build`
 * writes (docs/backend.md): manifest.json and the templates it names, as texts, plus
 * the folder the Docker build contexts are relative to. It never prints: everything it
 * has to say arrives as structured events through a callback, and the caller renders
 * them (sc_deploy_event_text gives a plain rendering). docs/deploy.md describes the
 * workflow, the polling policy, root-cause selection, S3 uploads and image assets.
 *
 * Everything the workflow reaches outside itself is injectable, so tests run it against
 * the local emulator with a fake Docker and fast polling: the environment (credentials,
 * region, AWS_ENDPOINT_URL*), the clock and sleep, the Docker runner, the confirmation
 * prompt and the cancellation flag. */
#ifndef STACKC_DEPLOY_H
#define STACKC_DEPLOY_H

#include <stackc/aws.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results ------------------------------------------------------------------------- */

/* What a command ended with. The CLI maps them to exit codes (docs/deploy.md). */
typedef enum sc_deploy_result {
    SC_DEPLOY_OK = 0,     /* done: the plan was shown, the stacks deployed or deleted */
    SC_DEPLOY_NO_CHANGES, /* a success with nothing to do: every stack up to date, or
                             (destroy) none exists */
    SC_DEPLOY_FAILED,     /* AWS refused a call, or an operation failed (and rolled back) */
    SC_DEPLOY_USAGE,      /* the input or configuration is unusable (bad manifest, missing
                             parameter, no credentials or region, no --yes when not
                             interactive); nothing was changed */
    SC_DEPLOY_CANCELLED,  /* declined at the prompt, or interrupted through `cancel` */
} sc_deploy_result;

/* "ok", "no changes", "deploy failed", "usage error", "cancelled". */
const char *sc_deploy_result_name(sc_deploy_result result);

/* ---- input --------------------------------------------------------------------------- */

/* One file of the build output; every pointer borrowed. */
typedef struct sc_deploy_file {
    const char *name; /* as the manifest names it: "Network.template.json" */
    const char *data;
    size_t len;
} sc_deploy_file;

/* The build output. Every pointer is borrowed for the duration of the call. */
typedef struct sc_deploy_input {
    const char *manifest; /* manifest.json's text; NULL: the file "manifest.json" in `files` */
    size_t manifest_len;  /* 0: strlen(manifest) */
    const sc_deploy_file *files; /* the templates (other files are ignored) */
    size_t file_count;
    const char *assets_dir; /* what asset contexts are relative to: the folder of the
                               compiled .stack file. NULL: the current directory */
} sc_deploy_input;

/* A name and a value: a parameter (--param K=V), a build argument. Borrowed strings. */
typedef struct sc_deploy_param {
    const char *name;
    const char *value;
} sc_deploy_param;

/* ---- events -------------------------------------------------------------------------- */

typedef enum sc_deploy_event_kind {
    SC_DEPLOY_EV_STACK,         /* work on a stack begins: stack, index/count, operation */
    SC_DEPLOY_EV_NOTE,          /* something worth saying: message (stack when about one) */
    SC_DEPLOY_EV_CHANGE,        /* one resource change of a plan */
    SC_DEPLOY_EV_PLAN,          /* a stack's plan is complete: counts, no_changes */
    SC_DEPLOY_EV_ASSET,         /* an image asset: asset_id, image, source, asset_phase */
    SC_DEPLOY_EV_DOCKER_OUTPUT, /* one line Docker printed: message */
    SC_DEPLOY_EV_PROGRESS,      /* one stack event while an operation runs */
    SC_DEPLOY_EV_ROOT_CAUSE,    /* the event that made an operation fail, with its source */
    SC_DEPLOY_EV_STACK_DONE,    /* an operation finished: status, failed, elapsed_ms */
    SC_DEPLOY_EV_OUTPUT,        /* one output of a deployed stack (at the end of apply) */
    SC_DEPLOY_EV_ERROR,         /* why the command stops: message, aws_code, aws_message */
} sc_deploy_event_kind;

typedef enum sc_deploy_operation {
    SC_DEPLOY_OP_NONE,              /* nothing to do to the stack */
    SC_DEPLOY_OP_CREATE,            /* a new stack */
    SC_DEPLOY_OP_UPDATE,            /* an existing stack */
    SC_DEPLOY_OP_RECREATE,          /* a stack left in ROLLBACK_COMPLETE: deleted, then created */
    SC_DEPLOY_OP_DELETE,            /* destroy */
    SC_DEPLOY_OP_CONTINUE_ROLLBACK, /* a stack left UPDATE_ROLLBACK_FAILED: its rollback
                                       taken up (ContinueUpdateRollback) before the update */
} sc_deploy_operation;

typedef enum sc_deploy_action {
    SC_DEPLOY_ACTION_ADD,
    SC_DEPLOY_ACTION_MODIFY,
    SC_DEPLOY_ACTION_REMOVE,
    SC_DEPLOY_ACTION_OTHER, /* Import, Dynamic, ...: see action_name */
} sc_deploy_action;

typedef enum sc_deploy_replacement {
    SC_DEPLOY_REPLACE_NO,    /* updated in place (or not a Modify) */
    SC_DEPLOY_REPLACE_MAYBE, /* Replacement Conditional: "may replace" */
    SC_DEPLOY_REPLACE_YES,   /* Replacement True: a new resource, the old one deleted */
} sc_deploy_replacement;

typedef enum sc_deploy_asset_phase {
    SC_DEPLOY_ASSET_BUILDING,
    SC_DEPLOY_ASSET_PUSHING,
    SC_DEPLOY_ASSET_PUSHED,
} sc_deploy_asset_phase;

/* One event. Which fields are set depends on `kind` (see each field); the others are
 * zero or NULL. Every string is borrowed for the duration of the callback. No string
 * ever holds a secret, a signature, or the value of a noEcho parameter. */
typedef struct sc_deploy_event {
    sc_deploy_event_kind kind;
    const char *stack;             /* the stack concerned; NULL for run-wide notes and errors */
    size_t stack_index;            /* STACK: 1-based position among the stacks worked on */
    size_t stack_count;            /* STACK: how many there are */
    sc_deploy_operation operation; /* STACK, PLAN, STACK_DONE */
    const char *message;           /* NOTE, DOCKER_OUTPUT, ERROR: the text; STACK: the stack's
                                      current status when it matters (e.g. ROLLBACK_COMPLETE) */

    /* a resource: CHANGE, PROGRESS, ROOT_CAUSE */
    const char *logical_id;    /* PROGRESS: the stack's name for the stack's own events */
    const char *resource_type; /* "AWS::RDS::DBCluster"; AWS::CloudFormation::Stack */
    const char *source;        /* "site.stack:18" from the manifest (ASSET too); NULL when
                                  unknown */
    const char *path;          /* "wp/cluster" from the manifest; NULL when unknown */
    const char *nested;        /* the nested stack (its logical id in the stack) that holds
                                  the resource; NULL: the stack itself */

    /* CHANGE */
    sc_deploy_action action;
    const char *action_name; /* CloudFormation's word: "Add", "Modify", ... */
    sc_deploy_replacement replacement;
    const char *replacing_properties; /* "Engine, DatabaseName": what forces (or may
                                         force) the replacement; NULL when none */

    /* PLAN (for destroy: operation DELETE, status the stack's current one, removes the
     * number of resources the manifest gives it) */
    bool no_changes;
    size_t adds, modifies, removes; /* resources added, modified, removed */
    size_t replacements;            /* modifications with Replacement True */
    size_t may_replace;             /* modifications with Replacement Conditional */
    const char *parameters;         /* "Env=prod, ApiToken=****" (noEcho masked); NULL if none */

    /* PROGRESS, ROOT_CAUSE, STACK_DONE */
    const char *status;  /* CloudFormation's: "CREATE_COMPLETE", "ROLLBACK_COMPLETE" */
    const char *reason;  /* its reason; NULL when none */
    uint64_t elapsed_ms; /* since the operation started */
    size_t done, total;  /* PROGRESS: resources finished / expected (total 0: unknown) */
    bool failed;         /* STACK_DONE: the operation failed */

    /* ASSET */
    const char *asset_id;
    const char *image; /* REGISTRY/REPOSITORY:TAG */
    sc_deploy_asset_phase asset_phase;

    /* OUTPUT */
    const char *output_key;
    const char *output_value;
    const char *output_description; /* NULL when none */

    /* ERROR */
    const char *aws_code;    /* AWS's error code, verbatim ("ValidationError"); NULL if none */
    const char *aws_message; /* AWS's message, verbatim; when no answer came, the client's
                                (e.g. "connection refused"); NULL if none */
} sc_deploy_event;

typedef void (*sc_deploy_event_fn)(void *ctx, const sc_deploy_event *event);

/* The event as plain text, one or more '\n'-terminated lines, for logs and for output
 * that is not a terminal. A heap string the caller frees; NULL when out of memory. */
char *sc_deploy_event_text(const sc_deploy_event *event);

/* ---- collaborators ------------------------------------------------------------------- */

/* Receives one line of a child process's output (no newline). */
typedef void (*sc_deploy_line_fn)(void *ctx, const char *line);

/* What `docker build` gets; every string borrowed. */
typedef struct sc_deploy_docker_build {
    const char *context;               /* the build context: assets_dir/context */
    const char *dockerfile;            /* the Dockerfile's path: context/dockerfile */
    const sc_deploy_param *build_args; /* --build-arg NAME=VALUE, in manifest order */
    size_t build_arg_count;
    const char *target;   /* --target; NULL for the last stage */
    const char *platform; /* --platform, "linux/arm64"; NULL: the builder's own */
    const char *image;    /* --tag: REGISTRY/REPOSITORY:TAG */
} sc_deploy_docker_build;

/* How images are built and pushed: a struct of function pointers, so tests plug a fake.
 * Each returns 0 on success or a non-zero status (the docker command's exit status);
 * output lines go to `out`, which the workflow turns into DOCKER_OUTPUT events (with the
 * registry password, should it ever appear, redacted). */
typedef struct sc_deploy_docker {
    void *self;
    int (*login)(void *self, const char *registry, const char *username, const char *password,
                 sc_deploy_line_fn out, void *out_ctx);
    int (*build)(void *self, const sc_deploy_docker_build *build, sc_deploy_line_fn out,
                 void *out_ctx);
    int (*push)(void *self, const char *image, sc_deploy_line_fn out, void *out_ctx);
    /* Whether Docker can build now (its daemon answers); 0 when it can. NULL: not
     * checked. */
    int (*check)(void *self, sc_deploy_line_fn out, void *out_ctx);
} sc_deploy_docker;

/* The docker command line: `program` (NULL: "docker", looked up in PATH) run without a
 * shell, its standard output and error read line by line; `login` hands the password
 * on standard input (--password-stdin), never as an argument; `check` runs `docker
 * version`, which needs the daemon. `program` is borrowed. */
sc_deploy_docker sc_deploy_docker_command(const char *program);

/* Time, injectable so tests poll deterministically. `now_ms` is monotonic. */
typedef struct sc_deploy_clock {
    uint64_t (*now_ms)(void *ctx);
    void (*sleep_ms)(void *ctx, uint64_t ms);
    void *ctx;
} sc_deploy_clock;

/* How often to ask CloudFormation while waiting: the n-th wait (from 0) of one
 * operation is min(max_ms, first_ms * (growth_percent/100)^n). Zero fields take the
 * defaults: first 1000 ms, growth 150 %, max 10000 ms, timeout 4 h. */
typedef struct sc_deploy_poll {
    uint64_t first_ms;
    uint64_t max_ms;
    unsigned growth_percent;
    uint64_t timeout_ms; /* one wait gives up (SC_DEPLOY_FAILED) after this long */
} sc_deploy_poll;

/* The n-th wait of `poll` (defaults filled in), in milliseconds. */
uint64_t sc_deploy_poll_delay(const sc_deploy_poll *poll, unsigned n);

/* Retries of throttled, failed (5xx) and dropped calls. Zero fields take the AWS
 * client's defaults: 5 attempts, 500 ms base, 20 s cap, full jitter. */
typedef struct sc_deploy_retry {
    unsigned max_attempts;
    uint64_t base_delay_ms;
    uint64_t max_delay_ms;
} sc_deploy_retry;

/* How long an HTTP exchange may take. Zero fields take the AWS client's defaults:
 * connect 10 s, less than a byte a second for 30 s (answer awaited included), 120 s in
 * all. */
typedef struct sc_deploy_http {
    long connect_timeout_ms;
    long low_speed_time_s;
    long timeout_ms;
} sc_deploy_http;

/* ---- options ------------------------------------------------------------------------- */

/* Everything a command needs besides its input. Zero-initialise, then set what
 * matters; every pointer is borrowed for the duration of the call. */
typedef struct sc_deploy_options {
    /* where, and as whom */
    sc_aws_env env;      /* getenv NULL: the process environment. Read for credentials,
                            region and AWS_ENDPOINT_URL* (docs: include/stackc/aws.h) */
    const char *region;  /* --region; NULL: AWS_REGION, AWS_DEFAULT_REGION, the profile */
    const char *profile; /* --profile; NULL: AWS_PROFILE, else "default" */

    /* what */
    const char *stack;             /* --stack: only this stack; NULL: every stack */
    const sc_deploy_param *params; /* --param NAME=VALUE: for every stack declaring NAME */
    size_t param_count;
    const char *bucket; /* where templates over 51,200 bytes go; NULL:
                           stackc-assets-ACCOUNT-REGION, created when missing */

    /* people */
    bool yes;         /* --yes: apply and destroy without asking */
    bool destroying;  /* set by sc_deploy_destroy: no parameter is needed */
    bool interactive; /* standard input is a terminal: `confirm` may ask */
    /* Asks `question` ("Deploy these changes to stack Network?"); true to go on. */
    bool (*confirm)(void *ctx, const char *question);
    void *confirm_ctx;
    sc_deploy_event_fn on_event; /* NULL: events are dropped */
    void *event_ctx;
    /* --verbose: each HTTP request and answer, signatures and tokens redacted, bodies
     * never shown. NULL: quiet. */
    void (*log)(void *ctx, const char *text);
    void *log_ctx;

    /* plumbing */
    const sc_deploy_docker *docker; /* NULL: sc_deploy_docker_command(NULL) */
    sc_deploy_clock clock;          /* NULL functions: the monotonic clock and nanosleep */
    sc_deploy_poll poll;
    sc_deploy_retry retry;
    sc_deploy_http http;
    /* Set to non-zero (e.g. by a SIGINT or SIGTERM handler) to stop within a second:
     * waits and HTTP exchanges in flight end, no retry is sent, nothing new starts, a
     * change set of ours (and the empty stack made for it) is deleted; an operation
     * already executing carries on in CloudFormation and a rerun picks it up. */
    const volatile sig_atomic_t *cancel;
} sc_deploy_options;

/* ---- commands ------------------------------------------------------------------------ */

/* `stackc plan`: for each stack in manifest order, a change set (CREATE or UPDATE) is
 * made, reported (CHANGE events, then PLAN) and deleted. Nothing is deployed; a
 * template over 51,200 bytes is uploaded to S3 so CloudFormation can read it. Returns
 * SC_DEPLOY_OK, or SC_DEPLOY_NO_CHANGES when no stack would change. */
sc_deploy_result sc_deploy_plan(const sc_deploy_input *input, const sc_deploy_options *options);

/* `stackc apply`: for each stack in manifest order: settle a stack left in progress,
 * delete one left in ROLLBACK_COMPLETE, make a change set and show it, ask (unless
 * `yes`; refused when neither `yes` nor `interactive`), build and push its image
 * assets, execute, stream progress, and on failure report the root cause and wait for
 * the rollback. The outputs of every stack come last. Stops at the first failure. */
sc_deploy_result sc_deploy_apply(const sc_deploy_input *input, const sc_deploy_options *options);

/* `stackc destroy`: the stacks that exist, in reverse manifest order, deleted after one
 * confirmation (same rules as apply), each waited for. */
sc_deploy_result sc_deploy_destroy(const sc_deploy_input *input, const sc_deploy_options *options);

#ifdef __cplusplus
}
#endif

#endif
