/* CloudFormation's calls: each builds its form, goes through sc_aws_query_call, and
 * copies the answer's XML into plain structs; waits poll on top. */
#include "aws/cloudformation.h"

#include <stdlib.h>
#include <string.h>

#define VERSION "2010-05-15"

/* Pages of a paginated answer read at most, so a confused server cannot loop us. */
enum { MAX_PAGES = 1000 };

static const sc_aws_service cloudformation = {
    .id = "CloudFormation",
    .host_prefix = "cloudformation",
    .signing_name = "cloudformation",
    .path_mode = SC_AWS_PATH_NORMALIZE,
};

static sc_aws_status out_of_memory(sc_aws_error *err)
{
    return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* Runs `action` with `form` as its parameters; frees the form. */
static sc_aws_status call(const sc_aws_client *client, const char *action, sc_aws_buf *form,
                          sc_aws_xml **doc, const sc_aws_xml **result, sc_aws_error *err)
{
    if (form->failed) {
        sc_aws_buf_free(form);
        return out_of_memory(err);
    }
    sc_aws_status status =
        sc_aws_query_call(client, &cloudformation, action, VERSION, form->data, doc, result, err);
    sc_aws_buf_free(form);
    return status;
}

/* The number of <member> children of a list element. */
static size_t count_members(const sc_aws_xml *list)
{
    size_t n = 0;
    for (size_t i = 0; list && i < list->child_count; i++)
        n += strcmp(list->children[i]->name, "member") == 0;
    return n;
}

/* The i-th <member> child of a list element (i < count_members). */
static const sc_aws_xml *member_at(const sc_aws_xml *list, size_t index)
{
    for (size_t i = 0; i < list->child_count; i++) {
        if (strcmp(list->children[i]->name, "member") != 0)
            continue;
        if (index-- == 0)
            return list->children[i];
    }
    return NULL;
}

/* Grows `*items` (of `size`-byte elements, `*count` used) by `extra` zeroed slots. */
static bool grow(void **items, size_t *count, size_t extra, size_t size)
{
    if (extra == 0)
        return true;
    if (*count > SIZE_MAX / size - extra)
        return false;
    void *grown = realloc(*items, (*count + extra) * size);
    if (!grown)
        return false;
    memset((char *)grown + *count * size, 0, extra * size);
    *items = grown;
    return true;
}

/* ---- change sets --------------------------------------------------------------------- */

void sc_aws_cfn_change_set_ids_clear(sc_aws_cfn_change_set_ids *ids)
{
    free(ids->change_set_id);
    free(ids->stack_id);
    *ids = (sc_aws_cfn_change_set_ids){0};
}

static void add_change_set_input(sc_aws_buf *form, const sc_aws_cfn_change_set_input *in)
{
    sc_aws_form_add(form, "StackName", in->stack_name);
    sc_aws_form_add(form, "ChangeSetName", in->change_set_name);
    sc_aws_form_add(form, "ChangeSetType",
                    in->type == SC_AWS_CFN_CHANGE_SET_CREATE ? "CREATE" : "UPDATE");
    if (in->template_body)
        sc_aws_form_add(form, "TemplateBody", in->template_body);
    else
        sc_aws_form_add(form, "TemplateURL", in->template_url);
    for (size_t i = 0; i < in->parameter_count; i++) {
        const sc_aws_cfn_parameter *p = &in->parameters[i];
        sc_aws_form_add_member(form, "Parameters", i + 1, "ParameterKey", p->key);
        if (p->use_previous)
            sc_aws_form_add_member(form, "Parameters", i + 1, "UsePreviousValue", "true");
        else
            sc_aws_form_add_member(form, "Parameters", i + 1, "ParameterValue",
                                   p->value ? p->value : "");
    }
    for (size_t i = 0; i < in->capability_count; i++)
        sc_aws_form_add_member(form, "Capabilities", i + 1, NULL, in->capabilities[i]);
    for (size_t i = 0; i < in->tag_count; i++) {
        sc_aws_form_add_member(form, "Tags", i + 1, "Key", in->tags[i].key);
        sc_aws_form_add_member(form, "Tags", i + 1, "Value", in->tags[i].value);
    }
    if (in->description)
        sc_aws_form_add(form, "Description", in->description);
    if (in->client_token)
        sc_aws_form_add(form, "ClientToken", in->client_token);
    if (in->include_nested_stacks)
        sc_aws_form_add(form, "IncludeNestedStacks", "true");
}

sc_aws_status sc_aws_cfn_create_change_set(const sc_aws_client *client,
                                           const sc_aws_cfn_change_set_input *input,
                                           sc_aws_cfn_change_set_ids *out, sc_aws_error *err)
{
    *out = (sc_aws_cfn_change_set_ids){0};
    if (!input->stack_name || !input->change_set_name ||
        !input->template_body == !input->template_url)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID,
                           "CreateChangeSet needs a stack name, a change set name, and either "
                           "a template body or a template URL");
    sc_aws_buf form = {0};
    add_change_set_input(&form, input);
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = call(client, "CreateChangeSet", &form, &doc, &result, err);
    if (status != SC_AWS_OK)
        return status;
    bool ok = true;
    out->change_set_id = sc_aws_copy_xml(result, "Id", &ok);
    out->stack_id = sc_aws_copy_xml(result, "StackId", &ok);
    sc_aws_xml_free(doc);
    if (!ok || !out->change_set_id) {
        sc_aws_cfn_change_set_ids_clear(out);
        return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "CreateChangeSet answered no Id")
                  : out_of_memory(err);
    }
    return SC_AWS_OK;
}

