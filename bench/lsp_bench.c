/* Language server benchmark: `stackc lsp` as an editor sees it. A client on real pipes
 * opens the WordPress example, then types into it: each change is one incremental
 * didChange, and the time counted runs from writing it to reading the diagnostics the
 * server publishes for it (the check, the diagnostics' JSON and two pipe crossings).
 * Hover and completion are timed the same way, and so is a change to a 1.5 MB document.
 * Figures only; nothing is asserted. Usage: lsp_bench STACKC_BINARY (STACKC_STDLIB set). */
#include <cjson/cJSON.h>

#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct server {
    pid_t pid;
    int in, out;
    char *buffer;
    size_t len, capacity;
    int next_id;
} server;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void send_json(server *s, cJSON *message)
{
    char *body = cJSON_PrintUnformatted(message);
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", strlen(body));
    if (write(s->in, header, (size_t)n) != n ||
        write(s->in, body, strlen(body)) != (ssize_t)strlen(body))
        fprintf(stderr, "lsp_bench: the server stopped reading\n");
    cJSON_free(body);
    cJSON_Delete(message);
}

/* The next message from the server, parsed; NULL when it is gone. */
static cJSON *receive(server *s)
{
    for (;;) {
        char *end = NULL;
        for (size_t i = 0; i + 3 < s->len && !end; i++)
            if (memcmp(s->buffer + i, "\r\n\r\n", 4) == 0)
                end = s->buffer + i;
        if (end) {
            size_t header = (size_t)(end - s->buffer) + 4;
            size_t body = strtoul(s->buffer + 16, NULL, 10);
            if (s->len >= header + body) {
                cJSON *message = cJSON_ParseWithLength(s->buffer + header, body);
                memmove(s->buffer, s->buffer + header + body, s->len - header - body);
                s->len -= header + body;
                return message;
            }
        }
        if (s->capacity - s->len < 65536) {
            s->capacity = s->capacity ? s->capacity * 2 : 1 << 20;
            s->buffer = realloc(s->buffer, s->capacity);
        }
        ssize_t n = read(s->out, s->buffer + s->len, s->capacity - s->len);
        if (n <= 0)
            return NULL;
        s->len += (size_t)n;
    }
}

static cJSON *message(const char *method, cJSON *params, int id)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    if (id)
        cJSON_AddNumberToObject(m, "id", id);
    cJSON_AddStringToObject(m, "method", method);
    cJSON_AddItemToObject(m, "params", params);
    return m;
}

/* Waits for the response to `id`, or for a message with `method`. */
static void wait_for(server *s, int id, const char *method)
{
    for (cJSON *m; (m = receive(s)) != NULL; cJSON_Delete(m)) {
        const cJSON *got_id = cJSON_GetObjectItem(m, "id");
        const cJSON *got = cJSON_GetObjectItem(m, "method");
        if ((id && cJSON_IsNumber(got_id) && got_id->valueint == id) ||
            (method && cJSON_IsString(got) && strcmp(got->valuestring, method) == 0)) {
            cJSON_Delete(m);
            return;
        }
    }
}

static bool start(server *s, const char *binary)
{
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0)
        return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from[1], 1);
    posix_spawn_file_actions_addclose(&actions, to[1]);
    posix_spawn_file_actions_addclose(&actions, from[0]);
    char *argv[] = {(char *)binary, "lsp", NULL};
    int failed = posix_spawn(&s->pid, binary, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to[0]);
    close(from[1]);
    s->in = to[1];
    s->out = from[0];
    s->next_id = 1;
    if (failed)
        return false;
    cJSON *params = cJSON_CreateObject();
    cJSON_AddObjectToObject(params, "capabilities");
    send_json(s, message("initialize", params, s->next_id));
    wait_for(s, s->next_id++, NULL);
    send_json(s, message("initialized", cJSON_CreateObject(), 0));
    return true;
}

static void stop(server *s)
{
    send_json(s, message("shutdown", cJSON_CreateObject(), s->next_id));
    wait_for(s, s->next_id++, NULL);
    send_json(s, message("exit", cJSON_CreateObject(), 0));
    close(s->in);
    close(s->out);
    waitpid(s->pid, NULL, 0);
    free(s->buffer);
}

static cJSON *document(const char *uri)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(cJSON_AddObjectToObject(params, "textDocument"), "uri", uri);
    return params;
}

static cJSON *position(int line, int character)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "line", line);
    cJSON_AddNumberToObject(p, "character", character);
    return p;
}

