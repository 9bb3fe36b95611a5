/* Stacks: declaring every stack's names before any is checked, then each stack's items
 * (instances, resources, lets, params, outputs, `moved`, tests), and cycles between
 * stacks. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

sc_stack *sc_new_stack(sc_checker *c, const char *name, sc_span name_span, const sc_item *item)
{
    sc_stack *stack = sc_arena_alloc(&c->ctx->arena, sizeof(*stack));
    if (!stack)
        return NULL;
    stack->name = name;
    stack->name_span = name_span;
    stack->item = item;
    stack->scope = sc_scope_new(c->ctx, c->program->global);
    if (stack->scope)
        stack->scope->stack = stack;
    sc_list_push(&c->ctx->arena, &c->program->stacks, stack);
    sc_symbol *symbol =
        sc_new_symbol(c, SYM_STACK, (sc_ident){name, name_span}, item, c->program->global);
    if (symbol) {
        symbol->stack = stack;
        sc_scope_declare(c->ctx, c->program->global, symbol);
    }
    return stack;
}

/* E0217 unless `stack`'s name, behind `app` and '-' when there is an app, is a name
 * CloudFormation accepts. */
static void check_deployed_name(sc_context *ctx, const char *app, const sc_stack *stack)
{
    const char *name = stack->name;
    size_t prefix = app ? strlen(app) + 1 : 0;
    bool ok = isalpha((unsigned char)name[0]) && prefix + strlen(name) <= 128;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (ok)
        return;
    sc_diagnostic *d = sc_error(ctx, "E0217", stack->name_span,
                                "\"%s\" is not a valid CloudFormation stack name", name);
    sc_diag_note_plain(ctx, d,
                       "a stack name starts with a letter and holds only letters, "
                       "digits and '-', 128 characters at most (with the app's name "
                       "and '-' in front)");
}

void sc_check_stack_name(sc_checker *c, const sc_stack *stack)
{
    check_deployed_name(c->ctx, c->program->app, stack);
}

bool sc_app_name_valid(const char *name)
{
    bool ok = isalpha((unsigned char)name[0]) && strlen(name) <= 64;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    return ok;
}

bool sc_sema_set_app(sc_context *ctx, sc_program *program, const char *app)
{
    size_t errors = ctx->error_count;
    if (!sc_app_name_valid(app)) {
        sc_diagnostic *d =
            sc_error(ctx, "E0217", (sc_span){(uint32_t)-1, 0, 0},
                     "the app name \"%s\" cannot start a CloudFormation stack name", app);
        sc_diag_note_plain(ctx, d, SC_APP_NAME_RULE);
        return false;
    }
    for (size_t i = 0; i < program->stacks.count; i++)
        check_deployed_name(ctx, app, program->stacks.items[i]);
    if (ctx->error_count != errors)
        return false;
    program->app = app;
    return true;
}

