/* The protocol's document notifications and language requests: each turns LSP
 * positions into byte offsets, asks the query API, and turns the answer back. */
#include "lsp/methods.h"

#include <stdlib.h>
#include <string.h>

enum { ERROR_INVALID_PARAMS = -32602, ERROR_REQUEST_FAILED = -32803 };

/* ---- documents ---------------------------------------------------------------------------- */

static sc_lsp_document *find_uri(sc_lsp_server *server, const char *uri)
{
    for (sc_lsp_document *d = server->documents; d; d = d->next)
        if (strcmp(d->uri, uri) == 0)
            return d;
    return NULL;
}

static sc_lsp_document *find_path(sc_lsp_server *server, const char *path)
{
    for (sc_lsp_document *d = server->documents; d; d = d->next)
        if (strcmp(d->path, path) == 0)
            return d;
    return NULL;
}

/* Imports read open documents as the editor has them, other files from disk. */
static char *read_file(void *user, const char *path, size_t *len)
{
    sc_lsp_document *open = find_path(user, path);
    if (open) {
        char *copy = malloc(open->len + 1);
        if (copy)
            memcpy(copy, open->text, open->len + 1);
        *len = open->len;
        return copy;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = sc_read_stream(f, (size_t)SC_MAX_SOURCE_BYTES + 1, len);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(data);
        return NULL;
    }
    return data;
}

/* A file of the standard library is checked as the library itself (with the editor's
 * text for it); any other document as a program's main file. */
static void check(sc_lsp_server *server, sc_lsp_document *doc)
{
    sc_analysis_free(doc->analysis);
    sc_context_free(doc->ctx);
    doc->analysis = NULL;
    doc->ctx = sc_context_new(NULL);
    if (!doc->ctx)
        return;
    if (doc->library || !server->stdlib || !sc_context_use_stdlib(doc->ctx, server->stdlib))
        sc_context_set_stdlib_dir(doc->ctx, server->stdlib_dir);
    sc_context_set_file_reader(doc->ctx, read_file, server);
    doc->analysis = doc->library ? sc_analyze_stdlib(doc->ctx)
                                 : sc_analyze_buffer(doc->ctx, doc->path, doc->text, doc->len);
}

static cJSON *position_json(unsigned line, unsigned character)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "line", line);
    cJSON_AddNumberToObject(p, "character", character);
    return p;
}

/* A range of the document's text, or of another file the document's program loaded. */
static cJSON *range_json(const sc_lsp_document *doc, sc_range range)
{
    const char *text = doc->text;
    size_t len = doc->len;
    const uint32_t *lines = doc->lines;
    if (range.file && strcmp(range.file, doc->path) != 0) {
        lines = NULL;
        text = sc_query_source_text(doc->ctx, range.file, &len);
    }
    unsigned l0 = 0, c0 = 0, l1 = 0, c1 = 0;
    if (text) {
        sc_lsp_position(text, len, lines, doc->line_count, range.start, &l0, &c0);
        sc_lsp_position(text, len, lines, doc->line_count, range.end, &l1, &c1);
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "start", position_json(l0, c0));
    cJSON_AddItemToObject(r, "end", position_json(l1, c1));
    return r;
}

static cJSON *location_json(sc_lsp_server *server, const sc_lsp_document *doc, sc_range range)
{
    cJSON *location = cJSON_CreateObject();
    const sc_lsp_document *open =
        strcmp(range.file, doc->path) == 0 ? doc : find_path(server, range.file);
    char *uri = open ? NULL : sc_lsp_path_to_uri(range.file);
    cJSON_AddStringToObject(location, "uri", open ? open->uri : uri ? uri : range.file);
    cJSON_AddItemToObject(location, "range", range_json(doc, range));
    free(uri);
    return location;
}

static bool in_document(const sc_lsp_document *doc, sc_range range)
{
    return range.file && strcmp(range.file, doc->path) == 0;
}

/* One diagnostic as the protocol has it. One placed in another file (an import) is
 * shown at the top of the document, naming where it is. */
