/* The three commands, each the table of contents of its steps (docs/deploy.md):
 *
 *   plan:    per stack in manifest order: find it, upload a big template, make a
 *            change set, report it, delete it.
 *   apply:   per stack in manifest order: find it (settling one in progress), continue
 *            a stuck rollback, delete one left in ROLLBACK_COMPLETE, upload, change set,
 *            report, confirm, push its images, execute and follow; then every stack's
 *            outputs. With --yes, a stack starts once the stacks it needs are done, so
 *            independent stacks run side by side (their events held back into manifest
 *            order).
 *   destroy: find the stacks, report, confirm once, delete them in reverse order. */
#include "deploy/deploy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statuses from which CloudFormation accepts an UPDATE change set. */
static bool updatable(const char *status)
{
    static const char *const ok[] = {"CREATE_COMPLETE", "UPDATE_COMPLETE",
                                     "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                                     "IMPORT_ROLLBACK_COMPLETE"};
    for (size_t i = 0; status && i < sizeof(ok) / sizeof(*ok); i++) {
        if (strcmp(status, ok[i]) == 0)
            return true;
    }
    return false;
}

static bool is_status(const sc_deploy_found *found, const char *status)
{
    return found->exists && found->stack.status && strcmp(found->stack.status, status) == 0;
}

static bool is_rollback_complete(const sc_deploy_found *found)
{
    return is_status(found, "ROLLBACK_COMPLETE");
}

/* The length of a status reason without the blanks CloudFormation leaves at its end. */
static int reason_length(const char *reason)
{
    size_t len = reason ? strlen(reason) : 0;
    while (len && reason[len - 1] == ' ')
        len--;
    return (int)len;
}

/* UPDATE_ROLLBACK_FAILED: an update failed, then its rollback. */
static bool is_rollback_stuck(const sc_deploy_found *found)
{
    return is_status(found, "UPDATE_ROLLBACK_FAILED");
}

/* What to do to a stack as found; reports a stack no change set can be made for. */
static sc_deploy_result choose(sc_deploy_run *run, const sc_deploy_stack *stack,
                               const sc_deploy_found *found, sc_deploy_operation *op)
{
    if (!found->exists)
        *op = SC_DEPLOY_OP_CREATE;
    else if (is_rollback_complete(found))
        *op = SC_DEPLOY_OP_RECREATE;
    else if (updatable(found->stack.status))
        *op = SC_DEPLOY_OP_UPDATE;
    else if (is_rollback_stuck(found))
        return sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                               "stack %s is UPDATE_ROLLBACK_FAILED (%.*s): an update failed, "
                               "and so did its rollback; `stackc apply` offers to continue the "
                               "rollback (ContinueUpdateRollback), which puts the stack back as "
                               "it was before that update. Do not delete the stack: that "
                               "would delete its resources, a database's data included",
                               stack->name, reason_length(found->stack.status_reason),
                               found->stack.status_reason ? found->stack.status_reason : "");
    else
        return sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                               "stack %s is %s%s%s, from which it cannot be updated; see the "
                               "stack's events in the CloudFormation console, or delete it "
                               "with `stackc destroy`",
                               stack->name, found->stack.status,
                               found->stack.status_reason ? ": " : "",
                               found->stack.status_reason ? found->stack.status_reason : "");
    return SC_DEPLOY_OK;
}

static void announce(sc_deploy_run *run, size_t index, size_t count, const char *stack,
                     sc_deploy_operation op, const char *status)
{
    sc_deploy_emit(run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_STACK,
                                           .stack = stack,
                                           .stack_index = index + 1,
                                           .stack_count = count,
                                           .operation = op,
                                           .message = op == SC_DEPLOY_OP_RECREATE ? status : NULL});
}

/* Asks `question` (with `subject` in it) unless --yes; the answer is no when the run was
 * interrupted meanwhile. */
