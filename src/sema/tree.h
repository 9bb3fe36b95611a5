/* The instance tree: what sema hands the stages after it, finished.
 *
 * Design. Checking proves a program right; building it needs more: every instance made
 * (one per element of a `for`, none where an `if` is false), the values of its inputs,
 * attributes and `ready` list, the resources its body declares with their properties
 * evaluated, and what each `allow` makes. All of that is evaluation, and evaluation is
 * sema's: so sema makes it once, here, and later stages only read it. They never call
 * the evaluator for a body or hang functions on sema's symbols.
 *
 * - Building (tree.c) walks each stack's items in source order. Every stack-level name
 *   gets a pending entry (symbol->pending) that makes it on first use, so a reference
 *   made early (a resource reading an instance declared below it, a stack reading
 *   another) makes what it names then, in whatever order references arrive; the
 *   evaluator asks tree.c for a pending symbol's value. An instance is made in a fresh
 *   scope holding its inputs; its resources are bound to their logical ids before any
 *   property is evaluated, so resources may refer to one another freely.
 * - A resource's value is its logical id (VAL_RESOURCE, owned by its stack), so the
 *   values in the tree are the deploy-time values the template needs: ids are named
 *   here (tree_names.c) from declaration paths, and `moved old -> new` keeps old ids.
 * - The tree keeps the raw evaluated values: lowering them into a template (reads of
 *   other stacks' outputs, build() images, what a template cannot carry) is the
 *   expansion stage's. `made` lists resources, params and outputs in the order they were
 *   made, which the expansion replays so that what it derives in order (export names,
 *   its messages) comes out as it always has.
 * - Everything is allocated in the compilation's arenas: the values, ids and paths
 *   templates are made of in ctx->arena and ctx->lasting, the scopes in
 *   ctx->tree_scopes, which a build hands back once the tree is made (a stack's own
 *   once it is made, sc_tree_scopes_read_later), and the records expansion replays in
 *   ctx->tree_work, which a build hands back part by part as expansion reads it
 *   (sc_tree_maker, below) and the rest after expansion (sc_release_tree_work).
 *   Out of memory leaves a partial tree and ctx->out_of_memory set, never a dangling
 *   pointer.
 *
 * - The local tree (local_tree.c, below) is the same hand-over for `stackc build
 *   --target compose`, with another meaning of references: what an instance is on one
 *   machine (its `compose` view, its attributes) rather than in a template.
 * - Neither tree is the picture `stackc graph` draws: that is of the source, one node per
 *   declaration however many instances it makes, with `if`s the compiler cannot decide
 *   drawn as such. The picture (picture_tree.c, below) is its hand-over: tolerant where
 *   the instance tree reports E0303, it records per declaration what is decided and
 *   leaves the rest undecided, so graph.c reads it and never evaluates.
 *
 * Each tree is made on first request and kept on the program, so `check` and the editor
 * never pay for it. */
#ifndef STACKC_SEMA_TREE_H
#define STACKC_SEMA_TREE_H

#include "sema/sema.h"

typedef struct sc_tree_instance sc_tree_instance;
typedef struct sc_tree_allow sc_tree_allow;

/* One setting as written and evaluated: a resource property, a param option. */
typedef struct sc_tree_setting {
    const char *name;
    sc_value *value;
    sc_span span; /* its value's expression */
} sc_tree_setting;

/* One resource (one element of a `for`). */
typedef struct sc_tree_resource {
    size_t index;           /* its position in sc_instance_tree.resources */
    const char *logical_id; /* unique in its stack */
    const char *type;       /* "AWS::EC2::VPC" */
    const char *path;       /* declaration path, e.g. "wp/cluster" */
    sc_stack *stack;
    const sc_item *item;        /* the `resource` item */
    sc_ptr_list properties;     /* sc_tree_setting in source order, `depends_on`, the
                                   policies and `metadata` among them */
    sc_tree_instance *instance; /* the instance whose body declares it, NULL at stack level */
    sc_tree_allow *allow;       /* the `allow` whose grant made it, or NULL */
    sc_span declared_at;        /* the user's instance, allow or resource */
    size_t order;               /* a stable, readable template order within the stack */
} sc_tree_resource;

