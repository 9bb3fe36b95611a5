/* Golden templates. Each folder tests/golden/NAME holds either main.stack or a file
 * SOURCE naming the program to build (an example), optional marker files `yaml` and
 * `export` selecting the output format and the cross-stack mode, and expected/ with
 * every file the build must write, byte for byte. STACKC_UPDATE_GOLDEN=1 rewrites
 * expected/ instead of comparing (review the diff before committing it). Every build
 * also runs twice in one process and must give identical bytes, and a third time
 * handing its outputs to a write_output as they are written, which must get the same. */
#include "support.h"

#include <stackc/stackc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GOLDEN STACKC_REPO_ROOT "/tests/golden"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders, sorted. Caller frees each name and the array. */
static char **case_names(size_t *count)
{
    DIR *d = opendir(GOLDEN);
    char **names = NULL;
    *count = 0;
    size_t cap = 0;
    struct dirent *entry;
    while (d && (entry = readdir(d))) {
        if (entry->d_name[0] == '.')
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof(char *));
        }
        names[(*count)++] = strdup(entry->d_name);
    }
    if (d)
        closedir(d);
    if (*count > 1)
        qsort(names, *count, sizeof(char *), compare_names);
    return names;
}

static bool source_of(const char *dir, char *out, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/main.stack", dir);
    if (exists(path)) {
        snprintf(out, cap, "%s", path);
        return true;
    }
    snprintf(path, sizeof(path), "%s/SOURCE", dir);
    char *named = test_read_file(path, NULL);
    if (!named)
        return false;
    named[strcspn(named, "\n")] = '\0';
    snprintf(out, cap, "%s/%s", STACKC_REPO_ROOT, named);
    free(named);
    return true;
}

/* The outputs a build handed to its write_output, in order. */
typedef struct collected {
    size_t calls; /* to write_output, taken or not */
    size_t count;
    char **names, **data;
    size_t *lens;
    size_t refuse_after; /* how many to take before refusing; 0: take them all */
} collected;

static bool collect(void *user, const char *name, const char *data, size_t len)
{
    collected *c = user;
    c->calls++;
    if (c->refuse_after && c->count == c->refuse_after)
        return false;
    c->names = realloc(c->names, (c->count + 1) * sizeof(*c->names));
    c->data = realloc(c->data, (c->count + 1) * sizeof(*c->data));
    c->lens = realloc(c->lens, (c->count + 1) * sizeof(*c->lens));
    c->names[c->count] = strdup(name);
    c->data[c->count] = malloc(len + 1);
    memcpy(c->data[c->count], data, len);
    c->lens[c->count++] = len;
    return true;
}

static void free_collected(collected *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->names[i]);
        free(c->data[i]);
    }
    free(c->names);
    free(c->data);
    free(c->lens);
}

/* Builds the case; with `sink`, its outputs go there as they are written. */
static sc_context *build(const char *dir, const char *source, collected *sink)
{
    char marker[4096];
    sc_build_options options = {0};
    if (sink) {
        options.write_output = collect;
        options.write_output_user = sink;
    }
    snprintf(marker, sizeof(marker), "%s/yaml", dir);
    options.yaml = exists(marker);
    snprintf(marker, sizeof(marker), "%s/export", dir);
    options.export_references = exists(marker);
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    if (!sc_build_file(ctx, source, &options)) {
        fprintf(stderr, "\n%s does not build:\n", source);
        sc_render_human(ctx, stderr, false);
    }
    return ctx;
}

static bool same_outputs(sc_context *a, sc_context *b)
{
    if (sc_output_count(a) != sc_output_count(b))
        return false;
    for (size_t i = 0; i < sc_output_count(a); i++) {
        size_t la, lb;
        const char *da = sc_output_data(a, i, &la), *db = sc_output_data(b, i, &lb);
        if (strcmp(sc_output_name(a, i), sc_output_name(b, i)) != 0 || la != lb ||
            memcmp(da, db, la) != 0)
            return false;
    }
    return true;
}

/* A build that hands its outputs over as they are written gives the very outputs, in
 * the same order, and keeps none of them. */
static bool same_as_handed_over(sc_context *kept, sc_context *handing, const collected *handed)
{
    if (sc_output_count(handing) != 0 || handed->count != sc_output_count(kept))
        return false;
    for (size_t i = 0; i < handed->count; i++) {
        size_t len;
        const char *data = sc_output_data(kept, i, &len);
        if (strcmp(sc_output_name(kept, i), handed->names[i]) != 0 || handed->lens[i] != len ||
            memcmp(handed->data[i], data, len) != 0)
            return false;
    }
    return true;
}