static void clear_change(sc_aws_cfn_change *change)
{
    for (size_t i = 0; i < change->detail_count; i++) {
        sc_aws_cfn_change_detail *d = &change->details[i];
        free(d->attribute);
        free(d->name);
        free(d->requires_recreation);
        free(d->evaluation);
        free(d->change_source);
        free(d->causing_entity);
    }
    free(change->details);
    free(change->action);
    free(change->logical_id);
    free(change->physical_id);
    free(change->resource_type);
    free(change->replacement);
    free(change->change_set_id);
}

void sc_aws_cfn_change_set_clear(sc_aws_cfn_change_set *change_set)
{
    for (size_t i = 0; i < change_set->change_count; i++)
        clear_change(&change_set->changes[i]);
    free(change_set->changes);
    free(change_set->change_set_id);
    free(change_set->change_set_name);
    free(change_set->stack_id);
    free(change_set->stack_name);
    free(change_set->status);
    free(change_set->execution_status);
    free(change_set->status_reason);
    *change_set = (sc_aws_cfn_change_set){0};
}

/* <member><Type>Resource</Type><ResourceChange>...</ResourceChange></member> */
static bool parse_change(const sc_aws_xml *member, sc_aws_cfn_change *out)
{
    const sc_aws_xml *rc = sc_aws_xml_child(member, "ResourceChange");
    bool ok = true;
    out->action = sc_aws_copy_xml(rc, "Action", &ok);
    out->logical_id = sc_aws_copy_xml(rc, "LogicalResourceId", &ok);
    out->physical_id = sc_aws_copy_xml(rc, "PhysicalResourceId", &ok);
    out->resource_type = sc_aws_copy_xml(rc, "ResourceType", &ok);
    out->replacement = sc_aws_copy_xml(rc, "Replacement", &ok);
    out->change_set_id = sc_aws_copy_xml(rc, "ChangeSetId", &ok);
    const sc_aws_xml *details = sc_aws_xml_child(rc, "Details");
    size_t n = count_members(details);
    if (n && !(out->details = calloc(n, sizeof(*out->details))))
        return false;
    out->detail_count = n;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_xml *d = member_at(details, i);
        sc_aws_cfn_change_detail *detail = &out->details[i];
        detail->attribute = sc_aws_copy_xml(d, "Target/Attribute", &ok);
        detail->name = sc_aws_copy_xml(d, "Target/Name", &ok);
        detail->requires_recreation = sc_aws_copy_xml(d, "Target/RequiresRecreation", &ok);
        detail->evaluation = sc_aws_copy_xml(d, "Evaluation", &ok);
        detail->change_source = sc_aws_copy_xml(d, "ChangeSource", &ok);
        detail->causing_entity = sc_aws_copy_xml(d, "CausingEntity", &ok);
    }
    return ok;
}