/* One instance (one element of a `for`). Instances of a stack form a tree. */
struct sc_tree_instance {
    size_t index;             /* its position in sc_instance_tree.instances */
    const char *path;         /* "Stack/wp", "Stack/app/db": unique in the program */
    sc_tree_instance *parent; /* the instance whose component declares this one */
    sc_stack *stack;
    const sc_component *component;
    const sc_item *item;   /* the instance's block */
    const char *label;     /* its name in its parent: "wp", "web_a" for a `for` */
    sc_scope *scope;       /* its body's scope: inputs, lets, resources by name */
    bool declares_ready;   /* the component has a `ready = ...` setting */
    sc_ptr_list ready;     /* logical ids (const char *) readers wait for */
    sc_ptr_list resources; /* sc_tree_resource declared directly in its body */
    sc_ptr_list children;  /* sc_tree_instance nested in it */
    sc_value *connectable; /* what an `allow` from it hands to grants, or NULL */
    sc_value *attributes;  /* VAL_MAP of its attributes, instance_path set */
};

/* What one `allow a -> b` made: b's grant for a. */
struct sc_tree_allow {
    size_t index; /* its position in sc_instance_tree.allows */
    sc_stack *stack;
    const sc_item *item;
    sc_tree_instance *source, *target;
    sc_ptr_list resources; /* sc_tree_resource */
};

typedef struct sc_tree_param {
    sc_stack *stack;
    const sc_item *item;
    const sc_type *type;     /* its declared type, or NULL */
    bool secret;             /* of type secret: its value is never echoed */
    sc_value *default_value; /* NULL when none */
    sc_ptr_list options;     /* sc_tree_setting: `description`, `type`, `allowed` */
} sc_tree_param;

typedef struct sc_tree_output {
    sc_stack *stack;
    const sc_item *item;
    sc_value *value;
} sc_tree_output;

typedef enum sc_made_kind {
    SC_MADE_PROPERTY, /* a property of `what` (sc_tree_resource) evaluated: `setting` */
    SC_MADE_RESOURCE, /* sc_tree_resource, once all its properties are */
    SC_MADE_PARAM,    /* sc_tree_param */
    SC_MADE_OUTPUT,   /* sc_tree_output */
} sc_made_kind;

typedef struct sc_made {
    sc_made_kind kind;
    void *what;
    const sc_tree_setting *setting;
} sc_made;

/* One stack's part of the tree. */
typedef struct sc_tree_stack {
    sc_stack *stack;
    sc_ptr_list instances; /* sc_tree_instance declared at stack level (the roots) */
    sc_ptr_list allows;    /* sc_tree_allow made in this stack */
    sc_map logical_ids;    /* id -> sc_tree_resource */
    size_t resource_count;
} sc_tree_stack;

typedef struct sc_instance_tree {
    sc_ptr_list stacks;    /* sc_tree_stack, as program->stacks */
    sc_ptr_list instances; /* every sc_tree_instance, in the order made */
    sc_ptr_list allows;    /* every sc_tree_allow, in the order made */
    sc_ptr_list resources; /* every sc_tree_resource, in the order begun */
    sc_ptr_list made;      /* sc_made: resources, params and outputs in the order made */
} sc_instance_tree;

/* The program's instance tree, made on the first call (its evaluation errors reported
 * then, once) and kept on the program. NULL when out of memory. */
const sc_instance_tree *sc_sema_instances(sc_context *ctx, sc_program *program);
/* Making the tree a stack at a time, for a build that reads each part as it is made
 * and hands its records back at once (driver/compile.c): a big program then holds the
 * records of one part at a time, not all of them. sc_sema_instances is the same loop
 * with nothing read between. A part is settled when a build hands back its last stack's
 * scopes (sc_tree_scopes_read_later): nothing a later stack reads was made in it, so
 * once its records are read (the tree's `made` and `resources` since the last hand
 * back), they may go. A stack a later one reads keeps its records to the end. */
