/* The plain rendering of deploy events: one or more lines each, for logs and for
 * output that is not a terminal. A terminal front end may draw its own. */
#include "deploy/deploy.h"

#include <stdlib.h>
#include <string.h>

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t len = s ? strlen(s) : 0, suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

static const char *operation_verb(sc_deploy_operation operation)
{
    switch (operation) {
    case SC_DEPLOY_OP_CREATE:
        return "create";
    case SC_DEPLOY_OP_UPDATE:
        return "update";
    case SC_DEPLOY_OP_RECREATE:
        return "delete and create again";
    case SC_DEPLOY_OP_DELETE:
        return "delete";
    case SC_DEPLOY_OP_CONTINUE_ROLLBACK:
        return "continue its rollback, then update";
    case SC_DEPLOY_OP_NONE:
        break;
    }
    return "leave as it is";
}

/* " (12.3 s)" */
static void put_elapsed(sc_aws_buf *out, uint64_t ms)
{
    sc_aws_buf_printf(out, " (%llu.%llu s)", (unsigned long long)(ms / 1000),
                      (unsigned long long)(ms % 1000 / 100));
}

/* "  WpCluster (AWS::RDS::DBCluster) at site.stack:18" */
static void put_resource(sc_aws_buf *out, const sc_deploy_event *e)
{
    if (e->nested)
        sc_aws_buf_printf(out, "%s/", e->nested);
    sc_aws_buf_puts(out, or_empty(e->logical_id));
    if (e->resource_type)
        sc_aws_buf_printf(out, " (%s)", e->resource_type);
    if (e->source)
        sc_aws_buf_printf(out, " at %s", e->source);
}

static void put_change(sc_aws_buf *out, const sc_deploy_event *e)
{
    const char *mark = e->action == SC_DEPLOY_ACTION_ADD         ? "+"
                       : e->action == SC_DEPLOY_ACTION_REMOVE    ? "-"
                       : e->replacement == SC_DEPLOY_REPLACE_YES ? "!"
                                                                 : "~";
    const char *word = e->action == SC_DEPLOY_ACTION_ADD      ? "add"
                       : e->action == SC_DEPLOY_ACTION_REMOVE ? "remove"
                       : e->action == SC_DEPLOY_ACTION_MODIFY ? "modify"
                                                              : or_empty(e->action_name);
    sc_aws_buf_printf(out, "  %s %-7s ", mark, word);
    put_resource(out, e);
    if (e->replacement == SC_DEPLOY_REPLACE_YES)
        sc_aws_buf_puts(out, "  REPLACEMENT: a new resource is made and the old one deleted");
    else if (e->replacement == SC_DEPLOY_REPLACE_MAYBE)
        sc_aws_buf_puts(out, "  may replace it");
    if (e->replacing_properties)
        sc_aws_buf_printf(out, " (because of %s)", e->replacing_properties);
    sc_aws_buf_putc(out, '\n');
}

static void put_plan(sc_aws_buf *out, const sc_deploy_event *e)
{
    if (e->parameters)
        sc_aws_buf_printf(out, "  parameters: %s\n", e->parameters);
    if (e->operation == SC_DEPLOY_OP_DELETE) {
        sc_aws_buf_printf(out, "%s: will be deleted, with every resource in it\n",
                          or_empty(e->stack));
        return;
    }
    if (e->no_changes) {
        sc_aws_buf_printf(out, "%s: no changes\n", or_empty(e->stack));
        return;
    }
    if (e->adds + e->modifies + e->removes == 0) {
        sc_aws_buf_printf(out, "%s: no resource changes; the stack's outputs or tags change\n",
                          or_empty(e->stack));
        return;
    }
    sc_aws_buf_printf(out, "%s: %zu to add, %zu to modify, %zu to remove", or_empty(e->stack),
                      e->adds, e->modifies, e->removes);
    if (e->replacements)
        sc_aws_buf_printf(out, "; %zu REPLACEMENT%s", e->replacements,
                          e->replacements == 1 ? "" : "S");
    if (e->may_replace)
        sc_aws_buf_printf(out, "; %zu may be replaced", e->may_replace);
    sc_aws_buf_putc(out, '\n');
}

