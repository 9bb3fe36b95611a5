/* `stackc check --dump=expanded`: the resource graph of each stack as the expansion
 * left it, before validation, nesting and emission: each resource's logical id, type,
 * where it was declared and the logical ids it depends on. */
#include "expand/expand.h"

void sc_write_expanded(const sc_context *ctx, const sc_cfn_program *program, FILE *out)
{
    for (size_t s = 0; s < program->stacks.count; s++) {
        const sc_cfn_stack *stack = program->stacks.items[s];
        fprintf(out, "stack %s\n", stack->name);
        for (size_t r = 0; r < stack->resources.count; r++) {
            const sc_cfn_resource *res = stack->resources.items[r];
            sc_position at = sc_span_position(ctx, res->declared_at, false);
            fprintf(out, "  %s %s (%s, line %u)", res->logical_id, res->type,
                    res->path ? res->path : "generated", at.line);
            for (size_t d = 0; d < res->depends_on.count; d++)
                fprintf(out, "%s%s", d ? ", " : " depends on ",
                        (const char *)res->depends_on.items[d]);
            fputc('\n', out);
        }
    }
}