static void declare_stack_item(sc_checker *c, sc_stack *stack, const sc_item *item, sc_map *outputs)
{
    sc_scope *scope = stack->scope;
    switch (item->kind) {
    case ITEM_BLOCK:
        if (item->label.name)
            sc_scope_declare(c->ctx, scope,
                             sc_new_symbol(c, SYM_INSTANCE, item->label, item, scope));
        break;
    case ITEM_RESOURCE: {
        sc_symbol *s = sc_new_symbol(c, SYM_RESOURCE, item->name, item, scope);
        if (s)
            s->type = sc_resource_type(c, item);
        sc_scope_declare(c->ctx, scope, s);
        break;
    }
    case ITEM_LET:
        sc_scope_declare(c->ctx, scope, sc_new_symbol(c, SYM_LET, item->name, item, scope));
        break;
    case ITEM_PARAM: {
        sc_symbol *s = sc_new_symbol(c, SYM_PARAM, item->name, item, scope);
        if (s)
            s->type = sc_resolve_type(c, scope, item->type);
        sc_scope_declare(c->ctx, scope, s);
        break;
    }
    case ITEM_OUTPUT: {
        const sc_item *first = sc_map_get(outputs, item->name.name);
        if (first) {
            sc_diagnostic *d = sc_error(c->ctx, "E0201", item->name.span,
                                        "output `%s` is declared twice", item->name.name);
            sc_diag_note(c->ctx, d, first->name.span, "first declared here");
        } else {
            sc_map_put(&c->ctx->arena, outputs, item->name.name, (void *)item);
        }
        break;
    }
    case ITEM_ALLOW:
    case ITEM_TEST:
    case ITEM_ERROR:
    case ITEM_MOVED:
        break;
    case ITEM_ATTR:
        sc_misplaced(
            c, item, "directly in a stack",
            sc_arena_printf(&c->ctx->arena, "did you mean `let %s = ...`?", item->name.name));
        break;
    case ITEM_INPUT:
        sc_misplaced(c, item, "in a stack",
                     "inputs belong to a `component`; a stack takes `param`s");
        break;
    case ITEM_ATTRIBUTE:
        sc_misplaced(c, item, "in a stack", "a stack exposes values with `output NAME = ...`");
        break;
    case ITEM_STACK:
        sc_misplaced(c, item, "inside another stack",
                     "declare stacks side by side at the top level");
        break;
    case ITEM_IMPORT:
    case ITEM_COMPONENT:
    case ITEM_TYPE:
        sc_misplaced(c, item, "inside a stack", "put it at the top level of the file");
        break;
    default:
        sc_misplaced(c, item, "in a stack", NULL);
    }
}

static sc_type *param_options_type(sc_checker *c)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    static const char *const names[] = {"description", "allowed", "type"};
    for (size_t i = 0; record && i < 3; i++) {
        sc_record_field *f = sc_arena_alloc(&c->ctx->arena, sizeof(*f));
        if (!f)
            return NULL;
        f->name = names[i];
        sc_type *t = i == 1 ? sc_type_new(c->ctx, TY_LIST) : sc_basic(c, TY_STRING);
        if (i == 1 && t)
            t->elem = sc_basic(c, TY_ANY);
        f->type = sc_type_optional(c->ctx, t);
        sc_record_add_field(c->ctx, record, f);
    }
    return record;
}

/* `param p: string { type = "AWS::EC2::VPC::Id" }`, or list<string> with "List<...>". */
static void check_aws_parameter_type(sc_checker *c, const sc_item *setting, const sc_type *base)
{
    if (!setting->value || setting->value->kind != EXPR_STRING)
        return;
    const char *text = setting->value->text;
    bool list = strncmp(text, "List<", 5) == 0 && text[strlen(text) - 1] == '>';
    const char *inner = list ? sc_arena_strndup(&c->ctx->arena, text + 5, strlen(text) - 6) : text;
    if (!inner || !sc_schema_parameter_type_known(inner, list)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0205", setting->value->span,
                                    "\"%s\" is not an AWS-specific parameter type", text);
        size_t count;
        const char *const *types = sc_schema_parameter_types(&count);
        const char *close = inner ? sc_closest_name(inner, types, count) : NULL;
        if (close)
            sc_diag_fix(c->ctx, d, list ? "did you mean \"List<%s>\"?" : "did you mean \"%s\"?",
                        close);
        else
            sc_diag_note_plain(c->ctx, d,
                               "types such as \"AWS::EC2::VPC::Id\" or "
                               "\"List<AWS::EC2::Subnet::Id>\"");
        return;
    }
    bool is_list = base && base->kind == TY_LIST;
    if (list != is_list && base && base->kind != TY_ERROR)
        sc_error(c->ctx, "E0205", setting->value->span, "a %s parameter must be declared `%s`",
                 text, list ? "list<string>" : "string");
}

