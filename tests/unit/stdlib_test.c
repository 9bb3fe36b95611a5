/* A standard library checked once and shared (sc_stdlib): every file of the repository
 * compiles to the same diagnostics and the same outputs whether its context loads the
 * library itself or starts from a shared one, made from the sources or from the image
 * built into stackc (copied to its address, or moved elsewhere); the shared one is
 * write-protected; and a library that cannot be used is refused, so compilations fall
 * back to loading it. */
#include "support.h"

#include "sema/sema.h"

#include <dirent.h>
#include <signal.h>
#include <stackc/stackc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a compilation produced, as one string: rendered diagnostics, then each output. */
static char *compile(const char *path, const sc_stdlib *stdlib, bool graph)
{
    sc_context *ctx = sc_context_new(NULL);
    if (stdlib) {
        CU_ASSERT_TRUE_FATAL(sc_context_use_stdlib(ctx, stdlib));
    } else {
        sc_context_set_stdlib_dir(ctx, "stdlib");
    }
    if (graph)
        sc_graph_file(ctx, path, SC_GRAPH_DOT);
    else
        sc_build_file(ctx, path, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    sc_render_human(ctx, out, false);
    for (size_t i = 0; i < sc_output_count(ctx); i++) {
        size_t data_len = 0;
        const char *data = sc_output_data(ctx, i, &data_len);
        fprintf(out, "=== %s\n", sc_output_name(ctx, i));
        fwrite(data, 1, data_len, out);
    }
    fclose(out);
    sc_context_free(ctx);
    return text;
}

static size_t compare_folder(const char *dir, const sc_stdlib *stdlib, size_t *with_errors)
{
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    size_t compared = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        size_t n = strlen(entry->d_name);
        if (n < 7 || strcmp(entry->d_name + n - 6, ".stack") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        for (int graph = 0; graph < 2; graph++) {
            char *alone = compile(path, NULL, graph), *shared = compile(path, stdlib, graph);
            bool same = strcmp(alone, shared) == 0;
            if (!same)
                fprintf(stderr,
                        "\n%s (%s) differs:\n--- loading the library\n%s--- shared "
                        "library\n%s",
                        path, graph ? "graph" : "build", alone, shared);
            CU_ASSERT_TRUE(same);
            *with_errors += graph == 0 && strstr(alone, "error[") != NULL;
            free(alone);
            free(shared);
        }
        compared++;
    }
    closedir(d);
    return compared;
}

/* The image compiled into this program, as into stackc (tools/stdlib-image). */
extern const unsigned char stackc_stdlib_image[];
extern const size_t stackc_stdlib_image_size;

static void compare_every_file(const sc_stdlib *stdlib)
{
    static const char *const folders[] = {
        "examples/wordpress",
        "examples/public-service",
        "examples/service-database",
        "tests/good",
        "tests/good/lib",
        "tests/bad",
        "tests/bad/imports",
        "tests/bad-build",
        "tests/fixtures/components",
        "tests/golden/lowering-intrinsics",
        "tests/golden/lowering-repetition",
        "tests/golden-views/bad",
        "tests/fmt",
    };
    size_t compared = 0, with_errors = 0;
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++)
        compared += compare_folder(folders[i], stdlib, &with_errors);
    /* Both sides of the comparison are exercised: files that build and files that fail. */
    CU_ASSERT_TRUE(compared >= 250);
    CU_ASSERT_TRUE(with_errors >= 150);
    CU_ASSERT_TRUE(compared - with_errors >= 20);
}

