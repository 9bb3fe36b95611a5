/* libFuzzer target: the whole front end (parse, resolve, check, evaluate) with the
 * standard library as prelude, on arbitrary bytes. The library is checked once and
 * shared (sc_stdlib), as a long-lived caller would: stdlib_test proves that gives the
 * same result as loading it, and its write protection makes any input that changed it
 * crash here. */
#include <stackc/stackc.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sc_stdlib *stdlib;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    stdlib = sc_stdlib_new(STACKC_FUZZ_STDLIB);
    if (!stdlib)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return 0;
    sc_context_use_stdlib(ctx, stdlib);
    sc_check_buffer(ctx, "fuzz.stack", (const char *)data, size);
    sc_context_free(ctx);
    return 0;
}
