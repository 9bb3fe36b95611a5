/* libFuzzer target: the whole build (check, expand, validate, emit). Properties: a
 * successful build's outputs are valid JSON, and building again gives the same bytes.
 * The standard library is checked once (shared_stdlib.h), as in fuzz_check. */
#include "shared_stdlib.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sc_context *build(const uint8_t *data, size_t size)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return NULL;
    sc_context_use_stdlib(ctx, fuzz_stdlib());
    /* A name in a folder without build contexts: build() calls fail cleanly (E0304). */
    sc_build_buffer(ctx, "/nonexistent/fuzz.stack", (const char *)data, size, NULL);
    return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sc_context *first = build(data, size);
    if (!first)
        return 0;
    if (sc_error_count(first) == 0) {
        sc_context *second = build(data, size);
        if (!second || sc_output_count(second) != sc_output_count(first))
            abort();
        for (size_t i = 0; i < sc_output_count(first); i++) {
            size_t la, lb;
            const char *a = sc_output_data(first, i, &la), *b = sc_output_data(second, i, &lb);
            if (la != lb || memcmp(a, b, la) != 0) {
                fprintf(stderr, "%s differs between two builds\n", sc_output_name(first, i));
                abort();
            }
            cJSON *parsed = cJSON_Parse(a);
            if (!parsed) {
                fprintf(stderr, "%s is not valid JSON\n", sc_output_name(first, i));
                abort();
            }
            cJSON_Delete(parsed);
        }
        sc_context_free(second);
    }
    sc_context_free(first);
    return 0;
}
