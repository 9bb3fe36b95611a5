/* libFuzzer target: the formatter. Property: whatever formats, its output formats
 * again to the same bytes (fmt is idempotent) and the output parses. */
#include <stackc/stackc.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each formatting in its own context, which owns the text it returns. */
static const char *format(sc_context *ctx, const char *text, size_t len, size_t *out_len)
{
    return ctx ? sc_format_buffer(ctx, "fuzz.stack", text, len, out_len) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t once_len = 0, twice_len = 0;
    sc_context *first = sc_context_new(NULL), *second = sc_context_new(NULL);
    const char *once = format(first, (const char *)data, size, &once_len);
    if (!once) {
        sc_context_free(second);
        sc_context_free(first);
        return 0;
    }
    const char *twice = format(second, once, once_len, &twice_len);
    if (!twice) {
        fprintf(stderr, "fmt output does not parse:\n%.*s\n", (int)once_len, once);
        abort();
    }
    if (twice_len != once_len || memcmp(once, twice, once_len) != 0) {
        fprintf(stderr, "fmt is not idempotent:\n--- once\n%.*s\n--- twice\n%.*s\n", (int)once_len,
                once, (int)twice_len, twice);
        abort();
    }
    sc_context_free(second);
    sc_context_free(first);
    return 0;
}