static void check_param(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_symbol *s = sc_scope_lookup_local(scope, item->name.name);
    sc_type *t = s && s->item == item ? s->type : sc_resolve_type(c, scope, item->type);
    sc_type *base = t;
    while (base && base->kind == TY_OPTIONAL)
        base = base->elem;
    bool allowed =
        base && (base->kind == TY_STRING || base->kind == TY_INT || base->kind == TY_NUMBER ||
                 base->kind == TY_BOOL || base->kind == TY_SECRET || base->kind == TY_UNION ||
                 base->kind == TY_ERROR ||
                 (base->kind == TY_LIST && base->elem &&
                  (base->elem->kind == TY_STRING || base->elem->kind == TY_NUMBER ||
                   base->elem->kind == TY_INT)));
    if (!allowed)
        sc_error(c->ctx, "E0205", item->type->span,
                 "a param must be a string, number, bool, secret, string union or list of "
                 "strings or numbers, not %s",
                 sc_type_name(c->ctx, t));
    if (item->value)
        sc_check_against(c, scope, item->value, t,
                         sc_describe(c, "the default of param `%s`%s", item->name.name, ""));
    if (item->value && base && base->kind == TY_SECRET) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0240", item->value->span, "a secret param cannot have a default");
        sc_diag_note_plain(c->ctx, d,
                           "the default would be written into the template in clear text");
    }
    if (item->has_body) {
        sc_type *options = param_options_type(c);
        if (options)
            sc_check_body(c, scope, &item->items, options,
                          sc_arena_printf(&c->ctx->arena, "param `%s`", item->name.name),
                          item->name.span, NULL);
        const sc_item *aws_type = sc_find_setting(&item->items, "type");
        if (aws_type && aws_type->kind == ITEM_ATTR)
            check_aws_parameter_type(c, aws_type, base);
    }
}

static void check_output(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_type *t = sc_check_expr(c, scope, item->value);
    if (!t || t->kind == TY_ERROR)
        return;
    if (sc_type_contains_secret(t)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0240", item->value->span,
                                    "output `%s` cannot be a secret", item->name.name);
        sc_diag_note_plain(c->ctx, d, "outputs are visible to anyone who can describe the stack");
        return;
    }
    while (t->kind == TY_OPTIONAL)
        t = t->elem;
    switch (t->kind) {
    case TY_STRING:
    case TY_UNION:
    case TY_INT:
    case TY_NUMBER:
    case TY_BOOL:
    case TY_ANY:
    case TY_RESOURCE:
        return;
    case TY_LIST:
        if (t->elem &&
            (t->elem->kind == TY_STRING || t->elem->kind == TY_ANY || t->elem->kind == TY_RESOURCE))
            return;
        break;
    default:
        break;
    }
    sc_diagnostic *d =
        sc_error(c->ctx, "E0205", item->value->span,
                 "output `%s` must be a string, number, bool or list of strings, not %s",
                 item->name.name, sc_type_name(c->ctx, t));
    if (t->kind == TY_COMPONENT)
        sc_diag_fix(c->ctx, d, "output one of its attributes instead");
}

/* `moved old -> new`: `new` (an instance or resource of this stack) keeps the logical
 * ids `old` had, so renaming it replaces nothing. */
static void check_moved(sc_checker *c, sc_stack *stack, const sc_item *item)
{
    const sc_item *from = NULL, *to = NULL;
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *other = stack->items.items[i];
        const char *name = other->kind == ITEM_BLOCK ? other->label.name : other->name.name;
        if (other->kind != ITEM_BLOCK && other->kind != ITEM_RESOURCE)
            continue;
        if (name && strcmp(name, item->label.name) == 0)
            from = other;
        if (name && strcmp(name, item->name.name) == 0)
            to = other;
    }
    if (from) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0284", item->label.span,
                     "`%s` is still declared: `moved` goes from the old name to the new one",
                     item->label.name);
        sc_diag_note(c->ctx, d, from->span, "`%s` is declared here", item->label.name);
        return;
    }
    if (!to) {
        sc_diagnostic *d = sc_error(c->ctx, "E0284", item->name.span,
                                    "stack %s declares no instance or resource `%s`", stack->name,
                                    item->name.name);
        const char *close = stack->scope ? sc_suggest_name(c, stack->scope, item->name.name) : NULL;
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
        return;
    }
    for (size_t i = 0; i < stack->moves.count; i++) {
        const sc_item *other = stack->moves.items[i];
        if (strcmp(other->name.name, item->name.name) != 0 &&
            strcmp(other->label.name, item->label.name) != 0)
            continue;
        sc_diagnostic *d = sc_error(
            c->ctx, "E0284", item->span, "`%s` is moved twice",
            strcmp(other->name.name, item->name.name) == 0 ? item->name.name : item->label.name);
        sc_diag_note(c->ctx, d, other->span, "first moved here");
        return;
    }
    sc_list_push(&c->ctx->arena, &stack->moves, (void *)item);
}