static size_t count_expected(const char *expected_dir)
{
    DIR *d = opendir(expected_dir);
    size_t n = 0;
    struct dirent *entry;
    while (d && (entry = readdir(d)))
        n += entry->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static bool check_case(const char *name, bool update)
{
    char dir[2048], source[4096], expected_dir[4096];
    snprintf(dir, sizeof(dir), "%s/%s", GOLDEN, name);
    snprintf(expected_dir, sizeof(expected_dir), "%s/expected", dir);
    if (!source_of(dir, source, sizeof(source))) {
        fprintf(stderr, "\n%s: no main.stack or SOURCE\n", dir);
        return false;
    }
    sc_context *first = build(dir, source, NULL);
    sc_context *second = build(dir, source, NULL);
    collected handed = {0};
    sc_context *handing = build(dir, source, &handed);
    bool ok = sc_error_count(first) == 0 && sc_output_count(first) > 0;
    if (!same_outputs(first, second)) {
        fprintf(stderr, "\n%s: two builds in one process differ\n", name);
        ok = false;
    }
    if (!same_as_handed_over(first, handing, &handed)) {
        fprintf(stderr, "\n%s: the outputs handed to write_output differ from those kept\n", name);
        ok = false;
    }
    sc_context_free(handing);
    free_collected(&handed);
    if (update)
        mkdir(expected_dir, 0755);
    for (size_t i = 0; ok && i < sc_output_count(first); i++) {
        size_t len;
        const char *data = sc_output_data(first, i, &len);
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", expected_dir, sc_output_name(first, i));
        if (update) {
            ok = test_write_file(path, data, len) == 0;
            continue;
        }
        size_t want_len = 0;
        char *want = test_read_file(path, &want_len);
        if (!want || want_len != len || memcmp(want, data, len) != 0) {
            fprintf(stderr,
                    "\n%s: %s differs from the golden file (STACKC_UPDATE_GOLDEN=1 to review)\n",
                    name, sc_output_name(first, i));
            ok = false;
        }
        free(want);
    }
    if (ok && !update && count_expected(expected_dir) != sc_output_count(first)) {
        fprintf(stderr, "\n%s: expected/ holds %zu files, the build wrote %zu\n", name,
                count_expected(expected_dir), sc_output_count(first));
        ok = false;
    }
    sc_context_free(first);
    sc_context_free(second);
    return ok;
}

static void test_golden_templates(void)
{
    bool update = getenv("STACKC_UPDATE_GOLDEN") != NULL;
    size_t count = 0;
    char **names = case_names(&count);
    CU_ASSERT_TRUE(count >= 4);
    for (size_t i = 0; i < count; i++) {
        bool ok = check_case(names[i], update);
        if (!ok)
            fprintf(stderr, "  golden case %s FAILED\n", names[i]);
        CU_ASSERT_TRUE(ok);
        free(names[i]);
    }
    free(names);
}

/* An output the caller does not take stops the build: nothing more is handed over, and
 * the build fails without a diagnostic of its own (the caller knows why). */
static void test_a_refused_output_stops_the_build(void)
{
    collected handed = {.refuse_after = 1};
    sc_build_options options = {.write_output = collect, .write_output_user = &handed};
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_FALSE(
        sc_build_file(ctx, STACKC_REPO_ROOT "/examples/wordpress/site.stack", &options));
    CU_ASSERT_EQUAL(handed.count, 1);
    CU_ASSERT_EQUAL(handed.calls, 2); /* the second, refused, was the last */
    CU_ASSERT_STRING_EQUAL(handed.count ? handed.names[0] : "", "Network.template.json");
    CU_ASSERT_EQUAL(sc_error_count(ctx), 0);
    CU_ASSERT_EQUAL(sc_output_count(ctx), 0);
    sc_context_free(ctx);
    free_collected(&handed);
}

int main(void)
{
    static const test_case cases[] = {
        {"golden templates are byte-identical, deterministic, and the same handed over as "
         "written",
         test_golden_templates},
        {"an output the caller does not take stops the build",
         test_a_refused_output_stops_the_build},
        {NULL, NULL},
    };
    return test_main("golden", cases);
}
