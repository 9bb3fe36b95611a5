/* The CloudFormation steps of a deployment: find a stack (waiting for one in progress),
 * make and describe a change set, execute it or delete a stack, and stream the
 * operation's events until it is over, picking the root cause of a failure. The plan a
 * change set makes is reported by plan.c.
 *
 * Streaming: every operation is started with this run's request token, which
 * CloudFormation stamps on each event the operation causes. Events are read newest
 * first, page by page, until the newest event already seen, or the first event of an
 * earlier operation (another token): so a poll costs one call however long the stack's
 * history, and nothing older than the operation is shown. The operation is over when
 * the stack's own event reaches a status that does not end in _IN_PROGRESS. */
#include "deploy/deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_TYPE "AWS::CloudFormation::Stack"

/* Pages of events read in one poll at most: far more than one poll ever brings. */
enum { MAX_EVENT_PAGES = 20 };

/* After this many polls in a row without a new event, the stack's status is asked
 * directly: a safety net for an endpoint that does not stamp request tokens on events,
 * which costs one call per quiet stretch (RDS and CloudFront are quiet for minutes). */
enum { QUIET_POLLS = 10 };

static bool ends_with(const char *s, const char *suffix)
{
    size_t len = s ? strlen(s) : 0, suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool in_progress(const char *status)
{
    return ends_with(status, "_IN_PROGRESS");
}

/* ---- finding a stack ----------------------------------------------------------------- */

sc_deploy_result sc_deploy_find_stack(sc_deploy_run *run, const sc_deploy_stack *stack,
                                      sc_deploy_found *out)
{
    *out = (sc_deploy_found){0};
    uint64_t started = sc_deploy_now(run);
    for (unsigned n = 0;; n++) {
        sc_aws_error err = {0};
        sc_aws_cfn_stack_clear(&out->stack);
        sc_aws_status status =
            sc_aws_cfn_describe_stack(&run->client, stack->name, &out->stack, &err);
        if (status != SC_AWS_OK) {
            bool missing = sc_aws_cfn_is_missing_stack(&err);
            sc_deploy_result r = missing ? SC_DEPLOY_OK
                                         : sc_deploy_error(run, stack->name, status, &err,
                                                           "cannot describe stack %s", stack->name);
            sc_aws_error_clear(&err);
            return r;
        }
        const char *s = out->stack.status;
        if (!in_progress(s) || same(s, "REVIEW_IN_PROGRESS")) {
            out->exists = !same(s, "REVIEW_IN_PROGRESS") && !same(s, "DELETE_COMPLETE");
            return SC_DEPLOY_OK;
        }
        if (n == 0)
            sc_deploy_note(run, stack->name,
                           "stack %s is %s (an earlier operation has not finished): waiting for "
                           "it to settle",
                           stack->name, s);
        if (sc_deploy_now(run) - started > run->poll.timeout_ms)
            return sc_deploy_error(run, stack->name, SC_AWS_ERR_TIMEOUT, NULL,
                                   "stack %s is still %s; try again later", stack->name, s);
        if (!sc_deploy_pause(run, sc_deploy_poll_delay(&run->poll, n)))
            return sc_deploy_interrupted(run, stack->name, "while waiting for the stack to settle");
    }
}

/* ---- whose stack --------------------------------------------------------------------- */

sc_deploy_result sc_deploy_check_owner(sc_deploy_run *run, const sc_deploy_stack *stack,
                                       const sc_deploy_found *found)
{
    const char *app = run->manifest.app;
    if (!app || !found->exists)
        return SC_DEPLOY_OK;
    const char *owner = sc_aws_cfn_tag_value(&found->stack, SC_DEPLOY_APP_TAG);
    if (owner && strcmp(owner, app) == 0)
        return SC_DEPLOY_OK;
    if (owner)
        return sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                               "stack %s belongs to app %s (its " SC_DEPLOY_APP_TAG
                               " tag), not to app %s: stackc will not change it; give this "
                               "app another name (the app name prefixes its stacks' names), "
                               "or remove app %s's stack first",
                               stack->name, owner, app, owner);
    return sc_deploy_error(
        run, stack->name, SC_AWS_OK, NULL,
        "stack %s exists but was not made by stackc for app %s (it has no " SC_DEPLOY_APP_TAG
        " tag): stackc will not change it; give this app "
        "another name, or, if the stack is this app's, tag it " SC_DEPLOY_APP_TAG "=%s",
        stack->name, app, app);
}

/* ---- change sets --------------------------------------------------------------------- */

