/* Values as text, by one walk in the two notations the compiler writes them in: the
 * language's own, for diagnostics and dumps (sc_value_describe: strings quoted,
 * durations in milliseconds, deploy-time values "(known at deploy time)"), and compact
 * JSON, for json() (sc_value_write_json: strings escaped, and no text for what JSON
 * cannot hold). Templates are written by emit's writers, which also lay the document
 * out and drop null entries. */
#include "sema/sema.h"

typedef enum notation { NOTATION_STACK, NOTATION_JSON } notation;

static void write_string(sc_buf *out, const char *s, notation how)
{
    if (how == NOTATION_STACK) {
        sc_buf_printf(out, "\"%s\"", s);
        return;
    }
    sc_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sc_buf_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            sc_buf_printf(out, "\\u%04x", *p);
        else
            sc_buf_putc(out, (char)*p);
    }
    sc_buf_putc(out, '"');
}

/* False when the value has no text in the notation (only JSON lacks some). */
static bool write_value(sc_buf *out, const sc_value *v, notation how)
{
    bool json = how == NOTATION_JSON;
    if (!v) {
        sc_buf_puts(out, "?");
        return !json;
    }
    switch (v->kind) {
    case VAL_UNKNOWN:
    case VAL_RESOURCE:
    case VAL_INTRINSIC:
    case VAL_SECRET:
        sc_buf_puts(out, "(known at deploy time)");
        return !json;
    case VAL_NULL:
        sc_buf_puts(out, "null");
        return true;
    case VAL_BOOL:
        sc_buf_puts(out, v->b ? "true" : "false");
        return true;
    case VAL_INT:
        sc_buf_printf(out, "%lld", v->i);
        return true;
    case VAL_NUMBER:
        sc_buf_printf(out, json ? "%.15g" : "%g", v->n);
        return true;
    case VAL_STRING:
        write_string(out, v->s, how);
        return true;
    case VAL_DURATION:
        sc_buf_printf(out, "%lldms", v->i);
        return !json;
    case VAL_SIZE:
        sc_buf_printf(out, "%lldB", v->i);
        return !json;
    case VAL_LIST: {
        bool ok = true;
        sc_buf_putc(out, '[');
        for (size_t i = 0; i < v->items.count; i++) {
            if (i)
                sc_buf_puts(out, json ? "," : ", ");
            ok = write_value(out, v->items.items[i], how) && ok;
        }
        sc_buf_putc(out, ']');
        return ok;
    }
    case VAL_MAP: {
        bool ok = true;
        sc_buf_putc(out, '{');
        for (size_t i = 0; i < v->items.count; i++) {
            const char *key = v->keys.items[i];
            if (json) {
                sc_buf_puts(out, i ? "," : "");
                write_string(out, key, how);
                sc_buf_putc(out, ':');
            } else {
                sc_buf_printf(out, "%s%s = ", i ? ", " : " ", key);
            }
            ok = write_value(out, v->items.items[i], how) && ok;
        }
        sc_buf_puts(out, json || v->items.count == 0 ? "}" : " }");
        return ok;
    }
    }
    return !json;
}

const char *sc_value_describe(sc_context *ctx, const sc_value *value)
{
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    write_value(&out, value, NOTATION_STACK);
    const char *text = sc_arena_strdup(&ctx->arena, out.data ? out.data : "?");
    sc_buf_free(&out);
    return text;
}

bool sc_value_write_json(sc_buf *out, const sc_value *value)
{
    return write_value(out, value, NOTATION_JSON);
}