static bool ask(const sc_deploy_run *run, const char *question, const char *subject)
{
    if (run->options->yes)
        return true;
    char text[512];
    snprintf(text, sizeof(text), question, subject);
    return run->options->confirm(run->options->confirm_ctx, text) && !sc_deploy_cancelled(run);
}

/* The answer was no. */
static sc_deploy_result declined(const sc_deploy_run *run, const char *stack, const char *what)
{
    sc_deploy_note(run, stack, "not confirmed: %s", what);
    return SC_DEPLOY_CANCELLED;
}

/* ---- plan ---------------------------------------------------------------------------- */

/* Describes the stack (settling one in progress), checks it is this app's, and notes
 * its outputs for the stacks that read them. */
static sc_deploy_result find(sc_deploy_run *run, const sc_deploy_stack *stack,
                             sc_deploy_found *found)
{
    sc_deploy_result r = sc_deploy_find_stack(run, stack, found);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_check_owner(run, stack, found);
    if (r == SC_DEPLOY_OK)
        sc_deploy_remember_outputs(run, stack->name, found->exists ? &found->stack : NULL);
    return r;
}

/* The template to deploy (reads of other stacks resolved), uploaded when too big, and
 * its change set made. */
static sc_deploy_result prepare_change_set(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           sc_aws_cfn_change_set_type type, bool planning,
                                           sc_deploy_change_set *cs)
{
    char *text = NULL, *url = NULL;
    size_t len = 0;
    sc_deploy_result r = sc_deploy_resolve_template(run, stack, planning, &text, &len);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_upload_template(run, stack, text, len, &url);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_make_change_set(run, stack, type, text, url, cs);
    free(text);
    free(url);
    return r;
}

static sc_deploy_result plan_stack(sc_deploy_run *run, size_t index, bool *changes)
{
    const sc_deploy_stack *stack = run->selected[index];
    sc_deploy_found found;
    sc_deploy_result r = find(run, stack, &found);
    sc_deploy_operation op = SC_DEPLOY_OP_NONE;
    if (r == SC_DEPLOY_OK)
        r = choose(run, stack, &found, &op);
    if (r == SC_DEPLOY_OK)
        announce(run, index, run->selected_count, stack->name, op, found.stack.status);
    if (r == SC_DEPLOY_OK && op == SC_DEPLOY_OP_RECREATE) {
        sc_deploy_note(run, stack->name,
                       "stack %s is ROLLBACK_COMPLETE: its creation failed and it holds no "
                       "resources; apply deletes it and creates it again",
                       stack->name);
        sc_deploy_report_plan_from_manifest(run, stack, op);
        sc_deploy_expect_new_outputs(run, stack);
        *changes = true;
    } else if (r == SC_DEPLOY_OK) {
        sc_deploy_change_set cs = {0};
        bool create = op == SC_DEPLOY_OP_CREATE;
        r = prepare_change_set(run, stack,
                               create ? SC_AWS_CFN_CHANGE_SET_CREATE : SC_AWS_CFN_CHANGE_SET_UPDATE,
                               true, &cs);
        if (r == SC_DEPLOY_OK) {
            sc_deploy_report_plan(run, stack, cs.empty ? SC_DEPLOY_OP_NONE : op, &cs);
            *changes = *changes || !cs.empty;
            if (create)
                sc_deploy_expect_new_outputs(run, stack);
            else if (!cs.empty)
                sc_deploy_expect_changes(run, stack, &cs.described);
        }
        sc_deploy_drop_change_set(run, stack, &cs);
        sc_deploy_change_set_clear(&cs);
    }
    sc_aws_cfn_stack_clear(&found.stack);
    return r;
}

sc_deploy_result sc_deploy_plan(const sc_deploy_input *input, const sc_deploy_options *options)
{
    sc_deploy_run run;
    sc_deploy_result r = sc_deploy_run_begin(&run, input, options, false);
    bool changes = false;
    for (size_t i = 0; r == SC_DEPLOY_OK && i < run.selected_count; i++)
        r = plan_stack(&run, i, &changes);
    sc_deploy_run_end(&run);
    if (r == SC_DEPLOY_OK && !changes)
        return SC_DEPLOY_NO_CHANGES;
    return r;
}

