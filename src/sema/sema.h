/* The semantic stage: load a file with its imports, resolve every name, type-check
 * every expression and instance, and evaluate what is known at compile time.
 * Entry point: sc_sema_check in check.c. The result, sc_program, is what the
 * expansion stage consumes. */
#ifndef STACKC_SEMA_H
#define STACKC_SEMA_H

#include "syntax/syntax.h"

typedef struct sc_type sc_type;
typedef struct sc_component sc_component;
typedef struct sc_stack sc_stack;
typedef struct sc_scope sc_scope;
typedef struct sc_symbol sc_symbol;

/* ---- types ------------------------------------------------------------------------ */

typedef enum sc_type_kind {
    TY_ERROR, /* already reported; compatible with everything to stop cascades */
    TY_ANY,   /* a CloudFormation value the schema has not typed (yet) */
    TY_NULL,
    TY_STRING,
    TY_INT,
    TY_NUMBER,
    TY_BOOL,
    TY_DURATION,
    TY_SIZE,
    TY_SECRET,
    TY_LIST,
    TY_MAP,
    TY_RECORD,
    TY_UNION, /* string literals */
    TY_OPTIONAL,
    TY_COMPONENT, /* a reference to an instance of `component` */
    TY_RESOURCE,  /* a reference to a raw resource of `resource_type` (NULL: any) */
    TY_STACK,
    TY_VIEW, /* in tests: a compiled resource of `resource_type`; `attribute` set to
                "properties" for its Properties, whose names the schema checks */
} sc_type_kind;

typedef struct sc_record_field {
    const char *name;
    sc_type *type;
    const sc_expr *default_value; /* NULL: required unless the type is optional */
    sc_scope *default_scope;      /* where the default is evaluated */
    sc_span span;
} sc_record_field;

struct sc_type {
    sc_type_kind kind;
    sc_type *elem;            /* list, map, optional */
    sc_ptr_list fields;       /* record: sc_record_field, in declaration order */
    sc_ptr_list alternatives; /* union: const char * */
    sc_component *component;  /* TY_COMPONENT */
    const char *resource_type;
    sc_stack *stack;                   /* TY_STACK */
    const char *name;                  /* the `type` alias it was declared as, for messages */
    const struct sc_item *declared_by; /* that `type` declaration */
    const char *attribute;             /* TY_RESOURCE: the start of a dotted GetAtt ("Endpoint") */
};

/* ---- values known at compile time ----------------------------------------------------- */

typedef enum sc_value_kind {
    VAL_UNKNOWN, /* only known at deploy time; s, when set, says why it cannot be known */
    VAL_NULL,
    VAL_BOOL,
    VAL_INT,
    VAL_NUMBER,
    VAL_STRING,
    VAL_DURATION, /* milliseconds in i */
    VAL_SIZE,     /* bytes in i */
    VAL_LIST,
    VAL_MAP,
    /* Deploy-time values: known to CloudFormation, not to the compiler. */
    VAL_RESOURCE,  /* a resource: s = logical id; written as {"Ref": id} */
    VAL_INTRINSIC, /* s = "Fn::GetAtt", "Ref", ...; items[0] = the argument */
    VAL_SECRET,    /* items[0] = the secret's ARN (or a NoEcho param's Ref); s = JSON key or NULL */
} sc_value_kind;

typedef struct sc_value {
    sc_value_kind kind;
    bool b;
    bool failed; /* VAL_UNKNOWN: the result of an evaluation error already reported (or of an
                    input whose error was); whatever reads it fails silently with it */
    union {      /* which one, the kind says: i for ints, durations and sizes, n for numbers */
        long long i;
        double n;
    };
    const char *s;
    sc_ptr_list items; /* list elements; map values; intrinsic argument */
    sc_ptr_list keys;  /* map keys (const char *), in insertion order */
    sc_stack *owner;   /* deploy-time values: the stack whose template can refer to them */
    sc_span origin;    /* build() placeholders: the call, for diagnostics */
    uint32_t
        weight; /* what walking it costs (eval.c's budget), when stored as it was made; 0 if not */
    const char *instance_path; /* an instance's value (its attributes): "Stack/name",
                                  which `==` compares; NULL for every other value */
} sc_value;

/* Whether the compiler knows the value itself (possibly a list or map holding
 * deploy-time elements), as opposed to an unknown or deploy-time value. */