static cJSON *diagnostic_json(sc_lsp_server *server, const sc_lsp_document *doc,
                              const sc_diagnostic *d)
{
    sc_range range = sc_query_diagnostic_range(doc->ctx, d);
    bool here = in_document(doc, range);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "range", range_json(doc, here ? range : (sc_range){0}));
    sc_severity severity = sc_diagnostic_severity(d);
    cJSON_AddNumberToObject(out, "severity",
                            severity == SC_SEVERITY_ERROR     ? 1
                            : severity == SC_SEVERITY_WARNING ? 2
                                                              : 3);
    cJSON_AddStringToObject(out, "code", sc_diagnostic_code(d));
    cJSON_AddStringToObject(out, "source", "stackc");
    char *message = NULL;
    size_t message_len = 0;
    FILE *text = open_memstream(&message, &message_len);
    if (!text)
        return out;
    if (!here && range.file) {
        sc_position at = sc_diagnostic_position(doc->ctx, d);
        fprintf(text, "%s:%u:%u: ", at.file, at.line, at.column);
    }
    fputs(sc_diagnostic_message(d), text);
    cJSON *related = cJSON_CreateArray();
    for (size_t i = 0; i < sc_diagnostic_note_count(d); i++) {
        sc_range note = sc_query_note_range(doc->ctx, d, i);
        if (!note.file) {
            fprintf(text, "\nnote: %s", sc_diagnostic_note_message(d, i));
            continue;
        }
        cJSON *info = cJSON_CreateObject();
        cJSON_AddItemToObject(info, "location", location_json(server, doc, note));
        cJSON_AddStringToObject(info, "message", sc_diagnostic_note_message(d, i));
        cJSON_AddItemToArray(related, info);
    }
    if (sc_diagnostic_help(d))
        fprintf(text, "\nhelp: %s", sc_diagnostic_help(d));
    fclose(text);
    cJSON_AddStringToObject(out, "message", message);
    free(message);
    if (cJSON_GetArraySize(related) > 0)
        cJSON_AddItemToObject(out, "relatedInformation", related);
    else
        cJSON_Delete(related);
    return out;
}

static void publish(sc_lsp_server *server, const sc_lsp_document *doc)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "uri", doc->uri);
    cJSON_AddNumberToObject(params, "version", doc->version);
    cJSON *list = cJSON_AddArrayToObject(params, "diagnostics");
    for (size_t i = 0; doc->ctx && i < sc_diagnostic_count(doc->ctx); i++) {
        const sc_diagnostic *d = sc_diagnostic_at(doc->ctx, i);
        sc_range range = sc_query_diagnostic_range(doc->ctx, d);
        /* A library file checked as the library: only its own diagnostics are its. */
        if (doc->library && !in_document(doc, range))
            continue;
        cJSON_AddItemToArray(list, diagnostic_json(server, doc, d));
    }
    sc_lsp_notify(server, "textDocument/publishDiagnostics", params);
}

/* Other open documents that load `changed` are checked again with its new text. */
static void check_dependents(sc_lsp_server *server, const sc_lsp_document *changed)
{
    for (sc_lsp_document *d = server->documents; d; d = d->next) {
        if (d == changed || d->library || !d->ctx ||
            !sc_query_source_text(d->ctx, changed->path, NULL))
            continue;
        check(server, d);
        publish(server, d);
    }
}

static bool under_stdlib(const sc_lsp_server *server, const char *path)
{
    size_t n = strlen(server->stdlib_dir);
    return strncmp(path, server->stdlib_dir, n) == 0 && path[n] == '/' &&
           !strchr(path + n + 1, '/');
}

static const char *string_at(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static const char *document_uri(const cJSON *params)
{
    return string_at(cJSON_GetObjectItemCaseSensitive(params, "textDocument"), "uri");
}

static int version_of(const cJSON *params)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(params, "textDocument"), "version");
    return cJSON_IsNumber(version) ? version->valueint : 0;
}