/* ---- apply --------------------------------------------------------------------------- */

/* Deletes a stack left in ROLLBACK_COMPLETE, after saying so. */
static sc_deploy_result clear_failed_stack(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           const sc_deploy_found *found)
{
    sc_deploy_note(run, stack->name,
                   "deleting stack %s, left in ROLLBACK_COMPLETE by a failed creation, to "
                   "create it again",
                   stack->name);
    sc_deploy_outcome outcome;
    sc_deploy_result r = sc_deploy_delete(run, stack, found->stack.stack_id, 0, false, &outcome);
    if (r == SC_DEPLOY_OK && outcome.failed)
        r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL, "stack %s could not be deleted (%s)",
                            stack->name, outcome.status ? outcome.status : "?");
    sc_deploy_outcome_clear(&outcome);
    return r;
}

/* A stack left UPDATE_ROLLBACK_FAILED: the rollback continued, once confirmed, and the
 * stack found again (UPDATE_ROLLBACK_COMPLETE, which an update can follow). */
static sc_deploy_result unstick_rollback(sc_deploy_run *run, size_t index, sc_deploy_found *found)
{
    const sc_deploy_stack *stack = run->selected[index];
    announce(run, index, run->selected_count, stack->name, SC_DEPLOY_OP_CONTINUE_ROLLBACK, NULL);
    sc_deploy_note(run, stack->name,
                   "stack %s is UPDATE_ROLLBACK_FAILED (%.*s): an update failed, and so did "
                   "its rollback. CloudFormation can continue the rollback "
                   "(ContinueUpdateRollback), which puts the stack back as it was before that "
                   "update; then this update is planned. (Deleting the stack instead would "
                   "delete its resources, a database's data included.)",
                   stack->name, reason_length(found->stack.status_reason),
                   found->stack.status_reason ? found->stack.status_reason : "");
    if (!ask(run, "Continue the rollback of stack %s?", stack->name))
        return declined(run, stack->name, "the stack is still UPDATE_ROLLBACK_FAILED");
    sc_deploy_result r = sc_deploy_check_docker(run, index);
    sc_deploy_outcome outcome = {0};
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_continue_rollback(run, stack, found->stack.stack_id, &outcome);
    if (r == SC_DEPLOY_OK && outcome.failed)
        r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                            "the rollback of stack %s stopped again (%s): fix what the error "
                            "above names and run `stackc apply` again, or have CloudFormation "
                            "leave the resources that cannot be rolled back as they are: aws "
                            "cloudformation continue-update-rollback --stack-name %s "
                            "--resources-to-skip LOGICAL_ID",
                            stack->name, outcome.status ? outcome.status : "?", stack->name);
    sc_deploy_outcome_clear(&outcome);
    if (r != SC_DEPLOY_OK)
        return r;
    sc_aws_cfn_stack_clear(&found->stack);
    return find(run, stack, found);
}

/* One stack of apply: from its description to the end of its operation. */
typedef enum applying_state {
    APPLY_WAITING, /* for the stacks it depends on */
    APPLY_RUNNING, /* its operation under way, watched */
    APPLY_DONE,
    APPLY_FAILED,
} applying_state;

typedef struct applying {
    applying_state state;
    sc_deploy_found found;
    sc_deploy_change_set cs;
    sc_deploy_operation op;
    sc_deploy_watch *watch;
    uint64_t waited; /* since its last poll, by the scheduler's waits */
} applying;

static void applying_clear(applying *a)
{
    sc_deploy_change_set_clear(&a->cs);
    sc_aws_cfn_stack_clear(&a->found.stack);
}

