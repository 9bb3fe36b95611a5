/* The file-system hooks (sc_context_set_file_system): a build's Docker context is
 * looked at, listed and read through them, and compose's working directory comes from
 * them; what a hook answers is what the compiler believes. Runs from the repository
 * root. */
#include "support.h"

#include <stackc/stackc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROGRAM "examples/public-service/site.stack"

typedef struct recorder {
    char log[16384];     /* "kind PATH\n", "list DIR\n", "open PATH\n", "cwd \n" */
    const char *missing; /* `kind` says a path ending so does not exist, or NULL */
} recorder;

static void note(recorder *r, const char *what, const char *path)
{
    size_t used = strlen(r->log);
    snprintf(r->log + used, sizeof(r->log) - used, "%s %s\n", what, path);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static sc_file_kind recorded_kind(void *user, const char *path)
{
    recorder *r = user;
    note(r, "kind", path);
    struct stat st;
    if ((r->missing && ends_with(path, r->missing)) || stat(path, &st) != 0)
        return SC_FILE_MISSING;
    return S_ISDIR(st.st_mode)   ? SC_FILE_DIRECTORY
           : S_ISREG(st.st_mode) ? SC_FILE_REGULAR
                                 : SC_FILE_OTHER;
}

static bool recorded_list(void *user, const char *dir, bool (*each)(void *, const char *),
                          void *each_data)
{
    recorder *r = user;
    note(r, "list", dir);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool ok = true;
    const struct dirent *entry;
    while (ok && (entry = readdir(d)))
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            ok = each(each_data, entry->d_name);
    closedir(d);
    return ok;
}

static FILE *recorded_open(void *user, const char *path)
{
    recorder *r = user;
    note(r, "open", path);
    return fopen(path, "rb");
}

/* Not the process's: compose must take the hook's word for it. */
static bool recorded_working_directory(void *user, char *buf, size_t size)
{
    note(user, "cwd", "");
    return (size_t)snprintf(buf, size, "/elsewhere") < size;
}

static sc_context *context_with(recorder *r)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    sc_file_system hooks = {recorded_kind, recorded_list, recorded_open, recorded_working_directory,
                            r};
    sc_context_set_file_system(ctx, &hooks);
    return ctx;
}

static bool logged(const recorder *r, const char *line)
{
    return strstr(r->log, line) != NULL;
}

static void test_build_context_goes_through_the_hooks(void)
{
    static recorder r;
    sc_context *ctx = context_with(&r);
    CU_ASSERT_TRUE(sc_build_file(ctx, PROGRAM, NULL));
    CU_ASSERT_TRUE(logged(&r, "kind examples/public-service/app\n"));
    CU_ASSERT_TRUE(logged(&r, "kind examples/public-service/app/Dockerfile\n"));
    CU_ASSERT_TRUE(logged(&r, "list examples/public-service/app\n"));
    CU_ASSERT_TRUE(logged(&r, "open examples/public-service/app/Dockerfile\n"));
    CU_ASSERT_TRUE(logged(&r, "open examples/public-service/app/index.html\n"));
    if (!logged(&r, "open examples/public-service/app/Dockerfile\n"))
        fprintf(stderr, "%s", r.log);
    sc_context_free(ctx);
}

/* A Dockerfile the hook hides is missing, whatever the disk holds. */
static void test_the_hook_decides(void)
{
    static recorder r;
    r.missing = "/app/Dockerfile";
    sc_context *ctx = context_with(&r);
    CU_ASSERT_FALSE(sc_build_file(ctx, PROGRAM, NULL));
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 1);
    const sc_diagnostic *d = sc_diagnostic_at(ctx, 0);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_code(d), "E0304");
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_message(d),
                           "the build context \"app\" has no file \"Dockerfile\"");
    sc_context_free(ctx);
}

/* compose makes relative paths absolute against the hook's working directory, and
 * looks for the build context there (where the recorder's disk has nothing). */
static void test_compose_asks_the_hook_for_the_working_directory(void)
{
    static recorder r;
    sc_context *ctx = context_with(&r);
    CU_ASSERT_FALSE(sc_build_compose(ctx, PROGRAM, NULL));
    CU_ASSERT_TRUE(logged(&r, "cwd \n"));
    CU_ASSERT_TRUE(logged(&r, "kind /elsewhere/examples/public-service/app\n"));
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 1);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_message(sc_diagnostic_at(ctx, 0)),
                           "the build context \"app\" is not a directory");
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"a build context goes through the hooks", test_build_context_goes_through_the_hooks},
        {"what the hook answers is what the compiler believes", test_the_hook_decides},
        {"compose asks the hook for the working directory",
         test_compose_asks_the_hook_for_the_working_directory},
        {NULL, NULL},
    };
    return test_main("file_system", cases);
}
