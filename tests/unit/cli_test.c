/* The `stackc` command end to end: exit codes, where output goes, and what it writes. */
#include "support.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROOT STACKC_REPO_ROOT

typedef struct run_result {
    int status;
    char *out; /* stdout and stderr together */
} run_result;

static run_result run_command(const char *command);

/* Runs the stackc binary with `args` (a shell fragment), from the repository root. */
static run_result run(const char *args)
{
    char command[4096];
    snprintf(command, sizeof(command), "cd '%s' && STACKC_STDLIB='%s/stdlib' '%s' %s 2>&1", ROOT,
             ROOT, STACKC_BINARY, args);
    return run_command(command);
}

/* Runs a shell command line from the repository root, with the standard library set. */
static run_result run_shell(const char *line)
{
    char command[8192];
    snprintf(command, sizeof(command),
             "cd '%s' && export STACKC_STDLIB='%s/stdlib' && { %s; } 2>&1", ROOT, ROOT, line);
    return run_command(command);
}

static run_result run_command(const char *command)
{
    run_result r = {0};
    FILE *p = popen(command, "r");
    size_t cap = 1 << 16, len = 0;
    r.out = calloc(1, cap);
    size_t n;
    while (p && (n = fread(r.out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    int status = p ? pclose(p) : -1;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

static char temp_dir[] = "/tmp/stackc-cli-XXXXXX";

static void test_usage_errors_exit_2(void)
{
    run_result r = run("");
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "no command given"));
    free(r.out);
    r = run("frobnicate x.stack");
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "unknown command frobnicate"));
    free(r.out);
    r = run("check --format xml examples/wordpress/site.stack");
    CU_ASSERT_EQUAL(r.status, 2);
    free(r.out);
}

static void test_check(void)
{
    run_result r = run("check examples/wordpress/site.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "");
    free(r.out);
    r = run("check tests/bad/E0200-unknown-name-typo.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0200]"));
    free(r.out);
    r = run("check does/not/exist.stack");
    CU_ASSERT_EQUAL(r.status, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "cannot read \"does/not/exist.stack\""));
    free(r.out);
    /* A tests file is checked with the program it tests, whose stacks it names (alone it
     * was E0200 at `Wordpress.wp...`); one whose program is not beside it, alone. */
    r = run("check examples/wordpress/site_test.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "");
    free(r.out);
    char command[1024], path[512];
    snprintf(path, sizeof(path), "%s/lonely_test.stack", temp_dir);
    static const char lonely[] = "test \"t\" {\n  assert length(outputs(\"Web\")) == 0\n}\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(path, lonely, strlen(lonely)), 0);
    snprintf(command, sizeof(command), "check '%s'", path);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "lonely_test.stack:2:25: error[E0200]: there is no "
                                         "stack named \"Web\""));
    free(r.out);
}

static void test_check_json(void)
{
    run_result r = run("check --format json tests/bad/E0200-unknown-name-typo.stack 2>/dev/null");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"code\":\t\"E0200\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"errors\":\t1"));
    free(r.out);
}

/* Each stage can be seen: the checked declarations with their types and static values,
 * and the resource graph before emission, exactly. */
static void test_check_dumps_typed_and_expanded(void)
{
    run_result r = run("check --dump=typed tests/cli/dump.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "stack Main\n"
                                  "  param env: string = \"prod\"\n"
                                  "  let prefix: string = \"site\"\n"
                                  "  instance uploads: store\n"
                                  "    name = \"site-uploads\"\n"
                                  "  resource queue: resource AWS::SQS::Queue\n");
    free(r.out);
    r = run("check --dump expanded tests/cli/dump.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out,
                           "stack Main\n"
                           "  UploadsBucket AWS::S3::Bucket (uploads/bucket, line 12)\n"
                           "  Queue AWS::SQS::Queue (queue, line 13) depends on UploadsBucket\n");
    free(r.out);
    /* A program with errors dumps nothing but its diagnostics. */
    r = run("check --dump=expanded tests/bad/E0200-unknown-name-typo.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0200]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "stack "));
    free(r.out);
    r = run("check --dump=types tests/cli/dump.stack");
    CU_ASSERT_EQUAL(r.status, 2);
    free(r.out);
}

/* build's --format is the templates' format; --diagnostics is how errors are printed. */
static void test_build_diagnostics_format(void)
{
    run_result r =
        run("build tests/bad/E0200-unknown-name-typo.stack --format json -o /tmp/stackc-never");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0200]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "\"diagnostics\""));
    free(r.out);
    r = run("build tests/bad/E0200-unknown-name-typo.stack --diagnostics json -o /tmp/stackc-never"
            " 2>/dev/null");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"code\":\t\"E0200\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"errors\":\t1"));
    free(r.out);
    r = run("build tests/bad/E0200-unknown-name-typo.stack --diagnostics human --format yaml "
            "-o /tmp/stackc-never");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0200]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "\"diagnostics\""));
    free(r.out);
}

