/* Stacks that read other stacks' outputs. The compiler writes such a read as
 * {"Fn::GetStackOutput": {"StackName": P, "OutputName": O}}, which CloudFormation
 * resolves once, when the reading stack is created or updated, and never again: a
 * weak reference. So that a consumer follows its producer, the deploy workflow hands
 * CloudFormation the consumer's template with every such read replaced by the value
 * the producer has now (the template `stackc build` writes keeps the intrinsic, for
 * other tools). A changed value is then a changed property, which CloudFormation
 * plans and applies like any other, replacement included.
 *
 * `plan` computes every change set before anything is deployed: an output that the
 * plan of its producer changes (or that does not exist yet) is replaced by a
 * placeholder naming it, so the consumer's change set shows the resources that will
 * be updated once the producer is. `apply` deploys producers first and reads their
 * outputs afresh. */
#include "deploy/deploy.h"

#include <stdlib.h>
#include <string.h>

#define GET_STACK_OUTPUT "Fn::GetStackOutput"
/* What `plan` puts where a value is not known yet: "stackc:pending:Network.VpcId". */
#define PLACEHOLDER "stackc:pending:"

/* ---- finding the reads --------------------------------------------------------------- */

static const char *string_at(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The producer and output of a Fn::GetStackOutput node this workflow can resolve (same
 * account and region: no Region, no RoleArn); false for anything else. */
static bool read_of(const cJSON *node, const char **producer, const char **output)
{
    if (!cJSON_IsObject(node) || cJSON_GetArraySize(node) != 1)
        return false;
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(node, GET_STACK_OUTPUT);
    if (!cJSON_IsObject(args) || cJSON_GetObjectItemCaseSensitive(args, "Region") ||
        cJSON_GetObjectItemCaseSensitive(args, "RoleArn"))
        return false;
    *producer = string_at(args, "StackName");
    *output = string_at(args, "OutputName");
    return *producer && *output;
}

static bool add_read(sc_deploy_stack *stack, const char *producer, const char *output,
                     const char *resource)
{
    for (size_t i = 0; i < stack->read_count; i++) {
        const sc_deploy_read *r = &stack->reads[i];
        if (strcmp(r->producer, producer) == 0 && strcmp(r->output, output) == 0 &&
            (r->resource == resource ||
             (r->resource && resource && !strcmp(r->resource, resource))))
            return true;
    }
    sc_deploy_read *grown = realloc(stack->reads, (stack->read_count + 1) * sizeof(*grown));
    if (!grown)
        return false;
    stack->reads = grown;
    stack->reads[stack->read_count++] =
        (sc_deploy_read){.producer = producer, .output = output, .resource = resource};
    return true;
}

static bool collect(sc_deploy_stack *stack, const cJSON *node, const char *resource)
{
    const char *producer, *output;
    if (read_of(node, &producer, &output))
        return add_read(stack, producer, output, resource);
    const cJSON *child;
    cJSON_ArrayForEach(child, node)
    {
        if (!collect(stack, child, resource))
            return false;
    }
    return true;
}

bool sc_deploy_find_reads(sc_deploy_stack *stack)
{
    /* YAML templates (or anything cJSON cannot read) are deployed as they are. */
    stack->template_tree = cJSON_ParseWithLength(stack->template_text, stack->template_len);
    if (!cJSON_IsObject(stack->template_tree)) {
        cJSON_Delete(stack->template_tree);
        stack->template_tree = NULL;
        return true;
    }
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(stack->template_tree, "Resources");
    const cJSON *r;
    cJSON_ArrayForEach(r, resources)
    {
        if (!collect(stack, r, r->string))
            return false;
    }
    const cJSON *section;
    cJSON_ArrayForEach(section, stack->template_tree)
    {
        if (strcmp(section->string, "Resources") != 0 && !collect(stack, section, NULL))
            return false;
    }
    return true;
}

/* ---- what is known of producers ------------------------------------------------------ */

static sc_deploy_known *known_of(sc_deploy_run *run, const char *stack)
{
    for (size_t i = 0; i < run->known_count; i++) {
        if (strcmp(run->known[i].stack, stack) == 0)
            return &run->known[i];
    }
    sc_deploy_known *grown = realloc(run->known, (run->known_count + 1) * sizeof(*grown));
    char *name = sc_aws_strdup(stack);
    if (!grown || !name) {
        free(name);
        if (grown)
            run->known = grown;
        return NULL;
    }
    run->known = grown;
    run->known[run->known_count] = (sc_deploy_known){.stack = name};
    return &run->known[run->known_count++];
}

static void forget_values(sc_deploy_known *k)
{
    for (size_t i = 0; i < k->count; i++) {
        free(k->keys[i]);
        free(k->values[i]);
    }
    free(k->keys);
    free(k->values);
    k->keys = k->values = NULL;
    k->count = 0;
}

void sc_deploy_known_clear(sc_deploy_run *run)
{
    for (size_t i = 0; i < run->known_count; i++) {
        sc_deploy_known *k = &run->known[i];
        forget_values(k);
        for (size_t j = 0; j < k->pending_count; j++)
            free(k->pending[j]);
        free(k->pending);
        free(k->stack);
    }
    free(run->known);
    run->known = NULL;
    run->known_count = 0;
}

void sc_deploy_remember_outputs(sc_deploy_run *run, const char *stack,
                                const sc_aws_cfn_stack *described)
{
    sc_deploy_known *k = known_of(run, stack);
    if (!k)
        return;
    forget_values(k);
    k->looked_up = true;
    k->exists = described && described->stack_id;
    size_t n = described ? described->output_count : 0;
    k->keys = calloc(n ? n : 1, sizeof(*k->keys));
    k->values = calloc(n ? n : 1, sizeof(*k->values));
    if (!k->keys || !k->values)
        return;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_cfn_output *o = &described->outputs[i];
        if (!o->key)
            continue;
        k->keys[k->count] = sc_aws_strdup(o->key);
        k->values[k->count] = sc_aws_strdup(o->value ? o->value : "");
        k->count++;
    }
}

