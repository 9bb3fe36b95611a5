/* The deploy workflow's internals: the manifest read into structs (manifest.c), the
 * state of one run with its client, clock and caches (run.c), the CloudFormation steps
 * (stack.c) and the plans they report (plan.c), big templates through S3 (upload.c) and
 * image assets (assets.c). The three commands are put together from these in
 * workflow.c. Internal to libstackc_aws.
 *
 * Convention: a step returns SC_DEPLOY_OK to go on; any other result has already been
 * reported through an ERROR (or ROOT_CAUSE) event and is handed up unchanged. */
#ifndef STACKC_DEPLOY_INTERNAL_H
#define STACKC_DEPLOY_INTERNAL_H

#include <stackc/deploy.h>

#include "aws/chain.h"
#include "aws/cloudformation.h"

#include <cjson/cJSON.h>

/* CloudFormation reads a template body of at most this many bytes; bigger ones go by S3. */
enum { SC_DEPLOY_INLINE_TEMPLATE_MAX = 51200 };

/* The stack tag that names the app a stack was made for (manifest "app"). */
#define SC_DEPLOY_APP_TAG "stackc:app"

/* ---- the manifest (manifest.c) ------------------------------------------------------- */

/* Every string of the manifest structs is owned by the manifest's cJSON tree. */
typedef struct sc_deploy_resource {
    const char *logical_id;
    const char *type;
    const char *path;   /* NULL when absent */
    const char *source; /* "site.stack:18"; NULL when absent */
} sc_deploy_resource;

typedef struct sc_deploy_parameter {
    const char *name;
    bool no_echo;
    bool required;
} sc_deploy_parameter;

typedef struct sc_deploy_asset {
    const char *id;
    const char *context;
    const char *dockerfile;
    const char *target;   /* NULL: the last stage */
    const char *platform; /* the tasks' platform, "linux/amd64"; NULL: the builder's own */
    const char *repository;
    const char *tag;
    const char *source;
    sc_deploy_param *build_args; /* heap array; strings in the tree */
    size_t build_arg_count;
} sc_deploy_asset;

/* A read of another stack's output (Fn::GetStackOutput) in a stack's template. */
typedef struct sc_deploy_read {
    const char *producer; /* the stack read from */
    const char *output;
    const char *resource; /* the logical id of the reading resource; NULL outside Resources */
} sc_deploy_read;

/* A nested stack (AWS::CloudFormation::Stack) the stack's template holds. */
typedef struct sc_deploy_nested {
    const char *logical_id; /* the resource's, in the parent's template */
    const char *template_name;
    const char *template_text; /* borrowed from the input */
    size_t template_len;
    sc_deploy_resource *resources; /* heap array */
    size_t resource_count;
} sc_deploy_nested;

typedef struct sc_deploy_stack {
    const char *name; /* as deployed: the app's name first */
    const char *id;   /* as declared in the .stack file ("Network"), or the name */
    const char *template_name;
    const char *template_text; /* borrowed from the input */
    size_t template_len;
    sc_deploy_parameter *parameters; /* heap arrays */
    size_t parameter_count;
    sc_deploy_resource *resources;
    size_t resource_count;
    const sc_deploy_asset **assets;
    size_t asset_count;
    bool needs_iam;        /* has an AWS::IAM::* resource */
    cJSON *template_tree;  /* the template parsed, owned; NULL when not JSON */
    sc_deploy_read *reads; /* heap array; strings in template_tree */
    size_t read_count;
    sc_deploy_nested *nested; /* heap array, in template order */
    size_t nested_count;
} sc_deploy_stack;

typedef struct sc_deploy_manifest {
    cJSON *root;
    const char *app; /* "app": the application the stacks belong to; NULL in older manifests */
    sc_deploy_stack *stacks; /* deploy order */
    size_t stack_count;
    sc_deploy_asset *assets;
    size_t asset_count;
} sc_deploy_manifest;

/* Reads and checks the manifest and finds each stack's template among the input's
 * files. On false `why` holds the reason and `out` is empty. */
bool sc_deploy_manifest_read(const sc_deploy_input *input, sc_deploy_manifest *out,
                             sc_aws_buf *why);
void sc_deploy_manifest_free(sc_deploy_manifest *manifest);
/* The resource `logical_id` of `stack`, or NULL. */
/* A resource of the stack, or of one of its nested stacks (logical ids are unique
 * across them: they come from one stack's names). */
const sc_deploy_resource *sc_deploy_resource_find(const sc_deploy_stack *stack,
                                                  const char *logical_id);
/* The nested stack whose resource in the parent is `logical_id`, or NULL. */
const sc_deploy_nested *sc_deploy_nested_find(const sc_deploy_stack *stack, const char *logical_id);