void sc_deploy_change_set_clear(sc_deploy_change_set *cs)
{
    free(cs->stack_id);
    sc_aws_cfn_change_set_clear(&cs->described);
    for (size_t i = 0; i < cs->nested_count; i++)
        sc_aws_cfn_change_set_clear(&cs->nested[i]);
    free(cs->nested);
    free(cs->nested_ids);
    *cs = (sc_deploy_change_set){0};
}

void sc_deploy_drop_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                               sc_deploy_change_set *cs)
{
    if (!cs->made)
        return;
    /* Also after Ctrl-C: what the run made must not outlive it. */
    bool was_cleaning = run->cleaning_up;
    run->cleaning_up = true;
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_delete_change_set(&run->client, stack->name, run->name, &err);
    /* An interrupted CreateChangeSet may not have reached CloudFormation. */
    if (status == SC_AWS_ERR_SERVICE &&
        (same(err.code, "ChangeSetNotFound") || sc_aws_cfn_is_missing_stack(&err))) {
        sc_aws_error_clear(&err);
        status = SC_AWS_OK;
    }
    /* AWS may keep the stack a CREATE change set made; delete it, by id, unless gone. */
    if (status == SC_AWS_OK && cs->for_new_stack) {
        sc_aws_cfn_stack left = {0};
        status = sc_aws_cfn_describe_stack(&run->client, cs->stack_id ? cs->stack_id : stack->name,
                                           &left, &err);
        if (status == SC_AWS_OK && same(left.status, "REVIEW_IN_PROGRESS"))
            status = sc_aws_cfn_delete_stack(&run->client, left.stack_id, NULL, &err);
        if (status == SC_AWS_ERR_SERVICE && sc_aws_cfn_is_missing_stack(&err))
            status = SC_AWS_OK;
        sc_aws_cfn_stack_clear(&left);
    }
    run->cleaning_up = was_cleaning;
    if (status != SC_AWS_OK)
        sc_deploy_note(run, stack->name, "could not delete change set %s of stack %s: %s%s%s",
                       run->name, stack->name, err.code ? err.code : "", err.code ? ": " : "",
                       err.message ? err.message : "");
    sc_aws_error_clear(&err);
    cs->made = false;
}

/* ---- another operation meanwhile ------------------------------------------------------- */

/* Whether `err`, about this run's change set, is what CloudFormation answers when
 * another operation got in between: the stack busy ("is in UPDATE_IN_PROGRESS state and
 * can not be updated"), created meanwhile, or this run's change set swept away by the
 * execution of another one. */
static bool crossed_by_another(const sc_aws_error *err)
{
    const char *m = err->message ? err->message : "";
    return same(err->code, "ChangeSetNotFound") ||
           (same(err->code, "ValidationError") &&
            ((strstr(m, "_IN_PROGRESS state") && strstr(m, "can not be updated")) ||
             strstr(m, "already exists and cannot be created again")));
}

/* Says that another operation got in the way, from the stack's status now; the
 * result of a failed run. Falls back to the plain error when the stack says nothing. */
static sc_deploy_result another_operation(sc_deploy_run *run, const sc_deploy_stack *stack,
                                          sc_aws_status status, const sc_aws_error *err,
                                          const char *what)
{
    sc_aws_cfn_stack now = {0};
    bool described = sc_aws_cfn_describe_stack(&run->client, stack->name, &now, NULL) == SC_AWS_OK;
    sc_deploy_result r;
    if (described && in_progress(now.status) && !same(now.status, "REVIEW_IN_PROGRESS"))
        r = sc_deploy_error(run, stack->name, status, err,
                            "%s: another operation is in progress on stack %s (%s), started by "
                            "another run or someone else; stackc changed nothing: wait for it "
                            "to end (the stack's events show it), then run the command again",
                            what, stack->name, now.status);
    else if (described)
        r = sc_deploy_error(run, stack->name, status, err,
                            "%s: another operation changed stack %s meanwhile (it is now %s), "
                            "which did away with this run's change set; stackc changed "
                            "nothing: run the command again to see what is left to do",
                            what, stack->name, now.status ? now.status : "?");
    else
        r = sc_deploy_error(run, stack->name, status, err, "%s", what);
    sc_aws_cfn_stack_clear(&now);
    return r;
}

/* The error of a call about this run's change set, told apart when another operation
 * crossed it. */
static sc_deploy_result change_set_error(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_aws_status status, const sc_aws_error *err,
                                         const char *what)
{
    if (status == SC_AWS_ERR_SERVICE && crossed_by_another(err))
        return another_operation(run, stack, status, err, what);
    return sc_deploy_error(run, stack->name, status, err, "%s", what);
}

/* ---- change sets (continued) ------------------------------------------------------------ */