/* Copies one page of DescribeChangeSet into `out`: the header fields from the first
 * page, the changes appended. */
static bool parse_change_set_page(const sc_aws_xml *result, sc_aws_cfn_change_set *out, bool first)
{
    bool ok = true;
    if (first) {
        out->change_set_id = sc_aws_copy_xml(result, "ChangeSetId", &ok);
        out->change_set_name = sc_aws_copy_xml(result, "ChangeSetName", &ok);
        out->stack_id = sc_aws_copy_xml(result, "StackId", &ok);
        out->stack_name = sc_aws_copy_xml(result, "StackName", &ok);
        out->status = sc_aws_copy_xml(result, "Status", &ok);
        out->execution_status = sc_aws_copy_xml(result, "ExecutionStatus", &ok);
        out->status_reason = sc_aws_copy_xml(result, "StatusReason", &ok);
    }
    const sc_aws_xml *changes = sc_aws_xml_child(result, "Changes");
    size_t n = count_members(changes);
    if (!grow((void **)&out->changes, &out->change_count, n, sizeof(*out->changes)))
        return false;
    for (size_t i = 0; i < n && ok; i++)
        ok = parse_change(member_at(changes, i), &out->changes[out->change_count++]);
    return ok;
}

sc_aws_status sc_aws_cfn_describe_change_set(const sc_aws_client *client, const char *stack_name,
                                             const char *change_set_name,
                                             sc_aws_cfn_change_set *out, sc_aws_error *err)
{
    *out = (sc_aws_cfn_change_set){0};
    char *next_token = NULL;
    for (unsigned page = 0; page < MAX_PAGES; page++) {
        sc_aws_buf form = {0};
        sc_aws_form_add(&form, "ChangeSetName", change_set_name);
        if (stack_name)
            sc_aws_form_add(&form, "StackName", stack_name);
        if (next_token)
            sc_aws_form_add(&form, "NextToken", next_token);
        free(next_token);
        next_token = NULL;
        sc_aws_xml *doc;
        const sc_aws_xml *result;
        sc_aws_status status = call(client, "DescribeChangeSet", &form, &doc, &result, err);
        if (status != SC_AWS_OK) {
            sc_aws_cfn_change_set_clear(out);
            return status;
        }
        bool ok = parse_change_set_page(result, out, page == 0);
        next_token = sc_aws_copy_xml(result, "NextToken", &ok);
        sc_aws_xml_free(doc);
        if (!ok) {
            free(next_token);
            sc_aws_cfn_change_set_clear(out);
            return out_of_memory(err);
        }
        if (!next_token || !*next_token)
            break;
    }
    free(next_token);
    return SC_AWS_OK;
}

bool sc_aws_cfn_change_set_is_empty(const sc_aws_cfn_change_set *change_set)
{
    /* AWS words it "The submitted information didn't contain changes. Submit different
     * information to create a change set."; older stacks say "No updates are to be
     * performed." */
    const char *reason = change_set->status_reason;
    return change_set->status && strcmp(change_set->status, "FAILED") == 0 && reason &&
           (strstr(reason, "didn't contain changes") || strstr(reason, "No updates are to be"));
}