static const char *known_value(const sc_deploy_known *k, const char *output)
{
    for (size_t i = 0; k && i < k->count; i++) {
        if (k->keys[i] && strcmp(k->keys[i], output) == 0)
            return k->values[i];
    }
    return NULL;
}

static bool is_pending(const sc_deploy_known *k, const char *output)
{
    for (size_t i = 0; k && i < k->pending_count; i++) {
        if (strcmp(k->pending[i], output) == 0 || strcmp(k->pending[i], "*") == 0)
            return true;
    }
    return false;
}

static void mark_pending(sc_deploy_run *run, const char *stack, const char *output)
{
    sc_deploy_known *k = known_of(run, stack);
    if (!k || is_pending(k, output))
        return;
    char **grown = realloc(k->pending, (k->pending_count + 1) * sizeof(*grown));
    char *copy = sc_aws_strdup(output);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            k->pending = grown;
        return;
    }
    k->pending = grown;
    k->pending[k->pending_count++] = copy;
}

void sc_deploy_expect_new_outputs(sc_deploy_run *run, const sc_deploy_stack *stack)
{
    mark_pending(run, stack->name, "*");
}

/* The resources an output's value refers to, by Ref, Fn::GetAtt or Fn::Sub, with
 * whether through an attribute. */
static void referenced(const cJSON *value, const char *resource, bool *found, bool *by_attribute)
{
    if (cJSON_IsObject(value) && cJSON_GetArraySize(value) == 1) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(value, "Ref");
        const cJSON *att = cJSON_GetObjectItemCaseSensitive(value, "Fn::GetAtt");
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(value, "Fn::Sub");
        if (cJSON_IsString(ref) && strcmp(ref->valuestring, resource) == 0)
            *found = true;
        const cJSON *target = cJSON_IsArray(att) ? cJSON_GetArrayItem(att, 0) : att;
        if (cJSON_IsString(target) &&
            strncmp(target->valuestring, resource, strlen(resource)) == 0 &&
            (target->valuestring[strlen(resource)] == '\0' ||
             target->valuestring[strlen(resource)] == '.'))
            *found = *by_attribute = true;
        const cJSON *text = cJSON_IsArray(sub) ? cJSON_GetArrayItem(sub, 0) : sub;
        if (cJSON_IsString(text)) {
            size_t len = strlen(resource);
            for (const char *p = strstr(text->valuestring, "${"); p; p = strstr(p + 2, "${")) {
                if (strncmp(p + 2, resource, len) == 0 &&
                    (p[2 + len] == '}' || p[2 + len] == '.')) {
                    *found = true;
                    *by_attribute = *by_attribute || p[2 + len] == '.';
                }
            }
        }
    }
    const cJSON *child;
    cJSON_ArrayForEach(child, value) referenced(child, resource, found, by_attribute);
}