/* Describes the change set until it is no longer being computed. */
static sc_deploy_result await_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_deploy_change_set *out)
{
    uint64_t started = sc_deploy_now(run);
    for (unsigned n = 0;; n++) {
        if (!sc_deploy_pause(run, sc_deploy_poll_delay(&run->poll, n)))
            return sc_deploy_interrupted(run, stack->name, "while the change set was computed");
        sc_aws_error err = {0};
        sc_aws_cfn_change_set_clear(&out->described);
        sc_aws_status status = sc_aws_cfn_describe_change_set(&run->client, stack->name, run->name,
                                                              &out->described, &err);
        if (status != SC_AWS_OK) {
            char what[256];
            snprintf(what, sizeof(what), "cannot describe the change set of stack %s", stack->name);
            sc_deploy_result r = change_set_error(run, stack, status, &err, what);
            sc_aws_error_clear(&err);
            return r;
        }
        const char *s = out->described.status;
        if (!same(s, "CREATE_PENDING") && !same(s, "CREATE_IN_PROGRESS"))
            return SC_DEPLOY_OK;
        if (sc_deploy_now(run) - started > run->poll.timeout_ms)
            return sc_deploy_error(run, stack->name, SC_AWS_ERR_TIMEOUT, NULL,
                                   "the change set of stack %s is still %s", stack->name, s);
    }
}

/* The change sets CloudFormation made for the nested stacks (IncludeNestedStacks): each
 * is complete once the root one is. */
static sc_deploy_result describe_nested(sc_deploy_run *run, const sc_deploy_stack *stack,
                                        sc_deploy_change_set *cs)
{
    size_t count = 0;
    for (size_t i = 0; i < cs->described.change_count; i++)
        count += cs->described.changes[i].change_set_id != NULL;
    if (count == 0)
        return SC_DEPLOY_OK;
    cs->nested = calloc(count, sizeof(*cs->nested));
    cs->nested_ids = calloc(count, sizeof(*cs->nested_ids));
    if (!cs->nested || !cs->nested_ids)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < cs->described.change_count; i++) {
        const sc_aws_cfn_change *c = &cs->described.changes[i];
        if (!c->change_set_id)
            continue;
        sc_aws_error err = {0};
        sc_aws_status status = sc_aws_cfn_describe_change_set(&run->client, NULL, c->change_set_id,
                                                              &cs->nested[cs->nested_count], &err);
        if (status != SC_AWS_OK) {
            sc_deploy_result r =
                sc_deploy_error(run, stack->name, status, &err,
                                "cannot describe the change set of nested stack %s of stack %s",
                                c->logical_id, stack->name);
            sc_aws_error_clear(&err);
            return r;
        }
        cs->nested_ids[cs->nested_count++] = c->logical_id;
    }
    return SC_DEPLOY_OK;
}

