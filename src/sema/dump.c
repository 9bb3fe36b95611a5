/* `stackc check --dump=typed`: what the checker made of a program, one line per
 * declaration of each stack with its checked type, and the value of every let, param
 * default and instance input that is known at compile time. Secrets and deploy-time
 * values read "(known at deploy time)", as in diagnostics. */
#include "sema/sema.h"

#include <string.h>

/* The declarations a stack's scope holds, as opposed to the names bound in it. */
static bool is_declaration(sc_symbol_kind kind)
{
    return kind == SYM_LET || kind == SYM_PARAM || kind == SYM_INSTANCE || kind == SYM_RESOURCE ||
           kind == SYM_OUTPUT;
}

/* An instance passed as an input reads as its path, not as all its attributes. */
static const char *value_text(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    const sc_value *v = sc_eval(ctx, scope, e);
    if (v && v->instance_path)
        return sc_arena_printf(&ctx->arena, "instance %s", v->instance_path);
    return sc_value_describe(ctx, v);
}

static void write_symbol(sc_context *ctx, const sc_symbol *s, FILE *out)
{
    if (!is_declaration(s->kind))
        return;
    const sc_item *item = s->item;
    /* An instance's type is its component, named by its block's kind word. */
    const char *type = s->kind == SYM_INSTANCE && item ? item->name.name
                       : s->type                       ? sc_type_name(ctx, s->type)
                                                       : "?";
    fprintf(out, "  %s %s: %s", sc_symbol_kind_name(s->kind), s->name, type);
    if (item && (s->kind == SYM_LET || s->kind == SYM_PARAM) && item->value)
        fprintf(out, " = %s", value_text(ctx, s->scope, item->value));
    fputc('\n', out);
    if (s->kind != SYM_INSTANCE || !item)
        return;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *setting = item->items.items[i];
        if (setting->kind == ITEM_ATTR && setting->name.name && setting->value)
            fprintf(out, "    %s = %s\n", setting->name.name,
                    value_text(ctx, s->scope, setting->value));
    }
}

void sc_write_typed(sc_context *ctx, const sc_program *program, FILE *out)
{
    for (size_t i = 0; i < program->stacks.count; i++) {
        const sc_stack *stack = program->stacks.items[i];
        if (strcmp(stack->name, SC_COMPONENT_TESTS_STACK) == 0)
            continue;
        fprintf(out, "stack %s\n", stack->name);
        for (size_t k = 0; k < stack->scope->order.count; k++)
            write_symbol(ctx, stack->scope->order.items[k], out);
    }
}
