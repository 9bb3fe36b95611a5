/* Internal interface of `stackc build --target compose`: the locals (locals.c, read from
 * sema's local tree),
 * what a value is on one machine (local_values.c), and the services and files
 * (compose.c).
 *
 * What an instance is locally comes from its component's `compose` setting, a
 * compose_view (stdlib/views.stack) evaluated with the instance's inputs: this code knows
 * Compose and the fields of that record type, and no component by name. */
#ifndef STACKC_VIEWS_COMPOSE_H
#define STACKC_VIEWS_COMPOSE_H

#include "sema/tree.h"
#include "views/views.h"

/* One local of the local tree (sema/tree.h), with what the writers make of it. */
typedef struct local {
    const sc_local *made; /* sema's: its values, view and attributes */
    const sc_item *item;
    sc_stack *stack;
    sc_component *component; /* NULL for a raw resource */
    struct local *parent;    /* the instance whose component declares it, or NULL */
    const char *name;        /* "wp", "uploads[0]", "shop.db" */
    const char *marker;      /* "Wordpress.wp": the id its marker carries */
    sc_value *view;          /* its component's `compose`, evaluated for it; NULL: none */
    const char *service;     /* its server's Compose service, or its volumes' first name */
    const char *var;         /* prefix of its .env variables: WORDPRESS_WP */
    sc_ptr_list containers;  /* Compose names of its containers, in order */
    sc_ptr_list volumes;     /* the volumes that stand in for it */
    sc_ptr_list notes;       /* what stands in for it, for the file's header */
    sc_ptr_list children;    /* local: what it runs as, when its component has no `compose` */
    bool runs_inside;        /* its component has no `compose` but declares instances */
} local;

/* One .env variable. */
typedef struct env_var {
    const char *name;
    const char *value; /* as written after `=`; "" when the user must fill it */
    const char *group; /* the comment heading it */
    bool required;
} env_var;

typedef struct composer {
    sc_context *ctx;
    sc_program *program;
    const sc_compose_options *options;
    const sc_type *view_type; /* compose_view, from the standard library */
    const char *base_dir;     /* the main file's folder, absolute */
    const char *title;        /* the main file's name */
    sc_map locals;            /* marker -> local */
    sc_ptr_list top;          /* stack-level locals, in the order they were made */
    sc_ptr_list order;        /* every local, each followed by what it runs as */
    const sc_map *params;     /* marker -> sc_local_param (sema's) */
    sc_map names;             /* Compose service and volume names taken */
    sc_map vars;              /* .env variable name -> env_var */
    sc_ptr_list env;          /* env_var, in order of first use */
    sc_value *services;
    sc_value *volumes;
    sc_ptr_list left_out;      /* header lines: no local equivalent */
    sc_ptr_list skipped;       /* header lines: instances whose `if` is false */
    sc_ptr_list skipped_items; /* their declarations */
    bool failed;
} composer;

/* Where a value is used, for messages, and what that use depends on. */
typedef struct use {
    local *owner;          /* the instance whose container it is */
    const char *container; /* the container's key */
    sc_span origin;        /* where the container's block is written, if it is one */
    const char *setting;   /* "env", "secrets", "image", "command" */
    const char *key;       /* the variable, or NULL */
    sc_ptr_list servers;   /* local: what the container must wait for */
    int depth;             /* attributes followed through other attributes */
} use;

/* ---- locals.c */

/* Makes a local of every local of sema's local tree, in its order: every stack-level
 * instance and raw resource in source order, each followed by what it runs as. */
void compose_find_locals(composer *k);

/* ---- local_values.c */

/* A field of a record value (an evaluated compose_view and its parts); NULL when it is
 * absent or null. */
sc_value *compose_field(const sc_value *record, const char *name);
/* The value of the attribute `name` of `l`, as sema evaluated it for `l`; NULL when its
 * component has no such attribute. */
sc_value *compose_attribute(const local *l, const char *name);
/* Text the user wrote, made literal for Compose, which reads `$` as interpolation. */
const char *compose_literal(composer *k, const char *s);
/* "my-site" + "uploads[0]" -> "MY_SITE_UPLOADS_0": a shell variable name. */
const char *compose_var_name(composer *k, const char *a, const char *b);
/* Declares a .env variable (once) and returns how Compose reads it: ${NAME}, or
 * ${NAME:?...} when the user must fill it. */
const char *compose_env_reference(composer *k, const char *name, const char *value,
                                  const char *group, bool required);
/* The .env variable of `l` with `key` (declared by its view's `env`), as Compose reads
 * it; NULL, with a diagnostic, when the view declares no such key. */
const char *compose_instance_var(composer *k, local *l, const char *key);
/* The text of a compose_value of `l`: its .env variable, its server's host name, or a
 * text. NULL, with a diagnostic, when the view contradicts itself. */
const char *compose_value_text(composer *k, local *l, const sc_value *value);
/* Appends the local text of `v` (an env, secret, image or command value) to `out`, in
 * Compose syntax. False, with a diagnostic, when it has no local equivalent. */
bool compose_local_text(composer *k, use *u, const sc_value *v, sc_buf *out);
sc_value *compose_local_string(composer *k, use *u, const sc_value *v);
/* A value read from an instance that has nothing standing in for it: E0320. */
void compose_report_no_local(composer *k, const use *u, const local *l, const char *attribute);
/* A value only a deployment knows: E0321. */
void compose_report_aws_only(composer *k, const use *u, const char *what);
/* Where a use, or a setting of the block written at `origin`, is in the source. */
sc_span compose_use_span(const use *u);
sc_span compose_setting_span(const local *l, sc_span origin, const char *setting, const char *key);
/* "container `php` of service `wordpress`" (with the variable first when there is one). */
const char *compose_use_text(composer *k, const use *u);

#endif