static void open_document(server *s, const char *uri, const char *text)
{
    cJSON *params = document(uri);
    cJSON *doc = cJSON_GetObjectItem(params, "textDocument");
    cJSON_AddStringToObject(doc, "languageId", "stack");
    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON_AddStringToObject(doc, "text", text);
    send_json(s, message("textDocument/didOpen", params, 0));
    wait_for(s, 0, "textDocument/publishDiagnostics");
}

/* One keystroke at (line, character): a letter typed (odd rounds) or taken out again. */
static double change(server *s, const char *uri, int version, int line, int character)
{
    cJSON *params = document(uri);
    cJSON_AddNumberToObject(cJSON_GetObjectItem(params, "textDocument"), "version", version);
    cJSON *edit = cJSON_CreateObject();
    cJSON *range = cJSON_AddObjectToObject(edit, "range");
    cJSON_AddItemToObject(range, "start", position(line, character));
    cJSON_AddItemToObject(range, "end", position(line, character + (version % 2 ? 1 : 0)));
    cJSON_AddStringToObject(edit, "text", version % 2 ? "" : "x");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(params, "contentChanges"), edit);
    double t0 = now_ms();
    send_json(s, message("textDocument/didChange", params, 0));
    wait_for(s, 0, "textDocument/publishDiagnostics");
    return now_ms() - t0;
}

static double request(server *s, const char *method, const char *uri, int line, int character)
{
    cJSON *params = document(uri);
    cJSON_AddItemToObject(params, "position", position(line, character));
    int id = s->next_id++;
    double t0 = now_ms();
    send_json(s, message(method, params, id));
    wait_for(s, id, NULL);
    return now_ms() - t0;
}

static void report(const char *label, double *times, int count)
{
    qsort(times, (size_t)count, sizeof(double), compare_doubles);
    printf("%-44s %8.2f %8.2f %8.2f %8.2f\n", label, times[0], times[count / 2],
           times[count * 95 / 100], times[count - 1]);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc(1, (size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

enum { ROUNDS = 400, BIG_ROUNDS = 20, BIG_LETS = 60000 };

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lsp_bench STACKC_BINARY\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char path[4096], uri[4200];
    if (!realpath("examples/wordpress/site.stack", path)) {
        fprintf(stderr, "lsp_bench: run from the repository root\n");
        return 2;
    }
    snprintf(uri, sizeof(uri), "file://%s", path);
    char *site = read_file(path);
    server s = {0};
    if (!site || !start(&s, argv[1])) {
        fprintf(stderr, "lsp_bench: cannot start %s\n", argv[1]);
        return 1;
    }
    open_document(&s, uri, site);
    static double times[ROUNDS];
    printf("%-44s %8s %8s %8s %8s\n", "round trip, ms (WordPress example)", "min", "median", "p95",
           "max");
    /* Line 34 (0-based 33) is `  cluster compute { ... }`: type into `compute`. */
    for (int i = 0; i < ROUNDS; i++)
        times[i] = change(&s, uri, i + 2, 33, 12);
    report("didChange -> publishDiagnostics", times, ROUNDS);
    for (int i = 0; i < ROUNDS; i++)
        times[i] = request(&s, "textDocument/hover", uri, 18, 6);
    report("hover (an input of database)", times, ROUNDS);
    for (int i = 0; i < ROUNDS; i++)
        times[i] = request(&s, "textDocument/completion", uri, 45, 45);
    report("completion (after `wp.endpoint.`)", times, ROUNDS);
    for (int i = 0; i < ROUNDS; i++)
        times[i] = request(&s, "textDocument/definition", uri, 17, 4);
    report("definition (into the standard library)", times, ROUNDS);

    size_t cap = (size_t)BIG_LETS * 48 + 64, used = 0;
    char *big = malloc(cap);
    used += (size_t)snprintf(big + used, cap - used, "stack Big {\n");
    for (int i = 0; i < BIG_LETS; i++)
        used += (size_t)snprintf(big + used, cap - used, "  let value_%05d = %d\n", i, i);
    snprintf(big + used, cap - used, "}\n");
    const char *big_uri = "file:///tmp/stackc-lsp-bench-big.stack";
    open_document(&s, big_uri, big);
    for (int i = 0; i < BIG_ROUNDS; i++)
        times[i] = change(&s, big_uri, i + 2, BIG_LETS, 8);
    char label[64];
    snprintf(label, sizeof(label), "didChange, %zu KB document", used / 1000);
    report(label, times, BIG_ROUNDS);
    stop(&s);
    free(big);
    free(site);
    return 0;
}