static void test_fmt_check(void)
{
    char path[256], command[512];
    snprintf(path, sizeof(path), "%s/messy.stack", temp_dir);
    const char messy[] = "let   a=1\n";
    test_write_file(path, messy, strlen(messy));
    snprintf(command, sizeof(command), "fmt --check %s", path);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, path));
    free(r.out);
    snprintf(command, sizeof(command), "fmt %s", path);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    char *text = test_read_file(path, NULL);
    CU_ASSERT_STRING_EQUAL(text, "let a = 1\n");
    free(text);
    snprintf(command, sizeof(command), "fmt --check %s", path);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
}

static void test_build_writes_templates_and_manifest(void)
{
    char command[512], path[512];
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s/out", temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "wrote 3 files"));
    free(r.out);
    static const char *const files[] = {"Network.template.json", "Wordpress.template.json",
                                        "manifest.json"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/out/%s", temp_dir, files[i]);
        CU_ASSERT_EQUAL(access(path, R_OK), 0);
    }
    snprintf(command, sizeof(command),
             "build examples/wordpress/site.stack --format yaml --stack Network -o %s/yaml",
             temp_dir);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    snprintf(path, sizeof(path), "%s/yaml/Network.template.yaml", temp_dir);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);
    snprintf(path, sizeof(path), "%s/yaml/Wordpress.template.yaml", temp_dir);
    CU_ASSERT_NOT_EQUAL(access(path, R_OK), 0);
    r = run("build examples/wordpress/site.stack --stack Nope -o /tmp/stackc-never");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "there is no stack named \"Nope\"\n"
                                         "      = note: the stacks are Network, Wordpress\n"));
    free(r.out);
    r = run("build examples/wordpress/site.stack --stack Netwrk -o /tmp/stackc-never");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "there is no stack named \"Netwrk\"\n"
                                         "      = help: did you mean `Network`?\n"));
    free(r.out);
}

/* --app is held to the rule of the file's `app = "..."` (it used to be taken as given and
 * written into every stack name of the manifest, "bad name!-Network"), and every stack's
 * deployed name is checked again with it in front. */
static void test_app_option_is_checked_like_the_file_s(void)
{
    char command[1024], site[512];
    snprintf(command, sizeof(command),
             "build examples/wordpress/site.stack --app 'bad name!' -o %s/app-bad", temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_STRING_EQUAL(r.out, "stackc: error[E0217]: the app name \"bad name!\" cannot start a "
                                  "CloudFormation stack name\n"
                                  "      = note: an app name starts with a letter and holds only "
                                  "letters, digits and '-', 64 characters at most\n"
                                  "1 error, 0 warnings\n");
    free(r.out);
    snprintf(site, sizeof(site), "%s/long-stack.stack", temp_dir);
    char name[121], text[512];
    memset(name, 'L', 120);
    name[120] = '\0';
    int len =
        snprintf(text, sizeof(text), "stack %s {\n  resource q \"AWS::SQS::Queue\" {}\n}\n", name);
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, text, (size_t)len), 0);
    snprintf(command, sizeof(command), "build '%s' --app shop -o %s/app-long", site, temp_dir);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0); /* shop-LLL...: 125 characters */
    free(r.out);
    snprintf(command, sizeof(command), "build '%s' --app shopping -o %s/app-long", site, temp_dir);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 1); /* 129 */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "long-stack.stack:1:7: error[E0217]: \"LLL"));
    free(r.out);
}

/* A rename that would replace a database is a warning at the next build into the same
 * folder, naming the `moved` that keeps it; with the `moved`, there is none. */
