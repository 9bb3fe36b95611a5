/* The data-driven tests of the language core.
 *
 * Every tests/bad/NAME.stack file states the diagnostics it must produce, in order, as
 *   // expect: CODE LINE:COL MESSAGE
 * (a position in another file is written FILE:LINE:COL with the file's base name).
 * The test fails on any missing, extra, reordered or differently worded diagnostic.
 * A file that also states notes or a help line, under the diagnostic they belong to,
 *   // expect-note: [FILE:]LINE:COL MESSAGE    (a note at a place)
 *   // expect-note: MESSAGE                    (a note without one)
 *   // expect-help: TEXT
 * has every diagnostic's notes and help compared too, exactly and in order.
 * tests/good, examples and stdlib: every file checks clean, and is already in the
 * canonical layout, and formatting is idempotent on every .stack file in the repo. */
#include "support.h"

#include <stackc/stackc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROOT STACKC_REPO_ROOT

typedef struct path_list {
    char **paths;
    size_t count;
    size_t cap;
} path_list;

static void add_path(path_list *list, const char *path)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->paths = realloc(list->paths, list->cap * sizeof(char *));
    }
    list->paths[list->count++] = strdup(path);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.stack below `dir`, recursively, sorted; `skip` names a subtree to leave out. */
static void find_stack_files(const char *dir, const char *skip, path_list *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        if (entry->d_name[0] == '.' || strcmp(entry->d_name, "node_modules") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (!skip || strstr(path, skip) == NULL)
                find_stack_files(path, skip, out);
            continue;
        }
        size_t len = strlen(path);
        if (len > 6 && strcmp(path + len - 6, ".stack") == 0)
            add_path(out, path);
    }
    closedir(d);
    if (out->count > 1)
        qsort(out->paths, out->count, sizeof(char *), compare_paths);
}

static void free_paths(path_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->paths[i]);
    free(list->paths);
    memset(list, 0, sizeof(*list));
}

static sc_context *new_context(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    return ctx;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "LINE:COL MESSAGE", with FILE: before LINE when not in `path`; MESSAGE alone for a
 * note without a place. */
static void describe_at(FILE *out, sc_position pos, const char *message, const char *path)
{
    if (pos.line) {
        if (strcmp(pos.file, path) != 0)
            fprintf(out, "%s:", base_name(pos.file));
        fprintf(out, "%u:%u ", pos.line, pos.column);
    }
    /* Messages may quote paths (import cycles); the checkout's location is not part of
     * what a file expects, so it is written relative to the repository. */
    const char *root = ROOT "/";
    for (const char *hit; (hit = strstr(message, root));) {
        fprintf(out, "%.*s", (int)(hit - message), message);
        message = hit + strlen(root);
    }
    fputs(message, out);
}

/* "CODE LINE:COL MESSAGE"; with `details`, a line for each note and the help after it. */
static char *describe(const sc_context *ctx, const sc_diagnostic *d, const char *path, bool details)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "%s ", sc_diagnostic_code(d));
    describe_at(out, sc_diagnostic_position(ctx, d), sc_diagnostic_message(d), path);
    for (size_t i = 0; details && i < sc_diagnostic_note_count(d); i++) {
        fputs("\n    note: ", out);
        describe_at(out, sc_diagnostic_note_position(ctx, d, i), sc_diagnostic_note_message(d, i),
                    path);
    }
    if (details && sc_diagnostic_help(d))
        fprintf(out, "\n    help: %s", sc_diagnostic_help(d));
    fclose(out);
    return text;
}

/* The `// expect:` lines, each followed by the `// expect-note:` and `// expect-help:`
 * lines under it (in the form `describe` gives with details); *details tells whether
 * there were any of those. */
static path_list expectations(const char *text, bool *details)
{
    static const struct {
        const char *marker;
        const char *prefix; /* NULL: a new diagnostic */
    } kinds[] = {
        {"// expect: ", NULL},
        {"// expect-note: ", "\n    note: "},
        {"// expect-help: ", "\n    help: "},
    };
    path_list out = {0};
    *details = false;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            size_t marker_len = strlen(kinds[k].marker);
            if (len < marker_len || strncmp(line, kinds[k].marker, marker_len) != 0)
                continue;
            char *value = strndup(line + marker_len, len - marker_len);
            if (!kinds[k].prefix) {
                add_path(&out, value);
            } else if (out.count) {
                char *last = out.paths[out.count - 1];
                size_t joined = strlen(last) + strlen(kinds[k].prefix) + strlen(value) + 1;
                char *both = malloc(joined);
                snprintf(both, joined, "%s%s%s", last, kinds[k].prefix, value);
                free(last);
                out.paths[out.count - 1] = both;
                *details = true;
            }
            free(value);
        }
        line = end ? end + 1 : NULL;
    }
    return out;
}