bool sc_value_is_static(const sc_value *value);
/* Deploy-time constructors, for the evaluator and the expansion stage. */
sc_value *sc_value_intrinsic(sc_context *ctx, const char *function, sc_value *argument,
                             sc_stack *owner);
sc_value *sc_value_string(sc_context *ctx, const char *s);
sc_value *sc_value_int(sc_context *ctx, long long i);
sc_value *sc_value_list2(sc_context *ctx, sc_value *a, sc_value *b);

/* ---- symbols and scopes -------------------------------------------------------------- */

typedef enum sc_symbol_kind {
    SYM_STACK,
    SYM_LET,
    SYM_PARAM,
    SYM_INSTANCE,
    SYM_RESOURCE,
    SYM_INPUT,
    SYM_OUTPUT,
    SYM_LOOP_VAR,
    SYM_VALUE, /* a name bound to a value during evaluation */
} sc_symbol_kind;

/* Ordered so that no padding falls between the fields (96 bytes, not 104): a build of
 * 10,000 instances makes a quarter of a million symbols. */
struct sc_symbol {
    sc_symbol_kind kind;
    sc_span span;
    bool resolving; /* guards `let a = b; let b = a` */
    const char *name;
    const sc_item *item;         /* declaring item, NULL for loop variables */
    sc_type *type;               /* NULL until resolved */
    sc_scope *scope;             /* where the declaration's own expressions are checked */
    sc_stack *stack;             /* the stack that declares it, NULL inside components */
    sc_value *value;             /* SYM_VALUE */
    const sc_map *failed_inputs; /* SYM_INSTANCE: inputs whose settings have errors */
    /* While sema makes the instance tree (tree.h): how to make this stack-level name's
     * deploy-time value, on first use; after, that value. Likewise for the local tree,
     * where the value is a marker. Sema's own. */
    struct sc_pending *pending;
    struct sc_local_pending *local_pending;
};

struct sc_scope {
    sc_scope *parent;
    sc_map names;            /* name -> sc_symbol */
    sc_ptr_list order;       /* symbols in declaration order, for "did you mean" */
    sc_stack *stack;         /* innermost enclosing stack */
    sc_component *component; /* innermost enclosing component definition */
};

/* ---- declarations ---------------------------------------------------------------------- */

typedef struct sc_attribute {
    const char *name;
    sc_type *type;
    const sc_item *item;
} sc_attribute;

struct sc_component {
    const char *name;
    const sc_item *item;
    sc_type *inputs;   /* TY_RECORD of the inputs */
    sc_map attributes; /* name -> sc_attribute */
    sc_ptr_list attribute_order;
    const sc_item *connectable; /* NULL when `allow` cannot start from it */
    sc_type *principal;         /* the record `connectable { ... }` hands to grants, or NULL */
    const sc_item *ready;       /* `ready = ...`, or NULL */
    const sc_item *compose;     /* `compose = ...`: its local equivalent, or NULL */
    const sc_item *graph;       /* `graph = ...`: how `stackc graph` draws it, or NULL */
    sc_ptr_list grants;         /* sc_component: what `allow x -> instance` makes, by access */
    sc_component *owner;        /* a grant: the component that declares it, else NULL */
    const char *grant_name;     /* a grant's name (the `access` that picks it); NULL: the default */
    sc_scope *scope;            /* inputs, lets, resources, nested instances */
    sc_ptr_list tests;          /* `test` items of the definition */
    bool checked;
    bool checking;
};

typedef struct sc_stack_ref {
    sc_stack *target;
    sc_span span;
} sc_stack_ref;

/* `nested NAME { ... }` in a stack: its declarations are deployed as a nested stack
 * (AWS::CloudFormation::Stack) of the stack, while sharing the stack's names. */
typedef struct sc_nested_stack {
    const char *name;
    const sc_item *item;
    size_t first, count; /* its declarations: items first .. first + count - 1 of the stack */
} sc_nested_stack;

struct sc_stack {
    const char *name;
    const sc_item *item; /* NULL for the implicit stack of a file without `stack` */
    sc_span name_span;
    sc_ptr_list items; /* the stack's body */
    sc_scope *scope;
    sc_ptr_list references; /* sc_stack_ref: other stacks this one reads from */
    sc_ptr_list moves;      /* `moved old -> new` items, checked */
    sc_ptr_list nested;     /* sc_nested_stack, in source order */
};

/* The nested stack the stack-level item at `index` of `stack->items` belongs to, or NULL. */
const sc_nested_stack *sc_stack_nested_of(const sc_stack *stack, size_t index);