static void test_build_warns_of_a_rename_that_replaces_data(void)
{
    char site[512], command[1024];
    snprintf(site, sizeof(site), "%s/rename.stack", temp_dir);
    static const char *const before = "app = \"rn\"\nnetwork vpc {}\ndatabase wp {\n"
                                      "  engine  = \"aurora-mysql\"\n  network = vpc\n}\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, before, strlen(before)), 0);
    snprintf(command, sizeof(command), "build %s -o %s/rename", site, temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NULL(strstr(r.out, "W0330"));
    free(r.out);
    static const char *const after = "app = \"rn\"\nnetwork vpc {}\ndatabase db {\n"
                                     "  engine  = \"aurora-mysql\"\n  network = vpc\n}\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, after, strlen(after)), 0);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
                                  ":3:1: warning[W0330]: renaming `wp` to `db` replaces data: "
                                  "CloudFormation makes new, empty resources, and the old "
                                  "WpMasterSecret (AWS::SecretsManager::Secret) is kept out "
                                  "of the stack; WpCluster (AWS::RDS::DBCluster) is "
                                  "snapshotted, then deleted\n"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.out, "= help: to keep them, add `moved wp -> db` to stack rename\n"));
    free(r.out);
    /* With the `moved`, the same rename from the same last build keeps every id. */
    snprintf(command, sizeof(command), "build %s -o %s/rename-moved", site, temp_dir);
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, before, strlen(before)), 0);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    static const char *const moved =
        "app = \"rn\"\nnetwork vpc {}\ndatabase db {\n"
        "  engine  = \"aurora-mysql\"\n  network = vpc\n}\nmoved wp -> db\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, moved, strlen(moved)), 0);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NULL(strstr(r.out, "W0330"));
    free(r.out);
}

/* The last manifest is read only when the new one differs (an unchanged one means nothing
 * was renamed), after emission; a rename's warning still comes before emission's own
 * (W0310, a template too large to send inline), as when it was read first. */
static void test_rename_warning_comes_before_emission_warnings(void)
{
    char site[512], command[1024];
    snprintf(site, sizeof(site), "%s/rename-big.stack", temp_dir);
    static const char *const queues =
        "resource q \"AWS::SQS::Queue\" for i in range(300) {\n"
        "  QueueName = format(\"a-queue-with-a-long-name-to-fill-the-template-%d\", i)\n}\n";
    char before[1024], after[1024];
    snprintf(before, sizeof(before),
             "app = \"rb\"\nnetwork vpc {}\ndatabase wp {\n"
             "  engine  = \"aurora-mysql\"\n  network = vpc\n}\n%s",
             queues);
    snprintf(after, sizeof(after),
             "app = \"rb\"\nnetwork vpc {}\ndatabase db {\n"
             "  engine  = \"aurora-mysql\"\n  network = vpc\n}\n%s",
             queues);
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, before, strlen(before)), 0);
    snprintf(command, sizeof(command), "build %s -o %s/rename-big", site, temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "warning[W0310]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "W0330"));
    free(r.out);
    r = run(command); /* the same program again: the same manifest, no rename */
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NULL(strstr(r.out, "W0330"));
    free(r.out);
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, after, strlen(after)), 0);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    const char *rename = strstr(r.out, ":3:1: warning[W0330]: renaming `wp` to `db`");
    const char *size = strstr(r.out, "warning[W0310]");
    CU_ASSERT_PTR_NOT_NULL(rename);
    CU_ASSERT_PTR_NOT_NULL(size);
    CU_ASSERT_TRUE(rename && size && rename < size);
    free(r.out);
}

/* A build over a folder that holds other bytes (longer, shorter, the same, empty) leaves
 * exactly what a build into a new folder writes; a file whose bytes did not change still
 * gets a new modification time, as build tools expect of an output. */
