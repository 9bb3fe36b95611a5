/* What the files of the built-in functions share: the evaluation of each built-in NAME,
 * sc_fn_NAME (builtins_text.c, builtins_collections.c, builtins_numbers.c,
 * builtins_deploy.c), which the table in builtins.c names, and the helpers they use. */
#ifndef STACKC_SEMA_BUILTINS_H
#define STACKC_SEMA_BUILTINS_H

#include "sema/checker.h"

/* An unknown value: what a built-in gives for arguments not known at compile time. */
sc_value *sc_fn_unknown(sc_context *ctx);
bool sc_fn_all_known(sc_value **args, size_t count);
/* A Ref or another intrinsic: known only once deployed. */
bool sc_fn_is_deploy_time(const sc_value *v);
bool sc_fn_same_value(const sc_value *a, const sc_value *b);
sc_value *sc_fn_int(sc_context *ctx, long long i);
sc_value *sc_fn_bool(sc_context *ctx, bool b);
/* Fn::Join of `parts` with `separator`, owned by the first part's stack (builtins_text.c). */
sc_value *sc_fn_join_parts(sc_context *ctx, const char *separator, sc_value *parts);
/* What is wrong with a regular expression, or NULL when it compiles (builtins_text.c). */
const char *sc_regex_problem(sc_context *ctx, const char *pattern);

sc_value *sc_fn_account_id(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_availability_zones(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_blame(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_build(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_built(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_cidr_contains(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_cidr_prefix(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_cidr_valid(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_cidrs_disjoint(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_cidrsubnet(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_closest(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_concat(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_contains(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_distinct(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_dynamic_ref(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_flatten(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_floor(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_format(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_hash(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_index_of(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_instance_name(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_instance_path(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_join(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_json(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_keys(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_known(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_length(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_lookup(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_lower(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_max(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_merge(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_min(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_parse_int(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_partition(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_range(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_regex_groups(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_regex_match(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_regex_replace(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_region(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_replace(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_secret_arn(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_secret_field(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_secret_id(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_split(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_stack_name(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_starts_with(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_upper(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_values(sc_context *ctx, sc_value **args, size_t count);
sc_value *sc_fn_with_platform(sc_context *ctx, sc_value **args, size_t count);

#endif