/* Runs an action whose answer carries nothing to read. */
static sc_aws_status call_no_result(const sc_aws_client *client, const char *action,
                                    sc_aws_buf *form, sc_aws_error *err)
{
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = call(client, action, form, &doc, &result, err);
    sc_aws_xml_free(doc);
    return status;
}

sc_aws_status sc_aws_cfn_execute_change_set(const sc_aws_client *client, const char *stack_name,
                                            const char *change_set_name,
                                            const char *client_request_token, sc_aws_error *err)
{
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "ChangeSetName", change_set_name);
    if (stack_name)
        sc_aws_form_add(&form, "StackName", stack_name);
    if (client_request_token)
        sc_aws_form_add(&form, "ClientRequestToken", client_request_token);
    return call_no_result(client, "ExecuteChangeSet", &form, err);
}

sc_aws_status sc_aws_cfn_delete_change_set(const sc_aws_client *client, const char *stack_name,
                                           const char *change_set_name, sc_aws_error *err)
{
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "ChangeSetName", change_set_name);
    if (stack_name)
        sc_aws_form_add(&form, "StackName", stack_name);
    return call_no_result(client, "DeleteChangeSet", &form, err);
}

/* ---- stacks -------------------------------------------------------------------------- */

void sc_aws_cfn_stack_clear(sc_aws_cfn_stack *stack)
{
    for (size_t i = 0; i < stack->parameter_count; i++) {
        free(stack->parameters[i].key);
        free(stack->parameters[i].value);
    }
    for (size_t i = 0; i < stack->output_count; i++) {
        free(stack->outputs[i].key);
        free(stack->outputs[i].value);
        free(stack->outputs[i].description);
        free(stack->outputs[i].export_name);
    }
    for (size_t i = 0; i < stack->tag_count; i++) {
        free(stack->tags[i].key);
        free(stack->tags[i].value);
    }
    free(stack->parameters);
    free(stack->outputs);
    free(stack->tags);
    free(stack->stack_id);
    free(stack->stack_name);
    free(stack->status);
    free(stack->status_reason);
    free(stack->description);
    *stack = (sc_aws_cfn_stack){0};
}

static bool parse_stack(const sc_aws_xml *member, sc_aws_cfn_stack *out)
{
    bool ok = true;
    out->stack_id = sc_aws_copy_xml(member, "StackId", &ok);
    out->stack_name = sc_aws_copy_xml(member, "StackName", &ok);
    out->status = sc_aws_copy_xml(member, "StackStatus", &ok);
    out->status_reason = sc_aws_copy_xml(member, "StackStatusReason", &ok);
    out->description = sc_aws_copy_xml(member, "Description", &ok);
    out->creation_time = sc_aws_xml_time(member, "CreationTime");
    out->last_updated_time = sc_aws_xml_time(member, "LastUpdatedTime");
    out->deletion_time = sc_aws_xml_time(member, "DeletionTime");
    const sc_aws_xml *parameters = sc_aws_xml_child(member, "Parameters");
    size_t n = count_members(parameters);
    if (n && !(out->parameters = calloc(n, sizeof(*out->parameters))))
        return false;
    out->parameter_count = n;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_xml *p = member_at(parameters, i);
        out->parameters[i].key = sc_aws_copy_xml(p, "ParameterKey", &ok);
        out->parameters[i].value = sc_aws_copy_xml(p, "ParameterValue", &ok);
    }
    const sc_aws_xml *outputs = sc_aws_xml_child(member, "Outputs");
    n = count_members(outputs);
    if (n && !(out->outputs = calloc(n, sizeof(*out->outputs))))
        return false;
    out->output_count = n;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_xml *o = member_at(outputs, i);
        out->outputs[i].key = sc_aws_copy_xml(o, "OutputKey", &ok);
        out->outputs[i].value = sc_aws_copy_xml(o, "OutputValue", &ok);
        out->outputs[i].description = sc_aws_copy_xml(o, "Description", &ok);
        out->outputs[i].export_name = sc_aws_copy_xml(o, "ExportName", &ok);
    }
    const sc_aws_xml *tags = sc_aws_xml_child(member, "Tags");
    n = count_members(tags);
    if (n && !(out->tags = calloc(n, sizeof(*out->tags))))
        return false;
    out->tag_count = n;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_xml *t = member_at(tags, i);
        out->tags[i].key = sc_aws_copy_xml(t, "Key", &ok);
        out->tags[i].value = sc_aws_copy_xml(t, "Value", &ok);
    }
    return ok;
}