/* A `test` block and where its names resolve: a stack's scope, or the global one. */
typedef struct sc_test_decl {
    const sc_item *item;
    sc_scope *scope;
    /* A test inside a component definition runs in `subject`, a default instance of
     * it made in the hidden stack SC_COMPONENT_TESTS_STACK; `cannot_run` says why no
     * default instance could be made. NULL for other tests. */
    const char *subject;
    const char *cannot_run;
} sc_test_decl;

/* The hidden stack `stackc test` adds for component tests; never built otherwise. */
#define SC_COMPONENT_TESTS_STACK "ComponentTests"

typedef struct sc_program {
    sc_ptr_list files;         /* sc_file, the main file last */
    sc_map components;         /* name -> sc_component, as the program's own files see them */
    sc_map library_components; /* name -> sc_component, as the standard library sees them:
                                  a program's component may take a library component's
                                  name without changing what the library means */
    sc_ptr_list component_order;
    sc_map types;         /* name -> sc_type (named `type` declarations) */
    sc_map library_types; /* likewise, as the standard library sees them */
    sc_ptr_list stacks;   /* in source order */
    sc_scope *global;     /* stacks by name */
    sc_file *main;
    struct sc_schema *schema;       /* AWS's resource schema, or NULL without a standard library */
    sc_ptr_list tests;              /* sc_test_decl, in source order */
    sc_file *test_file;             /* MAIN_test.stack beside the main file, when loaded */
    bool test_mode;                 /* checked for `stackc test`: component tests get instances */
    const struct sc_stdlib *stdlib; /* the checked standard library it started from, or NULL */
    const char *app;                /* `app = "name"` of the main file, or NULL */
    struct sc_instance_tree *instances; /* made on first request (sema/tree.h), or NULL */
    struct sc_local_tree *locals;       /* likewise */
    struct sc_picture *picture;         /* likewise */
} sc_program;

/* No main source: sc_load_program loads the prelude alone. */
#define SC_NO_SOURCE UINT32_MAX

/* The standard library, loaded and checked once (stdlib.c): the prelude and every
 * module it imports. Its context's arena is read-only while programs share it. */
struct sc_stdlib {
    sc_context *ctx;
    sc_program *program;
    /* From sc_stdlib_from_image (this struct then malloc'd): the mapping it made that
     * holds everything the pointers above reach (NULL when the caller's), and the folder
     * the library's files are in now (malloc). */
    bool from_image;
    void *image;
    size_t image_size;
    char *image_dir;
};

/* The schema later stages validate resources against, or NULL without a standard
 * library. A program that started from a shared library loads it here when its own
 * checking never needed it (checking the library's resources did, in the library). */
struct sc_schema *sc_program_schema(sc_context *ctx, sc_program *program);

/* Checks the prelude with its imports and nothing else: what sc_stdlib_new keeps. */
sc_program *sc_sema_check_stdlib(sc_context *ctx);

/* Each stack's declarations with their checked types and the values known at compile
 * time (dump.c: `stackc check --dump=typed`). */
void sc_write_typed(sc_context *ctx, const sc_program *program, FILE *out);

/* Like sc_sema_check, also loading MAIN_test.stack beside the main file if there is one
 * (its items must be `test` blocks and imports). */
sc_program *sc_sema_check_with_tests(sc_context *ctx, const char *path);

/* Loads `path` (read through ctx->read_file), its imports and the prelude, then checks
 * everything. Never NULL unless out of memory; errors are diagnostics. */
sc_program *sc_sema_check(sc_context *ctx, const char *path);
/* The same for a buffer already added as source `source`. */
sc_program *sc_sema_check_source(sc_context *ctx, uint32_t source);
/* The same, except for a tests file (NAME_test.stack): that is checked with the program
 * it tests, NAME.stack read through ctx->read_file, as `stackc test` loads them but
 * running nothing and with no component tests (what `stackc check NAME_test.stack` and an
 * editor show). A tests file whose NAME.stack cannot be read is checked alone. */
sc_program *sc_sema_check_in_context(sc_context *ctx, uint32_t source);
/* The app's name a caller gives over the file's (a build's --app): E0217 when it cannot
 * start a stack name (no position: it is not in the source) or when a stack's deployed
 * name would be too long with it in front (at that stack). True, and `program->app` set,
 * when it is accepted. */