static void did_open(sc_lsp_server *server, const cJSON *params)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    const char *uri = string_at(item, "uri"), *text = string_at(item, "text");
    if (!uri || !text) {
        sc_lsp_log(server, "didOpen without a uri and text");
        return;
    }
    sc_lsp_document *doc = find_uri(server, uri);
    if (!doc) {
        doc = calloc(1, sizeof(*doc));
        if (!doc || !(doc->uri = strdup(uri)) || !(doc->path = sc_lsp_uri_to_path(uri))) {
            sc_lsp_document_free(doc);
            return;
        }
        doc->library = under_stdlib(server, doc->path);
        doc->next = server->documents;
        server->documents = doc;
    }
    doc->version = version_of(params);
    if (!sc_lsp_document_edit(doc, 0, 0, text, strlen(text), true))
        sc_lsp_log(server, "out of memory opening %s", uri);
    check(server, doc);
    publish(server, doc);
    check_dependents(server, doc);
}

static uint32_t offset_of(const sc_lsp_document *doc, const cJSON *position)
{
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(position, "line");
    const cJSON *character = cJSON_GetObjectItemCaseSensitive(position, "character");
    double l = cJSON_IsNumber(line) ? line->valuedouble : 0;
    double c = cJSON_IsNumber(character) ? character->valuedouble : 0;
    /* Negative or huge numbers are clamped like any position past the text. */
    unsigned ul = l < 0 ? 0 : l > 4e9 ? 4000000000u : (unsigned)l;
    unsigned uc = c < 0 ? 0 : c > 4e9 ? 4000000000u : (unsigned)c;
    return sc_lsp_offset(doc, ul, uc);
}

static void did_change(sc_lsp_server *server, const cJSON *params)
{
    const char *uri = document_uri(params);
    sc_lsp_document *doc = uri ? find_uri(server, uri) : NULL;
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(params, "contentChanges");
    if (!doc || !cJSON_IsArray(changes)) {
        sc_lsp_log(server, "didChange for a document that is not open: %s", uri ? uri : "(no uri)");
        return;
    }
    const cJSON *change;
    cJSON_ArrayForEach(change, changes)
    {
        const char *text = string_at(change, "text");
        const cJSON *range = cJSON_GetObjectItemCaseSensitive(change, "range");
        if (!text)
            continue;
        bool whole = !cJSON_IsObject(range);
        uint32_t start =
            whole ? 0 : offset_of(doc, cJSON_GetObjectItemCaseSensitive(range, "start"));
        uint32_t end = whole ? 0 : offset_of(doc, cJSON_GetObjectItemCaseSensitive(range, "end"));
        if (!sc_lsp_document_edit(doc, start < end ? start : end, start < end ? end : start, text,
                                  strlen(text), whole))
            sc_lsp_log(server, "out of memory editing %s", uri);
    }
    doc->version = version_of(params);
    check(server, doc);
    publish(server, doc);
    check_dependents(server, doc);
}

static void did_close(sc_lsp_server *server, const cJSON *params)
{
    const char *uri = document_uri(params);
    for (sc_lsp_document **link = &server->documents; uri && *link; link = &(*link)->next) {
        sc_lsp_document *doc = *link;
        if (strcmp(doc->uri, uri) != 0)
            continue;
        *link = doc->next;
        cJSON *cleared = cJSON_CreateObject();
        cJSON_AddStringToObject(cleared, "uri", uri);
        cJSON_AddArrayToObject(cleared, "diagnostics");
        sc_lsp_notify(server, "textDocument/publishDiagnostics", cleared);
        sc_lsp_document_free(doc);
        return;
    }
}

void sc_lsp_close_all(sc_lsp_server *server)
{
    while (server->documents) {
        sc_lsp_document *next = server->documents->next;
        sc_lsp_document_free(server->documents);
        server->documents = next;
    }
}

/* ---- requests ----------------------------------------------------------------------------- */

