/* Allocation-failure injection. Two layers are failed, one allocation per run:
 *  - the caller's allocator hook (the public API): every call a WordPress build makes;
 *  - the context's arena (an internal hook, util.h): every sc_arena_alloc of a run. The
 *    allocator hook only sees whole arena chunks, so this is what reaches every place
 *    that allocates, for the WordPress example under each entry point (build, check,
 *    compose, graph, test, fmt) and for the other examples' builds.
 * (see the strides below for how much of it the suite runs by default).
 * Every run must end in a clean "out of memory" diagnostic (E0900): never a crash, a
 * hang or a success with missing output; under the sanitizer build, with no leak. */
#include "support.h"
#include "util/util.h"

#include <stackc/stackc.h>

#include <stdlib.h>
#include <string.h>

#define EXAMPLES STACKC_REPO_ROOT "/examples"
#define WORDPRESS EXAMPLES "/wordpress/site.stack"

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

static void test_every_allocator_failure_is_clean(void)
{
    injector in = {0, 0};
    sc_allocator allocator = {failing_alloc, failing_realloc, plain_free, &in};
    sc_context *ctx = sc_context_new(&allocator);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_TRUE_FATAL(sc_build_file(ctx, WORDPRESS, NULL));
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
        bool ok = sc_build_file(ctx, WORDPRESS, NULL);
        bool oom = reported_out_of_memory(ctx);
        if (ok || !oom)
            fprintf(stderr, "\nfailing allocator call %ld of %ld: build %s, out of memory %s\n", n,
                    total, ok ? "succeeded" : "failed", oom ? "reported" : "not reported");
        clean += !ok && oom;
        sc_context_free(ctx);
    }
    printf("\n  %ld allocator calls, each failed once: %ld clean failures\n", total, clean);
    CU_ASSERT_EQUAL(clean, total);
}

/* ---- arena allocations ---------------------------------------------------------------- */

typedef enum entry_point {
    RUN_BUILD,
    RUN_CHECK,
    RUN_COMPOSE,
    RUN_GRAPH,
    RUN_TEST,
    RUN_FORMAT,
} entry_point;

static const char *const entry_names[] = {"build", "check", "compose", "graph", "test", "fmt"};

/* Runs one entry point on `path`; true when it succeeded. */
static bool run(sc_context *ctx, entry_point entry, const char *path, const char *text)
{
    switch (entry) {
    case RUN_BUILD:
        return sc_build_file(ctx, path, NULL);
    case RUN_CHECK:
        return sc_check_file(ctx, path);
    case RUN_COMPOSE:
        return sc_build_compose(ctx, path, NULL);
    case RUN_GRAPH:
        return sc_graph_file(ctx, path, SC_GRAPH_DOT);
    case RUN_TEST:
        return sc_test_file(ctx, path) && sc_tests_failed(ctx) == 0;
    case RUN_FORMAT:
        return sc_format_buffer(ctx, path, text, strlen(text), NULL) != NULL;
    }
    return false;
}

/* A context ready to run, counting its arena allocations from zero; with `stdlib`,
 * starting from it (copying its sources is counted too). */
static sc_context *new_context(size_t fail_at, const sc_stdlib *stdlib)
{
    sc_context *ctx = sc_context_new(NULL);
    if (!ctx)
        return NULL;
    if (!stdlib)
        sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    ctx->arena.allocations = 0;
    ctx->arena.fail_at = fail_at;
    if (stdlib)
        sc_context_use_stdlib(ctx, stdlib);
    return ctx;
}

/* Fails arena allocation 1, 1 + stride, 1 + 2 * stride, ... of one run each; returns the
 * number of runs that did not end in a clean out-of-memory failure. */
static long sweep_arena(entry_point entry, const char *path, size_t stride, const sc_stdlib *stdlib)
{
    char *text = entry == RUN_FORMAT ? test_read_file(path, NULL) : NULL;
    sc_context *ctx = new_context(0, stdlib);
    CU_ASSERT_TRUE_FATAL(ctx != NULL);
    CU_ASSERT_TRUE(run(ctx, entry, path, text));
    size_t total = ctx->arena.allocations;
    sc_context_free(ctx);
    long runs = 0, unclean = 0;
    for (size_t n = 1; n <= total; n += stride) {
        ctx = new_context(n, stdlib);
        CU_ASSERT_TRUE_FATAL(ctx != NULL);
        bool ok = run(ctx, entry, path, text);
        bool oom = reported_out_of_memory(ctx);
        if (ok || !oom) {
            fprintf(stderr, "\n%s %s, failing arena allocation %zu of %zu: %s, out of memory %s\n",
                    entry_names[entry], path, n, total, ok ? "succeeded" : "failed",
                    oom ? "reported" : "not reported");
            unclean++;
        }
        runs++;
        sc_context_free(ctx);
    }
    free(text);
    printf("\n  %s %s%s: %zu arena allocations, %ld failed one at a time, %ld unclean",
           entry_names[entry], path + strlen(STACKC_REPO_ROOT) + 1,
           stdlib ? " (shared stdlib)" : "", total, runs, unclean);
    return unclean;
}

