/* `stackc lsp`: a Language Server Protocol 3.17 server over standard input and output.
 * sc_lsp_serve reads Content-Length framed JSON-RPC messages (transport.c), keeps the
 * open documents' text (documents.c), and checks each version of a document in a fresh
 * libstackc context that starts from the standard library checked once at start-up
 * (sc_stdlib), so a keystroke costs the document alone and the previous version's
 * memory goes with it. Diagnostics are published after every open and change; hover,
 * definition, references, completion, document symbols and code actions are answered
 * from the checked program through the query API (include/stackc/query.h, methods.c),
 * formatting through sc_format_buffer. Malformed input is answered with a JSON-RPC
 * error, never a crash or an exit: only `exit` or the end of input ends the loop. */
#include "lsp/methods.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
    ERROR_PARSE = -32700,
    ERROR_INVALID_REQUEST = -32600,
    ERROR_METHOD_NOT_FOUND = -32601,
    ERROR_NOT_INITIALIZED = -32002,
};

void sc_lsp_log(sc_lsp_server *server, const char *fmt, ...)
{
    if (!server->log)
        return;
    va_list args;
    va_start(args, fmt);
    fputs("stackc lsp: ", server->log);
    vfprintf(server->log, fmt, args);
    fputc('\n', server->log);
    fflush(server->log);
    va_end(args);
}