/* The document a request names, answering the error itself when there is none. */
static sc_lsp_document *request_document(sc_lsp_server *server, const cJSON *id,
                                         const cJSON *params)
{
    const char *uri = document_uri(params);
    sc_lsp_document *doc = uri ? find_uri(server, uri) : NULL;
    if (!uri) {
        sc_lsp_respond_error(server, id, ERROR_INVALID_PARAMS,
                             "params.textDocument.uri is missing");
        return NULL;
    }
    if (!doc) {
        char text[512];
        snprintf(text, sizeof(text), "%.400s is not open", uri);
        sc_lsp_respond_error(server, id, ERROR_INVALID_PARAMS, text);
        return NULL;
    }
    if (!doc->analysis) {
        sc_lsp_respond(server, id, NULL); /* checking it ran out of memory */
        return NULL;
    }
    return doc;
}

static bool position_param(sc_lsp_server *server, const cJSON *id, const cJSON *params,
                           const sc_lsp_document *doc, uint32_t *offset)
{
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(params, "position");
    if (!cJSON_IsObject(position)) {
        sc_lsp_respond_error(server, id, ERROR_INVALID_PARAMS, "params.position is missing");
        return false;
    }
    *offset = offset_of(doc, position);
    return true;
}

static void hover(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    uint32_t offset;
    if (!doc || !position_param(server, id, params, doc, &offset))
        return;
    sc_range range;
    const char *text = sc_query_hover(doc->analysis, doc->path, offset, &range);
    if (!text) {
        sc_lsp_respond(server, id, NULL);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    cJSON *contents = cJSON_AddObjectToObject(result, "contents");
    cJSON_AddStringToObject(contents, "kind", "markdown");
    cJSON_AddStringToObject(contents, "value", text);
    cJSON_AddItemToObject(result, "range", range_json(doc, range));
    sc_lsp_respond(server, id, result);
}

static void definition(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    uint32_t offset;
    if (!doc || !position_param(server, id, params, doc, &offset))
        return;
    sc_range range;
    if (!sc_query_definition(doc->analysis, doc->path, offset, &range)) {
        sc_lsp_respond(server, id, NULL);
        return;
    }
    sc_lsp_respond(server, id, location_json(server, doc, range));
}

static void references(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    uint32_t offset;
    if (!doc || !position_param(server, id, params, doc, &offset))
        return;
    const cJSON *context = cJSON_GetObjectItemCaseSensitive(params, "context");
    bool declaration =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(context, "includeDeclaration"));
    const sc_range *ranges;
    size_t count = sc_query_references(doc->analysis, doc->path, offset, declaration, &ranges);
    cJSON *result = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(result, location_json(server, doc, ranges[i]));
    sc_lsp_respond(server, id, result);
}

static int completion_kind(sc_completion_kind kind)
{
    switch (kind) {
    case SC_COMPLETION_COMPONENT:
        return 7; /* Class */
    case SC_COMPLETION_INPUT:
    case SC_COMPLETION_ATTRIBUTE:
        return 10; /* Property */
    case SC_COMPLETION_FIELD:
        return 5; /* Field */
    case SC_COMPLETION_STACK:
        return 9; /* Module */
    case SC_COMPLETION_NAME:
        return 6; /* Variable */
    case SC_COMPLETION_VALUE:
        return 20; /* EnumMember */
    case SC_COMPLETION_FUNCTION:
        return 3; /* Function */
    case SC_COMPLETION_KEYWORD:
        return 14; /* Keyword */
    case SC_COMPLETION_TYPE:
        return 22; /* Struct */
    }
    return 1;
}

