/* `stackc build --target compose`. Every folder tests/golden-views/NAME with a compose/
 * folder holds the expected docker-compose.yml and .env of its program (main.stack, or
 * the file SOURCE names), written as if compose/ were the output folder, so build
 * contexts are relative to it and the folder runs as it is. STACKC_UPDATE_GOLDEN=1
 * rewrites them (review the diff). Each file is also validated: `docker compose config`
 * when the Docker Compose CLI is there (no engine needed), else the older
 * `docker-compose config`, and always the structural check check-compose.py when
 * python3 has PyYAML. The files tests/golden-views/bad/NAME.stack state the diagnostics they must
 * give (`// expect: CODE LINE:COL MESSAGE`, as in tests/bad). Then: the user's edits to
 * .env survive a rebuild, paths without an output folder, and the command line. */
#include "support.h"

#include <stackc/stackc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROOT STACKC_REPO_ROOT
#define GOLDEN ROOT "/tests/golden-views"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in `dir` that pass `keep`, sorted. Caller frees each and the array. */
static char **list_dir(const char *dir, bool (*keep)(const char *dir, const char *name),
                       size_t *count)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t cap = 0;
    *count = 0;
    struct dirent *entry;
    while (d && (entry = readdir(d))) {
        if (entry->d_name[0] == '.' || !keep(dir, entry->d_name))
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

static bool has_compose(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/compose", dir, name);
    return exists(path);
}

static bool is_stack_file(const char *dir, const char *name)
{
    (void)dir;
    size_t len = strlen(name);
    return len > 6 && strcmp(name + len - 6, ".stack") == 0;
}

static void source_of(const char *dir, char *out, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/main.stack", dir);
    if (exists(path)) {
        snprintf(out, cap, "%s", path);
        return;
    }
    snprintf(path, sizeof(path), "%s/SOURCE", dir);
    char *named = test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(named);
    named[strcspn(named, "\n")] = '\0';
    snprintf(out, cap, "%s/%s", ROOT, named);
    free(named);
}

static sc_context *compose(const char *source, const char *output_dir, const char *previous_env)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    sc_compose_options options = {.output_dir = output_dir, .previous_env = previous_env};
    sc_build_compose(ctx, source, &options);
    return ctx;
}