void sc_check_test(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_test_decl *decl = sc_arena_alloc(&c->ctx->arena, sizeof(*decl));
    if (decl) {
        decl->item = item;
        decl->scope = scope;
        sc_list_push(&c->ctx->arena, &c->program->tests, decl);
    }
    sc_check_test_lines(c, scope, item);
}

void sc_check_test_lines(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->text && item->text->kind != EXPR_STRING)
        sc_error(c->ctx, "E0215", item->text->span, "a test name cannot use interpolation");
    sc_scope *inner = sc_scope_new(c->ctx, scope);
    if (!inner || !sc_scope_put_value(c->ctx, inner, SC_IN_TEST_SYMBOL, NULL))
        return;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *line = item->items.items[i];
        if (line->kind == ITEM_ASSERT) {
            sc_check_against(c, inner, line->value, sc_basic(c, TY_BOOL), "an assertion");
            if (line->message)
                sc_check_against(c, inner, line->message, sc_basic(c, TY_STRING),
                                 "an assertion's message");
        } else if (line->kind == ITEM_LET) {
            sc_symbol *let = sc_new_symbol(c, SYM_LET, line->name, line, inner);
            if (let && sc_scope_declare(c->ctx, inner, let))
                sc_symbol_type(c, let, line->name.span);
        } else if (line->kind != ITEM_ERROR) {
            sc_misplaced(c, line, "in a test", "a test holds `assert` and `let` lines");
        }
    }
}

void sc_declare_stack(sc_checker *c, sc_stack *stack)
{
    sc_map outputs = {0};
    for (size_t i = 0; i < stack->items.count; i++)
        declare_stack_item(c, stack, stack->items.items[i], &outputs);
}

void sc_check_stack(sc_checker *c, sc_stack *stack)
{
    sc_scope *scope = stack->scope;
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *item = stack->items.items[i];
        size_t errors_before = c->ctx->error_count;
        switch (item->kind) {
        case ITEM_BLOCK:
            sc_check_instance(c, scope, item);
            break;
        case ITEM_RESOURCE:
            sc_check_resource(c, scope, item);
            break;
        case ITEM_LET: {
            sc_symbol *s = sc_scope_lookup_local(scope, item->name.name);
            if (s && s->item == item)
                sc_symbol_type(c, s, item->name.span);
            break;
        }
        case ITEM_PARAM:
            check_param(c, scope, item);
            break;
        case ITEM_OUTPUT:
            check_output(c, scope, item);
            break;
        case ITEM_ALLOW:
            sc_check_allow(c, scope, item);
            break;
        case ITEM_TEST:
            sc_check_test(c, scope, item);
            break;
        case ITEM_MOVED:
            check_moved(c, stack, item);
            break;
        default:
            break;
        }
        /* What build would compute from it, so that its evaluation errors show now. */
        if (c->ctx->error_count == errors_before)
            sc_evaluate_stack_item(c, scope, item);
    }
}

/* ---- stack cycles ---------------------------------------------------------------------------- */

typedef struct cycle_search {
    sc_checker *c;
    sc_map state;     /* stack name -> 1 visiting, 2 done */
    sc_ptr_list path; /* sc_stack_ref taken so far */
    bool reported;
} cycle_search;

