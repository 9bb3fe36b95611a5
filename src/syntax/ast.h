/* The abstract syntax tree of a `.stack` file.
 *
 * One shape, `sc_item`, serves every braced body: a stack, a component definition, an
 * instance, a raw resource and a nested block all hold a list of items. The grammar
 * therefore stays small and accepts e.g. `input` inside a stack; the checker rejects
 * what is out of place with a message that says where it belongs. Every node carries
 * the span of the source it came from. All nodes live in the context's arena. */
#ifndef STACKC_SYNTAX_AST_H
#define STACKC_SYNTAX_AST_H

#include "util/util.h"

typedef struct sc_ident {
    const char *name; /* NULL when absent */
    sc_span span;
} sc_ident;

typedef struct sc_expr sc_expr;
typedef struct sc_type_expr sc_type_expr;
struct sc_value;
typedef struct sc_item sc_item;

/* ---- expressions ------------------------------------------------------------------ */

typedef enum sc_expr_kind {
    EXPR_ERROR,  /* placeholder after a syntax error */
    EXPR_STRING, /* text: decoded value; raw: source spelling without quotes */
    EXPR_INTERP, /* parts: EXPR_STRING segments and embedded expressions */
    EXPR_INT,    /* int_value; raw keeps the spelling */
    EXPR_NUMBER, /* number_value */
    EXPR_BOOL,   /* bool_value */
    EXPR_NULL,
    EXPR_DURATION, /* int_value in milliseconds; raw keeps `7d` */
    EXPR_SIZE,     /* int_value in bytes; raw keeps `1GiB` */
    EXPR_LIST,     /* items */
    EXPR_MAP,      /* entries: sc_map_entry */
    EXPR_NAME,     /* name */
    EXPR_MEMBER,   /* left . name */
    EXPR_INDEX,    /* left [ right ] */
    EXPR_CALL,     /* name ( args: sc_arg ) */
    EXPR_UNARY,    /* op left */
    EXPR_BINARY,   /* left op right */
    EXPR_COND,     /* cond ? left : right */
    EXPR_FOR_LIST, /* [for name in cond : left if right] */
    EXPR_FOR_MAP,  /* {for key_var, name in cond : left => right if filter} */
} sc_expr_kind;

typedef enum sc_op {
    OP_NONE,
    OP_NOT,
    OP_NEG,
    OP_OR,
    OP_AND,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IN,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
} sc_op;

typedef struct sc_map_entry {
    sc_ident key;
    bool key_is_string; /* written "quoted" */
    sc_expr *value;
    sc_span span;
} sc_map_entry;

typedef struct sc_arg {
    sc_ident name; /* name.name NULL for a positional argument */
    sc_expr *value;
} sc_arg;

struct sc_expr {
    sc_expr_kind kind;
    sc_span span;
    uint32_t depth;   /* operators nested below this node, bounded by SC_MAX_EXPR_DEPTH */
    const char *text; /* EXPR_STRING value */
    const char *raw;  /* literal as written */
    long long int_value;
    double number_value;
    bool bool_value;
    sc_op op;
    sc_ident name;     /* EXPR_NAME, EXPR_MEMBER member, EXPR_CALL callee, for value var */
    sc_ident key_var;  /* EXPR_FOR_MAP key var (optional for lists: index var) */
    sc_expr *left;     /* operand, list-for body, map-for key */
    sc_expr *right;    /* operand, index, map-for value */
    sc_expr *cond;     /* condition, for-iterable */
    sc_expr *filter;   /* for ... if filter */
    sc_ptr_list items; /* list items, interpolation parts, map entries, call args */
    /* A literal's compile-time value, made once by sema's evaluator and shared by every
     * evaluation of it (values are never changed once made); NULL until then. */
    struct sc_value *value;
};

/* ---- type expressions --------------------------------------------------------------- */

typedef enum sc_type_expr_kind {
    TYPEX_NAME,     /* name, with args for list<T>/map<T> */
    TYPEX_UNION,    /* alternatives: EXPR_STRING literals */
    TYPEX_RECORD,   /* fields: sc_field */
    TYPEX_OPTIONAL, /* inner? */
} sc_type_expr_kind;

