/* Allocation-failure injection: building the WordPress example is repeated once per
 * allocation it makes, failing exactly that one. Every run must end in a clean
 * "out of memory" diagnostic (E0900), never a crash or a success with missing output;
 * under the sanitizer build, also with no leak. */
#include "support.h"

#include <stackc/stackc.h>

#include <stdlib.h>
#include <string.h>

typedef struct injector {
    long calls;
    long fail_at; /* 0: never */
} injector;

static void *failing_alloc(void *user, size_t size)
{
    injector *in = user;
    return ++in->calls == in->fail_at ? NULL : malloc(size);
}

static void *failing_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    injector *in = user;
    (void)old_size;
    return ++in->calls == in->fail_at ? NULL : realloc(ptr, new_size);
}

static void plain_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static bool reported_out_of_memory(const sc_context *ctx)
{
    for (size_t i = 0; i < sc_diagnostic_count(ctx); i++)
        if (strcmp(sc_diagnostic_code(sc_diagnostic_at(ctx, i)), "E0900") == 0)
            return true;
    return false;
}

static void test_every_allocation_failure_is_clean(void)
{
    injector in = {0, 0};
    sc_allocator allocator = {failing_alloc, failing_realloc, plain_free, &in};
    sc_context *ctx = sc_context_new(&allocator);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_TRUE_FATAL(sc_build_file(ctx, STACKC_REPO_ROOT "/examples/wordpress/site.stack", NULL));
    sc_context_free(ctx);
    long total = in.calls;
    CU_ASSERT_TRUE(total > 20);
    long clean = 0;
    for (long n = 1; n <= total; n++) {
        in = (injector){0, n};
        ctx = sc_context_new(&allocator);
        if (!ctx) { /* the context itself was the failed allocation */
            clean++;
            continue;
        }
        sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
        bool ok = sc_build_file(ctx, STACKC_REPO_ROOT "/examples/wordpress/site.stack", NULL);
        bool oom = reported_out_of_memory(ctx);
        if (ok || !oom)
            fprintf(stderr, "\nfailing allocation %ld of %ld: build %s, out of memory %s\n", n,
                    total, ok ? "succeeded" : "failed", oom ? "reported" : "not reported");
        clean += !ok && oom;
        sc_context_free(ctx);
    }
    printf("\n  %ld allocations, each failed once: %ld clean failures\n", total, clean);
    CU_ASSERT_EQUAL(clean, total);
}

int main(void)
{
    static const test_case cases[] = {
        {"failing any one allocation ends in a clean out-of-memory diagnostic",
         test_every_allocation_failure_is_clean},
        {NULL, NULL},
    };
    return test_main("oom", cases);
}