sc_deploy_result sc_deploy_make_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           sc_aws_cfn_change_set_type type, const char *body,
                                           const char *template_url, sc_deploy_change_set *out)
{
    *out = (sc_deploy_change_set){0};
    if (sc_deploy_cancelled(run))
        return sc_deploy_interrupted(run, stack->name, "before the change set was made");
    sc_aws_cfn_parameter *params =
        calloc(stack->parameter_count ? stack->parameter_count : 1, sizeof(*params));
    if (!params)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    size_t param_count = 0;
    for (size_t i = 0; i < stack->parameter_count; i++) {
        const char *value = sc_deploy_param_value(run, stack->parameters[i].name);
        if (value)
            params[param_count++] =
                (sc_aws_cfn_parameter){.key = stack->parameters[i].name, .value = value};
    }
    /* Both IAM capabilities whenever the stack has an IAM resource: CloudFormation asks
     * for CAPABILITY_NAMED_IAM when one is named, CAPABILITY_IAM otherwise. */
    static const char *const iam[] = {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"};
    const sc_aws_cfn_tag app_tag = {.key = SC_DEPLOY_APP_TAG, .value = run->manifest.app};
    sc_aws_cfn_change_set_input input = {
        .stack_name = stack->name,
        .change_set_name = run->name,
        .type = type,
        .template_body = template_url ? NULL : body,
        .tags = run->manifest.app ? &app_tag : NULL,
        .tag_count = run->manifest.app ? 1 : 0,
        .template_url = template_url,
        .parameters = params,
        .parameter_count = param_count,
        .capabilities = stack->needs_iam ? iam : NULL,
        .capability_count = stack->needs_iam ? 2 : 0,
        .client_token = run->name,
        .include_nested_stacks = stack->nested_count > 0,
    };
    sc_aws_cfn_change_set_ids ids = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_create_change_set(&run->client, &input, &ids, &err);
    free(params);
    /* The name is this run's own, so a change set of that name is the one this request
     * made, when a retry repeated it after the answer was lost and the endpoint did not
     * honour the ClientToken; it is described next like any other. */
    if (status == SC_AWS_ERR_SERVICE && same(err.code, "AlreadyExistsException")) {
        sc_deploy_note(run, stack->name,
                       "change set %s exists already: a retried request had made it", run->name);
        sc_aws_error_clear(&err);
        status = SC_AWS_OK;
    }
    if (status == SC_AWS_ERR_CANCELLED) {
        /* It may or may not have been made: look, and delete what there is. */
        out->made = true;
        out->for_new_stack = type == SC_AWS_CFN_CHANGE_SET_CREATE;
        sc_deploy_drop_change_set(run, stack, out);
    }
    if (status != SC_AWS_OK) {
        char what[256];
        snprintf(what, sizeof(what), "cannot make a change set for stack %s", stack->name);
        sc_deploy_result r = change_set_error(run, stack, status, &err, what);
        sc_aws_error_clear(&err);
        return r;
    }
    out->made = true;
    out->for_new_stack = type == SC_AWS_CFN_CHANGE_SET_CREATE;
    out->stack_id = ids.stack_id;
    ids.stack_id = NULL;
    sc_aws_cfn_change_set_ids_clear(&ids);

    sc_deploy_result r = await_change_set(run, stack, out);
    if (r == SC_DEPLOY_OK && same(out->described.status, "CREATE_COMPLETE"))
        r = describe_nested(run, stack, out);
    if (r == SC_DEPLOY_OK && !out->stack_id)
        out->stack_id = sc_aws_strdup(out->described.stack_id);
    if (r == SC_DEPLOY_OK && sc_aws_cfn_change_set_is_empty(&out->described)) {
        out->empty = true;
    } else if (r == SC_DEPLOY_OK && !same(out->described.status, "CREATE_COMPLETE")) {
        sc_aws_error why = {.message = out->described.status_reason};
        r = sc_deploy_error(run, stack->name, SC_AWS_ERR_SERVICE, &why,
                            "the change set of stack %s is %s", stack->name,
                            out->described.status ? out->described.status : "(no status)");
    }
    if (r != SC_DEPLOY_OK)
        sc_deploy_drop_change_set(run, stack, out);
    return r;
}

/* ---- watching an operation ----------------------------------------------------------- */

void sc_deploy_outcome_clear(sc_deploy_outcome *outcome)
{
    free(outcome->status);
    *outcome = (sc_deploy_outcome){0};
}

/* A failed event kept for the report; heap strings. */
typedef struct failure {
    const char *nested; /* the nested stack it happened in (the manifest's); NULL: the stack */
    char *logical_id;
    char *resource_type;
    char *status;
    char *reason;
} failure;

static void failure_clear(failure *f)
{
    free(f->logical_id);
    free(f->resource_type);
    free(f->status);
    free(f->reason);
    *f = (failure){0};
}

static void failure_keep(failure *f, const sc_aws_cfn_event *e, const char *nested)
{
    bool ok = true;
    *f = (failure){.nested = nested,
                   .logical_id = sc_aws_copy(e->logical_id, &ok),
                   .resource_type = sc_aws_copy(e->resource_type, &ok),
                   .status = sc_aws_copy(e->status, &ok),
                   .reason = sc_aws_copy(e->status_reason, &ok)};
}

/* A nested stack whose events are followed beside its parent's. */
typedef struct followed {
    const char *logical_id; /* the manifest's */
    char *stack_id;         /* its physical id, from the parent's events */
    char *last_seen;        /* id of its newest event processed */
} followed;

/* What one operation has shown so far. */
typedef struct watch {
    sc_deploy_run *run;
    const sc_deploy_stack *stack;
    const char *stack_id;
    const char *token;
    sc_deploy_operation operation;
    uint64_t started;
    char *last_seen; /* id of the newest event processed */
    size_t seen;     /* events processed */
    size_t total;    /* resources expected to finish; 0 when unknown */
    char **finished; /* logical ids of the resources that reached a final status */
    size_t finished_count;
    failure root_cause;    /* the first failure that is not a cascade */
    failure first_failure; /* the first failure of all */
    char *final_status;    /* the stack's, once it is no longer in progress */
    char *final_reason;
    const char *success; /* the final status that is a success; NULL: CloudFormation's */
    followed *nested;    /* the nested stacks seen in the parent's events */
    size_t nested_count;
} watch;

static void watch_clear(watch *w)
{
    for (size_t i = 0; i < w->nested_count; i++) {
        free(w->nested[i].stack_id);
        free(w->nested[i].last_seen);
    }
    free(w->nested);
    free(w->last_seen);
    for (size_t i = 0; i < w->finished_count; i++)
        free(w->finished[i]);
    free(w->finished);
    failure_clear(&w->root_cause);
    failure_clear(&w->first_failure);
    free(w->final_status);
    free(w->final_reason);
}

/* A failure caused by another one: CloudFormation cancels the operations in flight
 * beside a failing resource and sums up at the stack level. */
static bool is_cascade(const char *reason)
{
    return reason && (strstr(reason, "Resource creation cancelled") ||
                      strstr(reason, "Resource update cancelled") ||
                      strstr(reason, "Resource deletion cancelled") ||
                      strstr(reason, "The following resource(s) failed to"));
}

static bool is_stack_event(const watch *w, const sc_aws_cfn_event *e)
{
    return same(e->resource_type, STACK_TYPE) &&
           (same(e->physical_id, w->stack_id) || same(e->logical_id, w->stack->name));
}

static void note_finished(watch *w, const char *logical_id)
{
    for (size_t i = 0; i < w->finished_count; i++) {
        if (same(w->finished[i], logical_id))
            return;
    }
    char **grown = realloc(w->finished, (w->finished_count + 1) * sizeof(*grown));
    char *copy = sc_aws_strdup(logical_id);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            w->finished = grown;
        return;
    }
    w->finished = grown;
    w->finished[w->finished_count++] = copy;
}