/* Up to the start of the stack's operation: found (a stuck rollback continued, a
 * ROLLBACK_COMPLETE stack deleted), change set made and shown, confirmed, images pushed,
 * executed, `a->watch` set. A stack with no changes is done here, `*final` set. */
static sc_deploy_result apply_begin(sc_deploy_run *run, size_t index, applying *a,
                                    sc_aws_cfn_stack *final)
{
    const sc_deploy_stack *stack = run->selected[index];
    sc_deploy_result r = find(run, stack, &a->found);
    if (r == SC_DEPLOY_OK && is_rollback_stuck(&a->found))
        r = unstick_rollback(run, index, &a->found);
    if (r == SC_DEPLOY_OK)
        r = choose(run, stack, &a->found, &a->op);
    if (r != SC_DEPLOY_OK)
        return r;
    announce(run, index, run->selected_count, stack->name, a->op, a->found.stack.status);
    bool recreate = a->op == SC_DEPLOY_OP_RECREATE;
    if (recreate) {
        /* The plan is every resource added: show it and ask before deleting anything. */
        sc_deploy_report_plan_from_manifest(run, stack, a->op);
        if (!ask(run, "Delete the failed stack %s and create it again?", stack->name))
            r = declined(run, stack->name, "nothing was changed");
        if (r == SC_DEPLOY_OK)
            r = sc_deploy_check_docker(run, index);
        if (r == SC_DEPLOY_OK)
            r = clear_failed_stack(run, stack, &a->found);
    }
    if (r == SC_DEPLOY_OK)
        r = prepare_change_set(run, stack,
                               a->op == SC_DEPLOY_OP_UPDATE ? SC_AWS_CFN_CHANGE_SET_UPDATE
                                                            : SC_AWS_CFN_CHANGE_SET_CREATE,
                               false, &a->cs);
    if (r == SC_DEPLOY_OK && !recreate)
        sc_deploy_report_plan(run, stack, a->cs.empty ? SC_DEPLOY_OP_NONE : a->op, &a->cs);
    if (r == SC_DEPLOY_OK && a->cs.empty) {
        /* Up to date: its images were pushed when this template was deployed. */
        sc_deploy_drop_change_set(run, stack, &a->cs);
        *final = a->found.stack;
        a->found.stack = (sc_aws_cfn_stack){0};
        return SC_DEPLOY_OK;
    }
    if (r == SC_DEPLOY_OK && !recreate &&
        !ask(run, "Deploy these changes to stack %s?", stack->name))
        r = declined(run, stack->name, "nothing was changed");
    /* Before the first stack changes, not when the last one is halfway there. */
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_check_docker(run, index);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_push_assets(run, stack);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_execute_start(run, stack, &a->cs, a->op, &a->watch);
    if (r != SC_DEPLOY_OK)
        sc_deploy_drop_change_set(run, stack, &a->cs);
    return r;
}

/* After the operation: the stack's outputs read (`*final`) and remembered for the
 * stacks that read them, and the stacks not worked on that read a changed one warned. */
static sc_deploy_result apply_end(sc_deploy_run *run, size_t index, applying *a,
                                  const sc_deploy_outcome *outcome, bool *changes,
                                  sc_aws_cfn_stack *final)
{
    const sc_deploy_stack *stack = run->selected[index];
    if (outcome->failed)
        return SC_DEPLOY_FAILED; /* the root cause is reported */
    *changes = true;
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_describe_stack(&run->client, a->cs.stack_id, final, &err);
    sc_deploy_result r = SC_DEPLOY_OK;
    if (status != SC_AWS_OK)
        r = sc_deploy_error(run, stack->name, status, &err, "cannot read the outputs of stack %s",
                            stack->name);
    sc_aws_error_clear(&err);
    if (r == SC_DEPLOY_OK) {
        sc_deploy_remember_outputs(run, stack->name, final);
        sc_deploy_warn_stale_consumers(run, stack, a->found.exists ? &a->found.stack : NULL, final);
    }
    return r;
}