typedef struct sc_field {
    sc_ident name;
    sc_type_expr *type;
    sc_expr *default_value; /* NULL when required */
    sc_span span;
} sc_field;

struct sc_type_expr {
    sc_type_expr_kind kind;
    sc_span span;
    sc_ident name;
    sc_ptr_list args;         /* of sc_type_expr */
    sc_ptr_list alternatives; /* of sc_expr (strings) */
    sc_ptr_list fields;       /* of sc_field */
    sc_type_expr *inner;
};

/* ---- items -------------------------------------------------------------------------- */

typedef enum sc_item_kind {
    ITEM_ERROR,       /* placeholder after a syntax error */
    ITEM_IMPORT,      /* import "path" */
    ITEM_STACK,       /* stack Name { items } */
    ITEM_COMPONENT,   /* component kind { items } */
    ITEM_TYPE,        /* type name = type */
    ITEM_BLOCK,       /* kind [label] [for x in e] [if e] { items }: instance or nested block */
    ITEM_ATTR,        /* key = value */
    ITEM_RESOURCE,    /* resource name "AWS::X::Y" [for x in e] [if e] { items } */
    ITEM_LET,         /* let name [: type] = value */
    ITEM_PARAM,       /* param name : type [= default] [{ options }] */
    ITEM_OUTPUT,      /* output name = value */
    ITEM_ALLOW,       /* allow from -> to [{ options }] */
    ITEM_INPUT,       /* input name : type [= default] */
    ITEM_ATTRIBUTE,   /* attribute name [: type] = value */
    ITEM_CONNECTABLE, /* connectable { security_group = e, port = e } */
    ITEM_CHECK,       /* check cond, "message" */
    ITEM_WARN,        /* warn cond, "message": a check that reports a warning */
    ITEM_TEST,        /* test "name" { items } */
    ITEM_ASSERT,      /* assert cond [, "message"] */
    ITEM_UNIQUE,      /* unique [for x in e :] key, "message": keys distinct program-wide */
    ITEM_GRANT,       /* grant [name] { items }: what `allow x -> instance` makes */
    ITEM_MOVED,       /* moved old -> new (label: old, name: new): a rename that keeps ids */
} sc_item_kind;

struct sc_item {
    sc_item_kind kind;
    sc_span span;
    sc_ident name;  /* declared name; ITEM_BLOCK: the kind word */
    sc_ident label; /* ITEM_BLOCK label / instance name */
    bool label_is_string;
    sc_expr *text;      /* ITEM_IMPORT path, ITEM_RESOURCE type, ITEM_TEST name (EXPR_STRING) */
    sc_type_expr *type; /* declared type */
    sc_expr *value;     /* value, default, condition of check/assert */
    sc_expr *message;   /* check/assert message */
    sc_expr *from, *to; /* allow */
    sc_ident for_index; /* block/resource repetition: `for index, var in iter` */
    sc_ident for_var;
    sc_expr *for_iter;
    sc_expr *when; /* block/resource condition */
    bool has_body;
    sc_ptr_list items; /* body */
    sc_span body_span; /* from '{' to '}' */
};

/* A comment kept for the formatter. */
typedef struct sc_comment {
    sc_span span;
    const char *text; /* the whole comment, markers included */
} sc_comment;

/* One parsed file. */
typedef struct sc_file {
    uint32_t source; /* index in ctx->sources */
    sc_span span;
    sc_ptr_list items;
    sc_ptr_list comments;
    bool has_syntax_errors;
} sc_file;

const char *sc_op_text(sc_op op);
const char *sc_item_kind_name(sc_item_kind kind);

/* The subexpressions of `e`, for walks over it: sc_expr_child(e, i) for i below
 * sc_expr_child_count(e) is an operand, a `for`'s parts, an element, a map entry's value,
 * an argument or an interpolated part, or NULL where `e` has none in that place. */
size_t sc_expr_child_count(const sc_expr *e);
const sc_expr *sc_expr_child(const sc_expr *e, size_t i);

#endif