bool sc_sema_set_app(sc_context *ctx, sc_program *program, const char *app);
/* Whether `name` can start a CloudFormation stack name: SC_APP_NAME_RULE. */
bool sc_app_name_valid(const char *name);
#define SC_APP_NAME_RULE                                                                           \
    "an app name starts with a letter and holds only letters, digits and '-', 64 characters at "   \
    "most"

/* The component or named type `name` means in the source `file` (the standard library
 * sees its own even where the program defines one of the same name). */
sc_component *sc_program_component(const sc_context *ctx, const sc_program *program,
                                   const char *name, uint32_t file);
sc_type *sc_program_type(const sc_context *ctx, const sc_program *program, const char *name,
                         uint32_t file);

/* Types. */
sc_type *sc_type_new(sc_context *ctx, sc_type_kind kind);
/* `elem?`; NULL when out of memory (also when `elem` itself is NULL for that reason). */
sc_type *sc_type_optional(sc_context *ctx, sc_type *elem);
/* Adds a field to a record type; a field whose type failed to allocate is not added,
 * so a record's fields always have types. */
bool sc_record_add_field(sc_context *ctx, sc_type *record, sc_record_field *field);
sc_type *sc_type_basic(sc_context *ctx, sc_type_kind kind);
const char *sc_type_name(sc_context *ctx, const sc_type *type);
bool sc_type_contains_secret(const sc_type *type);
sc_record_field *sc_record_find(const sc_type *record, const char *name);

/* "let", "instance", "loop variable": what a kind of name is called in messages. */
const char *sc_symbol_kind_name(sc_symbol_kind kind);

/* Scopes. */
sc_scope *sc_scope_new(sc_context *ctx, sc_scope *parent);
/* Where scopes, their symbols and their name tables are allocated: in a build (and
 * while any instance tree is made), ctx->tree_scopes, which a build hands back once its
 * instance tree is made (nothing after reads a scope); ctx->arena otherwise. Inside a
 * scratch region, the region, whose scopes go with it. */
sc_arena *sc_scope_arena(sc_context *ctx);
/* Where the instance tree's records that only expansion reads are allocated: likewise,
 * ctx->tree_work, which a build hands back once expansion has read them
 * (sc_release_tree_work, tree.h). */
sc_arena *sc_tree_work(sc_context *ctx);
sc_symbol *sc_scope_lookup(const sc_scope *scope, const char *name);
sc_symbol *sc_scope_lookup_local(const sc_scope *scope, const char *name);
/* Declares `symbol`; reports a duplicate (with a note at the first) and returns false. */
bool sc_scope_declare(sc_context *ctx, sc_scope *scope, sc_symbol *symbol);
/* Binds `name` to `value` in `scope` (a value symbol: an input, a loop variable, a
 * resource's id), over any binding of it there; false when memory runs out. */
bool sc_scope_put_value(sc_context *ctx, sc_scope *scope, const char *name, sc_value *value);

/* Evaluation of compile-time values (eval.c). Unknown where deploy-time. An evaluation
 * error (a division by zero, an overflow, the budget spent) is reported once at the
 * expression that made it, and gives a failed value; NULL means out of memory. */
sc_value *sc_eval(sc_context *ctx, sc_scope *scope, const sc_expr *expr);
/* `scope` with `name` bound to `value` in a new scope; `scope` itself when there is no
 * name, NULL when `scope` is NULL or memory runs out. */
sc_scope *sc_scope_bind(sc_context *ctx, sc_scope *scope, sc_ident name, sc_value *value);
/* A failed value: what an evaluation error, already reported, leaves behind. */
sc_value *sc_value_failed(sc_context *ctx);
/* A symbol keeps its value, once evaluated, for every later reader. An instance (or a
 * tree's pending name) made before the scratch region being evaluated in (sema's
 * sc_scratch_begin) is evaluated outside it, in ctx->lasting, so that handing the region
 * back leaves it nothing dangling: sc_eval_leave_scratch says whether it left, and
 * sc_eval_return_to_scratch undoes it. (A `let` is evaluated in the region, and its value
 * copied out: sc_value_keep.) */
bool sc_eval_leave_scratch(sc_context *ctx, const void *holder);
/* Gives every literal of the program's files its value (what evaluating it makes the
 * first time in a user's file): for the standard library, whose expressions are
 * read-only once shared or mapped from its image. */
