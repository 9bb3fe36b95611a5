/* The language server (`stackc lsp`): the Language Server Protocol 3.17 over a pair of
 * streams, answered from libstackc's query API. Entry point: sc_lsp_serve in server.c.
 * Internal to the server's files and the `stackc` command. */
#ifndef STACKC_LSP_H
#define STACKC_LSP_H

#include <stackc/query.h>
#include <stackc/stackc.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sc_lsp_options {
    const char *stdlib_dir; /* the standard library every document starts from */
    const char *version;    /* reported as serverInfo.version */
    FILE *log;              /* where the server says what went wrong; NULL for nowhere */
} sc_lsp_options;

/* Serves requests read from `in` (a file descriptor) and writes answers and
 * notifications to `out` until the client sends `exit` or closes `in`. Returns the
 * process exit status the protocol asks for: 0 after `shutdown` then `exit`, else 1. */
int sc_lsp_serve(int in, FILE *out, const sc_lsp_options *options);

/* ---- transport (transport.c) ------------------------------------------------------------ */

/* Reads Content-Length framed messages from a file descriptor. */
typedef struct sc_lsp_reader {
    int fd;
    char *buffer;
    size_t start, end, capacity;
    bool eof;
} sc_lsp_reader;

typedef enum sc_lsp_read_status {
    LSP_READ_MESSAGE, /* *body holds one message (heap, NUL-terminated; caller frees) */
    LSP_READ_BAD,     /* a malformed or oversized frame was skipped; *error says why */
    LSP_READ_END,     /* the stream ended */
} sc_lsp_read_status;

sc_lsp_read_status sc_lsp_read(sc_lsp_reader *reader, char **body, size_t *len, const char **error);
void sc_lsp_reader_free(sc_lsp_reader *reader);
/* Writes one message with its Content-Length header and flushes. */
void sc_lsp_write(FILE *out, const cJSON *message);

/* ---- documents (documents.c) ---------------------------------------------------------- */

typedef struct sc_lsp_document {
    char *uri;
    char *path; /* the file the URI names; the name the document is checked as */
    char *text;
    size_t len, capacity;
    uint32_t *lines; /* offset of each line's first byte */
    size_t line_count;
    int version;
    bool library;          /* one of the standard library's files */
    sc_context *ctx;       /* the latest version, checked */
    sc_analysis *analysis; /* NULL when checking ran out of memory */
    struct sc_lsp_document *next;
} sc_lsp_document;

/* Byte offset <-> LSP position (line, UTF-16 code units) in a document's text. */
uint32_t sc_lsp_offset(const sc_lsp_document *doc, unsigned line, unsigned character);
void sc_lsp_position(const char *text, size_t len, const uint32_t *lines, size_t line_count,
                     uint32_t offset, unsigned *line, unsigned *character);
/* Replaces the text (all of it, or [start, end)) and rebuilds the line index. */
bool sc_lsp_document_edit(sc_lsp_document *doc, uint32_t start, uint32_t end, const char *text,
                          size_t len, bool whole);
void sc_lsp_document_free(sc_lsp_document *doc);

/* file:///a%20b/c.stack <-> /a b/c.stack; other URIs are kept as they are. Heap strings. */
char *sc_lsp_uri_to_path(const char *uri);
char *sc_lsp_path_to_uri(const char *path);

#endif