/* Whether a change of a resource changes what an output made of it says: a new,
 * removed or replaced resource has a new id, and a modified one may have new
 * attributes. */
static bool changes_output(const sc_aws_cfn_change *c, bool by_attribute)
{
    if (!c->action || strcmp(c->action, "Modify") != 0)
        return true;
    if (c->replacement && strcmp(c->replacement, "False") != 0)
        return true;
    return by_attribute;
}

void sc_deploy_expect_changes(sc_deploy_run *run, const sc_deploy_stack *stack,
                              const sc_aws_cfn_change_set *cs)
{
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(stack->template_tree, "Outputs");
    if (!stack->template_tree || cs->change_count == 0) {
        /* A change set with nothing but outputs (or a template we cannot read): any
         * output may say something new. */
        mark_pending(run, stack->name, "*");
        return;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, outputs)
    {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(o, "Value");
        for (size_t i = 0; i < cs->change_count; i++) {
            const sc_aws_cfn_change *c = &cs->changes[i];
            bool found = false, by_attribute = false;
            if (c->logical_id)
                referenced(value, c->logical_id, &found, &by_attribute);
            if (found && changes_output(c, by_attribute)) {
                mark_pending(run, stack->name, o->string);
                break;
            }
        }
    }
}

/* ---- resolving ----------------------------------------------------------------------- */

/* Makes sure the producer's outputs are known: described once per run when it is not
 * one of the stacks worked on. */
static sc_deploy_result look_up(sc_deploy_run *run, const sc_deploy_stack *consumer,
                                const char *producer, sc_deploy_known **out)
{
    *out = known_of(run, producer);
    if (!*out)
        return sc_deploy_error(run, consumer->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    if ((*out)->looked_up)
        return SC_DEPLOY_OK;
    sc_aws_cfn_stack described = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_describe_stack(&run->client, producer, &described, &err);
    sc_deploy_result r = SC_DEPLOY_OK;
    if (status == SC_AWS_OK || sc_aws_cfn_is_missing_stack(&err))
        sc_deploy_remember_outputs(run, producer, status == SC_AWS_OK ? &described : NULL);
    else
        r = sc_deploy_error(run, consumer->name, status, &err,
                            "cannot read the outputs of stack %s", producer);
    sc_aws_error_clear(&err);
    sc_aws_cfn_stack_clear(&described);
    *out = known_of(run, producer);
    return r;
}

/* Appends `name` to a ", "-separated list unless it is there already. */
static void mention_once(sc_aws_buf *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list->data; p && (p = strstr(p, name)); p += len) {
        bool starts = p == list->data || p[-1] == ' ';
        if (starts && (p[len] == '\0' || p[len] == ','))
            return;
    }
    sc_aws_buf_printf(list, "%s%s", list->len ? ", " : "", name);
}

