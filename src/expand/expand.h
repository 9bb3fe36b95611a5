/* The expansion stage: a checked program becomes one resource graph per stack.
 * Entry point: sc_expand in expand.c. It reads the instance tree sema made (sema/tree.h:
 * components instantiated with their inputs, `for` and `if` unrolled, references
 * evaluated to Ref/Fn::GetAtt/Fn::Join/Fn::Select/Fn::GetAZs, values known at compile
 * time folded) and never calls back into the evaluator. Here references between stacks
 * become exports and imports, resources are ordered and validated, and stacks nested.
 * The emission stage writes what this produces. */
#ifndef STACKC_EXPAND_H
#define STACKC_EXPAND_H

#include "sema/sema.h"
#include "sema/tree.h"

/* One expanded component instance (one iteration of a `for`): where its resources sit in
 * the template and what dependants wait for. The instances of a stack form a tree. */
typedef struct sc_cfn_instance {
    const char *path;               /* "Stack/wp", "Stack/app/db": unique in the program */
    struct sc_cfn_instance *parent; /* the instance whose component declares this one */
    bool declares_ready;            /* the component has a `ready = ...` setting */
    sc_ptr_list ready;              /* logical ids (const char *) dependants wait for */
    sc_ptr_list resources;          /* sc_cfn_resource declared directly in it */
    sc_ptr_list children;           /* sc_cfn_instance nested in it */
    const sc_component *component;
    const char *label; /* its name in its parent: "wp", "web_a" for a `for` */
} sc_cfn_instance;

typedef struct sc_cfn_resource {
    const char *logical_id;
    const char *type;
    const char *path;                 /* declaration path, e.g. "wp/cluster" */
    sc_value *properties;             /* VAL_MAP in source order; null values dropped on output */
    sc_ptr_list depends_on;           /* logical ids (const char *) */
    sc_ptr_list depends_on_instances; /* sc_cfn_instance named in `depends_on`, resolved
                                         to logical ids once the stack is expanded */
    sc_cfn_instance *instance;        /* the instance that declares it, NULL at stack level */
    struct sc_cfn_allow *allow;       /* the `allow` whose grant made it, or NULL */
    const char *deletion_policy;      /* NULL when CloudFormation's default applies */
    const char *update_replace_policy;
    sc_value *metadata;  /* the user's `metadata`, or NULL */
    sc_span declared_at; /* the user's instance or resource */
    sc_span defined_at;  /* the `resource` in its component, or declared_at */
    const sc_item *item; /* the `resource` item, NULL for generated ones (allow) */
    size_t order;        /* for a stable, readable template order */
} sc_cfn_resource;

typedef struct sc_cfn_parameter {
    const char *name;
    const char *type;        /* String, Number, CommaDelimitedList, List<Number> */
    sc_value *default_value; /* NULL when none */
    bool no_echo;
    const char *description;
    sc_value *allowed_values;
    sc_span span;
} sc_cfn_parameter;

typedef struct sc_cfn_output {
    const char *name;
    sc_value *value;
    const char *export_name; /* non-NULL: exported for another stack */
    sc_span span;
} sc_cfn_output;

typedef struct sc_cfn_asset {
    const char *id;      /* content hash: sha256 of context files, dockerfile, args */
    const char *context; /* directory, relative to the main file's folder */
    const char *dockerfile;
    sc_value *build_args; /* VAL_MAP of strings */
    const char *target;   /* NULL when none */
    const char *platform; /* "linux/amd64", "linux/arm64", or NULL: the builder's own */
    sc_span span;
} sc_cfn_asset;

typedef enum sc_cross_stack_mode {
    SC_CROSS_STACK_WEAK,   /* default: the producer's output, read by the consumer's deploy */
    SC_CROSS_STACK_EXPORT, /* Export + Fn::ImportValue: CloudFormation locks the producer */
} sc_cross_stack_mode;

typedef struct sc_cfn_import {
    const char *export_name;
    const char *parameter; /* weak mode: the consumer's parameter that receives it */
    struct sc_cfn_stack *from;
    const char *output; /* the producer's output name */
    sc_value *read;     /* how the consumer's template reads it: Fn::GetStackOutput or
                           Fn::ImportValue */
} sc_cfn_import;