/* Deploys one stack, waiting for its operation; on success `*final` describes it. */
static sc_deploy_result apply_stack(sc_deploy_run *run, size_t index, bool *changes,
                                    sc_aws_cfn_stack *final)
{
    applying a = {0};
    sc_deploy_result r = apply_begin(run, index, &a, final);
    if (r == SC_DEPLOY_OK && a.watch) {
        sc_deploy_outcome outcome = {0};
        r = sc_deploy_watch_follow(a.watch, &outcome);
        if (r == SC_DEPLOY_OK)
            r = apply_end(run, index, &a, &outcome, changes, final);
        sc_deploy_outcome_clear(&outcome);
    }
    applying_clear(&a);
    return r;
}

/* ---- apply, stacks side by side -------------------------------------------------------- */

/* Whether selected stack `j` must be deployed before `i`: `i` reads its outputs, or the
 * manifest says `i` depends on it. */
static bool needs(const sc_deploy_run *run, size_t i, size_t j)
{
    const sc_deploy_stack *consumer = run->selected[i], *producer = run->selected[j];
    for (size_t k = 0; k < consumer->read_count; k++) {
        if (strcmp(consumer->reads[k].producer, producer->name) == 0)
            return true;
    }
    return sc_deploy_manifest_depends(&run->manifest, consumer, producer);
}

/* Every stack before `i` that it needs is deployed. */
static bool ready(const sc_deploy_run *run, const applying *a, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (a[j].state != APPLY_DONE && needs(run, i, j))
            return false;
    }
    return true;
}

/* Starts every waiting stack whose producers are deployed, in manifest order, until one
 * fails (`*stop`). */
static sc_deploy_result start_ready(sc_deploy_run *run, applying *a, sc_aws_cfn_stack *finals,
                                    bool *stop)
{
    sc_deploy_result result = SC_DEPLOY_OK;
    for (size_t i = 0; i < run->selected_count && !*stop; i++) {
        if (a[i].state != APPLY_WAITING || !ready(run, a, i))
            continue;
        sc_deploy_result r = apply_begin(run, i, &a[i], &finals[i]);
        a[i].state = r != SC_DEPLOY_OK ? APPLY_FAILED : a[i].watch ? APPLY_RUNNING : APPLY_DONE;
        if (a[i].state != APPLY_RUNNING)
            sc_deploy_release_events(run, i);
        if (r != SC_DEPLOY_OK) {
            *stop = true;
            result = r;
        }
    }
    return result;
}

/* Polls each running stack that has waited its time; ends those that settled. */
static sc_deploy_result poll_running(sc_deploy_run *run, applying *a, sc_aws_cfn_stack *finals,
                                     bool *changes, bool *stop)
{
    sc_deploy_result result = SC_DEPLOY_OK;
    for (size_t i = 0; i < run->selected_count && !sc_deploy_cancelled(run); i++) {
        if (a[i].state != APPLY_RUNNING || a[i].waited < sc_deploy_watch_wait(a[i].watch))
            continue;
        a[i].waited = 0;
        sc_deploy_result r = sc_deploy_watch_poll(a[i].watch);
        if (r == SC_DEPLOY_OK && !sc_deploy_watch_done(a[i].watch))
            continue;
        if (r != SC_DEPLOY_OK) {
            sc_deploy_watch_abandon(a[i].watch);
        } else {
            sc_deploy_outcome outcome = {0};
            r = sc_deploy_watch_end(a[i].watch, &outcome);
            if (r == SC_DEPLOY_OK)
                r = apply_end(run, i, &a[i], &outcome, changes, &finals[i]);
            sc_deploy_outcome_clear(&outcome);
        }
        a[i].watch = NULL;
        a[i].state = r == SC_DEPLOY_OK ? APPLY_DONE : APPLY_FAILED;
        sc_deploy_release_events(run, i);
        if (r != SC_DEPLOY_OK && result == SC_DEPLOY_OK) {
            *stop = true;
            result = r;
        }
    }
    return result;
}