sc_aws_status sc_aws_cfn_describe_stack(const sc_aws_client *client, const char *stack_name,
                                        sc_aws_cfn_stack *out, sc_aws_error *err)
{
    *out = (sc_aws_cfn_stack){0};
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "StackName", stack_name);
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = call(client, "DescribeStacks", &form, &doc, &result, err);
    if (status != SC_AWS_OK)
        return status;
    const sc_aws_xml *stacks = sc_aws_xml_child(result, "Stacks");
    if (count_members(stacks) != 1) {
        sc_aws_xml_free(doc);
        return sc_aws_fail(err, SC_AWS_ERR_PROTOCOL,
                           "DescribeStacks for %s answered %zu stacks instead of one", stack_name,
                           count_members(stacks));
    }
    bool ok = parse_stack(member_at(stacks, 0), out);
    sc_aws_xml_free(doc);
    if (!ok) {
        sc_aws_cfn_stack_clear(out);
        return out_of_memory(err);
    }
    return SC_AWS_OK;
}

bool sc_aws_cfn_is_missing_stack(const sc_aws_error *err)
{
    return err && err->status == SC_AWS_ERR_SERVICE && err->code &&
           strcmp(err->code, "ValidationError") == 0 && err->message &&
           strstr(err->message, "does not exist") != NULL;
}

const char *sc_aws_cfn_output_value(const sc_aws_cfn_stack *stack, const char *key)
{
    for (size_t i = 0; i < stack->output_count; i++) {
        if (stack->outputs[i].key && strcmp(stack->outputs[i].key, key) == 0)
            return stack->outputs[i].value;
    }
    return NULL;
}

const char *sc_aws_cfn_tag_value(const sc_aws_cfn_stack *stack, const char *key)
{
    for (size_t i = 0; i < stack->tag_count; i++) {
        if (stack->tags[i].key && strcmp(stack->tags[i].key, key) == 0)
            return stack->tags[i].value ? stack->tags[i].value : "";
    }
    return NULL;
}

sc_aws_status sc_aws_cfn_delete_stack(const sc_aws_client *client, const char *stack_name,
                                      const char *client_request_token, sc_aws_error *err)
{
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "StackName", stack_name);
    if (client_request_token)
        sc_aws_form_add(&form, "ClientRequestToken", client_request_token);
    return call_no_result(client, "DeleteStack", &form, err);
}

sc_aws_status sc_aws_cfn_continue_update_rollback(const sc_aws_client *client,
                                                  const char *stack_name,
                                                  const char *client_request_token,
                                                  const char *const *resources_to_skip,
                                                  size_t skip_count, sc_aws_error *err)
{
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "StackName", stack_name);
    for (size_t i = 0; i < skip_count; i++)
        sc_aws_form_add_member(&form, "ResourcesToSkip", i + 1, NULL, resources_to_skip[i]);
    if (client_request_token)
        sc_aws_form_add(&form, "ClientRequestToken", client_request_token);
    return call_no_result(client, "ContinueUpdateRollback", &form, err);
}

