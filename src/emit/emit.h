/* The emission stage: templates (JSON or YAML) and manifest.json from the expanded
 * program. Entry point: sc_emit in emit.c. Output is byte-stable: the same program
 * always gives the same bytes. */
#ifndef STACKC_EMIT_H
#define STACKC_EMIT_H

#include "expand/expand.h"

#include <stdio.h>

typedef enum sc_template_format { SC_TEMPLATE_JSON, SC_TEMPLATE_YAML } sc_template_format;

/* CloudFormation's limits, checked on what is emitted. */
enum {
    SC_TEMPLATE_INLINE_LIMIT = 51200, /* bytes in a CreateChangeSet call; more goes via S3 */
    SC_TEMPLATE_S3_LIMIT = 1000000,   /* bytes of a template read from S3 */
    SC_MAX_RESOURCES = 500,
    SC_MAX_OUTPUTS = 200,
    SC_MAX_PARAMETERS = 200,
    SC_MAX_LOGICAL_ID = 255,
};

typedef struct sc_artifact {
    const char *name; /* file name, e.g. "Network.template.json" */
    const char *data; /* NUL-terminated; the context owns it (freed with it) */
    size_t len;
} sc_artifact;

/* Where a build's outputs go as they are written, instead of being kept: `write` gets
 * each one's name and bytes (valid only during the call) and says whether it took them. */
typedef struct sc_emit_sink {
    bool (*write)(void *user, const char *name, const char *data, size_t len);
    void *user;
} sc_emit_sink;

/* Writes one template per stack (only `only_stack` when non-NULL) and the manifest,
 * last: to `sink` when there is one, else into `artifacts` (sc_artifact). Returns false
 * when a limit is exceeded or the sink refused an output (emission then stops). */
bool sc_emit(sc_context *ctx, const sc_cfn_program *program, sc_template_format format,
             const char *only_stack, const sc_emit_sink *sink, sc_ptr_list *artifacts);

/* Serialises a value tree: maps keep their order, null entries are dropped. */
void sc_write_json(sc_buf *out, const sc_value *v, int indent);
void sc_write_yaml(sc_buf *out, const sc_value *v, int indent);

/* A JSON or YAML document written as it is built, without a tree: the same bytes
 * sc_write_json (and a final newline) or sc_write_yaml give for the tree the same calls
 * describe. Entries of a map take a key; entries of a list and the top container take
 * NULL. Values and strings that are null are left out, as the tree writers leave them. */
enum { SC_DOC_MAX_DEPTH = 16 };
typedef struct sc_doc {
    sc_buf *out;
    bool yaml;
    int depth;                          /* open containers; 0 before the top one */
    bool is_map[SC_DOC_MAX_DEPTH];      /* by depth: a map, else a list */
    bool has_entries[SC_DOC_MAX_DEPTH]; /* by depth: an entry was written */
} sc_doc;

void sc_doc_init(sc_doc *d, sc_buf *out, sc_template_format format);
void sc_doc_begin_map(sc_doc *d, const char *key);
void sc_doc_begin_list(sc_doc *d, const char *key);
void sc_doc_end(sc_doc *d);
void sc_doc_value(sc_doc *d, const char *key, const sc_value *v);
void sc_doc_string(sc_doc *d, const char *key, const char *s);
void sc_doc_int(sc_doc *d, const char *key, long long i);
void sc_doc_bool(sc_doc *d, const char *key, bool b);

/* Compares a build with the manifest of the one before it (renames.c): a resource that
 * protects data and would be replaced because its declaration was renamed is W0330,
 * with the `moved` that keeps it. */
void sc_warn_renames(sc_context *ctx, const sc_cfn_program *program, const char *previous);

#endif