static void test_every_file_compiles_the_same_from_a_shared_stdlib(void)
{
    sc_stdlib *stdlib = sc_stdlib_new("stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    compare_every_file(stdlib);
    sc_stdlib_free(stdlib);
}

static void test_every_file_compiles_the_same_from_the_image(void)
{
    sc_stdlib *at_its_address =
        sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, NULL, "stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at_its_address);
    compare_every_file(at_its_address);
    /* Its address is now taken: the next copy has every pointer moved. */
    sc_stdlib *moved =
        sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, NULL, "stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(moved);
    CU_ASSERT_PTR_NOT_EQUAL(moved->ctx, at_its_address->ctx);
    CU_ASSERT_PTR_NOT_EQUAL(moved->program, at_its_address->program);
    sc_stdlib_free(at_its_address);
    compare_every_file(moved);
    sc_stdlib_free(moved);
}

/* Used in place, the image must be at its address, and the caller's mapping stays. */
static void test_the_image_in_place(void)
{
    uintptr_t address = 0;
    size_t offset = 0, length = 0;
    CU_ASSERT_TRUE_FATAL(sc_stdlib_image_placement(stackc_stdlib_image, stackc_stdlib_image_size,
                                                   &address, &offset, &length));
    CU_ASSERT_EQUAL(offset % 4096, 0);
    CU_ASSERT_EQUAL(offset + length, stackc_stdlib_image_size);
    void *mapped = mmap((void *)address, length, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CU_ASSERT_EQUAL_FATAL((uintptr_t)mapped, address);
    memcpy(mapped, stackc_stdlib_image + offset, length);
    mprotect(mapped, length, PROT_READ);
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size,
                                            stackc_stdlib_image, "stdlib"));
    sc_stdlib *stdlib =
        sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, mapped, "stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    CU_ASSERT_TRUE((uintptr_t)stdlib->program >= address &&
                   (uintptr_t)stdlib->program < address + length);
    char *alone = compile("examples/wordpress/site.stack", NULL, false);
    char *shared = compile("examples/wordpress/site.stack", stdlib, false);
    CU_ASSERT_STRING_EQUAL(alone, shared);
    free(alone);
    free(shared);
    sc_stdlib_free(stdlib);
    CU_ASSERT_EQUAL(((const unsigned char *)mapped)[0], stackc_stdlib_image[offset]);
    munmap(mapped, length);
}

/* An image of another build, or a damaged one, is refused: the caller compiles the
 * library from its sources instead. */
static void test_a_foreign_image_is_refused(void)
{
    size_t size = stackc_stdlib_image_size;
    unsigned char *copy = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, stackc_stdlib_image, size);
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(copy, size - 1, NULL, "stdlib"));
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(copy, 16, NULL, "stdlib"));
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(copy, size, NULL, NULL));
    copy[8] ^= 1; /* the layout of another build's structures */
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(copy, size, NULL, "stdlib"));
    copy[8] ^= 1;
    copy[0] = 'X';
    CU_ASSERT_PTR_NULL(sc_stdlib_from_image(copy, size, NULL, "stdlib"));
    copy[0] = 's';
    sc_stdlib *stdlib = sc_stdlib_from_image(copy, size, NULL, "stdlib");
    CU_ASSERT_PTR_NOT_NULL(stdlib);
    sc_stdlib_free(stdlib);
    free(copy);
}

static void expect_write_protected(sc_stdlib *stdlib)
{
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGSEGV, SIG_DFL); /* die of the fault itself, not of a sanitizer's report */
        sc_component *first = stdlib->program->component_order.items[0];
        first->checked = false; /* what a stage that re-checked a library component does */
        _exit(0);
    }
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    /* Reading it is fine. */
    CU_ASSERT_TRUE(stdlib->program->component_order.count >= 7);
}