sc_aws_status sc_aws_cfn_get_template(const sc_aws_client *client, const char *stack_name,
                                      char **body, sc_aws_error *err)
{
    *body = NULL;
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "StackName", stack_name);
    sc_aws_form_add(&form, "TemplateStage", "Original");
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = call(client, "GetTemplate", &form, &doc, &result, err);
    if (status != SC_AWS_OK)
        return status;
    bool ok = true;
    *body = sc_aws_copy_xml(result, "TemplateBody", &ok);
    sc_aws_xml_free(doc);
    if (!ok)
        return out_of_memory(err);
    if (!*body)
        return sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "GetTemplate answered no TemplateBody");
    return SC_AWS_OK;
}

void sc_aws_cfn_stack_list_clear(sc_aws_cfn_stack_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].stack_id);
        free(list->items[i].stack_name);
        free(list->items[i].status);
        free(list->items[i].status_reason);
    }
    free(list->items);
    *list = (sc_aws_cfn_stack_list){0};
}

static bool parse_summaries(const sc_aws_xml *result, sc_aws_cfn_stack_list *out)
{
    const sc_aws_xml *list = sc_aws_xml_child(result, "StackSummaries");
    size_t n = count_members(list);
    if (!grow((void **)&out->items, &out->count, n, sizeof(*out->items)))
        return false;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const sc_aws_xml *m = member_at(list, i);
        sc_aws_cfn_stack_summary *s = &out->items[out->count++];
        s->stack_id = sc_aws_copy_xml(m, "StackId", &ok);
        s->stack_name = sc_aws_copy_xml(m, "StackName", &ok);
        s->status = sc_aws_copy_xml(m, "StackStatus", &ok);
        s->status_reason = sc_aws_copy_xml(m, "StackStatusReason", &ok);
        s->creation_time = sc_aws_xml_time(m, "CreationTime");
        s->deletion_time = sc_aws_xml_time(m, "DeletionTime");
    }
    return ok;
}

sc_aws_status sc_aws_cfn_list_stacks(const sc_aws_client *client, const char *const *statuses,
                                     size_t status_count, sc_aws_cfn_stack_list *out,
                                     sc_aws_error *err)
{
    *out = (sc_aws_cfn_stack_list){0};
    char *next_token = NULL;
    for (unsigned page = 0; page < MAX_PAGES; page++) {
        sc_aws_buf form = {0};
        for (size_t i = 0; i < status_count; i++)
            sc_aws_form_add_member(&form, "StackStatusFilter", i + 1, NULL, statuses[i]);
        if (next_token)
            sc_aws_form_add(&form, "NextToken", next_token);
        free(next_token);
        next_token = NULL;
        sc_aws_xml *doc;
        const sc_aws_xml *result;
        sc_aws_status status = call(client, "ListStacks", &form, &doc, &result, err);
        if (status != SC_AWS_OK) {
            sc_aws_cfn_stack_list_clear(out);
            return status;
        }
        bool ok = parse_summaries(result, out);
        next_token = sc_aws_copy_xml(result, "NextToken", &ok);
        sc_aws_xml_free(doc);
        if (!ok) {
            free(next_token);
            sc_aws_cfn_stack_list_clear(out);
            return out_of_memory(err);
        }
        if (!next_token || !*next_token)
            break;
    }
    free(next_token);
    return SC_AWS_OK;
}

/* ---- events -------------------------------------------------------------------------- */

static void clear_event(sc_aws_cfn_event *e)
{
    free(e->event_id);
    free(e->stack_id);
    free(e->stack_name);
    free(e->logical_id);
    free(e->physical_id);
    free(e->resource_type);
    free(e->status);
    free(e->status_reason);
    free(e->client_request_token);
}

void sc_aws_cfn_events_clear(sc_aws_cfn_events *events)
{
    for (size_t i = 0; i < events->count; i++)
        clear_event(&events->items[i]);
    free(events->items);
    free(events->next_token);
    *events = (sc_aws_cfn_events){0};
}

