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
    sc_scope *scope;     /* where the reading expression is */
    const sc_expr *expr; /* the attribute read: a value the compiler knows needs no access */
    bool through_let;    /* `expr` is in a `let` the instance names at `span` */
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
    sc_map body_plans;                 /* component address -> what of it evaluate.c walks */
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

static inline sc_type *sc_basic(sc_checker *c, sc_type_kind kind)
{
    return sc_type_basic(c->ctx, kind);
}

/* `fmt` with up to two strings, in the compilation's arena. */
static inline const char *sc_describe(sc_checker *c, const char *fmt, const char *a, const char *b)
{
    return sc_arena_printf(&c->ctx->arena, fmt, a, b);
}

/* Where the user wrote what a check judges: a stack-level instance, or an `allow` for a
 * grant's checks. Checks of the instances nested inside (a service's task, a grant's
 * ingress rule) are reported here too, since their definitions are not the user's. */
typedef struct check_site {
    const sc_item *item;
    const sc_component *component;
} check_site;

/* ---- declare.c */
sc_symbol *sc_new_symbol(sc_checker *c, sc_symbol_kind kind, sc_ident name, const sc_item *item,
                         sc_scope *scope);
/* E0209: `item` cannot appear `where` ("in a stack"); `hint` (or NULL) says what to do. */
/* Adds declarations to a stack's body; a `nested NAME { ... }` block adds its own,
 * recorded as belonging to that nested stack (stacks.c). */
void sc_stack_add_item(sc_checker *c, sc_stack *stack, const sc_item *item);
void sc_stack_add_items(sc_checker *c, sc_stack *stack, const sc_ptr_list *items);
void sc_misplaced(sc_checker *c, const sc_item *item, const char *where, const char *hint);
/* `type name = ...` declarations resolve in declaration order across files; a type
 * may use the ones declared before it and any component. */
void sc_declare_types(sc_checker *c, sc_file *file);
void sc_declare_component(sc_checker *c, const sc_item *item);
/* Declares what a component body names; types of lets and attributes come later. */
void sc_declare_component_body(sc_checker *c, sc_component *component);
/* The type of a raw `resource` item's name: a resource of its CloudFormation type, or a
 * list of them when it has `for`. */
sc_type *sc_resource_type(sc_checker *c, const sc_item *item);

/* ---- instances.c */
/* Whether a field of this type is written as a nested block (a record, or a list or map
 * of records). */
bool sc_is_block_type(const sc_type *t);
/* How a failed-inputs map names the input `name` of the body `items` (an instance's or
 * a nested block's). */
static inline const char *sc_failed_input_key(sc_context *ctx, const sc_ptr_list *items,
                                              const char *name)
{
    return sc_arena_printf(&ctx->arena, "%p %s", (const void *)items, name);
}

/* Checks the settings of a body against `record` (a component's inputs or a nested
 * block's fields); `owner` names the body in messages. The inputs with an error (a wrong
 * setting, a missing required one; in a nested block, its own wrong fields) are added to
 * `failed` when it is not NULL (sc_failed_input_key). */
void sc_check_body(sc_checker *c, sc_scope *scope, const sc_ptr_list *items, const sc_type *record,
                   const char *owner, sc_span owner_span, sc_map *failed);
void sc_check_instance(sc_checker *c, sc_scope *scope, const sc_item *item);
/* The component an instance item names; with `report`, an unknown one is an error. */
sc_component *sc_instance_component(sc_checker *c, const sc_item *item, bool report);
/* Checks an item's `if` and `for`; returns the scope of its body with the `for`
 * variables bound, or `scope` itself. */
sc_scope *sc_repeat_scope(sc_checker *c, sc_scope *scope, const sc_item *item);

/* ---- values.c */
/* The `name = ...` setting among `items`, or NULL. */
const sc_item *sc_find_setting(const sc_ptr_list *items, const char *name);

