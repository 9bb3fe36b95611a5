/* The plan of a deployment: what a change set will do to each resource, reported in
 * the order the template declares them (nested stacks' changes under their stack), or
 * for a stack that does not exist yet, every resource of the manifest as added. */
#include "deploy/deploy.h"

#include <stdlib.h>
#include <string.h>

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static sc_deploy_action action_of(const char *name)
{
    if (same(name, "Add"))
        return SC_DEPLOY_ACTION_ADD;
    if (same(name, "Modify"))
        return SC_DEPLOY_ACTION_MODIFY;
    if (same(name, "Remove"))
        return SC_DEPLOY_ACTION_REMOVE;
    return SC_DEPLOY_ACTION_OTHER;
}

static sc_deploy_replacement replacement_of(const char *replacement)
{
    if (same(replacement, "True"))
        return SC_DEPLOY_REPLACE_YES;
    if (same(replacement, "Conditional"))
        return SC_DEPLOY_REPLACE_MAYBE;
    return SC_DEPLOY_REPLACE_NO;
}

/* "Engine, DatabaseName": the properties whose change requires (or may require) a new
 * resource, each once. A heap string, or NULL when none. */
static char *replacing_properties(const sc_aws_cfn_change *change)
{
    sc_aws_buf out = {0};
    for (size_t i = 0; i < change->detail_count; i++) {
        const sc_aws_cfn_change_detail *d = &change->details[i];
        if (!d->name || !d->requires_recreation || same(d->requires_recreation, "Never"))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same(change->details[j].name, d->name) &&
                   change->details[j].requires_recreation &&
                   !same(change->details[j].requires_recreation, "Never");
        if (!seen)
            sc_aws_buf_printf(&out, "%s%s", out.len ? ", " : "", d->name);
    }
    if (out.len == 0)
        return NULL;
    return sc_aws_buf_take(&out);
}

/* "Env=prod, ApiToken=****": the values passed, noEcho ones masked. Heap or NULL. */
static char *parameter_summary(const sc_deploy_run *run, const sc_deploy_stack *stack)
{
    sc_aws_buf out = {0};
    for (size_t i = 0; i < stack->parameter_count; i++) {
        const char *value = sc_deploy_param_value(run, stack->parameters[i].name);
        if (value)
            sc_aws_buf_printf(&out, "%s%s=%s", out.len ? ", " : "", stack->parameters[i].name,
                              stack->parameters[i].no_echo ? "****" : value);
    }
    if (out.len == 0)
        return NULL;
    return sc_aws_buf_take(&out);
}

/* A change and where it goes in the report. */
typedef struct ordered_change {
    size_t key; /* the resource's place in the manifest; after them all when absent */
    size_t index;
} ordered_change;