static bool parse_event(const sc_aws_xml *m, sc_aws_cfn_event *e)
{
    bool ok = true;
    e->event_id = sc_aws_copy_xml(m, "EventId", &ok);
    e->stack_id = sc_aws_copy_xml(m, "StackId", &ok);
    e->stack_name = sc_aws_copy_xml(m, "StackName", &ok);
    e->logical_id = sc_aws_copy_xml(m, "LogicalResourceId", &ok);
    e->physical_id = sc_aws_copy_xml(m, "PhysicalResourceId", &ok);
    e->resource_type = sc_aws_copy_xml(m, "ResourceType", &ok);
    e->status = sc_aws_copy_xml(m, "ResourceStatus", &ok);
    e->status_reason = sc_aws_copy_xml(m, "ResourceStatusReason", &ok);
    e->client_request_token = sc_aws_copy_xml(m, "ClientRequestToken", &ok);
    e->timestamp = sc_aws_xml_time(m, "Timestamp");
    return ok;
}

sc_aws_status sc_aws_cfn_describe_stack_events(const sc_aws_client *client, const char *stack_name,
                                               const char *next_token, sc_aws_cfn_events *out,
                                               sc_aws_error *err)
{
    *out = (sc_aws_cfn_events){0};
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "StackName", stack_name);
    if (next_token)
        sc_aws_form_add(&form, "NextToken", next_token);
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = call(client, "DescribeStackEvents", &form, &doc, &result, err);
    if (status != SC_AWS_OK)
        return status;
    const sc_aws_xml *list = sc_aws_xml_child(result, "StackEvents");
    size_t n = count_members(list);
    bool ok = grow((void **)&out->items, &out->count, n, sizeof(*out->items));
    for (size_t i = 0; i < n && ok; i++)
        ok = parse_event(member_at(list, i), &out->items[out->count++]);
    if (ok)
        out->next_token = sc_aws_copy_xml(result, "NextToken", &ok);
    sc_aws_xml_free(doc);
    if (!ok) {
        sc_aws_cfn_events_clear(out);
        return out_of_memory(err);
    }
    return SC_AWS_OK;
}

/* Moves the events of `page` before `stop_id` to the end of `out`; true when `stop_id`
 * was among them. The page is left holding nothing. */
static bool take_events(sc_aws_cfn_events *page, const char *stop_id, sc_aws_cfn_events *out,
                        bool *ok)
{
    bool found = false;
    size_t keep = 0;
    for (; keep < page->count; keep++) {
        const char *id = page->items[keep].event_id;
        if (stop_id && id && strcmp(id, stop_id) == 0) {
            found = true;
            break;
        }
    }
    if (!grow((void **)&out->items, &out->count, keep, sizeof(*out->items))) {
        sc_aws_cfn_events_clear(page);
        *ok = false;
        return true;
    }
    memcpy(out->items + out->count, page->items, keep * sizeof(*page->items));
    out->count += keep;
    for (size_t i = keep; i < page->count; i++)
        clear_event(&page->items[i]);
    page->count = 0;
    sc_aws_cfn_events_clear(page);
    return found;
}

sc_aws_status sc_aws_cfn_stack_events_since(const sc_aws_client *client, const char *stack_name,
                                            const char *after_event_id, unsigned max_pages,
                                            sc_aws_cfn_events *out, sc_aws_error *err)
{
    *out = (sc_aws_cfn_events){0};
    char *next_token = NULL;
    for (unsigned page_number = 0; page_number < max_pages; page_number++) {
        sc_aws_cfn_events page;
        sc_aws_status status =
            sc_aws_cfn_describe_stack_events(client, stack_name, next_token, &page, err);
        free(next_token);
        next_token = NULL;
        if (status != SC_AWS_OK) {
            sc_aws_cfn_events_clear(out);
            return status;
        }
        next_token = page.next_token;
        page.next_token = NULL;
        bool ok = true;
        bool found = take_events(&page, after_event_id, out, &ok);
        if (!ok) {
            free(next_token);
            sc_aws_cfn_events_clear(out);
            return out_of_memory(err);
        }
        if (found || !next_token)
            break;
    }
    free(next_token);
    return SC_AWS_OK;
}