/* Starts following a nested stack once the parent's events name its physical id. */
static void follow_nested(watch *w, const sc_aws_cfn_event *e)
{
    const sc_deploy_nested *nested = sc_deploy_nested_find(w->stack, e->logical_id);
    if (!nested || !same(e->resource_type, STACK_TYPE) || !e->physical_id || !*e->physical_id)
        return;
    for (size_t i = 0; i < w->nested_count; i++)
        if (same(w->nested[i].logical_id, nested->logical_id))
            return;
    followed *grown = realloc(w->nested, (w->nested_count + 1) * sizeof(*grown));
    if (!grown)
        return;
    w->nested = grown;
    w->nested[w->nested_count++] =
        (followed){.logical_id = nested->logical_id, .stack_id = sc_aws_strdup(e->physical_id)};
}

/* Handles one new event, oldest first: progress, failures, the end. `in` is the nested
 * stack it comes from, NULL for the stack's own; a nested stack's event about itself
 * is left out, as the parent's event about its resource says the same. */
static void process(watch *w, const sc_aws_cfn_event *e, const followed *in)
{
    if (in && same(e->resource_type, STACK_TYPE) && same(e->physical_id, in->stack_id))
        return;
    w->seen++;
    bool stack_event = !in && is_stack_event(w, e);
    if (!in && !stack_event)
        follow_nested(w, e);
    const char *status = e->status ? e->status : "";
    bool failed = ends_with(status, "_FAILED");
    if (!stack_event && e->logical_id && (failed || ends_with(status, "_COMPLETE")))
        note_finished(w, e->logical_id);
    if (failed && !stack_event) {
        if (!w->first_failure.status)
            failure_keep(&w->first_failure, e, in ? in->logical_id : NULL);
        if (!w->root_cause.status && !is_cascade(e->status_reason))
            failure_keep(&w->root_cause, e, in ? in->logical_id : NULL);
    }
    const sc_deploy_resource *r =
        stack_event ? NULL : sc_deploy_resource_find(w->stack, e->logical_id);
    size_t done = w->finished_count;
    if (w->total && done > w->total)
        done = w->total;
    sc_deploy_emit(w->run, &(sc_deploy_event){
                               .kind = SC_DEPLOY_EV_PROGRESS,
                               .stack = w->stack->name,
                               .nested = in ? in->logical_id : NULL,
                               .operation = w->operation,
                               .logical_id = e->logical_id,
                               .resource_type = e->resource_type,
                               .source = r ? r->source : NULL,
                               .path = r ? r->path : NULL,
                               .status = e->status,
                               .reason = e->status_reason,
                               .elapsed_ms = sc_deploy_now(w->run) - w->started,
                               .done = done,
                               .total = w->total,
                           });
    if (stack_event && !in_progress(status) && !w->final_status) {
        w->final_status = sc_aws_strdup(status);
        w->final_reason = sc_aws_strdup(e->status_reason);
    }
}