static void report_stack_cycle(cycle_search *s, const sc_stack *start)
{
    sc_context *ctx = s->c->ctx;
    sc_buf names;
    sc_buf_init(&names, &ctx->allocator);
    sc_buf_puts(&names, start->name);
    for (size_t i = 0; i < s->path.count; i++)
        sc_buf_printf(&names, " -> %s", ((sc_stack_ref *)s->path.items[i])->target->name);
    const sc_stack_ref *closing = s->path.items[s->path.count - 1];
    sc_diagnostic *d =
        sc_error(ctx, "E0260", closing->span, "stacks reference each other in a cycle: %s",
                 names.data ? names.data : "");
    sc_buf_free(&names);
    for (size_t i = 0; i + 1 < s->path.count; i++) {
        const sc_stack_ref *ref = s->path.items[i];
        sc_diag_note(ctx, d, ref->span, "%s is referenced here", ref->target->name);
    }
    sc_diag_fix(ctx, d, "move the shared resource into a stack that both depend on");
    s->reported = true;
}

static void visit_stack(cycle_search *s, sc_stack *stack, sc_stack *start)
{
    if (s->reported)
        return;
    sc_map_put(&s->c->ctx->arena, &s->state, stack->name, (void *)1);
    for (size_t i = 0; i < stack->references.count && !s->reported; i++) {
        sc_stack_ref *ref = stack->references.items[i];
        if (!sc_list_push(&s->c->ctx->arena, &s->path, ref))
            return; /* out of memory */
        void *state = sc_map_get(&s->state, ref->target->name);
        if (ref->target == start)
            report_stack_cycle(s, start);
        else if (!state)
            visit_stack(s, ref->target, start);
        s->path.count--;
    }
}

/* Which stacks lie on a cycle, by Tarjan's strongly connected components: one walk over
 * every stack and reference. */
typedef struct component_node {
    size_t index, low; /* visiting order; the earliest node it reaches on the walk's stack */
    bool on_stack;
    bool on_cycle;
} component_node;

typedef struct component_search {
    sc_context *ctx;
    sc_map nodes;     /* stack name -> component_node */
    sc_ptr_list open; /* sc_stack: the walk's stack */
    size_t visited;
} component_search;

static void connect(component_search *s, sc_stack *stack)
{
    component_node *node = sc_arena_alloc(&s->ctx->arena, sizeof(*node));
    if (!node || !sc_map_put(&s->ctx->arena, &s->nodes, stack->name, node) ||
        !sc_list_push(&s->ctx->arena, &s->open, stack))
        return;
    node->index = node->low = ++s->visited;
    node->on_stack = true;
    for (size_t i = 0; i < stack->references.count && !s->ctx->out_of_memory; i++) {
        sc_stack *target = ((sc_stack_ref *)stack->references.items[i])->target;
        node->on_cycle = node->on_cycle || target == stack;
        component_node *next = sc_map_get(&s->nodes, target->name);
        if (!next) {
            connect(s, target);
            next = sc_map_get(&s->nodes, target->name);
            if (next && next->low < node->low)
                node->low = next->low;
        } else if (next->on_stack && next->index < node->low) {
            node->low = next->index;
        }
    }
    if (node->low != node->index || s->ctx->out_of_memory)
        return;
    size_t first = s->open.count;
    while (first > 0 && s->open.items[first - 1] != stack)
        first--;
    bool cycle = s->open.count - first > 0; /* more than `stack` itself */
    for (size_t i = first > 0 ? first - 1 : 0; i < s->open.count; i++) {
        component_node *member = sc_map_get(&s->nodes, ((sc_stack *)s->open.items[i])->name);
        member->on_stack = false;
        member->on_cycle = member->on_cycle || cycle;
    }
    s->open.count = first > 0 ? first - 1 : 0;
}

/* The first stack that lies on a cycle is reported, with the path a walk from it takes
 * back to it; finding it first keeps the check linear in the stacks and references (a
 * walk from every stack was quadratic on a chain of stacks). */
