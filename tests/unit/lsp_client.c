/* A minimal LSP client for the tests (lsp_client.h). */
#include "lsp_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { TIMEOUT_MS = 60000 };

bool lsp_start(lsp_client *client, const char *log_path)
{
    memset(client, 0, sizeof(*client));
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return false;
    signal(SIGPIPE, SIG_IGN);
    setenv("STACKC_STDLIB", STACKC_REPO_ROOT "/stdlib", 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path ? log_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    char *argv[] = {STACKC_BINARY, "lsp", NULL};
    int spawned = posix_spawn(&client->pid, STACKC_BINARY, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    client->to_server = in[1];
    client->from_server = out[0];
    client->next_id = 1;
    client->pending = cJSON_CreateArray();
    return spawned == 0;
}

void lsp_send_raw(lsp_client *client, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(client->to_server, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        bytes += n;
        len -= (size_t)n;
    }
}

void lsp_send(lsp_client *client, const cJSON *message)
{
    char *body = cJSON_PrintUnformatted(message);
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", strlen(body));
    lsp_send_raw(client, header, (size_t)n);
    lsp_send_raw(client, body, strlen(body));
    cJSON_free(body);
}

void lsp_notify(lsp_client *client, const char *method, cJSON *params)
{
    cJSON *message = cJSON_CreateObject();
    cJSON_AddStringToObject(message, "jsonrpc", "2.0");
    cJSON_AddStringToObject(message, "method", method);
    cJSON_AddItemToObject(message, "params", params ? params : cJSON_CreateObject());
    lsp_send(client, message);
    cJSON_Delete(message);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *find(const char *haystack, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(haystack + i, needle, n) == 0)
            return haystack + i;
    return NULL;
}

/* A whole message in the buffer: its body is taken out and parsed. */
static cJSON *take_message(lsp_client *client)
{
    const char *end = find(client->buffer, client->len, "\r\n\r\n");
    if (!end)
        return NULL;
    size_t header = (size_t)(end - client->buffer) + 4;
    const char *length = find(client->buffer, header, "Content-Length: ");
    size_t body = length ? strtoul(length + 16, NULL, 10) : 0;
    if (client->len < header + body)
        return NULL;
    cJSON *message = cJSON_ParseWithLength(client->buffer + header, body);
    memmove(client->buffer, client->buffer + header + body, client->len - header - body);
    client->len -= header + body;
    return message ? message : cJSON_CreateString("unparseable message");
}

cJSON *lsp_read(lsp_client *client, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        cJSON *message = take_message(client);
        if (message)
            return message;
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = client->from_server, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return NULL;
        if (client->capacity - client->len < 65536) {
            client->capacity = client->capacity ? client->capacity * 2 : 1 << 20;
            client->buffer = realloc(client->buffer, client->capacity);
        }
        ssize_t n =
            read(client->from_server, client->buffer + client->len, client->capacity - client->len);
        if (n <= 0)
            return NULL;
        client->len += (size_t)n;
    }
}

cJSON *lsp_request(lsp_client *client, const char *method, cJSON *params)
{
    int id = client->next_id++;
    cJSON *message = cJSON_CreateObject();
    cJSON_AddStringToObject(message, "jsonrpc", "2.0");
    cJSON_AddNumberToObject(message, "id", id);
    cJSON_AddStringToObject(message, "method", method);
    cJSON_AddItemToObject(message, "params", params ? params : cJSON_CreateObject());
    lsp_send(client, message);
    cJSON_Delete(message);
    for (;;) {
        cJSON *reply = lsp_read(client, TIMEOUT_MS);
        if (!reply)
            return NULL;
        const cJSON *reply_id = cJSON_GetObjectItemCaseSensitive(reply, "id");
        if (cJSON_IsNumber(reply_id) && reply_id->valueint == id)
            return reply;
        cJSON_AddItemToArray(client->pending, reply);
    }
}

cJSON *lsp_wait_notification(lsp_client *client, const char *method)
{
    for (int i = 0; i < cJSON_GetArraySize(client->pending); i++) {
        const cJSON *m = cJSON_GetArrayItem(client->pending, i);
        const char *name = lsp_string(m, "method");
        if (name && strcmp(name, method) == 0)
            return cJSON_DetachItemFromArray(client->pending, i);
    }
    for (;;) {
        cJSON *message = lsp_read(client, TIMEOUT_MS);
        if (!message)
            return NULL;
        const char *name = lsp_string(message, "method");
        if (name && strcmp(name, method) == 0)
            return message;
        cJSON_AddItemToArray(client->pending, message);
    }
}

cJSON *lsp_initialize(lsp_client *client)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddNullToObject(params, "processId");
    cJSON_AddObjectToObject(params, "capabilities");
    cJSON *reply = lsp_request(client, "initialize", params);
    lsp_notify(client, "initialized", NULL);
    return reply;
}