/* ---- instance_checks.c */
/* The checks of a body (a component's for one instance, or a grant's for one allow),
 * evaluated in `scope`, then those of the instances it holds, in their own scopes. */
void sc_run_body_checks(sc_checker *c, sc_scope *scope, const check_site *site, const sc_item *item,
                        const sc_component *component, int depth);
/* Checking one instance (or one `allow`) makes scopes and values that nothing keeps, and
 * so does making the instance tree's values (a property, an attribute, an input, a
 * `for` or `if` of a declaration: sc_eval_keeping) on the way to each value: they are
 * made in a region of the arena handed back at the end. What lasts goes to ctx->lasting
 * (sc_lasting) instead:
 * - compiled patterns, `unique` keys, body plans;
 * - the value a region is for, and the value of a `let` made before the region and
 *   first read in it, copied out of it (sc_value_keep);
 * - instances made before the region and evaluated in it for the first time, and, in
 *   the instance tree, whatever a pending name makes on first use: evaluated in
 *   ctx->lasting (sc_eval_leave_scratch).
 * The region is kept when a diagnostic or a source was added, since they point into it,
 * and when it is too small for copying its value out to pay (SC_SCRATCH_WORTH_KEEPING
 * bytes). Regions do not nest: a begin inside one does nothing, but one begun inside an
 * evaluation that left a region is a region of its own, above the one it left. */
enum { SC_SCRATCH_COUNTS = 5, SC_SCRATCH_WORTH_KEEPING = 512 };
typedef struct sc_scratch {
    bool active;
    sc_arena_mark mark;
    size_t counts[SC_SCRATCH_COUNTS]; /* of what a region may add to that outlives it */
    bool outer_left;                  /* begun inside an evaluation that left a region */
    sc_arena_mark outer_from;         /* that region's mark */
} sc_scratch;
void sc_scratch_begin(sc_context *ctx, sc_scratch *scratch);
/* Ends the region, handing it back when it may be. */
void sc_scratch_end(sc_context *ctx, sc_scratch *scratch);
/* The same, keeping `value` (sc_value_keep): returns what to use in its place. */
sc_value *sc_scratch_end_keeping(sc_context *ctx, sc_scratch *scratch, sc_value *value);
/* sc_eval in a region of its own, outside any: only the value is kept. */
sc_value *sc_eval_keeping(sc_context *ctx, sc_scope *scope, const sc_expr *e);
/* `v`, with whatever of it lies in the region from `mark` (values, lists, strings)
 * copied into ctx->lasting, so that the region can be handed back; NULL when memory
 * runs out. What was made before the region is shared, not copied. */
sc_value *sc_value_keep(sc_context *ctx, sc_value *v, sc_arena_mark mark);

/* An instance's checks (and what its body evaluates), with the inputs named in `failed`
 * failed: a check that reads one is skipped, every other runs. */
void sc_run_instance_checks(sc_checker *c, sc_scope *outer, const sc_item *item,
                            sc_component *component, const sc_map *failed);

/* ---- evaluate.c */
/* Runs `body` for a declaration as `build` makes it: not at all when its `if` is false
 * or not known, once, or once per element of its `for` with the loop's names bound. */
typedef void sc_made_fn(sc_checker *c, sc_scope *scope, const sc_item *item, void *data);
void sc_each_made(sc_checker *c, sc_scope *scope, const sc_item *item, sc_made_fn *body,
                  void *data);
/* Evaluates what building an instance of `component` evaluates in `scope` (resources,
 * attributes, `ready`, `connectable`, instances made by `for`, with their checks), so
 * that its evaluation errors are reported. Nested instances without `for` are left to
 * sc_run_body_checks. */
void sc_evaluate_body(sc_checker *c, sc_scope *scope, const check_site *site,
                      const sc_component *component, int depth);
/* The same for a stack's let, output, param or raw resource. */
void sc_evaluate_stack_item(sc_checker *c, sc_scope *scope, const sc_item *item);