static void completion(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    uint32_t offset;
    if (!doc || !position_param(server, id, params, doc, &offset))
        return;
    const sc_completion *items;
    sc_range replace;
    size_t count = sc_query_completions(doc->analysis, doc->path, offset, &items, &replace);
    cJSON *result = cJSON_CreateObject();
    cJSON_AddFalseToObject(result, "isIncomplete");
    cJSON *list = cJSON_AddArrayToObject(result, "items");
    for (size_t i = 0; i < count; i++) {
        cJSON *item = cJSON_CreateObject();
        char order[24];
        snprintf(order, sizeof(order), "%04zu", i);
        cJSON_AddStringToObject(item, "label", items[i].label);
        cJSON_AddNumberToObject(item, "kind", completion_kind(items[i].kind));
        if (items[i].detail)
            cJSON_AddStringToObject(item, "detail", items[i].detail);
        if (items[i].documentation) {
            cJSON *doc_json = cJSON_AddObjectToObject(item, "documentation");
            cJSON_AddStringToObject(doc_json, "kind", "markdown");
            cJSON_AddStringToObject(doc_json, "value", items[i].documentation);
        }
        cJSON_AddStringToObject(item, "sortText", order);
        cJSON *edit = cJSON_AddObjectToObject(item, "textEdit");
        cJSON_AddItemToObject(edit, "range", range_json(doc, replace));
        cJSON_AddStringToObject(edit, "newText",
                                items[i].insert_text ? items[i].insert_text : items[i].label);
        cJSON_AddItemToArray(list, item);
    }
    sc_lsp_respond(server, id, result);
}

static int symbol_kind(sc_outline_kind kind)
{
    switch (kind) {
    case SC_OUTLINE_STACK:
        return 2; /* Module */
    case SC_OUTLINE_COMPONENT:
        return 5; /* Class */
    case SC_OUTLINE_TYPE:
        return 23; /* Struct */
    case SC_OUTLINE_INSTANCE:
        return 19; /* Object */
    case SC_OUTLINE_RESOURCE:
        return 19; /* Object */
    case SC_OUTLINE_LET:
        return 14; /* Constant */
    case SC_OUTLINE_PARAM:
        return 13; /* Variable */
    case SC_OUTLINE_OUTPUT:
        return 8; /* Field */
    case SC_OUTLINE_INPUT:
        return 7; /* Property */
    case SC_OUTLINE_ATTRIBUTE:
        return 8; /* Field */
    case SC_OUTLINE_TEST:
        return 12; /* Function */
    case SC_OUTLINE_IMPORT:
        return 1; /* File */
    }
    return 13;
}

static cJSON *symbols_json(const sc_lsp_document *doc, const sc_outline *entries, size_t count)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++) {
        const sc_outline *o = &entries[i];
        cJSON *symbol = cJSON_CreateObject();
        cJSON_AddStringToObject(symbol, "name", o->name);
        if (o->detail)
            cJSON_AddStringToObject(symbol, "detail", o->detail);
        cJSON_AddNumberToObject(symbol, "kind", symbol_kind(o->kind));
        cJSON_AddItemToObject(symbol, "range",
                              range_json(doc, (sc_range){doc->path, o->start, o->end}));
        cJSON_AddItemToObject(symbol, "selectionRange",
                              range_json(doc, (sc_range){doc->path, o->name_start, o->name_end}));
        if (o->child_count)
            cJSON_AddItemToObject(symbol, "children",
                                  symbols_json(doc, o->children, o->child_count));
        cJSON_AddItemToArray(list, symbol);
    }
    return list;
}

static void document_symbols(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    if (!doc)
        return;
    const sc_outline *entries;
    size_t count = sc_query_outline(doc->analysis, doc->path, &entries);
    sc_lsp_respond(server, id, symbols_json(doc, entries, count));
}

static void formatting(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    if (!doc)
        return;
    sc_context *ctx = sc_context_new(NULL);
    size_t len = 0;
    const char *formatted =
        ctx ? sc_format_buffer(ctx, doc->path, doc->text, doc->len, &len) : NULL;
    if (!formatted) {
        const sc_diagnostic *d = ctx && sc_diagnostic_count(ctx) ? sc_diagnostic_at(ctx, 0) : NULL;
        char text[512];
        sc_position at = d ? sc_diagnostic_position(ctx, d) : (sc_position){0};
        snprintf(text, sizeof(text), "cannot format: %u:%u: %.400s", at.line, at.column,
                 d ? sc_diagnostic_message(d) : "out of memory");
        sc_lsp_respond_error(server, id, ERROR_REQUEST_FAILED, text);
        sc_context_free(ctx);
        return;
    }
    cJSON *edits = cJSON_CreateArray();
    if (len != doc->len || memcmp(formatted, doc->text, len) != 0) {
        cJSON *edit = cJSON_CreateObject();
        cJSON_AddItemToObject(edit, "range",
                              range_json(doc, (sc_range){doc->path, 0, (uint32_t)doc->len}));
        cJSON_AddStringToObject(edit, "newText", formatted);
        cJSON_AddItemToArray(edits, edit);
    }
    sc_context_free(ctx);
    sc_lsp_respond(server, id, edits);
}

