/* libFuzzer target: the whole front end (parse, resolve, check, evaluate) with the
 * standard library as prelude, on arbitrary bytes. The library is checked once
 * (shared_stdlib.h), as a long-lived caller would. */
#include "shared_stdlib.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return 0;
    sc_context_use_stdlib(ctx, fuzz_stdlib());
    sc_check_buffer(ctx, "fuzz.stack", (const char *)data, size);
    sc_context_free(ctx);
    return 0;
}