/* Returns whether the file produced exactly the diagnostics it states, checked, or
 * with `build` also expanded and emitted. */
static bool check_bad_file(const char *path, bool build)
{
    char *text = test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    bool details = false;
    path_list want = expectations(text, &details);
    free(text);
    if (want.count == 0) {
        fprintf(stderr, "\n%s: states no `// expect:` line\n", path);
        CU_FAIL("bad-input file without expectations");
        return false;
    }
    sc_context *ctx = new_context();
    if (build)
        sc_build_file(ctx, path, NULL);
    else
        sc_check_file(ctx, path);
    size_t got_count = sc_diagnostic_count(ctx);
    bool same = got_count == want.count;
    for (size_t i = 0; i < got_count || i < want.count; i++) {
        char *got = i < got_count ? describe(ctx, sc_diagnostic_at(ctx, i), path, details) : NULL;
        const char *expected = i < want.count ? want.paths[i] : NULL;
        if (!got || !expected || strcmp(got, expected) != 0) {
            same = false;
            fprintf(stderr, "\n%s: diagnostic %zu\n  expected: %s\n  got:      %s\n", path, i + 1,
                    expected ? expected : "(nothing)", got ? got : "(nothing)");
        }
        free(got);
    }
    CU_ASSERT_TRUE(same);
    sc_context_free(ctx);
    free_paths(&want);
    return same;
}

static void test_bad_corpus(void)
{
    path_list files = {0};
    find_stack_files(ROOT "/tests/bad", NULL, &files);
    CU_ASSERT_TRUE(files.count >= 60);
    size_t mismatched = 0;
    for (size_t i = 0; i < files.count; i++)
        mismatched += !check_bad_file(files.paths[i], false);
    printf("\n  %zu bad-input files, %zu mismatched\n", files.count, mismatched);
    free_paths(&files);
}

/* tests/bad-build: programs built, not only checked: most check clean but cannot become
 * templates; a few show that `build` reports an evaluation error as `check` does. */
static void test_bad_build_corpus(void)
{
    path_list files = {0};
    find_stack_files(ROOT "/tests/bad-build", NULL, &files);
    CU_ASSERT_TRUE(files.count >= 10);
    size_t mismatched = 0;
    for (size_t i = 0; i < files.count; i++)
        mismatched += !check_bad_file(files.paths[i], true);
    printf("\n  %zu bad-build files, %zu mismatched\n", files.count, mismatched);
    free_paths(&files);
}

static void check_clean(const char *path)
{
    sc_context *ctx = new_context();
    bool ok = sc_check_file(ctx, path);
    if (!ok || sc_diagnostic_count(ctx) != 0) {
        fprintf(stderr, "\n%s should check clean:\n", path);
        sc_render_human(ctx, stderr, false);
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sc_diagnostic_count(ctx), 0);
    sc_context_free(ctx);
}

/* Good programs: everything under tests/good and examples checks clean. */
static void test_good_programs_check_clean(void)
{
    path_list files = {0};
    find_stack_files(ROOT "/tests/good", NULL, &files);
    find_stack_files(ROOT "/examples", NULL, &files);
    CU_ASSERT_TRUE(files.count >= 2);
    for (size_t i = 0; i < files.count; i++) {
        /* NAME_test.stack is compiled with NAME.stack by `stackc test` (stack_tests_test). */
        size_t len = strlen(files.paths[i]);
        if (len > 11 && strcmp(files.paths[i] + len - 11, "_test.stack") == 0)
            continue;
        check_clean(files.paths[i]);
    }
    free_paths(&files);
}

/* The formatted text in a heap copy the caller frees: the context owns what
 * sc_format_buffer returns and takes it with it. */
static char *format_text(const char *name, const char *text, size_t len, size_t *out_len)
{
    sc_context *ctx = new_context();
    size_t formatted_len = 0;
    const char *formatted = sc_format_buffer(ctx, name, text, len, &formatted_len);
    char *out = formatted ? malloc(formatted_len + 1) : NULL;
    if (out)
        memcpy(out, formatted, formatted_len + 1);
    if (out_len)
        *out_len = formatted_len;
    sc_context_free(ctx);
    return out;
}

/* Every .stack file that parses: fmt(fmt(x)) == fmt(x); files outside tests/bad and
 * tests/fmt are already canonical, so fmt(x) == x. */