/* ---- resources.c */
void sc_check_resource(sc_checker *c, sc_scope *scope, const sc_item *item);

/* ---- stacks.c */
sc_stack *sc_new_stack(sc_checker *c, const char *name, sc_span name_span, const sc_item *item);
/* CloudFormation stack names: a letter, then letters, digits and hyphens, 128 at most. */
void sc_check_stack_name(sc_checker *c, const sc_stack *stack);
/* Every stack's names are declared before any stack is checked, so a stack may read
 * from one declared after it. */
void sc_declare_stack(sc_checker *c, sc_stack *stack);
void sc_check_stack(sc_checker *c, sc_stack *stack);
/* A test's lets are visible to the lines after them; asserts must be bool. */
void sc_check_test(sc_checker *c, sc_scope *scope, const sc_item *item);
void sc_check_test_lines(sc_checker *c, sc_scope *scope, const sc_item *item);
void sc_check_stack_cycles(sc_checker *c);

/* ---- allow.c */
void sc_check_allow(sc_checker *c, sc_scope *scope, const sc_item *item);

/* ---- component_tests.c */
/* In test mode: the hidden stack holding a default instance of each component whose
 * tests run, and a test entry for each of those tests. */
void sc_add_component_tests(sc_checker *c);

/* ---- eval.c: what the operators (operators.c) share with the evaluator */
/* Reports an evaluation error at `e`, once however often `e` is evaluated, and returns
 * the failed value it leaves. Inside an instance, a note says which one. */
sc_value *sc_eval_fail(sc_context *ctx, sc_scope *scope, const sc_expr *e, const char *code,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* `e` as written, in backquotes, when it is short enough to quote in a message. */
const char *sc_eval_quoted(sc_context *ctx, const sc_expr *e, const char *otherwise);
sc_value *sc_value_bool(sc_context *ctx, bool b);
/* An int, duration or size. */
sc_value *sc_value_integer(sc_context *ctx, sc_value_kind kind, long long i);
/* A number; unknown when it is not finite. */
sc_value *sc_value_number(sc_context *ctx, double n);
/* A reference or intrinsic: known only to CloudFormation. */
bool sc_value_is_deploy_time(const sc_value *v);

/* ---- operators.c */
sc_value *sc_eval_binary(sc_context *ctx, sc_scope *scope, const sc_expr *e);
sc_value *sc_eval_unary(sc_context *ctx, sc_scope *scope, const sc_expr *e);

/* ---- tree.c, tree_names.c: the instance tree (tree.h) */
/* The value of a symbol that awaits being made in the instance tree (symbol->pending),
 * making it on first use. */
sc_value *sc_pending_value(sc_context *ctx, sc_symbol *symbol);
/* The same for the local tree (symbol->local_pending, local_tree.c). */
sc_value *sc_local_pending_value(sc_context *ctx, sc_symbol *symbol);
/* A logical id: `prefix`, then `name` and `suffix` in PascalCase. */
const char *sc_tree_pascal(sc_context *ctx, const char *prefix, const char *name,
                           const char *suffix);
/* A declaration's id and path inside the instance named by `prefix` (`default` adds
 * nothing), and the suffix a `for` element adds to them. */
const char *sc_tree_declared_id(sc_context *ctx, const char *prefix, const char *name,
                                const char *suffix);
const char *sc_tree_declared_path(sc_context *ctx, const char *prefix, const char *name);
const char *sc_tree_loop_suffix(sc_context *ctx, const sc_value *element, size_t index);

/* ---- lints.c */
/* A connectable instance that reads another's attributes (a database's endpoint) but has
 * no `allow` to reach it will not connect at deploy time. Warned once per pair. */
void sc_warn_missing_allows(sc_checker *c);
/* While an instance is checked: it names `let` at `span`; what the let reads counts as
 * read by the instance, there. */
void sc_note_uses_through_let(sc_checker *c, const sc_symbol *let, sc_span span);

#endif
