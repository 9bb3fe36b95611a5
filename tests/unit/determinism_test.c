/* Same input, same bytes: every example is built by the stackc binary in two
 * processes that differ in working directory, locale, time zone and environment size,
 * and the outputs must be identical file for file. (golden_test covers two builds in
 * one process.) */
#include "support.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char work[] = "/tmp/stackc-determinism-XXXXXX";

/* Builds `source` into `out` from `cwd` with extra environment `env`; true on exit 0. */
static bool build(const char *source, const char *out, const char *cwd, const char *env)
{
    char command[4096];
    snprintf(
        command, sizeof(command),
        "cd '%s' && env %s STACKC_STDLIB='%s/stdlib' '%s' build '%s/%s' -o '%s' >/dev/null 2>&1",
        cwd, env, STACKC_REPO_ROOT, STACKC_BINARY, STACKC_REPO_ROOT, source, out);
    return system(command) == 0;
}

static size_t compare_dirs(const char *a, const char *b)
{
    DIR *d = opendir(a);
    size_t compared = 0;
    struct dirent *entry;
    while (d && (entry = readdir(d))) {
        if (entry->d_name[0] == '.')
            continue;
        char pa[4096], pb[4096];
        snprintf(pa, sizeof(pa), "%s/%s", a, entry->d_name);
        snprintf(pb, sizeof(pb), "%s/%s", b, entry->d_name);
        size_t la = 0, lb = 0;
        char *da = test_read_file(pa, &la), *db = test_read_file(pb, &lb);
        bool same = da && db && la == lb && memcmp(da, db, la) == 0;
        if (!same)
            fprintf(stderr, "\n%s differs between the two builds\n", entry->d_name);
        CU_ASSERT_TRUE(same);
        compared++;
        free(da);
        free(db);
    }
    if (d)
        closedir(d);
    return compared;
}

static void test_examples_build_identically_in_different_processes(void)
{
    static const char *const examples[] = {
        "examples/wordpress/site.stack",        "examples/public-service/site.stack",
        "examples/service-database/site.stack", "examples/shop/site.stack",
        "examples/nightly-report/site.stack",   "examples/existing-vpc/site.stack",
        "examples/two-services/site.stack"};
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
        char first[512], second[512];
        snprintf(first, sizeof(first), "%s/a%zu", work, i);
        snprintf(second, sizeof(second), "%s/b%zu", work, i);
        CU_ASSERT_TRUE(build(examples[i], first, work, "LC_ALL=C TZ=UTC"));
        CU_ASSERT_TRUE(build(examples[i], second, "/",
                             "LC_ALL=C.UTF-8 TZ=Pacific/Chatham "
                             "STACKC_PADDING=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        CU_ASSERT_TRUE(compare_dirs(first, second) >= 2);
    }
}

int main(void)
{
    if (!mkdtemp(work))
        return 2;
    static const test_case cases[] = {
        {"examples build byte-identically across processes, locales, time zones, directories",
         test_examples_build_identically_in_different_processes},
        {NULL, NULL},
    };
    int status = test_main("determinism", cases);
    char cleanup[256];
    snprintf(cleanup, sizeof(cleanup), "rm -rf '%s'", work);
    if (system(cleanup) != 0 && status == 0)
        status = 1;
    return status;
}
