/* Internal interface between the files of the query API (include/stackc/query.h).
 *
 * One walker (walk.c) visits every name a file writes, in the scopes the checker built,
 * and tells what each one names: an sc_entity. Hover, definition and references look
 * for the occurrence at an offset, or for every occurrence of one entity; completion
 * asks the same walk where an offset stands (an sc_place). Two occurrences name the same
 * thing when their entities are declared at the same place. */
#ifndef STACKC_QUERY_QUERY_H
#define STACKC_QUERY_QUERY_H

#include <stackc/query.h>

#include "sema/sema.h"

struct sc_analysis {
    sc_context *ctx;
    sc_program *program;
    sc_arena scratch;    /* what one query returns; emptied when the next one starts */
    bool scratch_failed; /* the scratch arena's out-of-memory flag */
};

/* Starts a query: empties and returns the scratch arena. */
sc_arena *sc_query_begin(sc_analysis *analysis);
/* The program's file loaded from `path`, or NULL. */
const sc_file *sc_query_file(const sc_analysis *analysis, const char *path);
sc_range sc_query_range(const sc_context *ctx, sc_span span);

/* ---- what a name names ------------------------------------------------------------------ */

typedef enum sc_entity_kind {
    ENTITY_STACK,
    ENTITY_COMPONENT,
    ENTITY_TYPE,
    ENTITY_INPUT,     /* an input of a component: `field` in its inputs record */
    ENTITY_FIELD,     /* a field of a record type */
    ENTITY_ATTRIBUTE, /* an attribute of a component */
    ENTITY_LET,
    ENTITY_PARAM,
    ENTITY_INSTANCE,
    ENTITY_RESOURCE,
    ENTITY_OUTPUT,
    ENTITY_LOOP_VAR, /* a `for` variable, or a `let` inside a test */
    ENTITY_BUILTIN,
    ENTITY_GETATT,   /* an attribute of a raw resource (Fn::GetAtt), from AWS's schema */
    ENTITY_PROPERTY, /* a property of a raw resource, from AWS's schema */
    ENTITY_FILE,     /* an imported file */
    ENTITY_VALUE,    /* what an expression gives that no declaration names: `xs[0]` */
} sc_entity_kind;

typedef struct sc_entity {
    sc_entity_kind kind;
    const char *name;
    sc_span decl; /* where it is declared; valid when has_decl */
    bool has_decl;
    const sc_item *item; /* the declaring item, when there is one */
    const sc_symbol *symbol;
    const sc_component *component; /* the component, or the owner of an input/attribute,
                                      or an instance's kind */
    const sc_attribute *attribute;
    const sc_record_field *field;
    const sc_type *type; /* its type, when known */
    const sc_builtin *builtin;
    const char *resource_type; /* ENTITY_GETATT, ENTITY_PROPERTY, ENTITY_RESOURCE */
} sc_entity;

typedef struct sc_occurrence {
    sc_span span; /* the name as written */
    sc_entity entity;
    bool declaration;
    const sc_expr *expr; /* the expression the name ends (`wp.endpoint` for `endpoint`), or a
                            declaration's value; NULL for neither */
    sc_scope *scope;     /* where `expr` can be evaluated: a stack's scope, else NULL */
} sc_occurrence;

/* Whether two entities are one: declared at one place, or one built-in, or one schema
 * name of one resource type. */
bool sc_entity_same(const sc_entity *a, const sc_entity *b);

/* ---- where a position stands ------------------------------------------------------------- */

/* A name bound inside a declaration: a loop variable, a test's `let`. */
typedef struct sc_local {
    const char *name;
    sc_span span;
    const sc_type *type;
    const struct sc_local *next;
} sc_local;

typedef enum sc_body_kind {
    BODY_FILE,
    BODY_STACK,
    BODY_COMPONENT,
    BODY_SETTINGS, /* an instance's or nested block's body, or a map literal: `record` */
    BODY_RESOURCE, /* a raw resource's properties */
    BODY_TEST,
    BODY_OTHER, /* connectable, allow and param options */
} sc_body_kind;

typedef struct sc_place {
    sc_body_kind body;
    sc_scope *scope;                 /* the names declared around: a stack's, a component's */
    const sc_local *locals;          /* and the loop variables, innermost first */
    sc_component *component;         /* inside this component's definition, or NULL */
    const sc_type *record;           /* BODY_SETTINGS: what may be set */
    const sc_component *instance_of; /* BODY_SETTINGS of an instance: its component */
    const sc_ptr_list *items;        /* BODY_SETTINGS of a block: what is already set */
    const sc_expr *map;              /* BODY_SETTINGS of a map literal: what is already set */
    const char *resource_type;       /* BODY_RESOURCE */
    const sc_type *expected;         /* the type the innermost expression at the offset must have */
    bool in_test;                    /* inside a `test` block, where the runner's built-ins are */
} sc_place;

typedef struct sc_walk sc_walk;
struct sc_walk {
    sc_analysis *analysis;
    sc_arena *scratch;
    /* Called for every occurrence; returns false to stop the walk. */
    bool (*visit)(sc_walk *walk, const sc_occurrence *occurrence);
    void *user;
    bool stopped;
    /* With `locate`, the walk also records the innermost place holding `offset`; with
     * `prune`, it skips what does not hold `offset`. */
    bool locate;
    bool prune;
    uint32_t offset;
    sc_place place;
};

void sc_walk_file(sc_walk *walk, const sc_file *file);

/* What the name at `offset` names, if anything. */
bool sc_query_occurrence_at(sc_analysis *analysis, const sc_file *file, uint32_t offset,
                            sc_occurrence *out);
/* Where `offset` stands in `file`. */
sc_place sc_query_place_at(sc_analysis *analysis, const sc_file *file, uint32_t offset);

/* A name visible from a place: a local first, then the scopes outward. */
bool sc_query_lookup(sc_analysis *analysis, const sc_place *place, const char *name,
                     sc_entity *out);
/* The member `name` of what `left` is (a stack, an instance, a record, a resource). */
bool sc_query_member(sc_analysis *analysis, const sc_entity *left, const char *name,
                     sc_entity *out);
/* The resource schema of an AWS type, loading AWS's schema on first use; or NULL. */
const struct sc_resource_schema *sc_query_resource_schema(sc_analysis *analysis, const char *type);

/* ---- text --------------------------------------------------------------------------------- */

/* The `//` comment lines directly above the line where `span` starts, without the
 * slashes, joined by newlines; NULL when there are none. */
const char *sc_query_doc_comment(sc_analysis *analysis, sc_span span);
/* A type's name for people, in the scratch arena. */
const char *sc_query_type_name(sc_analysis *analysis, const sc_type *type);
/* The source text of a span, in the scratch arena. */
const char *sc_query_span_text(sc_analysis *analysis, sc_span span);

#endif
