/* The report of a test run: one line per test with each failure under it, or one JSON
 * document (`stackc test --json`). */
#include "testing/results.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

void sc_render_test_results(const sc_context *ctx, const sc_ptr_list *results, FILE *out, bool json)
{
    size_t passed = 0, failed = 0;
    if (json)
        fputs("{\"tests\": [", out);
    for (size_t i = 0; i < results->count; i++) {
        const test_result *r = results->items[i];
        sc_position at = sc_span_position(ctx, r->span, false);
        bool ok = r->failures.count == 0;
        passed += ok;
        failed += !ok;
        if (json) {
            fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
            json_string(out, r->name);
            fprintf(out, ", \"file\": ");
            json_string(out, at.file);
            fprintf(out, ", \"line\": %u, \"passed\": %s, \"failures\": [", at.line,
                    ok ? "true" : "false");
        } else {
            fprintf(out, "%s %s (%s:%u)\n", ok ? "PASS" : "FAIL", r->name, at.file, at.line);
        }
        for (size_t f = 0; f < r->failures.count; f++) {
            const test_failure *fail = r->failures.items[f];
            sc_position pos = sc_span_position(ctx, fail->span, false);
            if (json) {
                fprintf(out, "%s{\"line\": %u, \"column\": %u, \"message\": ", f ? ", " : "",
                        pos.line, pos.column);
                json_string(out, fail->message);
                if (fail->actual) {
                    fputs(", \"actual\": ", out);
                    json_string(out, fail->actual);
                    fputs(", \"expected\": ", out);
                    json_string(out, fail->expected);
                }
                if (fail->note) {
                    fputs(", \"note\": ", out);
                    json_string(out, fail->note);
                }
                fputc('}', out);
                continue;
            }
            fprintf(out, "  %s:%u:%u: %s\n", pos.file, pos.line, pos.column, fail->message);
            if (fail->actual)
                fprintf(out, "    actual:   %s\n    expected: %s\n", fail->actual, fail->expected);
            if (fail->note)
                fprintf(out, "    note:     %s\n", fail->note);
        }
        if (json)
            fputs("]}", out);
    }
    if (json)
        fprintf(out, "\n], \"passed\": %zu, \"failed\": %zu}\n", passed, failed);
    else
        fprintf(out, "%zu passed, %zu failed\n", passed, failed);
}
