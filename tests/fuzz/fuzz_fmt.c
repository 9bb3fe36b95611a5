/* libFuzzer target: the formatter. Property: whatever formats, its output formats
 * again to the same bytes (fmt is idempotent) and the output parses. */
#include <stackc/stackc.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *format(const char *text, size_t len, size_t *out_len)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return NULL;
    char *out = sc_format_buffer(ctx, "fuzz.stack", text, len, out_len);
    sc_context_free(ctx);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t once_len = 0, twice_len = 0;
    char *once = format((const char *)data, size, &once_len);
    if (!once)
        return 0;
    char *twice = format(once, once_len, &twice_len);
    if (!twice) {
        fprintf(stderr, "fmt output does not parse:\n%.*s\n", (int)once_len, once);
        abort();
    }
    if (twice_len != once_len || memcmp(once, twice, once_len) != 0) {
        fprintf(stderr, "fmt is not idempotent:\n--- once\n%.*s\n--- twice\n%.*s\n", (int)once_len,
                once, (int)twice_len, twice);
        abort();
    }
    free(twice);
    free(once);
    return 0;
}
