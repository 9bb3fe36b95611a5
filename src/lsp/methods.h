/* What the server's files share: the server's state and the replies they send. */
#ifndef STACKC_LSP_METHODS_H
#define STACKC_LSP_METHODS_H

#include "lsp/lsp.h"

typedef struct sc_lsp_server {
    FILE *out;
    FILE *log;
    const char *version;
    char *stdlib_dir;  /* absolute when it could be resolved */
    sc_stdlib *stdlib; /* checked once; NULL when it has problems */
    sc_lsp_document *documents;
    bool initialized;
    bool shutdown; /* `shutdown` received: only `exit` is answered now */
    bool exiting;
} sc_lsp_server;

void sc_lsp_log(sc_lsp_server *server, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `result` (NULL for null) is taken over. */
void sc_lsp_respond(sc_lsp_server *server, const cJSON *id, cJSON *result);
void sc_lsp_respond_error(sc_lsp_server *server, const cJSON *id, int code, const char *message);
/* `params` is taken over. */
void sc_lsp_notify(sc_lsp_server *server, const char *method, cJSON *params);

/* Handles a document notification or a language request (methods.c); false when the
 * method is not one of them. */
bool sc_lsp_handle(sc_lsp_server *server, const char *method, const cJSON *id, const cJSON *params);
void sc_lsp_close_all(sc_lsp_server *server);

#endif