typedef struct sc_cfn_stack {
    sc_stack *stack;
    const char *name;          /* as declared: "Network" */
    const char *deployed_name; /* CloudFormation's: the app's name first, "wordpress-Network" */
    sc_ptr_list resources;     /* sc_cfn_resource, sorted by `order` at the end */
    sc_ptr_list parameters;    /* sc_cfn_parameter */
    sc_ptr_list outputs;       /* sc_cfn_output: the user's, then exports */
    sc_ptr_list imports;       /* sc_cfn_import */
    sc_ptr_list assets;        /* sc_cfn_asset used by this stack */
    sc_ptr_list depends_on;    /* sc_cfn_stack */
    sc_ptr_list instances;     /* sc_cfn_instance declared at stack level (the trees' roots) */
    sc_ptr_list allows;        /* sc_cfn_allow */
    sc_map logical_ids;        /* id -> sc_cfn_resource */
    sc_map exports_by_key;     /* canonical value text -> sc_cfn_output */
    sc_map imports_by_key;
    /* Nested stacks (nested.c). A stack's children are not in the program's list of
     * stacks: they are resources (AWS::CloudFormation::Stack) of their parent. */
    sc_ptr_list children;             /* sc_cfn_stack nested in this one, in template order */
    struct sc_cfn_stack *parent;      /* a nested stack: the stack whose template holds it */
    const char *nested_id;            /* a nested stack: its logical id in the parent */
    bool automatic;                   /* a nested stack made because the parent passed a limit */
    sc_span nested_at;                /* a nested stack: its `nested` block, or the parent's name */
    sc_cfn_resource *nested_resource; /* a nested stack: its AWS::CloudFormation::Stack */
    sc_map inputs_by_key;             /* a nested stack: canonical value -> its sc_cfn_parameter */
} sc_cfn_stack;

/* What one `allow a -> b` made: the grant's resources, which a's readers of b wait for. */
typedef struct sc_cfn_allow {
    sc_cfn_instance *source; /* NULL when the source is not an instance of this stack */
    sc_cfn_instance *target;
    sc_ptr_list resources; /* sc_cfn_resource */
} sc_cfn_allow;

typedef struct sc_cfn_program {
    sc_ptr_list stacks;    /* sc_cfn_stack in deploy order */
    sc_ptr_list assets;    /* every distinct sc_cfn_asset */
    sc_map context_hashes; /* build context folder -> hash state after its files (assets.c) */
    const char *base_dir;  /* the main file's folder: asset and source paths are relative to it */
    const char *app;       /* the app's name, which prefixes every stack's; NULL: none */
    sc_cross_stack_mode cross_stack;
} sc_cfn_program;

/* Each stack's resources: logical id, type, declaration path and line, what each depends
 * on (dump.c: `stackc check --dump=expanded`). */
void sc_write_expanded(const sc_context *ctx, const sc_cfn_program *program, FILE *out);

/* Expands a program that checked without errors. NULL when out of memory; other
 * problems are diagnostics. */
sc_cfn_program *sc_expand(sc_context *ctx, sc_program *program, sc_cross_stack_mode mode,
                          const char *app);

/* The same in steps, for a build that reads the instance tree as it is made (sema's
 * sc_tree_maker): begin, read each part, finish. A read takes the tree's instances and
 * allows made since the last read and the whole of its `made` list: call it once between
 * two of sema's hand-backs (which empty that list), and once at the end. The result is
 * the one sc_expand gives; only the expansion's messages come between the tree's
 * (driver/compile.c puts them back after). */
typedef struct sc_expansion sc_expansion;
sc_expansion *sc_expand_begin(sc_context *ctx, sc_program *program, sc_cross_stack_mode mode,
                              const char *app);
bool sc_expand_read(sc_expansion *expansion, const sc_instance_tree *tree);
sc_cfn_program *sc_expand_finish(sc_expansion *expansion);

/* Orders each stack's resources as their meaning needs beyond Ref and Fn::GetAtt
 * (order.c): a resource that reads an instance waits for what that instance declares
 * `ready`, and for the rules an `allow` made for its reader; `depends_on` an instance
 * waits for its ready resources (all of them when it declares none). Reports a
 * dependency cycle. False when it reported one. */
bool sc_order_resources(sc_context *ctx, sc_cfn_program *program);

/* Moves the resources of each stack's `nested` blocks into nested stacks, and splits
 * what is left of a stack that would pass CloudFormation's limits (500 resources, 1 MB)
 * into nested stacks of its own (nested.c); references that cross between a stack and
 * its nested stacks become their Parameters and Outputs. Reports what cannot be split
 * (E0317, E0318). False when it reported a problem. */
bool sc_nest_stacks(sc_context *ctx, sc_cfn_program *program);

/* A canonical text of a deploy-time value: equal values give equal texts. */
void sc_value_canonical(sc_buf *out, const sc_value *v);

/* Checks every AWS resource's properties against the schema (validate.c); reports
 * each problem and returns false when there was one. */
struct sc_schema;
bool sc_validate_resources(sc_context *ctx, struct sc_schema *schema, const sc_cfn_program *out);

/* The scope an expanded instance's component body was evaluated in (its inputs, lets,
 * resources bound to their ids), for component tests; NULL before expansion or for
 * an instance made by `for`. The same as sc_instance_body_scope (sema/tree.h). */
sc_scope *sc_expanded_scope(const sc_symbol *instance);

/* A path as written into templates: relative to the main file's folder for the
 * user's files, "std/NAME.stack" for the standard library, so output does not
 * depend on where the repository or the stdlib sits. */
const char *sc_display_path(sc_context *ctx, const sc_cfn_program *out, uint32_t source);

#endif
