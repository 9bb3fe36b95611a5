/* libFuzzer target: the lexer and parser on arbitrary bytes. Must never crash, hang or
 * leak; syntax errors are fine. */
#include "syntax/syntax.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return 0;
    int source = sc_source_add(ctx, "fuzz.stack", (const char *)data, size);
    if (source >= 0)
        sc_parse_source(ctx, (uint32_t)source);
    sc_context_free(ctx);
    return 0;
}