/* Ctrl-C: every operation under way carries on in CloudFormation. */
static void stop_running(sc_deploy_run *run, applying *a)
{
    for (size_t i = 0; i < run->selected_count; i++) {
        if (a[i].state != APPLY_RUNNING)
            continue;
        sc_deploy_watch_stop(a[i].watch);
        a[i].watch = NULL;
        a[i].state = APPLY_FAILED;
        sc_deploy_release_events(run, i);
    }
}

/* apply --yes: a stack starts as soon as the stacks it needs are deployed, so stacks that
 * need nothing of each other deploy at the same time; one thread polls them all, each at
 * its own pace (the waits between its polls counted from the scheduler's waits). Their
 * events are held back and shown stack by stack in manifest order, as one after another
 * would show them. After a failure no stack starts; those under way are followed to
 * their end. */
static sc_deploy_result apply_side_by_side(sc_deploy_run *run, sc_aws_cfn_stack *finals,
                                           bool *changes)
{
    applying *a = calloc(run->selected_count, sizeof(*a));
    if (!a || !sc_deploy_hold_events(run)) {
        free(a);
        return sc_deploy_error(run, NULL, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    bool stop = false;
    sc_deploy_result result = SC_DEPLOY_OK;
    for (;;) {
        sc_deploy_result r = start_ready(run, a, finals, &stop);
        result = result == SC_DEPLOY_OK ? r : result;
        /* The shortest wait left of those under way: with one, its poll delay, as when
         * stacks go one after another. */
        uint64_t wait = UINT64_MAX;
        for (size_t i = 0; i < run->selected_count; i++) {
            uint64_t left = a[i].state == APPLY_RUNNING
                                ? sc_deploy_watch_wait(a[i].watch) - a[i].waited
                                : UINT64_MAX;
            wait = left < wait ? left : wait;
        }
        if (wait == UINT64_MAX)
            break;
        if (!sc_deploy_pause(run, wait)) {
            stop_running(run, a);
            result = SC_DEPLOY_CANCELLED;
            break;
        }
        for (size_t i = 0; i < run->selected_count; i++)
            a[i].waited += a[i].state == APPLY_RUNNING ? wait : 0;
        r = poll_running(run, a, finals, changes, &stop);
        result = result == SC_DEPLOY_OK ? r : result;
    }
    sc_deploy_release_all_events(run);
    for (size_t i = 0; i < run->selected_count; i++)
        applying_clear(&a[i]);
    free(a);
    return result;
}

static void report_outputs(const sc_deploy_run *run, const sc_aws_cfn_stack *finals)
{
    for (size_t i = 0; i < run->selected_count; i++) {
        const sc_aws_cfn_stack *s = &finals[i];
        for (size_t j = 0; j < s->output_count; j++)
            sc_deploy_emit(run,
                           &(sc_deploy_event){.kind = SC_DEPLOY_EV_OUTPUT,
                                              .stack = run->selected[i]->name,
                                              .output_key = s->outputs[j].key,
                                              .output_value = s->outputs[j].value,
                                              .output_description = s->outputs[j].description});
    }
}

sc_deploy_result sc_deploy_apply(const sc_deploy_input *input, const sc_deploy_options *options)
{
    sc_deploy_run run;
    sc_deploy_result r = sc_deploy_run_begin(&run, input, options, true);
    if (r == SC_DEPLOY_OK)
        r = sc_deploy_check_contexts(&run);
    sc_aws_cfn_stack *finals = NULL;
    if (r == SC_DEPLOY_OK) {
        finals = calloc(run.selected_count, sizeof(*finals));
        if (!finals)
            r = sc_deploy_error(&run, NULL, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    bool changes = false;
    /* Questions come one stack after another, each after its plan: side by side only
     * with --yes. */
    bool side_by_side = options->yes && run.selected_count > 1;
    if (r == SC_DEPLOY_OK && side_by_side)
        r = apply_side_by_side(&run, finals, &changes);
    for (size_t i = 0; r == SC_DEPLOY_OK && !side_by_side && i < run.selected_count; i++)
        r = apply_stack(&run, i, &changes, &finals[i]);
    if (r == SC_DEPLOY_OK)
        report_outputs(&run, finals);
    for (size_t i = 0; finals && i < run.selected_count; i++)
        sc_aws_cfn_stack_clear(&finals[i]);
    free(finals);
    sc_deploy_run_end(&run);
    if (r == SC_DEPLOY_OK && !changes)
        return SC_DEPLOY_NO_CHANGES;
    return r;
}

/* ---- destroy ------------------------------------------------------------------------- */

sc_deploy_result sc_deploy_destroy(const sc_deploy_input *input, const sc_deploy_options *options)
{
    sc_deploy_options destroying = *options;
    destroying.destroying = true;
    sc_deploy_run run;
    sc_deploy_result r = sc_deploy_run_begin(&run, input, &destroying, true);
    sc_deploy_found *found = NULL;
    if (r == SC_DEPLOY_OK) {
        found = calloc(run.selected_count, sizeof(*found));
        if (!found)
            r = sc_deploy_error(&run, NULL, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    /* What exists, in deletion order (the reverse of the manifest's). */
    size_t targets = 0;
    sc_aws_buf names = {0};
    for (size_t k = 0; r == SC_DEPLOY_OK && k < run.selected_count; k++) {
        size_t i = run.selected_count - 1 - k;
        const sc_deploy_stack *stack = run.selected[i];
        r = sc_deploy_find_stack(&run, stack, &found[i]);
        if (r == SC_DEPLOY_OK)
            r = sc_deploy_check_owner(&run, stack, &found[i]);
        if (r != SC_DEPLOY_OK)
            break;
        if (!found[i].stack.stack_id) {
            sc_deploy_note(&run, stack->name, "stack %s does not exist", stack->name);
            continue;
        }
        targets++;
        sc_aws_buf_printf(&names, "%s%s", names.len ? ", " : "", stack->name);
        sc_deploy_emit(&run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_PLAN,
                                                .stack = stack->name,
                                                .operation = SC_DEPLOY_OP_DELETE,
                                                .status = found[i].stack.status,
                                                .removes = stack->resource_count});
    }
    if (r == SC_DEPLOY_OK && targets == 0)
        r = SC_DEPLOY_NO_CHANGES;
    if (r == SC_DEPLOY_OK &&
        !ask(&run, "Delete %s, with every resource in them?", names.data ? names.data : ""))
        r = declined(&run, NULL, "nothing was deleted");
    size_t position = 0;
    for (size_t k = 0; r == SC_DEPLOY_OK && k < run.selected_count; k++) {
        size_t i = run.selected_count - 1 - k;
        const sc_deploy_stack *stack = run.selected[i];
        if (!found[i].stack.stack_id)
            continue;
        announce(&run, position++, targets, stack->name, SC_DEPLOY_OP_DELETE, NULL);
        sc_deploy_outcome outcome;
        size_t total = stack->resource_count;
        for (size_t n = 0; n < stack->nested_count; n++)
            total += stack->nested[n].resource_count;
        r = sc_deploy_delete(&run, stack, found[i].stack.stack_id, total, true, &outcome);
        if (r == SC_DEPLOY_OK && outcome.failed)
            r = SC_DEPLOY_FAILED;
        sc_deploy_outcome_clear(&outcome);
    }
    for (size_t i = 0; found && i < run.selected_count; i++)
        sc_aws_cfn_stack_clear(&found[i].stack);
    free(found);
    sc_aws_buf_free(&names);
    sc_deploy_run_end(&run);
    return r;
}
