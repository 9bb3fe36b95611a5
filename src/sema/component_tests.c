/* Component tests: in test mode, a hidden stack holds a default instance of each
 * component whose tests run, so a `test` inside a component can read it. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct synthesis {
    sc_checker *c;
    sc_stack *stack;
    sc_map made; /* component name -> instance name, or the reason it cannot be made */
} synthesis;

static sc_expr *synthetic_expr(sc_checker *c, sc_expr_kind kind, sc_span span)
{
    sc_expr *e = sc_arena_alloc(&c->ctx->arena, sizeof(*e));
    if (e) {
        e->kind = kind;
        e->span = span;
    }
    return e;
}

/* The name of a default instance of `component` in the hidden stack, made first if
 * needed: required inputs take a default instance of their component, or the first
 * value of their union. Sets *why (and returns NULL) when neither applies. */
static const char *default_instance(synthesis *s, sc_component *component, int depth,
                                    const char **why)
{
    sc_checker *c = s->c;
    const char *known = sc_map_get(&s->made, component->name);
    if (known) {
        if (strncmp(known, "!", 1) == 0) {
            *why = known + 1;
            return NULL;
        }
        return known;
    }
    if (depth > 8 || !component->inputs) {
        *why = "its inputs need themselves";
        return NULL;
    }
    sc_span at = component->item->name.span;
    sc_item *instance = sc_arena_alloc(&c->ctx->arena, sizeof(*instance));
    if (!instance)
        return NULL;
    instance->kind = ITEM_BLOCK;
    instance->span = component->item->span;
    instance->name = (sc_ident){component->name, at};
    instance->label =
        (sc_ident){sc_arena_printf(&c->ctx->arena, "default_%s", component->name), at};
    instance->has_body = true;
    for (size_t i = 0; i < component->inputs->fields.count; i++) {
        const sc_record_field *field = component->inputs->fields.items[i];
        if (field->default_value || field->type->kind == TY_OPTIONAL)
            continue;
        sc_expr *value = NULL;
        if (field->type->kind == TY_COMPONENT) {
            const char *dependency = default_instance(s, field->type->component, depth + 1, why);
            if (!dependency)
                break;
            value = synthetic_expr(c, EXPR_NAME, at);
            if (value)
                value->name = (sc_ident){dependency, at};
        } else if (field->type->kind == TY_UNION && field->type->alternatives.count) {
            value = synthetic_expr(c, EXPR_STRING, at);
            if (value)
                value->text = value->raw = field->type->alternatives.items[0];
        } else {
            *why = sc_arena_printf(&c->ctx->arena, "input `%s` of %s has no default", field->name,
                                   component->name);
            break;
        }
        sc_item *setting = sc_arena_alloc(&c->ctx->arena, sizeof(*setting));
        if (!setting || !value)
            return NULL;
        setting->kind = ITEM_ATTR;
        setting->span = at;
        setting->name = (sc_ident){field->name, at};
        setting->value = value;
        sc_list_push(&c->ctx->arena, &instance->items, setting);
    }
    if (*why) {
        sc_map_put(&c->ctx->arena, &s->made, component->name,
                   (void *)sc_arena_printf(&c->ctx->arena, "!%s", *why));
        return NULL;
    }
    sc_list_push(&c->ctx->arena, &s->stack->items, instance);
    sc_map_put(&c->ctx->arena, &s->made, component->name, (void *)instance->label.name);
    return instance->label.name;
}

static bool tests_selected(sc_checker *c, const sc_component *component)
{
    if (c->ctx->all_component_tests)
        return true;
    uint32_t file = component->item->span.file;
    return (c->program->main && file == c->program->main->source) ||
           (c->program->test_file && file == c->program->test_file->source);
}

void sc_add_component_tests(sc_checker *c)
{
    synthesis s = {.c = c};
    for (size_t i = 0; i < c->program->component_order.count; i++) {
        sc_component *component = c->program->component_order.items[i];
        if (component->tests.count == 0 || !tests_selected(c, component))
            continue;
        if (!s.stack) {
            s.stack = sc_new_stack(c, SC_COMPONENT_TESTS_STACK, component->item->name.span, NULL);
            if (!s.stack)
                return;
        }
        const char *why = NULL;
        const char *subject = default_instance(&s, component, 0, &why);
        for (size_t t = 0; t < component->tests.count; t++) {
            sc_test_decl *decl = sc_arena_alloc(&c->ctx->arena, sizeof(*decl));
            if (!decl)
                return;
            decl->item = component->tests.items[t];
            decl->scope = s.stack->scope;
            decl->subject = subject;
            decl->cannot_run = subject ? NULL : why ? why : "no default instance could be made";
            sc_list_push(&c->ctx->arena, &c->program->tests, decl);
        }
    }
}