/* Whether the manifest's "dependsOn" of `stack` names `other` (by name or id). */
bool sc_deploy_manifest_depends(const sc_deploy_manifest *manifest, const sc_deploy_stack *stack,
                                const sc_deploy_stack *other);

/* ---- reads of other stacks' outputs (outputs.c) -------------------------------------- */

/* Parses the stack's template (JSON only) and lists its reads of other stacks' outputs;
 * false when out of memory. */
bool sc_deploy_find_reads(sc_deploy_stack *stack);

/* ---- one run (run.c) ----------------------------------------------------------------- */

/* What this run knows of a stack's outputs, for the stacks that read them. */
typedef struct sc_deploy_known {
    char *stack;
    bool looked_up; /* described in this run */
    bool exists;
    char **keys, **values; /* its outputs */
    size_t count;
    char **pending; /* plan: outputs this plan changes ("*": any); placeholders stand in */
    size_t pending_count;
} sc_deploy_known;

/* A parameter's value for this run (from --param, the environment or a file). */
typedef struct sc_deploy_value {
    const char *name; /* the manifest's */
    char *value;      /* heap, wiped when the run ends */
} sc_deploy_value;

typedef struct sc_deploy_repository {
    char *name;
    char *uri;
} sc_deploy_repository;

/* What one command works with. Owned by the command's function and torn down by
 * sc_deploy_run_end. */
typedef struct sc_deploy_run {
    const sc_deploy_options *options;
    sc_deploy_manifest manifest;
    const char *assets_dir;
    sc_deploy_stack **selected; /* the stacks worked on, manifest order */
    size_t selected_count;
    sc_aws_env env;
    sc_aws_config config; /* the shared files, read once */
    const char *profile;  /* the profile in use, for endpoint_url settings */
    char *region;
    bool have_credentials;
    sc_aws_refreshing credentials; /* refreshed before they expire */
    sc_aws_transport transport;
    sc_aws_client client;
    sc_deploy_clock clock;
    sc_deploy_poll poll;
    sc_deploy_docker docker;
    sc_deploy_value *values; /* the parameters given, by name */
    size_t value_count;
    char name[48];    /* this run's change set name and request token: stackc-DATE-RANDOM */
    bool cleaning_up; /* deleting what an interrupted step left: requests are not cut short */

    /* learnt on the way, when needed */
    char *account;                      /* STS GetCallerIdentity */
    char *bucket;                       /* known to exist */
    char *registry;                     /* docker login done for it */
    bool docker_checked;                /* Docker answered, or no stack left needs it */
    char *registry_password;            /* wiped at the end */
    sc_deploy_repository *repositories; /* known to exist */
    size_t repository_count;
    char **pushed; /* images pushed in this run */
    size_t pushed_count;
    sc_deploy_known *known; /* outputs of the stacks described so far */
    size_t known_count;
    sc_deploy_value *zones; /* hosted zones looked up by name: name -> id, both heap (lookups.c) */
    size_t zone_count;
    struct sc_deploy_held *held; /* apply side by side: events held back, per stack */
} sc_deploy_run;

/* Reads the manifest, checks the options (stack filter, parameters, confirmation
 * rules when `changes`), then resolves region and credentials and makes the client.
 * Nothing is sent. Anything but SC_DEPLOY_OK was reported. */
sc_deploy_result sc_deploy_run_begin(sc_deploy_run *run, const sc_deploy_input *input,
                                     const sc_deploy_options *options, bool changes);
void sc_deploy_run_end(sc_deploy_run *run);

/* The value of parameter `name` for this run: --param NAME=VALUE, else the variable
 * STACKC_PARAM_NAME; a "file://PATH" value is the file's contents. NULL: not given. */
const char *sc_deploy_param_value(const sc_deploy_run *run, const char *name);

void sc_deploy_emit(const sc_deploy_run *run, const sc_deploy_event *event);
/* From now on, the events of a selected stack wait until every stack before it (in
 * manifest order) is released: stacks side by side show as one after another would.
 * False when out of memory. */
bool sc_deploy_hold_events(sc_deploy_run *run);
/* Stack `index` is over: its events, and those of the following stacks that are over,
 * go out. */