void sc_lsp_respond(sc_lsp_server *server, const cJSON *id, cJSON *result)
{
    cJSON *message = cJSON_CreateObject();
    cJSON_AddStringToObject(message, "jsonrpc", "2.0");
    cJSON_AddItemToObject(message, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
    cJSON_AddItemToObject(message, "result", result ? result : cJSON_CreateNull());
    sc_lsp_write(server->out, message);
    cJSON_Delete(message);
}

void sc_lsp_respond_error(sc_lsp_server *server, const cJSON *id, int code, const char *message)
{
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
    cJSON *error = cJSON_AddObjectToObject(reply, "error");
    cJSON_AddNumberToObject(error, "code", code);
    cJSON_AddStringToObject(error, "message", message);
    sc_lsp_write(server->out, reply);
    cJSON_Delete(reply);
}

void sc_lsp_notify(sc_lsp_server *server, const char *method, cJSON *params)
{
    cJSON *message = cJSON_CreateObject();
    cJSON_AddStringToObject(message, "jsonrpc", "2.0");
    cJSON_AddStringToObject(message, "method", method);
    cJSON_AddItemToObject(message, "params", params);
    sc_lsp_write(server->out, message);
    cJSON_Delete(message);
}

/* An id is a number or a string; anything else makes the message invalid. */
static bool valid_id(const cJSON *id)
{
    return id && (cJSON_IsNumber(id) || cJSON_IsString(id));
}

static cJSON *initialize_result(sc_lsp_server *server)
{
    cJSON *result = cJSON_CreateObject();
    cJSON *caps = cJSON_AddObjectToObject(result, "capabilities");
    cJSON_AddStringToObject(caps, "positionEncoding", "utf-16");
    cJSON *sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
    cJSON_AddTrueToObject(sync, "openClose");
    cJSON_AddNumberToObject(sync, "change", 2); /* incremental */
    cJSON_AddTrueToObject(caps, "hoverProvider");
    cJSON_AddTrueToObject(caps, "definitionProvider");
    cJSON_AddTrueToObject(caps, "referencesProvider");
    cJSON_AddTrueToObject(caps, "documentSymbolProvider");
    cJSON_AddTrueToObject(caps, "documentFormattingProvider");
    cJSON *completion = cJSON_AddObjectToObject(caps, "completionProvider");
    cJSON *triggers = cJSON_AddArrayToObject(completion, "triggerCharacters");
    cJSON_AddItemToArray(triggers, cJSON_CreateString("."));
    cJSON_AddItemToArray(triggers, cJSON_CreateString("\""));
    cJSON *actions = cJSON_AddObjectToObject(caps, "codeActionProvider");
    cJSON *kinds = cJSON_AddArrayToObject(actions, "codeActionKinds");
    cJSON_AddItemToArray(kinds, cJSON_CreateString("quickfix"));
    cJSON *info = cJSON_AddObjectToObject(result, "serverInfo");
    cJSON_AddStringToObject(info, "name", "stackc");
    cJSON_AddStringToObject(info, "version", server->version ? server->version : "");
    return result;
}

/* Lifecycle messages; returns false when `method` is not one of them. */
static bool lifecycle(sc_lsp_server *server, const char *method, const cJSON *id)
{
    if (strcmp(method, "initialize") == 0) {
        if (!id)
            return true;
        if (server->initialized) {
            sc_lsp_respond_error(server, id, ERROR_INVALID_REQUEST,
                                 "initialize was already received");
            return true;
        }
        server->initialized = true;
        sc_lsp_respond(server, id, initialize_result(server));
        return true;
    }
    if (strcmp(method, "shutdown") == 0) {
        server->shutdown = true;
        if (id)
            sc_lsp_respond(server, id, NULL);
        return true;
    }
    if (strcmp(method, "exit") == 0) {
        server->exiting = true;
        return true;
    }
    return false;
}

static void dispatch(sc_lsp_server *server, const cJSON *message)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(message, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(message, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(message, "params");
    if (id && !valid_id(id)) {
        sc_lsp_respond_error(server, NULL, ERROR_INVALID_REQUEST,
                             "an id must be a number or a string");
        return;
    }
    if (!cJSON_IsString(method)) {
        if (id && !cJSON_GetObjectItemCaseSensitive(message, "result") &&
            !cJSON_GetObjectItemCaseSensitive(message, "error"))
            sc_lsp_respond_error(server, id, ERROR_INVALID_REQUEST, "a request needs a method");
        return; /* a response to a request the server never sent, or noise */
    }
    const char *name = method->valuestring;
    if (lifecycle(server, name, id))
        return;
    if (!server->initialized) {
        if (id)
            sc_lsp_respond_error(server, id, ERROR_NOT_INITIALIZED, "initialize comes first");
        return;
    }
    if (server->shutdown) {
        if (id)
            sc_lsp_respond_error(server, id, ERROR_INVALID_REQUEST, "the server is shutting down");
        return;
    }
    if (sc_lsp_handle(server, name, id, params))
        return;
    /* Unknown notifications ($/cancelRequest, $/setTrace, workspace changes) are ignored. */
    if (id) {
        char text[256];
        snprintf(text, sizeof(text), "unknown method %.200s", name);
        sc_lsp_respond_error(server, id, ERROR_METHOD_NOT_FOUND, text);
    }
}

static void receive(sc_lsp_server *server, const char *body, size_t len)
{
    cJSON *message = cJSON_ParseWithLength(body, len);
    if (!message) {
        sc_lsp_respond_error(server, NULL, ERROR_PARSE, "the message is not JSON");
        return;
    }
    if (!cJSON_IsObject(message)) {
        sc_lsp_respond_error(server, NULL, ERROR_INVALID_REQUEST,
                             cJSON_IsArray(message) ? "batches are not part of the protocol"
                                                    : "a message is a JSON object");
    } else {
        dispatch(server, message);
    }
    cJSON_Delete(message);
}

int sc_lsp_serve(int in, FILE *out, const sc_lsp_options *options)
{
    sc_lsp_server server = {.out = out, .log = options->log, .version = options->version};
    char resolved[PATH_MAX];
    const char *dir = options->stdlib_dir;
    server.stdlib_dir = strdup(dir && realpath(dir, resolved) ? resolved : dir ? dir : "stdlib");
    server.stdlib = sc_stdlib_new(server.stdlib_dir);
    if (!server.stdlib)
        sc_lsp_log(&server,
                   "the standard library in %s has problems: each document loads it itself",
                   server.stdlib_dir);
    sc_lsp_reader reader = {.fd = in};
    while (!server.exiting) {
        char *body = NULL;
        size_t len = 0;
        const char *error = NULL;
        sc_lsp_read_status status = sc_lsp_read(&reader, &body, &len, &error);
        if (status == LSP_READ_END)
            break;
        if (status == LSP_READ_BAD) {
            sc_lsp_log(&server, "%s", error);
            sc_lsp_respond_error(&server, NULL, ERROR_INVALID_REQUEST, error);
            continue;
        }
        receive(&server, body, len);
        free(body);
    }
    sc_lsp_reader_free(&reader);
    sc_lsp_close_all(&server);
    sc_stdlib_free(server.stdlib);
    free(server.stdlib_dir);
    return server.exiting && server.shutdown ? 0 : 1;
}