static void test_the_shared_stdlib_is_write_protected(void)
{
    sc_stdlib *stdlib = sc_stdlib_new("stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    expect_write_protected(stdlib);
    sc_stdlib_free(stdlib); /* gives the memory back writable */
    stdlib = sc_stdlib_from_image(stackc_stdlib_image, stackc_stdlib_image_size, NULL, "stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    expect_write_protected(stdlib);
    sc_stdlib_free(stdlib);
}

static void test_a_missing_or_broken_stdlib_is_refused(void)
{
    CU_ASSERT_PTR_NULL(sc_stdlib_new("/nonexistent/stdlib"));
    CU_ASSERT_PTR_NULL(sc_stdlib_new(NULL));
    char dir[] = "/tmp/stackc-stdlib-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/prelude.stack", dir);
    static const char prelude[] = "import \"std/broken\"\n";
    CU_ASSERT_EQUAL(test_write_file(path, prelude, sizeof(prelude) - 1), 0);
    snprintf(path, sizeof(path), "%s/broken.stack", dir);
    static const char broken[] = "component broken {\n  input size: sizee\n}\n";
    CU_ASSERT_EQUAL(test_write_file(path, broken, sizeof(broken) - 1), 0);
    CU_ASSERT_PTR_NULL(sc_stdlib_new(dir));
    char cleanup[300];
    snprintf(cleanup, sizeof(cleanup), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cleanup), 0);
}

static void test_only_a_fresh_context_can_start_from_it(void)
{
    sc_stdlib *stdlib = sc_stdlib_new("stdlib");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdlib);
    sc_context *ctx = sc_context_new(NULL);
    CU_ASSERT_FALSE(sc_check_buffer(ctx, "a.stack", "let x = y\n", 10));
    CU_ASSERT_FALSE(sc_context_use_stdlib(ctx, stdlib));
    CU_ASSERT_PTR_NULL(ctx->stdlib);
    sc_context_free(ctx);
    /* Many contexts, one library, one after another and side by side. */
    static const char site[] =
        "import \"std/secret\"\nsecret db_password {\n  password_length = 24\n}\n";
    sc_context *a = sc_context_new(NULL), *b = sc_context_new(NULL);
    CU_ASSERT_TRUE(sc_context_use_stdlib(a, stdlib) && sc_context_use_stdlib(b, stdlib));
    CU_ASSERT_TRUE(sc_build_buffer(a, "a.stack", site, sizeof(site) - 1, NULL));
    CU_ASSERT_TRUE(sc_build_buffer(b, "b.stack", site, sizeof(site) - 1, NULL));
    CU_ASSERT_EQUAL(sc_output_count(a), sc_output_count(b));
    sc_context_free(a);
    sc_context_free(b);
    /* Later stages validate the library's resources against the schema: a program that
     * starts from the library loads it for them, as checking the library did. */
    sc_context *c = sc_context_new(NULL);
    CU_ASSERT_TRUE(sc_context_use_stdlib(c, stdlib));
    int source = sc_source_add(c, "c.stack", site, sizeof(site) - 1);
    CU_ASSERT_TRUE_FATAL(source >= 0);
    sc_program *program = sc_sema_check_source(c, (uint32_t)source);
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    CU_ASSERT_PTR_EQUAL(program->stdlib, stdlib);
    CU_ASSERT_PTR_NULL(program->schema); /* checking needed none: no resource of its own */
    CU_ASSERT_PTR_NOT_NULL(sc_program_schema(c, program));
    CU_ASSERT_EQUAL(c->error_count, 0);
    sc_context_free(c);
    sc_stdlib_free(stdlib);
}

int main(void)
{
    static const test_case cases[] = {
        {"every file compiles the same from a shared standard library",
         test_every_file_compiles_the_same_from_a_shared_stdlib},
        {"every file compiles the same from the image, at its address and moved",
         test_every_file_compiles_the_same_from_the_image},
        {"the image used in place", test_the_image_in_place},
        {"an image of another build, or a damaged one, is refused",
         test_a_foreign_image_is_refused},
        {"the shared standard library and the image are write-protected",
         test_the_shared_stdlib_is_write_protected},
        {"a missing or broken standard library is refused",
         test_a_missing_or_broken_stdlib_is_refused},
        {"only a fresh context can start from it", test_only_a_fresh_context_can_start_from_it},
        {NULL, NULL},
    };
    return test_main("stdlib", cases);
}