/* Replaces every read under `node` by its value (or, planning, a placeholder). */
static sc_deploy_result substitute(sc_deploy_run *run, const sc_deploy_stack *consumer, cJSON *node,
                                   bool planning, sc_aws_buf *pending)
{
    cJSON *child = node->child;
    while (child) {
        cJSON *next = child->next;
        const char *producer, *output;
        if (!read_of(child, &producer, &output)) {
            sc_deploy_result r = substitute(run, consumer, child, planning, pending);
            if (r != SC_DEPLOY_OK)
                return r;
            child = next;
            continue;
        }
        sc_deploy_known *k;
        sc_deploy_result r = look_up(run, consumer, producer, &k);
        if (r != SC_DEPLOY_OK)
            return r;
        const char *value = is_pending(k, output) ? NULL : known_value(k, output);
        sc_aws_buf placeholder = {0};
        if (!value && planning) {
            sc_aws_buf_printf(&placeholder, "%s%s.%s", PLACEHOLDER, producer, output);
            value = placeholder.data;
            if (value)
                mention_once(pending, value + strlen(PLACEHOLDER));
        }
        if (!value) {
            sc_aws_buf_free(&placeholder);
            return sc_deploy_error(run, consumer->name, SC_AWS_OK, NULL,
                                   k->exists ? "stack %s reads output %s of stack %s, which has no "
                                               "such output: deploy %s first"
                                             : "stack %s reads output %s of stack %s, which does "
                                               "not exist: deploy %s first",
                                   consumer->name, output, producer, producer);
        }
        cJSON *literal = cJSON_CreateString(value);
        sc_aws_buf_free(&placeholder);
        /* In an object the key goes with the replacement; ViaPointer would drop it. */
        bool replaced =
            literal &&
            (child->string ? cJSON_ReplaceItemInObjectCaseSensitive(node, child->string, literal)
                           : cJSON_ReplaceItemViaPointer(node, child, literal));
        if (!replaced) {
            cJSON_Delete(literal);
            return sc_deploy_error(run, consumer->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
        }
        child = next;
    }
    return SC_DEPLOY_OK;
}

sc_deploy_result sc_deploy_resolve_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                            bool planning, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (stack->nested_count && !stack->template_tree)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                               "stack %s has nested stacks, whose templates stackc deploys "
                               "only as JSON: build it without --format yaml",
                               stack->name);
    bool lookups = sc_deploy_has_lookups(stack->template_text, stack->template_len);
    if (lookups && !stack->template_tree)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                               "the template of stack %s has values to look up, which stackc "
                               "does only in JSON templates: build it without --format yaml",
                               stack->name);
    if ((stack->read_count == 0 && stack->nested_count == 0 && !lookups) || !stack->template_tree) {
        *text = sc_aws_strndup(stack->template_text, stack->template_len);
        *len = stack->template_len;
        return *text ? SC_DEPLOY_OK
                     : sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    cJSON *copy = cJSON_Duplicate(stack->template_tree, true);
    if (!copy)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    sc_aws_buf pending = {0};
    sc_deploy_result r =
        stack->read_count ? substitute(run, stack, copy, planning, &pending) : SC_DEPLOY_OK;
    if (r == SC_DEPLOY_OK && pending.len)
        sc_deploy_note(run, stack->name,
                       "stack %s reads %s, which this plan changes or creates: the change set "
                       "shows the resources that read them as they will be updated once that "
                       "is deployed",
                       stack->name, pending.data);
    if (r == SC_DEPLOY_OK && lookups)
        r = sc_deploy_resolve_lookups(run, stack, NULL, copy);
    if (r == SC_DEPLOY_OK && stack->nested_count)
        r = sc_deploy_upload_nested(run, stack, copy);
    if (r == SC_DEPLOY_OK) {
        *text = cJSON_PrintUnformatted(copy);
        *len = *text ? strlen(*text) : 0;
        if (!*text)
            r = sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    sc_aws_buf_free(&pending);
    cJSON_Delete(copy);
    return r;
}

/* ---- consumers left behind ----------------------------------------------------------- */

void sc_deploy_warn_stale_consumers(sc_deploy_run *run, const sc_deploy_stack *producer,
                                    const sc_aws_cfn_stack *before, const sc_aws_cfn_stack *after)
{
    /* A producer made just now has no consumer deployed against it yet. */
    if (!before || before->output_count == 0)
        return;
    const sc_deploy_manifest *m = &run->manifest;
    for (size_t i = 0; i < m->stack_count; i++) {
        const sc_deploy_stack *consumer = &m->stacks[i];
        bool selected = false;
        for (size_t j = 0; j < run->selected_count && !selected; j++)
            selected = run->selected[j] == consumer;
        if (selected)
            continue;
        sc_aws_buf changed = {0};
        for (size_t j = 0; j < consumer->read_count; j++) {
            const sc_deploy_read *read = &consumer->reads[j];
            if (strcmp(read->producer, producer->name) != 0)
                continue;
            const char *old = sc_aws_cfn_output_value(before, read->output);
            const char *now = sc_aws_cfn_output_value(after, read->output);
            bool differs = !old || !now || strcmp(old, now) != 0;
            if (differs)
                mention_once(&changed, read->output);
        }
        if (changed.len)
            sc_deploy_note(run, consumer->name,
                           "warning: stack %s reads %s of stack %s, which changed; it was not "
                           "selected and still uses the old values: run `stackc apply --stack %s`",
                           consumer->name, changed.data, producer->name, consumer->name);
        sc_aws_buf_free(&changed);
    }
}