static void test_build_over_previous_outputs_writes_the_same_bytes(void)
{
    char command[512], fresh[512], over[512];
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s/fresh", temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    static const char *const files[] = {"Network.template.json", "Wordpress.template.json",
                                        "manifest.json"};
    size_t fresh_len[3];
    char *fresh_data[3];
    for (size_t i = 0; i < 3; i++) {
        snprintf(fresh, sizeof(fresh), "%s/fresh/%s", temp_dir, files[i]);
        fresh_data[i] = test_read_file(fresh, &fresh_len[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fresh_data[i]);
    }
    snprintf(over, sizeof(over), "%s/over", temp_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(over, 0755), 0);
    /* Longer than the output, shorter than it, and the same bytes with an old time. */
    char *longer = calloc(1, fresh_len[0] + 5000);
    memset(longer, 'x', fresh_len[0] + 4999);
    snprintf(over, sizeof(over), "%s/over/%s", temp_dir, files[0]);
    CU_ASSERT_EQUAL(test_write_file(over, longer, fresh_len[0] + 4999), 0);
    free(longer);
    snprintf(over, sizeof(over), "%s/over/%s", temp_dir, files[1]);
    CU_ASSERT_EQUAL(test_write_file(over, "{}", 2), 0);
    snprintf(over, sizeof(over), "%s/over/%s", temp_dir, files[2]);
    CU_ASSERT_EQUAL(test_write_file(over, fresh_data[2], fresh_len[2]), 0);
    struct timespec old_times[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    CU_ASSERT_EQUAL(utimensat(AT_FDCWD, over, old_times, 0), 0);
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s/over", temp_dir);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0;
        snprintf(over, sizeof(over), "%s/over/%s", temp_dir, files[i]);
        char *data = test_read_file(over, &len);
        CU_ASSERT_TRUE(data && len == fresh_len[i] && memcmp(data, fresh_data[i], len) == 0);
        free(data);
        free(fresh_data[i]);
    }
    struct stat st;
    CU_ASSERT_EQUAL(stat(over, &st), 0);
    CU_ASSERT_TRUE(st.st_mtim.tv_sec > 1000000000);
}

static void test_build_creates_missing_parents(void)
{
    char command[512], path[512];
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s/a/b/c", temp_dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    snprintf(path, sizeof(path), "%s/a/b/c/manifest.json", temp_dir);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);
    /* A file in the way is a file error that names the folder and the reason. */
    snprintf(path, sizeof(path), "%s/plain-file", temp_dir);
    test_write_file(path, "x", 1);
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s/plain-file/out",
             temp_dir);
    r = run(command);
    CU_ASSERT_EQUAL(r.status, 3);
    char expected[600];
    snprintf(expected, sizeof(expected),
             "stackc: cannot create \"%s/plain-file/out\": Not a directory\n", temp_dir);
    CU_ASSERT_STRING_EQUAL(r.out, expected);
    free(r.out);
}

/* The files and folders in `dir` but for hidden ones; (size_t)-1 when it cannot be read. */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return (size_t)-1;
    size_t entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        entries += e->d_name[0] != '.';
    closedir(d);
    return entries;
}

/* A changed output is replaced whole: it keeps its permissions, leaves no temporary
 * file beside it, and an output that is a symlink is written through, not replaced. */
