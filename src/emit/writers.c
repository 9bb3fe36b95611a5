/* JSON and YAML writers for template trees: two-space indentation, keys in the
 * order they were built, nulls dropped, strings escaped so both parsers read back
 * exactly what was meant. */
#include "emit/emit.h"

#include <stdio.h>
#include <string.h>

static bool is_null(const sc_value *v)
{
    return !v || v->kind == VAL_NULL;
}

static void write_string(sc_buf *out, const char *s)
{
    sc_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sc_buf_puts(out, "\\\"");
            break;
        case '\\':
            sc_buf_puts(out, "\\\\");
            break;
        case '\n':
            sc_buf_puts(out, "\\n");
            break;
        case '\r':
            sc_buf_puts(out, "\\r");
            break;
        case '\t':
            sc_buf_puts(out, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                sc_buf_printf(out, "\\u%04x", *p);
            else
                sc_buf_putc(out, (char)*p);
        }
    }
    sc_buf_putc(out, '"');
}

static void write_number(sc_buf *out, double n)
{
    char text[64];
    snprintf(text, sizeof(text), "%.15g", n);
    sc_buf_puts(out, text);
    if (!strpbrk(text, ".eEn"))
        sc_buf_puts(out, ".0");
}

/* Intrinsics and references become the single-key objects CloudFormation reads. */
static void write_intrinsic_json(sc_buf *out, const sc_value *v, int indent)
{
    sc_buf_puts(out, "{\n");
    sc_buf_indent(out, indent + 1);
    if (v->kind == VAL_RESOURCE) {
        sc_buf_puts(out, "\"Ref\": ");
        write_string(out, v->s);
    } else {
        write_string(out, v->s);
        sc_buf_puts(out, ": ");
        sc_write_json(out, v->items.count ? v->items.items[0] : NULL, indent + 1);
    }
    sc_buf_putc(out, '\n');
    sc_buf_indent(out, indent);
    sc_buf_putc(out, '}');
}

void sc_write_json(sc_buf *out, const sc_value *v, int indent)
{
    if (is_null(v)) {
        sc_buf_puts(out, "null");
        return;
    }
    switch (v->kind) {
    case VAL_STRING:
        write_string(out, v->s);
        return;
    case VAL_INT:
        sc_buf_printf(out, "%lld", v->i);
        return;
    case VAL_NUMBER:
        write_number(out, v->n);
        return;
    case VAL_BOOL:
        sc_buf_puts(out, v->b ? "true" : "false");
        return;
    case VAL_RESOURCE:
    case VAL_INTRINSIC:
        write_intrinsic_json(out, v, indent);
        return;
    case VAL_LIST:
    case VAL_MAP: {
        bool map = v->kind == VAL_MAP;
        size_t shown = 0;
        for (size_t i = 0; i < v->items.count; i++)
            shown += !is_null(v->items.items[i]);
        if (shown == 0) {
            sc_buf_puts(out, map ? "{}" : "[]");
            return;
        }
        sc_buf_puts(out, map ? "{\n" : "[\n");
        size_t written = 0;
        for (size_t i = 0; i < v->items.count; i++) {
            const sc_value *item = v->items.items[i];
            if (is_null(item))
                continue;
            sc_buf_indent(out, indent + 1);
            if (map) {
                write_string(out, v->keys.items[i]);
                sc_buf_puts(out, ": ");
            }
            sc_write_json(out, item, indent + 1);
            sc_buf_puts(out, ++written < shown ? ",\n" : "\n");
        }
        sc_buf_indent(out, indent);
        sc_buf_putc(out, map ? '}' : ']');
        return;
    }
    default:
        sc_buf_puts(out, "null");
    }
}

/* A key YAML reads as the same plain string. */
static bool plain_key(const char *key)
{
    if (!*key)
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == ':' || *p == '.' || *p == '-'))
            return false;
    return !(key[0] == '-' || key[0] == ':' || key[0] == '.');
}

static void write_key(sc_buf *out, const char *key)
{
    if (plain_key(key))
        sc_buf_puts(out, key);
    else
        write_string(out, key);
    sc_buf_putc(out, ':');
}

static bool is_block(const sc_value *v)
{
    if (is_null(v))
        return false;
    if (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC)
        return true;
    if (v->kind != VAL_LIST && v->kind != VAL_MAP)
        return false;
    for (size_t i = 0; i < v->items.count; i++)
        if (!is_null(v->items.items[i]))
            return true;
    return false;
}

static void write_yaml_scalar(sc_buf *out, const sc_value *v)
{
    if (v->kind == VAL_LIST || v->kind == VAL_MAP)
        sc_buf_puts(out, v->kind == VAL_MAP ? "{}" : "[]");
    else
        sc_write_json(out, v, 0); /* JSON scalars are valid YAML flow scalars */
}

/* Writes `v` as the value after "key:" or "-": on the same line when scalar,
 * indented on the following lines when a block. */
static void write_yaml_value(sc_buf *out, const sc_value *v, int indent)
{
    if (!is_block(v)) {
        sc_buf_putc(out, ' ');
        write_yaml_scalar(out, v);
        sc_buf_putc(out, '\n');
        return;
    }
    sc_buf_putc(out, '\n');
    sc_write_yaml(out, v, indent);
}

void sc_write_yaml(sc_buf *out, const sc_value *v, int indent)
{
    if (!is_block(v)) {
        sc_buf_indent(out, indent);
        write_yaml_scalar(out, v);
        sc_buf_putc(out, '\n');
        return;
    }
    if (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC) {
        sc_buf_indent(out, indent);
        write_key(out, v->kind == VAL_RESOURCE ? "Ref" : v->s);
        if (v->kind == VAL_RESOURCE) {
            sc_buf_putc(out, ' ');
            write_string(out, v->s);
            sc_buf_putc(out, '\n');
        } else {
            write_yaml_value(out, v->items.count ? v->items.items[0] : NULL, indent + 1);
        }
        return;
    }
    for (size_t i = 0; i < v->items.count; i++) {
        const sc_value *item = v->items.items[i];
        if (is_null(item))
            continue;
        sc_buf_indent(out, indent);
        if (v->kind == VAL_MAP) {
            write_key(out, v->keys.items[i]);
            write_yaml_value(out, item, indent + 1);
        } else {
            sc_buf_putc(out, '-');
            write_yaml_value(out, item, indent + 1);
        }
    }
}