typedef struct sc_tree_maker sc_tree_maker;
/* NULL when out of memory or when the program's tree is already made. */
sc_tree_maker *sc_tree_begin(sc_context *ctx, sc_program *program);
const sc_instance_tree *sc_tree_made(const sc_tree_maker *maker);
/* Makes the next stack; false once every stack is made. */
bool sc_tree_make_next(sc_tree_maker *maker);
bool sc_tree_part_settled(const sc_tree_maker *maker);
/* Hands back a settled part's records, which the caller has read: the tree's `made` and
 * `resources` lists start empty again (indexes of resources from 0), and the part's
 * instances, allows and stacks forget their lists of them. Does nothing unless settled. */
void sc_tree_hand_back_part(sc_tree_maker *maker);
/* The tree, finished (in a build, the scopes handed back). NULL when out of memory. */
const sc_instance_tree *sc_tree_end(sc_tree_maker *maker);

/* Hands back what making the instance tree needed (sc_tree_work): the scopes it
 * evaluated in, its resources, settings and the `made` list. For a build, once
 * expansion has read the tree: what the template holds (values, ids, paths) lives
 * elsewhere. Afterwards the tree keeps its stacks, instances (without `scope` and
 * `resources`) and allows (without `resources`); nothing may evaluate in it (no
 * component tests, no picture made from it). */
void sc_release_tree_work(sc_context *ctx, sc_program *program);

/* By stack of the program, in the order the tree makes them: whether the scopes made
 * while making it must outlive its making. They must when another stack reads it (an
 * `allow` to one of its instances makes the grant inside the target's scope), or when
 * it reads a stack made after it (whose instances it then makes, with their scopes, on
 * the way). A build hands back the scopes of every other stack as soon as it is made:
 * a big program then holds one stack's scopes at a time, not all of them. NULL when
 * memory runs out. */
const bool *sc_tree_scopes_read_later(sc_context *ctx, const sc_program *program);

/* ---- the local tree ---------------------------------------------------------------------
 * What `stackc build --target compose` reads (local_tree.c): the program on one machine.
 * It is made with another meaning of references than the instance tree's: an instance,
 * raw resource or param is a marker (VAL_RESOURCE "Wordpress.wp"; a param the intrinsic
 * stackc::Param of "Wordpress.domain") rather than what a template holds, and nothing
 * inside an instance is made unless its component has no `compose` view and declares
 * instances, which then become locals inside it. */

typedef struct sc_local sc_local;

/* One instance (one element of a `for`) or raw resource, at stack level or declared by
 * a component that runs as what it declares. */
struct sc_local {
    const sc_item *item;
    sc_stack *stack;
    sc_component *component; /* NULL for a raw resource */
    sc_local *parent;        /* the instance whose component declares it, or NULL */
    const char *name;        /* "wp", "uploads[0]", "shop.db" */
    const char *marker;      /* "Wordpress.wp": the id its marker carries */
    sc_scope *outer;         /* where its inputs are evaluated (loop variables bound) */
    sc_scope *scope;         /* its inputs and its component's lets */
    sc_value *view;          /* its component's `compose`, evaluated for it; NULL: none */
    sc_value *attributes;    /* VAL_MAP: its component's attributes, evaluated for it */
    sc_ptr_list children;    /* sc_local: what it runs as, when its component has no view */
    bool runs_inside;        /* its component has no `compose` but declares instances */
};

typedef struct sc_local_param {
    sc_stack *stack;
    const sc_item *item;
    sc_symbol *symbol;
    sc_value *default_value; /* NULL when none */
} sc_local_param;

typedef struct sc_local_tree {
    sc_map locals;             /* marker -> sc_local */
    sc_ptr_list top;           /* stack-level locals, in the order they were made */
    sc_ptr_list order;         /* every local, each followed by what it runs as */
    sc_map params;             /* marker -> sc_local_param, for the params locals read */
    sc_ptr_list skipped;       /* "service Stack.name": instances whose `if` is false */
    sc_ptr_list skipped_items; /* their declarations */
    bool failed;               /* a `for` could not be walked (reported) */
} sc_local_tree;