/* Reads the events that are new since the last poll and processes them, oldest first. */
static sc_deploy_result poll_stack_events(watch *w, const char *stack_id, char **last_seen,
                                          const followed *in)
{
    sc_aws_cfn_event *fresh = NULL; /* newest first */
    size_t count = 0;
    char *next = NULL;
    sc_deploy_result result = SC_DEPLOY_OK;
    for (unsigned page_number = 0; page_number < MAX_EVENT_PAGES; page_number++) {
        sc_aws_cfn_events page;
        sc_aws_error err = {0};
        sc_aws_status status =
            sc_aws_cfn_describe_stack_events(&w->run->client, stack_id, next, &page, &err);
        free(next);
        next = NULL;
        if (status != SC_AWS_OK) {
            if (in)
                result = sc_deploy_error(w->run, w->stack->name, status, &err,
                                         "cannot read the events of nested stack %s of stack %s",
                                         in->logical_id, w->stack->name);
            else
                result = sc_deploy_error(w->run, w->stack->name, status, &err,
                                         "cannot read the events of stack %s", w->stack->name);
            sc_aws_error_clear(&err);
            break;
        }
        bool stop = false;
        sc_aws_cfn_event *grown = realloc(fresh, (count + page.count + 1) * sizeof(*fresh));
        if (grown)
            fresh = grown;
        for (size_t i = 0; grown && i < page.count && !stop; i++) {
            sc_aws_cfn_event *e = &page.items[i];
            stop = same(e->event_id, *last_seen) || !same(e->client_request_token, w->token);
            if (!stop) {
                fresh[count++] = *e;
                *e = (sc_aws_cfn_event){0};
            }
        }
        next = page.next_token;
        page.next_token = NULL;
        sc_aws_cfn_events_clear(&page);
        if (!grown) {
            result =
                sc_deploy_error(w->run, w->stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        if (stop || !next)
            break;
    }
    free(next);
    if (result == SC_DEPLOY_OK && count) {
        free(*last_seen);
        *last_seen = sc_aws_strdup(fresh[0].event_id);
    }
    for (size_t i = count; result == SC_DEPLOY_OK && i > 0; i--)
        process(w, &fresh[i - 1], in);
    sc_aws_cfn_events all = {.items = fresh, .count = count};
    sc_aws_cfn_events_clear(&all);
    return result;
}

/* The stack's new events, then each nested stack's: CloudFormation stamps the
 * operation's request token on the events of the nested stacks it drives. */
static sc_deploy_result poll_events(watch *w)
{
    sc_deploy_result r = poll_stack_events(w, w->stack_id, &w->last_seen, NULL);
    for (size_t i = 0; r == SC_DEPLOY_OK && i < w->nested_count; i++) {
        followed *f = &w->nested[i];
        r = poll_stack_events(w, f->stack_id, &f->last_seen, f);
    }
    return r;
}

/* Reports the root cause: the first failed resource event that is not a cascade, else
 * the first failed one, else the stack's own reason. */
static void report_root_cause(watch *w)
{
    const failure *e = w->root_cause.status      ? &w->root_cause
                       : w->first_failure.status ? &w->first_failure
                                                 : NULL;
    const sc_deploy_resource *r = e ? sc_deploy_resource_find(w->stack, e->logical_id) : NULL;
    sc_deploy_emit(w->run, &(sc_deploy_event){
                               .kind = SC_DEPLOY_EV_ROOT_CAUSE,
                               .stack = w->stack->name,
                               .nested = e ? e->nested : NULL,
                               .operation = w->operation,
                               .logical_id = e ? e->logical_id : w->stack->name,
                               .resource_type = e ? e->resource_type : STACK_TYPE,
                               .source = r ? r->source : NULL,
                               .path = r ? r->path : NULL,
                               .status = e ? e->status : w->final_status,
                               .reason = e ? e->reason : w->final_reason,
                               .elapsed_ms = sc_deploy_now(w->run) - w->started,
                           });
}

/* Asks for the stack's status; sets the final status when it has settled. */
static sc_deploy_result check_status(watch *w)
{
    sc_aws_cfn_stack now = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_describe_stack(&w->run->client, w->stack_id, &now, &err);
    sc_deploy_result r = SC_DEPLOY_OK;
    if (status != SC_AWS_OK)
        r = sc_deploy_error(w->run, w->stack->name, status, &err, "cannot describe stack %s",
                            w->stack->name);
    else if (!in_progress(now.status)) {
        w->final_status = sc_aws_strdup(now.status);
        w->final_reason = sc_aws_strdup(now.status_reason);
    }
    sc_aws_error_clear(&err);
    sc_aws_cfn_stack_clear(&now);
    return r;
}

/* ---- an operation watched ------------------------------------------------------------ */

/* A watch of one operation, polled in steps: by follow() alone, or by apply's scheduler
 * beside the watches of other stacks. */
struct sc_deploy_watch {
    watch w;
    unsigned polls; /* made so far: the next wait is sc_deploy_poll_delay(polls) */
    unsigned quiet; /* polls in a row without a new event */
    bool report_done;
};

static sc_deploy_watch *watch_start(sc_deploy_run *run, const sc_deploy_stack *stack,
                                    const char *stack_id, const char *token,
                                    sc_deploy_operation operation, size_t total, bool report_done)
{
    sc_deploy_watch *sw = calloc(1, sizeof(*sw));
    if (!sw)
        return NULL;
    uint64_t now = sc_deploy_now(run);
    sw->w = (watch){
        .run = run,
        .stack = stack,
        .stack_id = stack_id,
        .token = token,
        .operation = operation,
        .started = now,
        .total = total,
        .success = operation == SC_DEPLOY_OP_CONTINUE_ROLLBACK ? "UPDATE_ROLLBACK_COMPLETE" : NULL};
    sw->report_done = report_done;
    return sw;
}

uint64_t sc_deploy_watch_wait(const sc_deploy_watch *sw)
{
    return sc_deploy_poll_delay(&sw->w.run->poll, sw->polls);
}

bool sc_deploy_watch_done(const sc_deploy_watch *sw)
{
    return sw->w.final_status != NULL;
}

sc_deploy_result sc_deploy_watch_poll(sc_deploy_watch *sw)
{
    watch *w = &sw->w;
    sc_deploy_run *run = w->run;
    size_t before = w->seen;
    sc_deploy_result r = poll_events(w);
    sw->quiet = w->seen == before ? sw->quiet + 1 : 0;
    if (r == SC_DEPLOY_OK && !w->final_status && sw->quiet >= QUIET_POLLS) {
        sw->quiet = 0;
        r = check_status(w);
        if (r == SC_DEPLOY_OK && w->final_status)
            r = poll_events(w); /* the last events, for the root cause */
    }
    if (r != SC_DEPLOY_OK)
        return r;
    if (!w->final_status && sc_deploy_now(run) - w->started > run->poll.timeout_ms)
        return sc_deploy_error(run, w->stack->name, SC_AWS_ERR_TIMEOUT, NULL,
                               "stack %s has not settled after %llu s; it carries on in "
                               "CloudFormation",
                               w->stack->name, (unsigned long long)(run->poll.timeout_ms / 1000));
    sw->polls++;
    return SC_DEPLOY_OK;
}

void sc_deploy_watch_stop(sc_deploy_watch *sw)
{
    sc_deploy_note(sw->w.run, sw->w.stack->name,
                   "stopped watching stack %s; its operation carries on in CloudFormation, and "
                   "running the command again picks it up",
                   sw->w.stack->name);
    watch_clear(&sw->w);
    free(sw);
}

sc_deploy_result sc_deploy_watch_end(sc_deploy_watch *sw, sc_deploy_outcome *out)
{
    watch *w = &sw->w;
    *out = (sc_deploy_outcome){0};
    out->failed = w->success ? !same(w->final_status, w->success)
                             : sc_aws_cfn_stack_outcome(w->final_status) != SC_AWS_CFN_SUCCEEDED;
    out->status = sc_aws_strdup(w->final_status);
    if (out->failed)
        report_root_cause(w);
    if (sw->report_done)
        sc_deploy_emit(w->run,
                       &(sc_deploy_event){.kind = SC_DEPLOY_EV_STACK_DONE,
                                          .stack = w->stack->name,
                                          .operation = w->operation,
                                          .status = w->final_status,
                                          .reason = w->final_reason,
                                          .failed = out->failed,
                                          .elapsed_ms = sc_deploy_now(w->run) - w->started});
    watch_clear(w);
    free(sw);
    return SC_DEPLOY_OK;
}

void sc_deploy_watch_abandon(sc_deploy_watch *sw)
{
    watch_clear(&sw->w);
    free(sw);
}

sc_deploy_result sc_deploy_watch_follow(sc_deploy_watch *sw, sc_deploy_outcome *out)
{
    sc_deploy_run *run = sw->w.run;
    while (!sc_deploy_watch_done(sw)) {
        if (!sc_deploy_pause(run, sc_deploy_watch_wait(sw))) {
            sc_deploy_watch_stop(sw);
            return SC_DEPLOY_CANCELLED;
        }
        sc_deploy_result r = sc_deploy_watch_poll(sw);
        if (r != SC_DEPLOY_OK) {
            sc_deploy_watch_abandon(sw);
            return r;
        }
    }
    return sc_deploy_watch_end(sw, out);
}

static sc_deploy_result watch_operation(sc_deploy_run *run, const sc_deploy_stack *stack,
                                        const char *stack_id, const char *token,
                                        sc_deploy_operation operation, size_t total,
                                        bool report_done, sc_deploy_outcome *out)
{
    *out = (sc_deploy_outcome){0};
    sc_deploy_watch *sw = watch_start(run, stack, stack_id, token, operation, total, report_done);
    if (!sw)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    return sc_deploy_watch_follow(sw, out);
}

/* Whether this run's change set has been executed, asked of CloudFormation. */
static bool was_executed(sc_deploy_run *run, const sc_deploy_stack *stack)
{
    sc_aws_cfn_change_set now = {0};
    sc_aws_status status =
        sc_aws_cfn_describe_change_set(&run->client, stack->name, run->name, &now, NULL);
    const char *s = now.execution_status;
    bool executed =
        status == SC_AWS_OK && (same(s, "EXECUTE_IN_PROGRESS") || same(s, "EXECUTE_COMPLETE") ||
                                same(s, "EXECUTE_FAILED"));
    sc_aws_cfn_change_set_clear(&now);
    return executed;
}

sc_deploy_result sc_deploy_execute_start(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_deploy_change_set *cs, sc_deploy_operation operation,
                                         sc_deploy_watch **out)
{
    *out = NULL;
    if (sc_deploy_cancelled(run)) {
        sc_deploy_drop_change_set(run, stack, cs);
        return sc_deploy_interrupted(run, stack->name, "before the change set was executed");
    }
    sc_aws_error err = {0};
    sc_aws_status status =
        sc_aws_cfn_execute_change_set(&run->client, stack->name, run->name, run->name, &err);
    if (status == SC_AWS_ERR_SERVICE && same(err.code, "InvalidChangeSetStatus") &&
        was_executed(run, stack)) {
        /* A retry after the answer was lost, where the token was not honoured: the
         * first request did execute it. */
        sc_aws_error_clear(&err);
        status = SC_AWS_OK;
    }
    if (status != SC_AWS_OK) {
        char what[256];
        snprintf(what, sizeof(what), "cannot execute the change set of stack %s", stack->name);
        sc_deploy_result r = change_set_error(run, stack, status, &err, what);
        sc_aws_error_clear(&err);
        sc_deploy_drop_change_set(run, stack, cs);
        return r;
    }
    cs->made = false; /* executed: CloudFormation disposes of it */
    /* a nested stack's resources finish, and then the nested stack's own resource */
    size_t total = cs->described.change_count;
    for (size_t i = 0; i < cs->nested_count; i++)
        total += cs->nested[i].change_count;
    *out = watch_start(run, stack, cs->stack_id, run->name, operation, total, true);
    return *out ? SC_DEPLOY_OK
                : sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
}

sc_deploy_result sc_deploy_execute(sc_deploy_run *run, const sc_deploy_stack *stack,
                                   sc_deploy_change_set *cs, sc_deploy_operation operation,
                                   sc_deploy_outcome *out)
{
    *out = (sc_deploy_outcome){0};
    sc_deploy_watch *sw;
    sc_deploy_result r = sc_deploy_execute_start(run, stack, cs, operation, &sw);
    return r == SC_DEPLOY_OK ? sc_deploy_watch_follow(sw, out) : r;
}

sc_deploy_result sc_deploy_continue_rollback(sc_deploy_run *run, const sc_deploy_stack *stack,
                                             const char *stack_id, sc_deploy_outcome *out)
{
    *out = (sc_deploy_outcome){0};
    if (sc_deploy_cancelled(run))
        return sc_deploy_interrupted(run, stack->name, "before the rollback was continued");
    char token[sizeof(run->name) + 10];
    snprintf(token, sizeof(token), "%s-rollback", run->name);
    sc_aws_error err = {0};
    sc_aws_status status =
        sc_aws_cfn_continue_update_rollback(&run->client, stack_id, token, NULL, 0, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            sc_deploy_error(run, stack->name, status, &err,
                            "cannot continue the rollback of stack %s", stack->name);
        sc_aws_error_clear(&err);
        return r;
    }
    return watch_operation(run, stack, stack_id, token, SC_DEPLOY_OP_CONTINUE_ROLLBACK, 0, true,
                           out);
}

sc_deploy_result sc_deploy_delete(sc_deploy_run *run, const sc_deploy_stack *stack,
                                  const char *stack_id, size_t total, bool report_done,
                                  sc_deploy_outcome *out)
{
    *out = (sc_deploy_outcome){0};
    if (sc_deploy_cancelled(run))
        return sc_deploy_interrupted(run, stack->name, "before the stack was deleted");
    char token[sizeof(run->name) + 8];
    snprintf(token, sizeof(token), "%s-delete", run->name);
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_delete_stack(&run->client, stack_id, token, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            sc_deploy_error(run, stack->name, status, &err, "cannot delete stack %s", stack->name);
        sc_aws_error_clear(&err);
        return r;
    }
    return watch_operation(run, stack, stack_id, token, SC_DEPLOY_OP_DELETE, total, report_done,
                           out);
}