/* Quick fixes for the diagnostics that meet the requested range. */
static void code_action(sc_lsp_server *server, const cJSON *id, const cJSON *params)
{
    sc_lsp_document *doc = request_document(server, id, params);
    if (!doc)
        return;
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(params, "range");
    uint32_t from = cJSON_IsObject(range)
                        ? offset_of(doc, cJSON_GetObjectItemCaseSensitive(range, "start"))
                        : 0;
    uint32_t to = cJSON_IsObject(range)
                      ? offset_of(doc, cJSON_GetObjectItemCaseSensitive(range, "end"))
                      : (uint32_t)doc->len;
    cJSON *actions = cJSON_CreateArray();
    for (size_t i = 0; i < sc_diagnostic_count(doc->ctx); i++) {
        const sc_diagnostic *d = sc_diagnostic_at(doc->ctx, i);
        sc_range where = sc_query_diagnostic_range(doc->ctx, d);
        sc_fix fix;
        if (!in_document(doc, where) || where.end < from || where.start > to ||
            !sc_query_fix(doc->analysis, d, &fix) || !in_document(doc, fix.range))
            continue;
        cJSON *action = cJSON_CreateObject();
        cJSON_AddStringToObject(action, "title", fix.title);
        cJSON_AddStringToObject(action, "kind", "quickfix");
        cJSON *diagnostics = cJSON_AddArrayToObject(action, "diagnostics");
        cJSON_AddItemToArray(diagnostics, diagnostic_json(server, doc, d));
        cJSON_AddTrueToObject(action, "isPreferred");
        cJSON *changes =
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(action, "edit"), "changes");
        cJSON *edits = cJSON_AddArrayToObject(changes, doc->uri);
        cJSON *edit = cJSON_CreateObject();
        cJSON_AddItemToObject(edit, "range", range_json(doc, fix.range));
        cJSON_AddStringToObject(edit, "newText", fix.new_text);
        cJSON_AddItemToArray(edits, edit);
        cJSON_AddItemToArray(actions, action);
    }
    sc_lsp_respond(server, id, actions);
}

typedef void (*request_fn)(sc_lsp_server *, const cJSON *, const cJSON *);
typedef void (*notification_fn)(sc_lsp_server *, const cJSON *);

bool sc_lsp_handle(sc_lsp_server *server, const char *method, const cJSON *id, const cJSON *params)
{
    static const struct {
        const char *method;
        notification_fn run;
    } notifications[] = {{"textDocument/didOpen", did_open},
                         {"textDocument/didChange", did_change},
                         {"textDocument/didClose", did_close}};
    static const struct {
        const char *method;
        request_fn run;
    } requests[] = {{"textDocument/hover", hover},
                    {"textDocument/definition", definition},
                    {"textDocument/references", references},
                    {"textDocument/completion", completion},
                    {"textDocument/documentSymbol", document_symbols},
                    {"textDocument/formatting", formatting},
                    {"textDocument/codeAction", code_action}};
    for (size_t i = 0; i < sizeof(notifications) / sizeof(notifications[0]); i++) {
        if (strcmp(method, notifications[i].method) != 0)
            continue;
        if (!id)
            notifications[i].run(server, params);
        else
            sc_lsp_respond_error(server, id, -32600, "a notification takes no id");
        return true;
    }
    if (strcmp(method, "textDocument/didSave") == 0 || strcmp(method, "initialized") == 0)
        return true;
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        if (strcmp(method, requests[i].method) != 0)
            continue;
        if (id)
            requests[i].run(server, id, params);
        return true;
    }
    return false;
}