/* The program's local tree, made on the first call and kept on the program. NULL when
 * out of memory. */
const sc_local_tree *sc_sema_local_instances(sc_context *ctx, sc_program *program);

/* ---- The picture (picture_tree.c): what `stackc graph` reads -------------------------
 *
 * One frame per body graph draws: each stack, and the component of each instance whose
 * inside is drawn (its component declares instances and its `graph` view does not say
 * `show_inside = false`), at most SC_PICTURE_MAX_DEPTH deep. A frame has one entry per
 * item of its body, in order, with what the compiler decides about it; and, for every
 * expression of the declarations in it, the declaration each name there resolves to
 * and the branch each conditional takes when its condition is decided. Nothing is made
 * and nothing is reported: an `if` or `for` the compiler cannot decide is recorded as
 * such. */

enum { SC_PICTURE_MAX_DEPTH = 16 };

typedef enum sc_picture_truth {
    SC_PICTURE_UNDECIDED,
    SC_PICTURE_TRUE,
    SC_PICTURE_FALSE,
} sc_picture_truth;

typedef struct sc_picture_frame sc_picture_frame;

/* One item of a body. */
typedef struct sc_picture_decl {
    const sc_item *item;
    sc_picture_truth when;    /* its `if`; SC_PICTURE_TRUE when it has none */
    bool counted;             /* its `for` walks a known list or map ... */
    size_t count;             /* ... of this many elements */
    sc_picture_frame *inside; /* an instance drawn with what it declares, or NULL */
    const sc_value *view;     /* an instance's `graph` view, defaults filled, or NULL */
    /* An `allow`: the instances its ends name (followed through a component's inputs),
     * each with the frame that declares it, or NULL; the port its grant opens (the
     * allow's own, else the grant's default for the target) and the access it asks. */
    const sc_symbol *allow_from, *allow_to;
    const sc_picture_frame *allow_from_frame, *allow_to_frame;
    const sc_value *port;
    const char *access;
} sc_picture_decl;

struct sc_picture_frame {
    sc_stack *stack;
    const sc_scope *names;   /* where its names resolve: compared, never read */
    const char *path;        /* "store.orders": the instance it is inside, NULL at stack level */
    const sc_item *instance; /* that instance, or NULL */
    const sc_picture_frame *outer; /* where the instance is written */
    sc_ptr_list decls;             /* sc_picture_decl, one per item of the body */
    sc_map symbols;                /* name expression -> sc_symbol (sc_picture_symbol) */
    sc_map branches;               /* conditional -> the branch it takes */
    sc_scope *values;              /* the builder's: where it evaluated */
};

typedef struct sc_picture {
    sc_ptr_list stacks; /* sc_picture_frame, one per stack of the program, in its order */
} sc_picture;

/* The program's picture, made on the first call and kept on the program. NULL when out
 * of memory. */
const sc_picture *sc_sema_picture(sc_context *ctx, sc_program *program);
/* The declaration `e` names in `frame`: for a name, what it resolves to there; for
 * `Stack.name`, the other stack's declaration. NULL when it names none. */
const sc_symbol *sc_picture_symbol(const sc_picture_frame *frame, const sc_expr *e);
/* The branch a conditional expression takes in `frame`, or NULL when its condition is
 * not decided at compile time. */
const sc_expr *sc_picture_branch(const sc_picture_frame *frame, const sc_expr *e);

/* The scope an instance's component body was evaluated in (its inputs, lets, resources
 * bound to their ids), for component tests; NULL before the tree is made or for an
 * instance made by `for`. */
sc_scope *sc_instance_body_scope(const sc_symbol *instance);

/* Logical-id naming (tree_names.c), shared with the expansion stage: "public_subnet"
 * -> "PublicSubnet" after `prefix`, appending that to a buffer, and the stable 32-bit
 * hash that makes ids unique. */
const char *sc_pascal_name(sc_context *ctx, const char *prefix, const char *name);
void sc_append_pascal(sc_buf *out, const char *name);
uint32_t sc_name_hash(const char *s);

#endif
