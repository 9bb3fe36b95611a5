/* A minimal LSP client for the tests: runs `stackc lsp` as a child process and talks to it
 * over its real standard input and output, with Content-Length framing. */
#ifndef STACKC_TEST_LSP_CLIENT_H
#define STACKC_TEST_LSP_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct lsp_client {
    pid_t pid;
    int to_server;   /* the server's standard input */
    int from_server; /* the server's standard output */
    char *buffer;
    size_t len, capacity;
    int next_id;
    cJSON *pending; /* notifications read while waiting for a response, in order */
} lsp_client;

/* Starts the server from the repository root with STACKC_STDLIB set; its log goes to
 * `log_path` (NULL: /dev/null). */
bool lsp_start(lsp_client *client, const char *log_path);
/* Sends `initialize` and `initialized`; returns the initialize result (caller deletes). */
cJSON *lsp_initialize(lsp_client *client);
/* Writes raw bytes, framing and all. */
void lsp_send_raw(lsp_client *client, const char *bytes, size_t len);
/* Sends a JSON message (frames it). */
void lsp_send(lsp_client *client, const cJSON *message);
void lsp_notify(lsp_client *client, const char *method, cJSON *params);
/* Sends a request and returns the whole response (caller deletes); notifications that
 * arrive first are kept for lsp_wait_notification. NULL on timeout or end of stream. */
cJSON *lsp_request(lsp_client *client, const char *method, cJSON *params);
/* The next message, whatever it is; NULL after `timeout_ms` without one. */
cJSON *lsp_read(lsp_client *client, int timeout_ms);
/* The next notification of `method` (pending ones first); NULL on timeout. */
cJSON *lsp_wait_notification(lsp_client *client, const char *method);
/* Closes the server's input and returns its exit status (-1 if it did not exit). */
int lsp_stop(lsp_client *client);

/* Params helpers. */
cJSON *lsp_text_document(const char *uri);
cJSON *lsp_position_params(const char *uri, int line, int character);
void lsp_open(lsp_client *client, const char *uri, const char *text);
/* Replaces [l0:c0, l1:c1) with `text` at `version`. */
void lsp_change(lsp_client *client, const char *uri, int version, int l0, int c0, int l1, int c1,
                const char *text);

/* Dotted paths into JSON: "result.contents.value", "items.0.label". */
const cJSON *lsp_get(const cJSON *json, const char *path);
const char *lsp_string(const cJSON *json, const char *path);
int lsp_int(const cJSON *json, const char *path);
/* "L0:C0-L1:C1" of a range at `path`, for compact exact comparisons. */
const char *lsp_range(const cJSON *json, const char *path);

#endif