void sc_check_stack_cycles(sc_checker *c)
{
    component_search components = {.ctx = c->ctx};
    for (size_t i = 0; i < c->program->stacks.count && !c->ctx->out_of_memory; i++) {
        sc_stack *stack = c->program->stacks.items[i];
        if (!sc_map_get(&components.nodes, stack->name))
            connect(&components, stack);
    }
    for (size_t i = 0; i < c->program->stacks.count && !c->ctx->out_of_memory; i++) {
        sc_stack *stack = c->program->stacks.items[i];
        const component_node *node = sc_map_get(&components.nodes, stack->name);
        if (!node || !node->on_cycle)
            continue;
        cycle_search search = {.c = c};
        visit_stack(&search, stack, stack);
        return;
    }
}

/* ---- nested stacks -------------------------------------------------------------------- */

static bool is_nested_block(const sc_item *item)
{
    return item->kind == ITEM_BLOCK && item->name.name && strcmp(item->name.name, "nested") == 0;
}

/* What a nested stack may hold: what makes resources. Parameters, outputs, renames and
 * tests belong to the stack the user deploys. */
static bool fits_in_nested(const sc_item *item)
{
    return item->kind == ITEM_BLOCK || item->kind == ITEM_RESOURCE || item->kind == ITEM_LET ||
           item->kind == ITEM_ALLOW || item->kind == ITEM_ERROR;
}

static sc_nested_stack *declare_nested(sc_checker *c, sc_stack *stack, const sc_item *item)
{
    if (!item->label.name || item->label_is_string) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0317", item->name.span, "a nested stack needs a name");
        sc_diag_fix(c->ctx, d,
                    "write `nested Data { ... }`: the name is the nested stack's logical id");
        return NULL;
    }
    if (item->for_iter || item->when) {
        sc_error(c->ctx, "E0317", item->name.span,
                 "nested stack %s cannot have `for` or `if`: put them on what it holds",
                 item->label.name);
        return NULL;
    }
    for (size_t i = 0; i < stack->nested.count; i++) {
        const sc_nested_stack *other = stack->nested.items[i];
        if (strcmp(other->name, item->label.name) == 0) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0317", item->label.span,
                         "stack %s already has a nested stack %s", stack->name, item->label.name);
            sc_diag_note(c->ctx, d, other->item->label.span, "the first is declared here");
            return NULL;
        }
    }
    sc_nested_stack *nested = sc_arena_alloc(&c->ctx->arena, sizeof(*nested));
    if (!nested)
        return NULL;
    nested->name = item->label.name;
    nested->item = item;
    sc_list_push(&c->ctx->arena, &stack->nested, nested);
    return nested;
}

void sc_stack_add_item(sc_checker *c, sc_stack *stack, const sc_item *item)
{
    if (!is_nested_block(item)) {
        sc_list_push(&c->ctx->arena, &stack->items, (void *)item);
        return;
    }
    sc_nested_stack *nested = declare_nested(c, stack, item);
    if (!nested)
        return;
    nested->first = stack->items.count;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *inner = item->items.items[i];
        if (is_nested_block(inner)) {
            sc_error(c->ctx, "E0317", inner->name.span,
                     "a nested stack cannot hold another: declare %s beside %s, in stack %s",
                     inner->label.name ? inner->label.name : "it", nested->name, stack->name);
            continue;
        }
        if (!fits_in_nested(inner)) {
            sc_misplaced(c, inner, "in a nested stack",
                         "a nested stack holds instances, resources, lets and allows; declare "
                         "params, outputs, `moved` and tests in the stack around it");
            continue;
        }
        sc_list_push(&c->ctx->arena, &stack->items, (void *)inner);
    }
    nested->count = stack->items.count - nested->first;
}

void sc_stack_add_items(sc_checker *c, sc_stack *stack, const sc_ptr_list *items)
{
    for (size_t i = 0; i < items->count; i++)
        sc_stack_add_item(c, stack, items->items[i]);
}

const sc_nested_stack *sc_stack_nested_of(const sc_stack *stack, size_t index)
{
    for (size_t i = 0; i < stack->nested.count; i++) {
        const sc_nested_stack *nested = stack->nested.items[i];
        if (index >= nested->first && index < nested->first + nested->count)
            return nested;
    }
    return NULL;
}