/* ---- waiting ------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t len = strlen(s), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

sc_aws_cfn_outcome sc_aws_cfn_stack_outcome(const char *status)
{
    if (!status || ends_with(status, "_IN_PROGRESS"))
        return SC_AWS_CFN_IN_PROGRESS;
    const char *succeeded[] = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE",
                               "IMPORT_COMPLETE"};
    for (size_t i = 0; i < sizeof(succeeded) / sizeof(*succeeded); i++) {
        if (strcmp(status, succeeded[i]) == 0)
            return SC_AWS_CFN_SUCCEEDED;
    }
    return SC_AWS_CFN_FAILED;
}

/* Paces a wait: false (with `err` set) once the time or the poll budget is spent. */
typedef struct pacer {
    sc_aws_cfn_wait wait;
    uint64_t start_ms;
    uint64_t polls;
    uint64_t max_polls;
} pacer;

static pacer pacer_start(sc_aws_cfn_wait wait)
{
    if (wait.poll_interval_ms == 0)
        wait.poll_interval_ms = 1;
    return (pacer){.wait = wait,
                   .start_ms = sc_aws_monotonic_ms(),
                   .max_polls = wait.timeout_ms / wait.poll_interval_ms + 2};
}

static bool pacer_next(const sc_aws_client *client, pacer *p)
{
    uint64_t elapsed = sc_aws_monotonic_ms() - p->start_ms;
    if (++p->polls >= p->max_polls || elapsed >= p->wait.timeout_ms)
        return false;
    uint64_t left = p->wait.timeout_ms - elapsed;
    sc_aws_client_sleep(client, left < p->wait.poll_interval_ms ? left : p->wait.poll_interval_ms);
    return true;
}

sc_aws_status sc_aws_cfn_wait_stack(const sc_aws_client *client, const char *stack_name,
                                    sc_aws_cfn_wait wait, sc_aws_cfn_stack *out, sc_aws_error *err)
{
    pacer p = pacer_start(wait);
    *out = (sc_aws_cfn_stack){0};
    for (;;) {
        sc_aws_cfn_stack_clear(out);
        sc_aws_status status = sc_aws_cfn_describe_stack(client, stack_name, out, err);
        if (status != SC_AWS_OK)
            return status;
        if (sc_aws_cfn_stack_outcome(out->status) != SC_AWS_CFN_IN_PROGRESS)
            return SC_AWS_OK;
        if (!pacer_next(client, &p))
            return sc_aws_fail(err, SC_AWS_ERR_TIMEOUT, "stack %s is still %s after %llu ms",
                               stack_name, out->status ? out->status : "(no status)",
                               (unsigned long long)wait.timeout_ms);
    }
}

sc_aws_status sc_aws_cfn_wait_change_set(const sc_aws_client *client, const char *stack_name,
                                         const char *change_set_name, sc_aws_cfn_wait wait,
                                         sc_aws_cfn_change_set *out, sc_aws_error *err)
{
    pacer p = pacer_start(wait);
    *out = (sc_aws_cfn_change_set){0};
    for (;;) {
        sc_aws_cfn_change_set_clear(out);
        sc_aws_status status =
            sc_aws_cfn_describe_change_set(client, stack_name, change_set_name, out, err);
        if (status != SC_AWS_OK)
            return status;
        const char *s = out->status ? out->status : "";
        if (strcmp(s, "CREATE_PENDING") != 0 && strcmp(s, "CREATE_IN_PROGRESS") != 0)
            return SC_AWS_OK;
        if (!pacer_next(client, &p))
            return sc_aws_fail(err, SC_AWS_ERR_TIMEOUT, "change set %s is still %s after %llu ms",
                               change_set_name, s, (unsigned long long)wait.timeout_ms);
    }
}