static int by_key(const void *a, const void *b)
{
    const ordered_change *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Where a change goes in the report: the resource's place in the manifest, the
 * stack's own first, then each nested stack's; a removed resource after them all. */
static size_t place_of(const sc_deploy_stack *stack, const char *logical_id)
{
    size_t base = 0;
    for (size_t i = 0; logical_id && i < stack->resource_count; i++)
        if (strcmp(stack->resources[i].logical_id, logical_id) == 0)
            return i;
    base = stack->resource_count;
    for (size_t n = 0; logical_id && n < stack->nested_count; n++) {
        const sc_deploy_nested *nested = &stack->nested[n];
        for (size_t i = 0; i < nested->resource_count; i++)
            if (strcmp(nested->resources[i].logical_id, logical_id) == 0)
                return base + i;
        base += nested->resource_count;
    }
    return base;
}

/* Reports the changes of one change set, the stack's or a nested stack's (`nested`,
 * its logical id), and counts them into `plan`; a nested stack's own change is not
 * counted when its resources' changes are shown. */
static void report_changes(sc_deploy_run *run, const sc_deploy_stack *stack, const char *nested,
                           const sc_aws_cfn_change_set *cs, const sc_deploy_change_set *whole,
                           sc_deploy_event *plan)
{
    /* In manifest order, which follows the source; removed resources last. */
    ordered_change *order = calloc(cs->change_count ? cs->change_count : 1, sizeof(*order));
    for (size_t i = 0; order && i < cs->change_count; i++)
        order[i] = (ordered_change){.key = place_of(stack, cs->changes[i].logical_id), .index = i};
    if (order)
        qsort(order, cs->change_count, sizeof(*order), by_key);
    for (size_t k = 0; k < cs->change_count; k++) {
        const sc_aws_cfn_change *c = &cs->changes[order ? order[k].index : k];
        const sc_deploy_resource *r = sc_deploy_resource_find(stack, c->logical_id);
        sc_deploy_action action = action_of(c->action);
        sc_deploy_replacement replacement = action == SC_DEPLOY_ACTION_MODIFY
                                                ? replacement_of(c->replacement)
                                                : SC_DEPLOY_REPLACE_NO;
        char *properties = replacement != SC_DEPLOY_REPLACE_NO ? replacing_properties(c) : NULL;
        sc_deploy_emit(run, &(sc_deploy_event){
                                .kind = SC_DEPLOY_EV_CHANGE,
                                .stack = stack->name,
                                .nested = nested,
                                .logical_id = c->logical_id,
                                .resource_type = c->resource_type ? c->resource_type
                                                 : r              ? r->type
                                                                  : NULL,
                                .source = r ? r->source : NULL,
                                .path = r ? r->path : NULL,
                                .action = action,
                                .action_name = c->action,
                                .replacement = replacement,
                                .replacing_properties = properties,
                            });
        free(properties);
        const sc_aws_cfn_change_set *inner = NULL;
        for (size_t n = 0; whole && n < whole->nested_count && !inner; n++)
            if (same(whole->nested_ids[n], c->logical_id))
                inner = &whole->nested[n];
        if (inner) {
            report_changes(run, stack, c->logical_id, inner, NULL, plan);
            continue;
        }
        plan->adds += action == SC_DEPLOY_ACTION_ADD;
        plan->modifies += action == SC_DEPLOY_ACTION_MODIFY;
        plan->removes += action == SC_DEPLOY_ACTION_REMOVE;
        plan->replacements += replacement == SC_DEPLOY_REPLACE_YES;
        plan->may_replace += replacement == SC_DEPLOY_REPLACE_MAYBE;
    }
    free(order);
}

void sc_deploy_report_plan(sc_deploy_run *run, const sc_deploy_stack *stack,
                           sc_deploy_operation operation, const sc_deploy_change_set *cs)
{
    sc_deploy_event plan = {
        .kind = SC_DEPLOY_EV_PLAN, .stack = stack->name, .operation = operation};
    report_changes(run, stack, NULL, &cs->described, cs, &plan);
    /* A change set can change nothing but the stack's outputs (or tags): still a change. */
    plan.no_changes = operation == SC_DEPLOY_OP_NONE;
    char *parameters = parameter_summary(run, stack);
    plan.parameters = parameters;
    sc_deploy_emit(run, &plan);
    free(parameters);
}

/* Every resource of a list as added. */
static void report_added(sc_deploy_run *run, const sc_deploy_stack *stack, const char *nested,
                         const sc_deploy_resource *resources, size_t count, sc_deploy_event *plan)
{
    for (size_t i = 0; i < count; i++) {
        const sc_deploy_resource *r = &resources[i];
        sc_deploy_emit(run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_CHANGE,
                                               .stack = stack->name,
                                               .nested = nested,
                                               .logical_id = r->logical_id,
                                               .resource_type = r->type,
                                               .source = r->source,
                                               .path = r->path,
                                               .action = SC_DEPLOY_ACTION_ADD,
                                               .action_name = "Add"});
        plan->adds++;
    }
}

void sc_deploy_report_plan_from_manifest(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         sc_deploy_operation operation)
{
    sc_deploy_event plan = {
        .kind = SC_DEPLOY_EV_PLAN, .stack = stack->name, .operation = operation};
    report_added(run, stack, NULL, stack->resources, stack->resource_count, &plan);
    for (size_t n = 0; n < stack->nested_count; n++)
        report_added(run, stack, stack->nested[n].logical_id, stack->nested[n].resources,
                     stack->nested[n].resource_count, &plan);
    plan.no_changes = stack->resource_count == 0;
    char *parameters = parameter_summary(run, stack);
    plan.parameters = parameters;
    sc_deploy_emit(run, &plan);
    free(parameters);
}