void sc_keep_library_literals(sc_context *ctx, const sc_program *program);
void sc_eval_return_to_scratch(sc_context *ctx, bool left);
/* Whether `v` failed; `a` or `b` itself when one of them did, else NULL. */
sc_value *sc_value_failure(sc_value *a, sc_value *b);
/* Charges work done outside sc_eval's own accounting (a built-in's loop, a string it
 * builds) to the compilation's evaluation budget. False when the budget is spent: the
 * caller gives up and returns anything; sc_eval reports E0292 at the expression. */
bool sc_eval_charge(sc_context *ctx, uint64_t steps, uint64_t elements, uint64_t bytes);
/* For work that makes memory without evaluating (checking the instances a body nests):
 * whether it may go on. False once the budget is spent, its memory included; E0292 is
 * then reported at `where` unless an evaluation reported it already. */
bool sc_eval_may_go_on(sc_context *ctx, sc_span where);
sc_value *sc_value_new(sc_context *ctx, sc_value_kind kind);
/* Appends `key: item` to a map value, keeping its key and item lists the same length
 * even when memory runs out (then nothing is added and it returns false). */
bool sc_value_map_add(sc_context *ctx, sc_value *map, const char *key, sc_value *item);
/* Makes room for `count` entries in all, when that is known before they are added. */
bool sc_value_map_reserve(sc_context *ctx, sc_value *map, size_t count);
/* Stores in a value just made, with nothing more to add to it, what walking it costs:
 * every reader is charged for that, and a nested value walked again at each level that
 * reads it costs its size times its depth. Returns `v`. */
sc_value *sc_value_weigh(sc_context *ctx, sc_value *v);
/* The entry of a map (or record) value under `key`, or NULL when `map` is not a map or
 * has no such key: the one lookup every stage uses (values.c). */
sc_value *sc_value_map_get(const sc_value *map, const char *key);
/* A value in the language's notation, for diagnostics and dumps (value_text.c). */
const char *sc_value_describe(sc_context *ctx, const sc_value *value);
/* A value as compact JSON; false (and `out` holding no usable text) when it holds a
 * value JSON cannot: a deploy-time value, a duration or a size (value_text.c). */
bool sc_value_write_json(sc_buf *out, const sc_value *value);
bool sc_value_truthy_known(const sc_value *value, bool *truth);

/* `allow a -> b { access = "read" }` picks b's grant named "read"; the grant's input
 * `source` receives a's `connectable` record. */
#define SC_ALLOW_ACCESS "access"
#define SC_GRANT_SOURCE "source"
/* The grant of `target` that `allow` makes (NULL when there is none); `access` is set
 * to the name the allow asks for, or NULL. */
const sc_component *sc_allow_grant(const sc_item *allow, const sc_component *target,
                                   const char **access);

/* A component's own settings, written `name = value` in its body. */
#define SC_COMPONENT_READY "ready"     /* resources a reader of an instance waits for */
#define SC_COMPONENT_COMPOSE "compose" /* what an instance is on one machine */
#define SC_COMPONENT_GRAPH "graph"     /* how `stackc graph` draws an instance */
/* The standard library's record types of the `compose` and `graph` settings: the
 * contract between the components and the writers in src/views. */
#define SC_COMPOSE_VIEW_TYPE "compose_view"
#define SC_GRAPH_VIEW_TYPE "graph_view"

/* `value` with the defaults of `type`'s record fields filled in (also inside lists, maps
 * and optionals of records), as an instance's input gets them. */
sc_value *sc_value_with_defaults(sc_context *ctx, sc_value *value, const sc_type *type);

/* The hidden name an instance scope binds to the instance's own name, for
 * instance_name(); the space keeps it apart from identifiers. */
#define SC_INSTANCE_NAME_SYMBOL "instance name"
/* ... and to its path from the stack ("Stack/web", "Stack/app/db"), for instance_path(). */
#define SC_INSTANCE_PATH_SYMBOL "instance path"
/* Bound in the scope sema checks a `test` block's lines in: where a built-in that reads
 * what the test runner binds (sc_builtin.only_in_tests) may be called. */
#define SC_IN_TEST_SYMBOL "in a test"

/* The compile-time value of an instance: its attributes evaluated with its inputs
 * (check.c). Cached on the symbol. */
sc_value *sc_eval_instance(sc_context *ctx, sc_symbol *instance);
/* A fresh scope holding an instance's input values (evaluated in `outer`, defaults in
 * the component) and its component's lets, ready to evaluate the definition. */