static void test_build_replaces_changed_outputs_whole(void)
{
    char command[1024], dir[256], path[512], target[512];
    snprintf(dir, sizeof(dir), "%s/replaced", temp_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/Network.template.json", dir);
    CU_ASSERT_EQUAL(test_write_file(path, "{}", 2), 0);
    CU_ASSERT_EQUAL(chmod(path, 0640), 0);
    snprintf(target, sizeof(target), "%s/manifest-target.json", temp_dir);
    CU_ASSERT_EQUAL(test_write_file(target, "old", 3), 0);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    CU_ASSERT_EQUAL(symlink(target, path), 0);
    snprintf(command, sizeof(command), "build examples/wordpress/site.stack -o %s", dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    struct stat st;
    snprintf(path, sizeof(path), "%s/Network.template.json", dir);
    CU_ASSERT_TRUE(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_size > 2);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    CU_ASSERT_TRUE(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
    size_t len = 0;
    char *manifest = test_read_file(target, &len);
    CU_ASSERT_TRUE(manifest && len > 3 && manifest[0] == '{');
    free(manifest);
    CU_ASSERT_EQUAL(count_entries(dir), 3); /* the two templates and the manifest, nothing else */
}

/* A write that fails part way (here: past the file-size limit) leaves the previous
 * output whole, not a mix of new bytes and old ones, and no temporary file. */
static void test_failed_write_leaves_the_previous_output_whole(void)
{
    char dir[256], path[512], line[1024];
    snprintf(dir, sizeof(dir), "%s/limited", temp_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/Network.template.json", dir); /* the first written */
    CU_ASSERT_EQUAL(test_write_file(path, "{}", 2), 0);
    snprintf(line, sizeof(line),
             "trap '' XFSZ; ulimit -f 1; '%s' build examples/wordpress/site.stack -o '%s'",
             STACKC_BINARY, dir);
    run_result r = run_shell(line);
    CU_ASSERT_EQUAL(r.status, 3);
    free(r.out);
    size_t len = 0;
    char *data = test_read_file(path, &len);
    CU_ASSERT_TRUE(data && len == 2 && memcmp(data, "{}", 2) == 0);
    free(data);
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (struct dirent *e; (e = readdir(d));)
        CU_ASSERT_PTR_NULL(strstr(e->d_name, ".tmp"));
    closedir(d);
}

/* `stackc build SITE -o TEMP/OUT` fails and leaves no TEMP/GONE behind. */
static void assert_fails_leaving_no_folder(const char *site, const char *out, const char *gone)
{
    char command[1024], path[512];
    snprintf(command, sizeof(command), "build '%s' -o '%s/%s'", site, temp_dir, out);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 1);
    free(r.out);
    snprintf(path, sizeof(path), "%s/%s", temp_dir, gone);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
}

/* A build that fails after some outputs were written (here: the second stack's logical id
 * is over CloudFormation's limit, found while emitting, after the first stack's template)
 * leaves the last build's outputs as they were, no temporary file, and none of the folders
 * it made for itself. */
static void test_failed_build_leaves_the_previous_outputs(void)
{
    char site[512], dir[256], path[512], command[1024];
    snprintf(site, sizeof(site), "%s/late-error.stack", temp_dir);
    char name[301], text[1024];
    memset(name, 'q', 300);
    name[300] = '\0';
    int len = snprintf(text, sizeof(text),
                       "stack A {\n  resource queue \"AWS::SQS::Queue\" {}\n}\n\n"
                       "stack B {\n  resource %s \"AWS::SQS::Queue\" {}\n}\n",
                       name);
    CU_ASSERT_EQUAL_FATAL(test_write_file(site, text, (size_t)len), 0);
    snprintf(dir, sizeof(dir), "%s/late", temp_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/A.template.json", dir);
    CU_ASSERT_EQUAL(test_write_file(path, "{}", 2), 0);
    snprintf(command, sizeof(command), "build '%s' -o '%s'", site, dir);
    run_result r = run(command);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0314]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "wrote"));
    free(r.out);
    size_t got = 0;
    char *data = test_read_file(path, &got);
    CU_ASSERT_TRUE(data && got == 2 && memcmp(data, "{}", 2) == 0);
    free(data);
    CU_ASSERT_EQUAL(count_entries(dir),
                    1); /* A.template.json as it was: no manifest, no temporary */
    assert_fails_leaving_no_folder(site, "never", "never");
    /* Every folder it made goes, the outermost too; the one that was there stays. */
    assert_fails_leaving_no_folder(site, "late/never/made/here/", "late/never");
    CU_ASSERT_EQUAL(count_entries(dir), 1);
}

static void test_test_command(void)
{
    run_result r = run("test examples/wordpress/site.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "7 passed, 0 failed\n"));
    free(r.out);
    r = run("test tests/test-fixtures/failing/site.stack");
    CU_ASSERT_EQUAL(r.status, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "FAIL the queue keeps messages a week"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "2 passed, 3 failed\n"));
    free(r.out);
    r = run("test --format json tests/test-fixtures/failing/site.stack");
    CU_ASSERT_EQUAL(r.status, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\"passed\": 2, \"failed\": 3"));
    free(r.out);
    r = run("test examples/wordpress/site.stack tests/test-fixtures/failing/site.stack");
    CU_ASSERT_EQUAL(r.status, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "9 passed, 3 failed\n"));
    free(r.out);
    /* A tests file alone runs the program it tests, which loads it; named twice, once. */
    const char *companion_runs[] = {"test tests/test-fixtures/companion/site_test.stack",
                                    "test tests/test-fixtures/companion/site.stack "
                                    "tests/test-fixtures/companion/site_test.stack"};
    for (size_t i = 0; i < 2; i++) {
        r = run(companion_runs[i]);
        CU_ASSERT_EQUAL(r.status, 5);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS the queue keeps messages four days"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "    note:     resource_at(\"Data/queu\") finds no "
                                             "resource: did you mean \"Data/queue\"?\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "1 passed, 1 failed\n"));
        CU_ASSERT_PTR_NULL(strstr(strstr(r.out, "1 passed") + 1, "PASS"));
        free(r.out);
    }
    r = run("test tests/test-fixtures/companion/alone_test.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "stackc: tests/test-fixtures/companion/alone_test.stack "
                                         "holds the tests of "
                                         "tests/test-fixtures/companion/alone.stack, which is not "
                                         "there: pass the file they test"));
    free(r.out);
    r = run("test --all-components tests/stack-tests/stdlib-defaults.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.out, "PASS by default: encrypted, protected, snapshot on delete"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "13 passed, 0 failed\n"));
    free(r.out);
}