void sc_deploy_release_events(sc_deploy_run *run, size_t index);
/* Every held event goes out, in manifest order; holding ends. */
void sc_deploy_release_all_events(sc_deploy_run *run);
void sc_deploy_note(const sc_deploy_run *run, const char *stack, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports an ERROR with `what` (and AWS's code and message from `err`); returns the
 * result the failure maps to. */
sc_deploy_result sc_deploy_error(const sc_deploy_run *run, const char *stack, sc_aws_status status,
                                 const sc_aws_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The account of the credentials (STS GetCallerIdentity), once per run, in
 * run->account. */
sc_deploy_result sc_deploy_learn_account(sc_deploy_run *run);

bool sc_deploy_cancelled(const sc_deploy_run *run);
/* Reports the interruption and returns SC_DEPLOY_CANCELLED. */
sc_deploy_result sc_deploy_interrupted(const sc_deploy_run *run, const char *stack,
                                       const char *what);
uint64_t sc_deploy_now(const sc_deploy_run *run);
/* Sleeps `ms`; false when the run was cancelled (before or during the sleep). */
bool sc_deploy_pause(const sc_deploy_run *run, uint64_t ms);

/* ---- CloudFormation (stack.c) -------------------------------------------------------- */

/* A stack as found at the start: missing, or described. */
typedef struct sc_deploy_found {
    bool exists; /* false also for REVIEW_IN_PROGRESS (never executed) and DELETE_COMPLETE */
    sc_aws_cfn_stack stack;
} sc_deploy_found;

/* Describes the stack; waits for an operation in progress to settle (saying so). */
sc_deploy_result sc_deploy_find_stack(sc_deploy_run *run, const sc_deploy_stack *stack,
                                      sc_deploy_found *out);

/* A change set made and described. */
typedef struct sc_deploy_change_set {
    char *stack_id;
    bool made;          /* it exists in CloudFormation (so it must be deleted or executed) */
    bool for_new_stack; /* CREATE: its stack exists only for it (REVIEW_IN_PROGRESS) */
    bool empty;         /* it would change nothing */
    sc_aws_cfn_change_set described;
    /* the change sets of its nested stacks, in the order their changes come */
    sc_aws_cfn_change_set *nested; /* heap array */
    const char **nested_ids;       /* their stacks' logical ids, in `described` */
    size_t nested_count;
} sc_deploy_change_set;

void sc_deploy_change_set_clear(sc_deploy_change_set *cs);

/* CreateChangeSet (the template `body` inline, or from `template_url` when that is not
 * NULL) and wait until it is ready. A FAILED change set other than "no changes" is an
 * error (and deleted). The stack is tagged stackc:app when the manifest names an app. */
sc_deploy_result sc_deploy_make_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           sc_aws_cfn_change_set_type type, const char *body,
                                           const char *template_url, sc_deploy_change_set *out);
/* Refuses (an ERROR) a stack that exists but does not carry this manifest's app in its
 * stackc:app tag; nothing to check when the manifest names no app. */
sc_deploy_result sc_deploy_check_owner(sc_deploy_run *run, const sc_deploy_stack *stack,
                                       const sc_deploy_found *found);
/* Deletes a change set not executed (best effort, also when cancelled), and the empty
 * REVIEW_IN_PROGRESS stack a CREATE change set made. */
void sc_deploy_drop_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                               sc_deploy_change_set *cs);

/* CHANGE events, then a PLAN event. */
void sc_deploy_report_plan(sc_deploy_run *run, const sc_deploy_stack *stack,
                           sc_deploy_operation operation, const sc_deploy_change_set *cs);
/* The plan of a stack that will be created from scratch without a change set to show
 * (ROLLBACK_COMPLETE in `plan`): every resource of the manifest added. */
void sc_deploy_report_plan_from_manifest(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_deploy_operation operation);

/* The end of an operation. */
typedef struct sc_deploy_outcome {
    bool failed;
    char *status; /* the stack's final status */
} sc_deploy_outcome;

void sc_deploy_outcome_clear(sc_deploy_outcome *outcome);

/* ExecuteChangeSet, then streams the operation's events until it is over (rollback
 * included); reports the root cause of a failure and STACK_DONE. */
sc_deploy_result sc_deploy_execute(sc_deploy_run *run, const sc_deploy_stack *stack,
                                   sc_deploy_change_set *cs, sc_deploy_operation operation,
                                   sc_deploy_outcome *out);

/* An operation under way, watched in steps, so that apply can follow several stacks at
 * once on one thread. */
typedef struct sc_deploy_watch sc_deploy_watch;

/* ExecuteChangeSet, and a watch of the operation (first poll after the first wait). */
sc_deploy_result sc_deploy_execute_start(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_deploy_change_set *cs, sc_deploy_operation operation,
                                         sc_deploy_watch **out);
/* How long to wait after the last poll (or the start) before the next one. */
uint64_t sc_deploy_watch_wait(const sc_deploy_watch *watch);
/* One poll of the stack's new events (PROGRESS events); an error ends the watch's use
 * (sc_deploy_watch_abandon). */
sc_deploy_result sc_deploy_watch_poll(sc_deploy_watch *watch);
/* Whether the stack has settled. */
bool sc_deploy_watch_done(const sc_deploy_watch *watch);
/* The end of a settled operation: the outcome, the root cause of a failure, STACK_DONE;
 * frees the watch. */
sc_deploy_result sc_deploy_watch_end(sc_deploy_watch *watch, sc_deploy_outcome *out);
/* Interrupted: says the operation carries on in CloudFormation; frees the watch. */
void sc_deploy_watch_stop(sc_deploy_watch *watch);
/* Frees the watch after a failed poll (already reported). */
void sc_deploy_watch_abandon(sc_deploy_watch *watch);
/* Polls, waiting between polls, until the stack settles, then sc_deploy_watch_end;
 * the watch is freed whatever happens. */
sc_deploy_result sc_deploy_watch_follow(sc_deploy_watch *watch, sc_deploy_outcome *out);
/* ContinueUpdateRollback of a stack left UPDATE_ROLLBACK_FAILED, then streams its
 * events until it is over; `out->failed` unless it ends UPDATE_ROLLBACK_COMPLETE (the
 * root cause reported). */
sc_deploy_result sc_deploy_continue_rollback(sc_deploy_run *run, const sc_deploy_stack *stack,
                                             const char *stack_id, sc_deploy_outcome *out);
/* DeleteStack (by id), then streams its events until it is over. */
sc_deploy_result sc_deploy_delete(sc_deploy_run *run, const sc_deploy_stack *stack,
                                  const char *stack_id, size_t total, bool report_done,
                                  sc_deploy_outcome *out);

/* ---- outputs between stacks (outputs.c) ---------------------------------------------- */

/* Records the outputs of `stack` as described (NULL: it does not exist). */
void sc_deploy_remember_outputs(sc_deploy_run *run, const char *stack,
                                const sc_aws_cfn_stack *described);
/* plan: the outputs of `stack` that its change set `cs` changes, from what they are made
 * of in its template; a stack to be created has every output new. */
void sc_deploy_expect_changes(sc_deploy_run *run, const sc_deploy_stack *stack,
                              const sc_aws_cfn_change_set *cs);
void sc_deploy_expect_new_outputs(sc_deploy_run *run, const sc_deploy_stack *stack);
void sc_deploy_known_clear(sc_deploy_run *run);
/* The template CloudFormation gets: the stack's own, with each read of another stack's
 * output replaced by that output's value, read from the producer (described once when
 * it is not worked on in this run). Planning, an output that is pending or does not
 * exist yet becomes a placeholder; applying, it is an error. On SC_DEPLOY_OK `*text`
 * is a heap string of `*len` bytes the caller frees. */
sc_deploy_result sc_deploy_resolve_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                            bool planning, char **text, size_t *len);
/* After `producer` was updated: warns about each stack not worked on in this run that
 * reads one of its outputs whose value changed from `before` to `after`. Nothing when
 * it had no outputs before (NULL: it was created). */