static void put_progress(sc_aws_buf *out, const sc_deploy_event *e)
{
    if (e->total)
        sc_aws_buf_printf(out, "  [%zu/%zu] ", e->done, e->total);
    else
        sc_aws_buf_puts(out, "  ");
    sc_aws_buf_printf(out, "%s %s%s%s", or_empty(e->status), e->nested ? e->nested : "",
                      e->nested ? "/" : "", or_empty(e->logical_id));
    if (e->resource_type)
        sc_aws_buf_printf(out, " (%s)", e->resource_type);
    if (e->source && ends_with(e->status, "_FAILED"))
        sc_aws_buf_printf(out, " at %s", e->source);
    if (e->reason && *e->reason)
        sc_aws_buf_printf(out, ": %s", e->reason);
    put_elapsed(out, e->elapsed_ms);
    sc_aws_buf_putc(out, '\n');
}

static void put_error(sc_aws_buf *out, const sc_deploy_event *e)
{
    sc_aws_buf_printf(out, "error: %s", or_empty(e->message));
    if (e->aws_code || e->aws_message) {
        sc_aws_buf_puts(out, ": ");
        if (e->aws_code)
            sc_aws_buf_printf(out, "%s%s", e->aws_code, e->aws_message ? ": " : "");
        sc_aws_buf_puts(out, or_empty(e->aws_message));
    }
    sc_aws_buf_putc(out, '\n');
}

static const char *asset_phase_text(sc_deploy_asset_phase phase)
{
    switch (phase) {
    case SC_DEPLOY_ASSET_BUILDING:
        return "building";
    case SC_DEPLOY_ASSET_PUSHING:
        return "pushing";
    case SC_DEPLOY_ASSET_PUSHED:
        return "pushed";
    }
    return "";
}

char *sc_deploy_event_text(const sc_deploy_event *e)
{
    sc_aws_buf out = {0};
    switch (e->kind) {
    case SC_DEPLOY_EV_STACK:
        sc_aws_buf_printf(&out, "%s (%zu/%zu): %s", or_empty(e->stack), e->stack_index,
                          e->stack_count, operation_verb(e->operation));
        if (e->message)
            sc_aws_buf_printf(&out, " (it is %s)", e->message);
        sc_aws_buf_putc(&out, '\n');
        break;
    case SC_DEPLOY_EV_NOTE:
        sc_aws_buf_printf(&out, "%s\n", or_empty(e->message));
        break;
    case SC_DEPLOY_EV_CHANGE:
        put_change(&out, e);
        break;
    case SC_DEPLOY_EV_PLAN:
        put_plan(&out, e);
        break;
    case SC_DEPLOY_EV_ASSET:
        sc_aws_buf_printf(&out, "  %s %s", asset_phase_text(e->asset_phase), or_empty(e->image));
        if (e->asset_phase == SC_DEPLOY_ASSET_BUILDING && e->source)
            sc_aws_buf_printf(&out, ", the image of %s", e->source);
        sc_aws_buf_putc(&out, '\n');
        break;
    case SC_DEPLOY_EV_DOCKER_OUTPUT:
        sc_aws_buf_printf(&out, "    | %s\n", or_empty(e->message));
        break;
    case SC_DEPLOY_EV_PROGRESS:
        put_progress(&out, e);
        break;
    case SC_DEPLOY_EV_ROOT_CAUSE:
        sc_aws_buf_puts(&out, "error: ");
        put_resource(&out, e);
        sc_aws_buf_printf(&out, ": %s", or_empty(e->status));
        if (e->reason)
            sc_aws_buf_printf(&out, ": %s", e->reason);
        sc_aws_buf_putc(&out, '\n');
        if (e->path)
            sc_aws_buf_printf(&out, "  note: made by %s\n", e->path);
        break;
    case SC_DEPLOY_EV_STACK_DONE:
        sc_aws_buf_printf(&out, "%s: %s%s", or_empty(e->stack), or_empty(e->status),
                          e->failed ? " (failed)" : "");
        put_elapsed(&out, e->elapsed_ms);
        sc_aws_buf_putc(&out, '\n');
        break;
    case SC_DEPLOY_EV_OUTPUT:
        sc_aws_buf_printf(&out, "%s.%s = %s\n", or_empty(e->stack), or_empty(e->output_key),
                          or_empty(e->output_value));
        break;
    case SC_DEPLOY_EV_ERROR:
        put_error(&out, e);
        break;
    }
    return sc_aws_buf_take(&out);
}