static void test_fmt_stdin(void)
{
    /* "-" reads standard input and writes the result to standard output. */
    run_result r = run("fmt - < tests/fmt/wrapped-values.in.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    char *expected = test_read_file(ROOT "/tests/fmt/wrapped-values.out.stack", NULL);
    CU_ASSERT_STRING_EQUAL(r.out, expected);
    free(expected);
    free(r.out);
    r = run("fmt --check - < tests/fmt/wrapped-values.in.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_STRING_EQUAL(r.out, "<stdin>\n");
    free(r.out);
    r = run("fmt --check - < tests/fmt/wrapped-values.out.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "");
    free(r.out);
    r = run("fmt - < tests/bad/E0100-missing-brace-at-eof.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "<stdin>:"));
    free(r.out);
}

/* The 16 MiB limit holds while reading, for files whose size cannot be known first:
 * each run ends with E0009 (bounded by `timeout`, so a regression fails, not hangs). */
static void test_input_limit_on_any_file(void)
{
    static const char *const expected = "error[E0009]: file is over the limit of 16777216 bytes";
    char setup[1024];
    snprintf(setup, sizeof(setup),
             "mkfifo '%s/fifo.stack' && truncate -s 1T '%s/sparse.stack' && "
             "printf 'import \"/dev/zero\"\\n' > '%s/imports-zero.stack'",
             temp_dir, temp_dir, temp_dir);
    CU_ASSERT_EQUAL_FATAL(system(setup), 0);
    const char *stackc = "timeout 60 '" STACKC_BINARY "'";
    char lines[6][1024];
    snprintf(lines[0], sizeof(lines[0]), "%s check /dev/zero", stackc);
    snprintf(lines[1], sizeof(lines[1]), "%s check /dev/stdin < /dev/zero", stackc);
    /* A FIFO whose writer never stops (it ends on SIGPIPE once stackc is gone). */
    snprintf(lines[2], sizeof(lines[2]),
             "(yes 'let x = 1' > '%s/fifo.stack' 2>/dev/null &); %s check '%s/fifo.stack'",
             temp_dir, stackc, temp_dir);
    /* A sparse file of 1 TiB: reading all of it would take hours. */
    snprintf(lines[3], sizeof(lines[3]), "%s check '%s/sparse.stack'", stackc, temp_dir);
    snprintf(lines[4], sizeof(lines[4]), "%s check '%s/imports-zero.stack'", stackc, temp_dir);
    snprintf(lines[5], sizeof(lines[5]), "%s fmt --check /dev/zero", stackc);
    for (size_t i = 0; i < 6; i++) {
        run_result r = run_shell(lines[i]);
        CU_ASSERT_EQUAL(r.status, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, expected));
        if (r.status != 1 || !strstr(r.out, expected))
            fprintf(stderr, "\n%s (exit %d):\n%s\n", lines[i], r.status, r.out);
        free(r.out);
    }
}

/* Runs `args` with the standard library stackc embeds (no STACKC_STDLIB) and compiled
 * from the same folder's sources; both must print exactly the same. `between`, when not
 * NULL, is a shell command run after the first. */
static void expect_same_from_image_and_sources(const char *args, const char *between)
{
    char line[4096];
    snprintf(line, sizeof(line), "unset STACKC_STDLIB; '%s' %s", STACKC_BINARY, args);
    run_result image = run_shell(line);
    if (between)
        CU_ASSERT_EQUAL(system(between), 0);
    snprintf(line, sizeof(line), "export STACKC_STDLIB='%s/stdlib'; '%s' %s", ROOT, STACKC_BINARY,
             args);
    run_result sources = run_shell(line);
    bool same = image.status == sources.status && strcmp(image.out, sources.out) == 0;
    if (!same)
        fprintf(stderr,
                "\nstackc %s: from the image (exit %d):\n%s\nfrom the sources (exit %d):\n%s\n",
                args, image.status, image.out, sources.status, sources.out);
    CU_ASSERT_TRUE(same);
    free(image.out);
    free(sources.out);
}

/* The embedded library is the source tree's, checked at build time: every example
 * builds to the same templates, every bad file gets the same diagnostics, with the
 * library's notes at the same paths. */
static void test_the_embedded_library_compiles_like_its_sources(void)
{
    static const char *const examples[] = {"wordpress",   "public-service", "service-database",
                                           "shop",        "nightly-report", "existing-vpc",
                                           "two-services"};
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
        char args[512], move[1200], diff[1200];
        snprintf(args, sizeof(args), "build examples/%s/site.stack -o '%s/out-%s'", examples[i],
                 temp_dir, examples[i]);
        snprintf(move, sizeof(move), "mv '%s/out-%s' '%s/image-%s'", temp_dir, examples[i],
                 temp_dir, examples[i]);
        expect_same_from_image_and_sources(args, move);
        snprintf(diff, sizeof(diff), "diff -r '%s/out-%s' '%s/image-%s'", temp_dir, examples[i],
                 temp_dir, examples[i]);
        CU_ASSERT_EQUAL(system(diff), 0);
        snprintf(args, sizeof(args), "graph examples/%s/site.stack", examples[i]);
        expect_same_from_image_and_sources(args, NULL);
    }
    DIR *bad = opendir(ROOT "/tests/bad");
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    size_t compared = 0;
    struct dirent *entry;
    while ((entry = readdir(bad))) {
        size_t n = strlen(entry->d_name);
        if (n < 7 || strcmp(entry->d_name + n - 6, ".stack") != 0)
            continue;
        char args[600];
        snprintf(args, sizeof(args), "check tests/bad/%s", entry->d_name);
        expect_same_from_image_and_sources(args, NULL);
        snprintf(args, sizeof(args), "check --format json tests/bad/%s", entry->d_name);
        expect_same_from_image_and_sources(args, NULL);
        compared++;
    }
    closedir(bad);
    CU_ASSERT_TRUE(compared >= 150);
}

int main(void)
{
    if (!mkdtemp(temp_dir))
        return 2;
    static const test_case cases[] = {
        {"usage errors exit 2", test_usage_errors_exit_2},
        {"check: 0 clean, 1 errors, 3 unreadable", test_check},
        {"check --format json", test_check_json},
        {"check --dump=typed and --dump=expanded", test_check_dumps_typed_and_expanded},
        {"build: --format picks the templates, --diagnostics the errors",
         test_build_diagnostics_format},
        {"fmt --check lists unformatted files; fmt rewrites them", test_fmt_check},
        {"fmt - formats standard input to standard output", test_fmt_stdin},
        {"build writes templates and the manifest", test_build_writes_templates_and_manifest},
        {"--app is checked like the file's app", test_app_option_is_checked_like_the_file_s},
        {"build warns of a rename that replaces data",
         test_build_warns_of_a_rename_that_replaces_data},
        {"a rename's warning comes before emission's warnings",
         test_rename_warning_comes_before_emission_warnings},
        {"build -o creates missing parent folders", test_build_creates_missing_parents},
        {"build over previous outputs writes the same bytes as into a new folder",
         test_build_over_previous_outputs_writes_the_same_bytes},
        {"a build replaces changed outputs whole, keeping their permissions and symlinks",
         test_build_replaces_changed_outputs_whole},
        {"a failed write leaves the previous output whole",
         test_failed_write_leaves_the_previous_output_whole},
        {"a failed build leaves the previous outputs",
         test_failed_build_leaves_the_previous_outputs},
        {"test runs test blocks: exit 0 all pass, 5 on a failure", test_test_command},
        {"the embedded standard library compiles like its sources",
         test_the_embedded_library_compiles_like_its_sources},
        {"the 16 MiB limit holds for /dev/zero, pipes, FIFOs, sparse files",
         test_input_limit_on_any_file},
        {NULL, NULL},
    };
    int status = test_main("cli", cases);
    char cleanup[256];
    snprintf(cleanup, sizeof(cleanup), "rm -rf '%s'", temp_dir);
    if (system(cleanup) != 0)
        status = status ? status : 1;
    return status;
}