/* The scope a grant's body is made in for one `allow`: inside the target instance's
 * scope, with `source` bound to the source's `connectable` record, the other inputs to
 * the allow's settings (evaluated in `outer`) or their defaults (in `target`). */
sc_scope *sc_grant_scope(sc_context *ctx, sc_scope *outer, const sc_item *allow,
                         const sc_component *grant, sc_scope *target, sc_value *source);
sc_scope *sc_instance_scope(sc_context *ctx, sc_scope *outer, const sc_item *item,
                            sc_component *component);
/* The same, with the inputs named in `failed_inputs` (whose settings have errors, already
 * reported) failed: what reads them fails silently, and only that. */
sc_scope *sc_instance_scope_failing(sc_context *ctx, sc_scope *outer, const sc_item *item,
                                    sc_component *component, const sc_map *failed_inputs);
/* How many names the instance tree binds in a body's scope: its resources and its
 * labelled blocks (nested instances). Scopes are made with room for them. */
size_t sc_body_names(const sc_item *body);

/* Built-in functions (builtins.c). The language's own are one static table; a client
 * adds its own to one context with sc_add_builtins (the test runner adds resource_at,
 * resources, outputs, parameters and exports: src/testing). */
typedef struct sc_checker sc_checker;

/* What a parameter accepts: the plain types, and polymorphic shapes checked by hand. */
typedef enum sc_param_kind {
    SC_PARAM_STRING,
    SC_PARAM_INT,
    SC_PARAM_SECRET,
    SC_PARAM_LIST_STRING,
    SC_PARAM_MAP_STRING,
    SC_PARAM_NUMBER,
    SC_PARAM_ANY,        /* anything but a secret */
    SC_PARAM_COLLECTION, /* list, map, record or string */
    SC_PARAM_LIST,
    SC_PARAM_MAP,
    SC_PARAM_RESOURCE,
    /* A string naming a resource type: a literal "AWS::..." one is checked against the
     * schema (E0272), and a list<view> result learns it, so its properties are checked. */
    SC_PARAM_RESOURCE_TYPE,
    /* A string naming a stack of the program: a literal one that names none is E0200. */
    SC_PARAM_STACK_NAME,
} sc_param_kind;

typedef struct sc_param {
    const char *name;
    sc_param_kind kind;
    bool optional;
} sc_param;

typedef struct sc_builtin {
    const char *name;
    sc_param params[5];
    bool variadic; /* the last parameter repeats */
    /* The result's type from the arguments' (NULL where an argument has none). */
    sc_type *(*result)(sc_context *ctx, sc_type **args);
    /* The value from the evaluated arguments; static ones when they all are. */
    sc_value *(*eval)(sc_context *ctx, sc_value **args, size_t count);
    const char *summary;
    /* Instead of `eval`, for a client's built-in: also sees the scope of the call, where
     * the client binds what its built-ins read. */
    sc_value *(*eval_in_scope)(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count);
    /* It reads what the test runner binds in a test's scope: anywhere else it could
     * never be known, so calling it outside a `test` block is an error (E0216). */
    bool only_in_tests;
} sc_builtin;

/* Adds `count` built-ins (which must outlive `ctx`) to the ones `ctx` knows, after the
 * language's own; a name the language has keeps the language's meaning. False, and
 * nothing added, when `ctx` holds SC_MAX_BUILTIN_TABLES tables already. */
bool sc_add_builtins(sc_context *ctx, const sc_builtin *builtins, size_t count);
const sc_builtin *sc_builtin_find(const sc_context *ctx, const char *name);
/* The builtin whose name is closest to `name`, for "did you mean". */
const char *sc_builtin_suggest(const sc_context *ctx, const char *name);
sc_type *sc_builtin_check(sc_checker *c, sc_scope *scope, const sc_builtin *builtin,
                          const sc_expr *call);
sc_value *sc_builtin_eval(sc_context *ctx, sc_scope *scope, const sc_builtin *builtin,
                          const sc_expr *call);
/* Every built-in `ctx` knows, read-only, for the query API (src/query). */
size_t sc_builtin_count(const sc_context *ctx);
const sc_builtin *sc_builtin_at(const sc_context *ctx, size_t index);
const char *sc_builtin_name(const sc_builtin *builtin);
const char *sc_builtin_summary(const sc_builtin *builtin);
const char *sc_builtin_signature(sc_arena *arena, const sc_builtin *builtin);

#endif