void sc_deploy_warn_stale_consumers(sc_deploy_run *run, const sc_deploy_stack *producer,
                                    const sc_aws_cfn_stack *before, const sc_aws_cfn_stack *after);

/* ---- big templates (upload.c) -------------------------------------------------------- */

/* When `text` (the template to deploy, `len` bytes) is over the inline limit: makes
 * sure of the bucket, puts the template there and sets `*url` (a heap string the caller
 * frees); else leaves `*url` NULL. */
sc_deploy_result sc_deploy_upload_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           const char *text, size_t len, char **url);

/* What a template leaves for the deploy to look up (lookups.c): a string
 * "{{stackc:hosted-zone:public:NAME}}" is the id of the account's one public Route 53
 * hosted zone named NAME. Whether `text` has any. */
bool sc_deploy_has_lookups(const char *text, size_t len);
/* Replaces every lookup in the Resources of `tree` (the stack's template, or that of
 * its nested stack `nested`, NULL for the stack's own) by what it names; a name that
 * gives no zone, or several, is an error at the resource's source line. */
sc_deploy_result sc_deploy_resolve_lookups(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           const char *nested, cJSON *tree);
/* Uploads each nested stack's template (always: CloudFormation reads them only from
 * S3) and points its TemplateURL in `tree`, the parent's template, at it. */
sc_deploy_result sc_deploy_upload_nested(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         cJSON *tree);

/* ---- image assets (assets.c) --------------------------------------------------------- */

/* Builds and pushes the stack's image assets to ECR (each once per run). */
sc_deploy_result sc_deploy_push_assets(sc_deploy_run *run, const sc_deploy_stack *stack);
/* Before any call: each build context and Dockerfile of the selected stacks is there. */
sc_deploy_result sc_deploy_check_contexts(sc_deploy_run *run);
/* Before the first stack of the run is changed, when it or a stack after it (from
 * `index`) has images: Docker answers (its `check`). Once per run. */
sc_deploy_result sc_deploy_check_docker(sc_deploy_run *run, size_t index);

#endif