/* The output named `name`, or NULL. */
static const char *output(const sc_context *ctx, const char *name, size_t *len)
{
    for (size_t i = 0; i < sc_output_count(ctx); i++)
        if (strcmp(sc_output_name(ctx, i), name) == 0)
            return sc_output_data(ctx, i, len);
    return NULL;
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

/* How the folder's compose file can be validated here. */
typedef enum validator {
    VALIDATE_NONE,
    VALIDATE_DOCKER_COMPOSE,
    VALIDATE_DOCKER_COMPOSE_V1
} validator;

static validator find_validator(void)
{
    if (system("docker compose version >/dev/null 2>&1") == 0)
        return VALIDATE_DOCKER_COMPOSE;
    if (system("docker-compose version >/dev/null 2>&1") == 0)
        return VALIDATE_DOCKER_COMPOSE_V1;
    return VALIDATE_NONE;
}

/* `config` resolves and validates the file; variables the user must fill in (empty in
 * .env) get a value from the environment, as a user would give them. */
static bool validate(const char *dir, validator how, bool *python_ran)
{
    char env_path[4096 + 8], command[16384];
    snprintf(env_path, sizeof(env_path), "%.4096s/.env", dir);
    char *env = test_read_file(env_path, NULL);
    char user_values[8192] = "";
    size_t used = 0;
    for (char *line = env ? strtok(env, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        size_t len = strlen(line);
        if (line[0] != '#' && len > 1 && line[len - 1] == '=' &&
            used + len + 16 < sizeof(user_values))
            used += (size_t)snprintf(user_values + used, sizeof(user_values) - used,
                                     "%.*s=given-by-user ", (int)(len - 1), line);
    }
    free(env);
    bool ok = true;
    if (how != VALIDATE_NONE) {
        snprintf(command, sizeof(command), "cd '%s' && %s %s config -q 2>&1", dir, user_values,
                 how == VALIDATE_DOCKER_COMPOSE ? "docker compose" : "docker-compose");
        int status = system(command);
        if (status != 0) {
            fprintf(stderr, "\n%s: `%s config` rejects it\n", dir,
                    how == VALIDATE_DOCKER_COMPOSE ? "docker compose" : "docker-compose");
            ok = false;
        }
    }
    snprintf(command, sizeof(command), "python3 '%s/check-compose.py' '%s'", GOLDEN, dir);
    int status = system(command);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 0)
        *python_ran = true;
    else if (code != 77 && code != 127) { /* 77: no PyYAML; 127: no python3 */
        fprintf(stderr, "\n%s: check-compose.py rejects it\n", dir);
        ok = false;
    }
    return ok;
}

static bool check_case(const char *name, bool update, validator how, bool *python_ran)
{
    char dir[2048], source[4096], out_dir[4096];
    snprintf(dir, sizeof(dir), "%s/%s", GOLDEN, name);
    snprintf(out_dir, sizeof(out_dir), "%s/compose", dir);
    source_of(dir, source, sizeof(source));
    sc_context *first = compose(source, out_dir, NULL), *second = compose(source, out_dir, NULL);
    bool ok = sc_error_count(first) == 0 && sc_output_count(first) == 2;
    if (!ok) {
        fprintf(stderr, "\n%s does not compose:\n", source);
        sc_render_human(first, stderr, false);
    }
    if (!same_outputs(first, second)) {
        fprintf(stderr, "\n%s: two builds in one process differ\n", name);
        ok = false;
    }
    for (size_t i = 0; ok && i < sc_output_count(first); i++) {
        size_t len;
        const char *data = sc_output_data(first, i, &len);
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", out_dir, sc_output_name(first, i));
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
    sc_context_free(first);
    sc_context_free(second);
    return ok && validate(out_dir, how, python_ran);
}

static void test_golden_compose(void)
{
    bool update = getenv("STACKC_UPDATE_GOLDEN") != NULL;
    validator how = find_validator();
    bool python_ran = false;
    size_t count = 0;
    char **names = list_dir(GOLDEN, has_compose, &count);
    CU_ASSERT_TRUE(count >= 5);
    for (size_t i = 0; i < count; i++) {
        bool ok = check_case(names[i], update, how, &python_ran);
        if (!ok)
            fprintf(stderr, "  compose case %s FAILED\n", names[i]);
        CU_ASSERT_TRUE(ok);
        free(names[i]);
    }
    free(names);
    printf("\n  validated with: %s%s\n",
           how == VALIDATE_DOCKER_COMPOSE      ? "docker compose config, "
           : how == VALIDATE_DOCKER_COMPOSE_V1 ? "docker-compose config, "
                                               : "(no Docker Compose CLI) ",
           python_ran ? "check-compose.py" : "(no python3 with PyYAML: structure not checked)");
    /* Without either tool the golden comparison still holds the files to what was
     * reviewed; the structure must at least read as a compose file. */
    if (how == VALIDATE_NONE && !python_ran) {
        char *text = test_read_file(GOLDEN "/example-wordpress/compose/docker-compose.yml", NULL);
        CU_ASSERT_TRUE(text && strstr(text, "\nservices:\n  wp:\n    image: \"mysql:8.0\"\n"));
        free(text);
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "CODE LINE:COL MESSAGE", with FILE: before LINE when not in `path`. */
static char *describe(const sc_context *ctx, const sc_diagnostic *d, const char *path)
{
    sc_position pos = sc_diagnostic_position(ctx, d);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "%s ", sc_diagnostic_code(d));
    if (strcmp(pos.file, path) != 0)
        fprintf(out, "%s:", base_name(pos.file));
    fprintf(out, "%u:%u %s", pos.line, pos.column, sc_diagnostic_message(d));
    fclose(out);
    return text;
}

static void test_bad_inputs(void)
{
    size_t count = 0;
    char **names = list_dir(GOLDEN "/bad", is_stack_file, &count);
    CU_ASSERT_TRUE(count >= 5);
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/bad/%s", GOLDEN, names[i]);
        char *text = test_read_file(path, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        sc_context *ctx = compose(path, "/tmp", NULL);
        size_t expected = 0;
        bool same = true;
        const char *marker = "// expect: ";
        for (const char *at = strstr(text, marker); at; at = strstr(at, marker), expected++) {
            at += strlen(marker);
            size_t len = strcspn(at, "\n");
            char *got = expected < sc_diagnostic_count(ctx)
                            ? describe(ctx, sc_diagnostic_at(ctx, expected), path)
                            : NULL;
            if (!got || strlen(got) != len || strncmp(got, at, len) != 0) {
                fprintf(stderr, "\n%s: diagnostic %zu\n  expected: %.*s\n  got:      %s\n", path,
                        expected + 1, (int)len, at, got ? got : "(nothing)");
                same = false;
            }
            free(got);
        }
        if (expected == 0 || expected != sc_diagnostic_count(ctx)) {
            fprintf(stderr, "\n%s: %zu diagnostics expected, %zu given\n", path, expected,
                    sc_diagnostic_count(ctx));
            sc_render_human(ctx, stderr, false);
            same = false;
        }
        /* An error writes nothing; a warning still writes both files. */
        CU_ASSERT_EQUAL(sc_output_count(ctx), sc_error_count(ctx) ? 0 : 2);
        CU_ASSERT_TRUE(same);
        sc_context_free(ctx);
        free(text);
        free(names[i]);
    }
    free(names);
}

/* Values the user set in .env are kept; variables they added move to the end. */
static void test_previous_env_is_kept(void)
{
    const char *previous = "# mine\nWORDPRESS_WP_PASSWORD='my own'\nNETWORK_WEB_HTTP_PORT=8080\r\n"
                           "export COMPOSE_PROJECT_NAME=blog\n\nnot a line\n";
    sc_context *ctx = compose(ROOT "/examples/wordpress/site.stack",
                              GOLDEN "/example-wordpress/compose", previous);
    size_t len = 0;
    const char *env = output(ctx, ".env", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_PTR_NOT_NULL(strstr(env, "\nWORDPRESS_WP_PASSWORD='my own'\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(env, "\nNETWORK_WEB_HTTP_PORT=8080\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(env, "\nWORDPRESS_WP_USERNAME=admin\n"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(env, "not used by docker-compose.yml as written now\nCOMPOSE_PROJECT_NAME=blog\n"));
    CU_ASSERT_PTR_NULL(strstr(env, "not a line"));
    /* The compose file itself never depends on the old .env. */
    sc_context *fresh =
        compose(ROOT "/examples/wordpress/site.stack", GOLDEN "/example-wordpress/compose", NULL);
    size_t a_len = 0, b_len = 0;
    const char *a = output(ctx, "docker-compose.yml", &a_len),
               *b = output(fresh, "docker-compose.yml", &b_len);
    CU_ASSERT_TRUE(a && b && a_len == b_len && memcmp(a, b, a_len) == 0);
    sc_context_free(fresh);
    sc_context_free(ctx);
}

/* Without an output folder, build contexts are relative to the working directory. */
static void test_paths_relative_to_the_working_directory(void)
{
    char saved[4096];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(saved, sizeof(saved)));
    CU_ASSERT_EQUAL_FATAL(chdir(ROOT), 0);
    sc_context *ctx = compose("examples/wordpress/site.stack", NULL, NULL);
    const char *yml = output(ctx, "docker-compose.yml", NULL);
    CU_ASSERT_TRUE(yml && strstr(yml, "      context: \"examples/wordpress/src\"\n"));
    sc_context_free(ctx);
    ctx = compose("examples/wordpress/site.stack", "stackc.out/../../elsewhere/./deep", NULL);
    yml = output(ctx, "docker-compose.yml", NULL);
    /* stackc.out/../../elsewhere/deep is a sibling of the checkout, two levels down. */
    char want[4096];
    const char *repo = strrchr(ROOT, '/');
    snprintf(want, sizeof(want), "      context: \"../../%s/examples/wordpress/src\"\n", repo + 1);
    CU_ASSERT_TRUE(yml && strstr(yml, want));
    sc_context_free(ctx);
    CU_ASSERT_EQUAL(chdir(saved), 0);
}

typedef struct run_result {
    int status;
    char *out;
} run_result;

static run_result run(const char *args)
{
    char command[8192];
    snprintf(command, sizeof(command), "cd '%s' && STACKC_STDLIB='%s/stdlib' '%s' %s 2>&1", ROOT,
             ROOT, STACKC_BINARY, args);
    run_result r = {0};
    FILE *p = popen(command, "r");
    size_t cap = 1 << 16, len = 0, n;
    r.out = calloc(1, cap);
    while (p && (n = fread(r.out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    int status = p ? pclose(p) : -1;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

static void test_command_line(void)
{
    char dir[] = "/tmp/stackc-compose-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char args[4096], path[4096];
    snprintf(args, sizeof(args), "build examples/wordpress/site.stack --target compose -o %s", dir);
    run_result r = run(args);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "wrote 2 files"));
    free(r.out);
    snprintf(path, sizeof(path), "%s/docker-compose.yml", dir);
    char *yml = test_read_file(path, NULL);
    CU_ASSERT_TRUE(yml && strstr(yml, "network_mode: \"service:wordpress-php\""));
    free(yml);
    /* The user edits .env; a rebuild keeps the edit. */
    snprintf(path, sizeof(path), "%s/.env", dir);
    char *env = test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    char *port = strstr(env, "NETWORK_WEB_HTTP_PORT=80\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(port);
    memcpy(port, "NETWORK_WEB_HTTP_PORT=81\n", 25);
    CU_ASSERT_EQUAL(test_write_file(path, env, strlen(env)), 0);
    free(env);
    r = run(args);
    CU_ASSERT_EQUAL(r.status, 0);
    free(r.out);
    env = test_read_file(path, NULL);
    CU_ASSERT_TRUE(env && strstr(env, "NETWORK_WEB_HTTP_PORT=81\n"));
    free(env);
    /* A program whose container reads what has no local equivalent writes nothing. */
    snprintf(args, sizeof(args), "build tests/good/user-component.stack --target compose -o %s/bad",
             dir);
    r = run(args);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.out, "error[E0320]: `SESSIONS` in container `app` of service `web` reads "
                      "`sessions.endpoint`, but cache `sessions` has no local equivalent"));
    snprintf(path, sizeof(path), "%s/bad", dir);
    CU_ASSERT_FALSE(exists(path));
    free(r.out);
    r = run("build examples/wordpress/site.stack --target kubernetes");
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "unknown --target kubernetes"));
    free(r.out);
    r = run("build examples/wordpress/site.stack --target compose --stack Network");
    CU_ASSERT_EQUAL(r.status, 2);
    free(r.out);
    snprintf(args, sizeof(args), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(args), 0);
}

int main(void)
{
    static const test_case cases[] = {
        {"golden compose files are byte-identical, deterministic and valid", test_golden_compose},
        {"what has no local equivalent is a clear error", test_bad_inputs},
        {"values set in an earlier .env are kept", test_previous_env_is_kept},
        {"build contexts are relative to the output folder",
         test_paths_relative_to_the_working_directory},
        {"build --target compose", test_command_line},
        {NULL, NULL},
    };
    return test_main("compose", cases);
}