int lsp_stop(lsp_client *client)
{
    close(client->to_server);
    int status = -1;
    for (int waited = 0; waited < TIMEOUT_MS; waited += 10) {
        pid_t done = waitpid(client->pid, &status, WNOHANG);
        if (done == client->pid)
            break;
        usleep(10000);
        status = -1;
    }
    if (status == -1) {
        kill(client->pid, SIGKILL);
        waitpid(client->pid, NULL, 0);
    }
    close(client->from_server);
    free(client->buffer);
    cJSON_Delete(client->pending);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

cJSON *lsp_text_document(const char *uri)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *doc = cJSON_AddObjectToObject(params, "textDocument");
    cJSON_AddStringToObject(doc, "uri", uri);
    return params;
}

static cJSON *position(int line, int character)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "line", line);
    cJSON_AddNumberToObject(p, "character", character);
    return p;
}

cJSON *lsp_position_params(const char *uri, int line, int character)
{
    cJSON *params = lsp_text_document(uri);
    cJSON_AddItemToObject(params, "position", position(line, character));
    return params;
}

void lsp_open(lsp_client *client, const char *uri, const char *text)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *doc = cJSON_AddObjectToObject(params, "textDocument");
    cJSON_AddStringToObject(doc, "uri", uri);
    cJSON_AddStringToObject(doc, "languageId", "stack");
    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON_AddStringToObject(doc, "text", text);
    lsp_notify(client, "textDocument/didOpen", params);
}

void lsp_change(lsp_client *client, const char *uri, int version, int l0, int c0, int l1, int c1,
                const char *text)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *doc = cJSON_AddObjectToObject(params, "textDocument");
    cJSON_AddStringToObject(doc, "uri", uri);
    cJSON_AddNumberToObject(doc, "version", version);
    cJSON *changes = cJSON_AddArrayToObject(params, "contentChanges");
    cJSON *change = cJSON_CreateObject();
    if (l0 >= 0) {
        cJSON *range = cJSON_AddObjectToObject(change, "range");
        cJSON_AddItemToObject(range, "start", position(l0, c0));
        cJSON_AddItemToObject(range, "end", position(l1, c1));
    }
    cJSON_AddStringToObject(change, "text", text);
    cJSON_AddItemToArray(changes, change);
    lsp_notify(client, "textDocument/didChange", params);
}

const cJSON *lsp_get(const cJSON *json, const char *path)
{
    char part[128];
    while (json && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        if (cJSON_IsArray(json))
            json = cJSON_GetArrayItem(json, atoi(part));
        else
            json = cJSON_GetObjectItemCaseSensitive(json, part);
        path += n + (path[n] == '.');
    }
    return json;
}

const char *lsp_string(const cJSON *json, const char *path)
{
    const cJSON *item = lsp_get(json, path);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

int lsp_int(const cJSON *json, const char *path)
{
    const cJSON *item = lsp_get(json, path);
    return cJSON_IsNumber(item) ? item->valueint : -1;
}

const char *lsp_range(const cJSON *json, const char *path)
{
    static char text[4][64];
    static int next;
    const cJSON *range = lsp_get(json, path);
    char *out = text[next++ % 4];
    snprintf(out, 64, "%d:%d-%d:%d", lsp_int(range, "start.line"),
             lsp_int(range, "start.character"), lsp_int(range, "end.line"),
             lsp_int(range, "end.character"));
    return out;
}