static void test_format_round_trip(void)
{
    path_list files = {0};
    find_stack_files(ROOT, "/build", &files);
    size_t formatted = 0;
    for (size_t i = 0; i < files.count; i++) {
        const char *path = files.paths[i];
        size_t len = 0;
        char *text = test_read_file(path, &len);
        size_t once_len = 0, twice_len = 0;
        char *once = format_text(path, text, len, &once_len);
        bool must_parse =
            strstr(path, "/tests/bad/") == NULL && strstr(path, "/tests/bad-build/") == NULL;
        if (!once) {
            if (must_parse)
                fprintf(stderr, "\n%s does not format\n", path);
            CU_ASSERT_FALSE(must_parse);
            free(text);
            continue;
        }
        formatted++;
        char *twice = format_text(path, once, once_len, &twice_len);
        bool idempotent = twice && twice_len == once_len && memcmp(once, twice, once_len) == 0;
        if (!idempotent)
            fprintf(stderr, "\n%s: fmt is not idempotent\n", path);
        CU_ASSERT_TRUE(idempotent);
        bool canonical_expected =
            strstr(path, "/tests/bad/") == NULL && strstr(path, "/tests/fmt/") == NULL;
        if (canonical_expected) {
            bool unchanged = once_len == len && memcmp(once, text, len) == 0;
            if (!unchanged)
                fprintf(stderr, "\n%s is not in the canonical layout (run stackc fmt)\n", path);
            CU_ASSERT_TRUE(unchanged);
        }
        free(twice);
        free(once);
        free(text);
    }
    CU_ASSERT_TRUE(formatted >= 10);
    free_paths(&files);
}

/* tests/fmt/NAME.in.stack formats to exactly tests/fmt/NAME.out.stack. */
static void test_format_golden(void)
{
    path_list files = {0};
    find_stack_files(ROOT "/tests/fmt", NULL, &files);
    size_t cases = 0;
    for (size_t i = 0; i < files.count; i++) {
        const char *in = files.paths[i];
        size_t len = strlen(in);
        if (len < 9 || strcmp(in + len - 9, ".in.stack") != 0)
            continue;
        cases++;
        char out_path[4096];
        snprintf(out_path, sizeof(out_path), "%.*s.out.stack", (int)(len - 9), in);
        size_t in_len = 0, want_len = 0, got_len = 0;
        char *text = test_read_file(in, &in_len);
        char *want = test_read_file(out_path, &want_len);
        char *got = format_text(in, text, in_len, &got_len);
        bool same = want && got && got_len == want_len && memcmp(got, want, got_len) == 0;
        if (!same)
            fprintf(stderr, "\n%s does not format to %s:\n%s\n", in, out_path,
                    got ? got : "(error)");
        CU_ASSERT_TRUE(same);
        free(text);
        free(want);
        free(got);
    }
    CU_ASSERT_TRUE(cases >= 3);
    free_paths(&files);
}

/* An allocator that counts the blocks it has handed out and not had back. */
static void *counted_alloc(void *user, size_t size)
{
    ++*(long *)user;
    return malloc(size);
}

static void *counted_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size;
    if (!ptr)
        ++*(long *)user;
    return realloc(ptr, new_size);
}

static void counted_free(void *user, void *ptr)
{
    if (ptr)
        --*(long *)user;
    free(ptr);
}

/* sc_format_buffer's text is the context's: on any allocator, freeing the context gives
 * back every block, the text's included, and the caller frees nothing. */
static void test_formatted_text_belongs_to_the_context(void)
{
    long outstanding = 0;
    sc_allocator counted = {counted_alloc, counted_realloc, counted_free, &outstanding};
    static const char text[] = "stack   Main {\n  let  x = 1\n}\n";
    sc_context *ctx = sc_context_new(&counted);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    size_t len = 0;
    const char *formatted = sc_format_buffer(ctx, "a.stack", text, strlen(text), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(formatted);
    CU_ASSERT_STRING_EQUAL(formatted, "stack Main {\n  let x = 1\n}\n");
    CU_ASSERT_EQUAL(len, strlen(formatted));
    sc_context_free(ctx);
    CU_ASSERT_EQUAL(outstanding, 0);
}

int main(void)
{
    static const test_case cases[] = {
        {"bad-input corpus gives exactly the stated diagnostics", test_bad_corpus},
        {"bad-build corpus gives exactly the stated diagnostics", test_bad_build_corpus},
        {"examples and good programs check clean", test_good_programs_check_clean},
        {"fmt keeps canonical files and is idempotent", test_format_round_trip},
        {"fmt golden files", test_format_golden},
        {"the formatted text belongs to the context", test_formatted_text_belongs_to_the_context},
        {NULL, NULL},
    };
    return test_main("corpus", cases);
}
