/* Names in the instance tree: logical ids and declaration paths, made from the names
 * the program declares (tree.h). An id must not change when the program grows: a `for`
 * names its elements by themselves where it can, and `default` adds nothing. */
#include "sema/checker.h"
#include "sema/tree.h"

#include <ctype.h>
#include <string.h>

/* "public_subnet" -> "PublicSubnet"; any character that is not a letter or digit
 * separates words. */
void sc_append_pascal(sc_buf *out, const char *name)
{
    bool upper = true;
    if (!name)
        return;
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p)) {
            upper = true;
            continue;
        }
        sc_buf_putc(out, upper ? (char)toupper((unsigned char)*p) : *p);
        upper = false;
    }
}

const char *sc_tree_pascal(sc_context *ctx, const char *prefix, const char *name,
                           const char *suffix)
{
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    if (prefix)
        sc_buf_puts(&out, prefix);
    sc_append_pascal(&out, name);
    if (suffix)
        sc_append_pascal(&out, suffix);
    if (out.len == 0 || isdigit((unsigned char)out.data[0])) {
        sc_buf_free(&out);
        sc_buf_init(&out, &ctx->allocator);
        sc_buf_putc(&out, 'R');
        if (prefix)
            sc_buf_puts(&out, prefix);
        sc_append_pascal(&out, name);
        if (suffix)
            sc_append_pascal(&out, suffix);
    }
    const char *id = sc_arena_strdup(&ctx->arena, out.data ? out.data : "R");
    sc_buf_free(&out);
    return id;
}

const char *sc_pascal_name(sc_context *ctx, const char *prefix, const char *name)
{
    return sc_tree_pascal(ctx, prefix, name, NULL);
}

uint32_t sc_name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* A declaration named `default` adds nothing to its id or path: a grant's one rule is
 * AllowWebToDb, not AllowWebToDbDefault (the convention the AWS CDK uses for "Default"). */
static bool is_default_name(const char *name)
{
    return name && strcmp(name, "default") == 0;
}

const char *sc_tree_declared_id(sc_context *ctx, const char *prefix, const char *name,
                                const char *suffix)
{
    if (is_default_name(name) && prefix && !suffix)
        return prefix;
    return sc_tree_pascal(ctx, prefix, is_default_name(name) && prefix ? NULL : name, suffix);
}

const char *sc_tree_declared_path(sc_context *ctx, const char *prefix, const char *name)
{
    if (is_default_name(name) && prefix)
        return prefix;
    return sc_arena_printf(&ctx->arena, "%s%s%s", prefix ? prefix : "", prefix ? "/" : "", name);
}

/* The suffix a `for` adds: the element itself when it is a name or a number, so adding
 * an element does not rename the others; its position otherwise. */
const char *sc_tree_loop_suffix(sc_context *ctx, const sc_value *element, size_t index)
{
    if (element && element->kind == VAL_STRING && element->s[0])
        return element->s;
    if (element && element->kind == VAL_INT)
        return sc_arena_printf(&ctx->arena, "%lld", element->i);
    return sc_arena_printf(&ctx->arena, "%zu", index);
}
