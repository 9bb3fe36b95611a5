/* JSON and YAML writers for value trees, and for documents written as they are built
 * (sc_doc): two-space indentation, keys in the order they were built, nulls dropped,
 * strings escaped so both parsers read back exactly what was meant. */
#include "emit/emit.h"

#include <stdio.h>
#include <string.h>

static bool is_null(const sc_value *v)
{
    return !v || v->kind == VAL_NULL;
}

static void write_indent(sc_buf *out, int levels)
{
    static const char spaces[] = "                                                                ";
    size_t want = 2 * (size_t)(levels > 0 ? levels : 0);
    for (; want > sizeof(spaces) - 1; want -= sizeof(spaces) - 1)
        sc_buf_append(out, spaces, sizeof(spaces) - 1);
    sc_buf_append(out, spaces, want);
}

static void write_int(sc_buf *out, long long i)
{
    char digits[SC_INT_DIGITS];
    unsigned long long magnitude = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
    size_t len;
    const char *text = sc_int_digits(digits, magnitude, i < 0, &len);
    sc_buf_append(out, text, len);
}

/* What a byte becomes inside a JSON string: NULL when it stands for itself. */
static const char *escape_of(unsigned char c)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        return NULL;
    }
}

/* Runs of bytes that stand for themselves are copied whole. */
static void write_string(sc_buf *out, const char *s)
{
    sc_buf_putc(out, '"');
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7F)
            continue;
        sc_buf_append(out, (const char *)run, (size_t)(p - run));
        const char *escape = escape_of(*p);
        if (escape)
            sc_buf_puts(out, escape);
        else
            sc_buf_printf(out, "\\u%04x", *p);
        run = p + 1;
    }
    sc_buf_append(out, (const char *)run, (size_t)(p - run));
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
    write_indent(out, indent + 1);
    if (v->kind == VAL_RESOURCE) {
        sc_buf_puts(out, "\"Ref\": ");
        write_string(out, v->s);
    } else {
        write_string(out, v->s);
        sc_buf_puts(out, ": ");
        sc_write_json(out, v->items.count ? v->items.items[0] : NULL, indent + 1);
    }
    sc_buf_putc(out, '\n');
    write_indent(out, indent);
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
        write_int(out, v->i);
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
            write_indent(out, indent + 1);
            if (map) {
                write_string(out, v->keys.items[i]);
                sc_buf_puts(out, ": ");
            }
            sc_write_json(out, item, indent + 1);
            sc_buf_puts(out, ++written < shown ? ",\n" : "\n");
        }
        write_indent(out, indent);
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
        write_indent(out, indent);
        write_yaml_scalar(out, v);
        sc_buf_putc(out, '\n');
        return;
    }
    if (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC) {
        write_indent(out, indent);
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
        write_indent(out, indent);
        if (v->kind == VAL_MAP) {
            write_key(out, v->keys.items[i]);
            write_yaml_value(out, item, indent + 1);
        } else {
            sc_buf_putc(out, '-');
            write_yaml_value(out, item, indent + 1);
        }
    }
}

/* ---- documents written as they are built ------------------------------------------------ */

void sc_doc_init(sc_doc *d, sc_buf *out, sc_template_format format)
{
    memset(d, 0, sizeof(*d));
    d->out = out;
    d->yaml = format == SC_TEMPLATE_YAML;
}

/* Begins an entry of the innermost container: its separator, indentation and key (or
 * YAML's "-"). What sc_write_json and sc_write_yaml write before an entry's value. */
static void begin_entry(sc_doc *d, const char *key)
{
    int depth = d->depth;
    bool first = !d->has_entries[depth];
    d->has_entries[depth] = true;
    if (!d->yaml) {
        sc_buf_puts(d->out, first ? "\n" : ",\n");
        write_indent(d->out, depth);
        if (d->is_map[depth]) {
            write_string(d->out, key);
            sc_buf_puts(d->out, ": ");
        }
        return;
    }
    if (first && depth > 1) /* the container is a block after its own key or "-" */
        sc_buf_putc(d->out, '\n');
    write_indent(d->out, depth - 1);
    if (d->is_map[depth])
        write_key(d->out, key);
    else
        sc_buf_putc(d->out, '-');
}

static void begin_container(sc_doc *d, const char *key, bool map)
{
    if (d->depth > 0)
        begin_entry(d, key);
    if (d->depth + 1 >= SC_DOC_MAX_DEPTH) {
        d->out->failed = true; /* the emitter never nests this deep */
        return;
    }
    if (!d->yaml)
        sc_buf_putc(d->out, map ? '{' : '[');
    d->depth++;
    d->is_map[d->depth] = map;
    d->has_entries[d->depth] = false;
}

void sc_doc_begin_map(sc_doc *d, const char *key)
{
    begin_container(d, key, true);
}

void sc_doc_begin_list(sc_doc *d, const char *key)
{
    begin_container(d, key, false);
}

void sc_doc_end(sc_doc *d)
{
    int depth = d->depth;
    if (depth == 0)
        return;
    bool map = d->is_map[depth], empty = !d->has_entries[depth];
    d->depth--;
    if (!d->yaml) {
        if (!empty) {
            sc_buf_putc(d->out, '\n');
            write_indent(d->out, d->depth);
        }
        sc_buf_putc(d->out, map ? '}' : ']');
        if (d->depth == 0)
            sc_buf_putc(d->out, '\n');
        return;
    }
    if (empty) /* written as a flow scalar, on the line of its key */
        sc_buf_puts(d->out, d->depth > 0 ? (map ? " {}\n" : " []\n") : (map ? "{}\n" : "[]\n"));
}

void sc_doc_value(sc_doc *d, const char *key, const sc_value *v)
{
    if (is_null(v))
        return;
    begin_entry(d, key);
    if (d->yaml)
        write_yaml_value(d->out, v, d->depth);
    else
        sc_write_json(d->out, v, d->depth);
}

/* A scalar's text after its key: JSON's, which YAML reads the same. */
static void end_scalar(sc_doc *d)
{
    if (d->yaml)
        sc_buf_putc(d->out, '\n');
}

static void begin_scalar(sc_doc *d, const char *key)
{
    begin_entry(d, key);
    if (d->yaml)
        sc_buf_putc(d->out, ' ');
}

void sc_doc_string(sc_doc *d, const char *key, const char *s)
{
    if (!s)
        return;
    begin_scalar(d, key);
    write_string(d->out, s);
    end_scalar(d);
}

void sc_doc_int(sc_doc *d, const char *key, long long i)
{
    begin_scalar(d, key);
    write_int(d->out, i);
    end_scalar(d);
}

void sc_doc_bool(sc_doc *d, const char *key, bool b)
{
    begin_scalar(d, key);
    sc_buf_puts(d->out, b ? "true" : "false");
    end_scalar(d);
}