/* Every arena allocation of every sweep is about 135,000 compilations: minutes, and
 * several times that under the sanitizers. The suite fails every allocation of a
 * WordPress build and every 5th of the other sweeps (every 4th and 25th under the
 * sanitizers; the strides are odd so that they do not line up with a repeating
 * pattern of allocations). STACKC_OOM_STRIDE=1 runs every sweep in full. */
#ifdef STACKC_SANITIZED
enum { PRIMARY_STRIDE = 4, SECONDARY_STRIDE = 25 };
#else
enum { PRIMARY_STRIDE = 1, SECONDARY_STRIDE = 5 };
#endif

static size_t stride(size_t fallback)
{
    const char *forced = getenv("STACKC_OOM_STRIDE");
    long value = forced ? strtol(forced, NULL, 10) : 0;
    return value > 0 ? (size_t)value : fallback;
}

static void test_every_arena_failure_in_a_wordpress_build_is_clean(void)
{
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, WORDPRESS, stride(PRIMARY_STRIDE), NULL), 0);
}

static void test_every_entry_point_fails_cleanly(void)
{
    for (entry_point entry = RUN_CHECK; entry <= RUN_FORMAT; entry++)
        CU_ASSERT_EQUAL(sweep_arena(entry, WORDPRESS, stride(SECONDARY_STRIDE), NULL), 0);
}

static void test_every_example_build_fails_cleanly(void)
{
    size_t step = stride(SECONDARY_STRIDE);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/public-service/site.stack", step, NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/service-database/site.stack", step, NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/shop/site.stack", step, NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/two-services/site.stack", step, NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/nightly-report/site.stack", step, NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, EXAMPLES "/existing-vpc/site.stack", step, NULL), 0);
}

/* Compose and graph of components of your own: what one runs as, and its inside drawn. */
static void test_views_of_user_components_fail_cleanly(void)
{
    const char *path = STACKC_REPO_ROOT "/tests/golden-views/user-components/main.stack";
    CU_ASSERT_EQUAL(sweep_arena(RUN_COMPOSE, path, stride(SECONDARY_STRIDE), NULL), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_GRAPH, path, stride(SECONDARY_STRIDE), NULL), 0);
}

/* The image compiled into this program, as into stackc (tools/stdlib-image). */
extern const unsigned char stackc_stdlib_image[];
extern const size_t stackc_stdlib_image_size;

/* A build that starts from a shared standard library takes a different path through
 * loading and checking; the library itself must come out of every failure untouched
 * (it is write-protected: a write would crash). */
static void test_builds_from_a_shared_stdlib_fail_cleanly(void)
{
    sc_stdlib *stdlib = sc_stdlib_new(STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, WORDPRESS, stride(SECONDARY_STRIDE), stdlib), 0);
    CU_ASSERT_EQUAL(sweep_arena(RUN_CHECK, WORDPRESS, stride(SECONDARY_STRIDE), stdlib), 0);
    sc_stdlib_free(stdlib);
    /* The same library from the image stackc embeds. */
    stdlib = sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, NULL,
                                  STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    CU_ASSERT_EQUAL(sweep_arena(RUN_BUILD, WORDPRESS, stride(SECONDARY_STRIDE), stdlib), 0);
    sc_stdlib_free(stdlib);
}

int main(void)
{
    static const test_case cases[] = {
        {"failing any one allocator call ends in a clean out-of-memory diagnostic",
         test_every_allocator_failure_is_clean},
        {"failing any one arena allocation of a WordPress build is clean",
         test_every_arena_failure_in_a_wordpress_build_is_clean},
        {"check, compose, graph, test and fmt of WordPress fail cleanly too",
         test_every_entry_point_fails_cleanly},
        {"the other examples' builds fail cleanly", test_every_example_build_fails_cleanly},
        {"compose and graph of components of your own fail cleanly",
         test_views_of_user_components_fail_cleanly},
        {"builds from a shared standard library or its image fail cleanly",
         test_builds_from_a_shared_stdlib_fail_cleanly},
        {NULL, NULL},
    };
    return test_main("oom", cases);
}
