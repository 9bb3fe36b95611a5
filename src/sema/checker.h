/* Internal interface between the files of the semantic stage. */
#ifndef STACKC_SEMA_CHECKER_H
#define STACKC_SEMA_CHECKER_H

#include "schema/schema.h"
#include "sema/sema.h"

/* A connectable instance reading another's attributes: it probably connects to it. */
typedef struct sc_connection_use {
    const sc_symbol *consumer;
    const sc_symbol *provider;
    sc_span span;
    sc_scope *scope;      /* where the reading expression is */
    const sc_expr *expr;  /* the attribute read: a value the compiler knows needs no access */
} sc_connection_use;

struct sc_checker {
    sc_context *ctx;
    sc_program *program;
    const sc_symbol *current_instance; /* the stack-level instance whose body is checked */
    sc_ptr_list connection_uses;       /* sc_connection_use */
    sc_ptr_list allows;                /* const sc_item * of every `allow` */
    sc_ptr_list allow_scopes;          /* the scope of each, in the same order */
    bool schema_loaded;                /* program->schema was attempted */
    sc_ptr_list top_level_tests;       /* `test` items outside stacks, checked last */
    sc_map unique_keys;                /* `unique` key text -> sc_span of its first claim */
};

/* AWS's resource schema from the standard library, loaded on first use; NULL when
 * there is no standard library to read it from. */
sc_schema *sc_checker_schema(sc_checker *c);

/* The instance a reference names (`wp`, `Network.vpc`), or NULL. */
const sc_symbol *sc_referenced_instance(sc_checker *c, sc_scope *scope, const sc_expr *e);

/* Infers the type of `e` in `scope`, reporting what is wrong inside it. */
sc_type *sc_check_expr(sc_checker *c, sc_scope *scope, const sc_expr *e);
/* Checks `e` where a value of type `expected` is needed; `what` names the place
 * ("input `port`", "output `url`") for messages. Literal maps and lists are checked
 * entry by entry so errors point at the entry. */
void sc_check_against(sc_checker *c, sc_scope *scope, const sc_expr *e, sc_type *expected,
                      const char *what);
/* Reports that `actual` cannot be used where `expected` is needed, if so. */
bool sc_check_assignable(sc_checker *c, sc_span span, sc_type *actual, sc_type *expected,
                         const char *what);
sc_type *sc_resolve_type(sc_checker *c, sc_scope *scope, const sc_type_expr *t);
/* The type of a declared name, resolving it on first use. */
sc_type *sc_symbol_type(sc_checker *c, sc_symbol *symbol, sc_span use);
/* Checks a component definition once (attributes get their types). */
void sc_check_component(sc_checker *c, sc_component *component);
/* "did you mean" over every name visible from `scope`. */
const char *sc_suggest_name(sc_checker *c, const sc_scope *scope, const char *name);
const char *sc_suggest_field(sc_checker *c, const sc_type *record, const char *name);

#endif
