/* The canonical layout of `.stack` source (`stackc fmt`).
 *
 * Rules: two-space indentation; one item per line; `=` aligned across a run of
 * consecutive single-line settings; at most one blank line kept between items; a
 * block, map, list or call stays on one line if its author wrote it on one line,
 * otherwise it gets one entry per line. Comments are kept: a comment on its own line
 * stays before the item that follows it, a comment after an item stays on its line.
 * Every rule depends only on the output it produces, so fmt(fmt(x)) == fmt(x). */
#include "syntax/syntax.h"

#include <string.h>

typedef struct printer {
    sc_context *ctx;
    const sc_source *src;
    const sc_file *file;
    sc_buf out;
    size_t next_comment;
    bool *verbatim; /* per comment: inside text printed as written (a label's `${}`) */
    int indent;
    bool measuring; /* printing only to see whether something fits on one line */
} printer;

static void print_expr(printer *p, const sc_expr *e, int parent_prec);
static void print_items(printer *p, const sc_ptr_list *items, uint32_t close_offset);
static void print_item(printer *p, const sc_item *item, size_t key_pad);

static bool multiline(const printer *p, sc_span span)
{
    if (span.end > p->src->len)
        return false;
    return memchr(p->src->text + span.start, '\n', span.end - span.start) != NULL;
}

static bool blank_line_between(const printer *p, uint32_t from, uint32_t to)
{
    int newlines = 0;
    for (uint32_t i = from; i < to && i < p->src->len; i++) {
        char ch = p->src->text[i];
        if (ch == '\n' && ++newlines == 2)
            return true;
        if (ch != '\n' && ch != ' ' && ch != '\t' && ch != '\r')
            newlines = 0;
    }
    return false;
}

static void newline(printer *p)
{
    sc_buf_putc(&p->out, '\n');
}

static void indent(printer *p)
{
    sc_buf_indent(&p->out, p->indent);
}

/* Whether `item` (or, without one, `e`) prints on one line. Decided on the output, not
 * the source: a value its author wrapped (`a =\n  b`) prints on one line, and the next
 * run of fmt must align it as this one does. It is printed and taken back; padding only
 * adds spaces, so while measuring, nested runs are not measured (which keeps the cost
 * linear in the nesting depth). */
static bool prints_on_one_line(printer *p, const sc_item *item, const sc_expr *e)
{
    if (p->measuring)
        return false;
    size_t len = p->out.len, comment = p->next_comment;
    int depth = p->indent;
    p->measuring = true;
    if (item)
        print_item(p, item, 0);
    else
        print_expr(p, e, 0);
    p->measuring = false;
    bool one_line =
        !p->out.failed && p->out.len >= len && !memchr(p->out.data + len, '\n', p->out.len - len);
    if (p->out.len > len)
        p->out.len = len;
    p->next_comment = comment;
    p->indent = depth;
    return one_line;
}

static bool printed_verbatim(const printer *p, size_t comment)
{
    return p->verbatim && p->verbatim[comment];
}

/* The next comment to print is never one already printed inside verbatim text. */
static void skip_verbatim_comments(printer *p)
{
    while (p->next_comment < p->file->comments.count && printed_verbatim(p, p->next_comment))
        p->next_comment++;
}

static void next_comment(printer *p)
{
    p->next_comment++;
    skip_verbatim_comments(p);
}

/* Prints source text as written. Comments inside it (in a `${}` of a string label) are
 * printed with it, so they must not be printed again on their own. */
static void print_verbatim(printer *p, sc_span span)
{
    sc_buf_append(&p->out, p->src->text + span.start, span.end - span.start);
    for (size_t i = p->next_comment; i < p->file->comments.count; i++) {
        const sc_comment *c = p->file->comments.items[i];
        if (c->span.start >= span.end)
            break;
        if (c->span.start < span.start)
            continue;
        if (!p->verbatim)
            p->verbatim = sc_arena_alloc(&p->ctx->arena, p->file->comments.count * sizeof(bool));
        if (p->verbatim)
            p->verbatim[i] = true;
    }
    skip_verbatim_comments(p);
}

static const sc_comment *peek_comment(const printer *p)
{
    if (p->next_comment >= p->file->comments.count)
        return NULL;
    return p->file->comments.items[p->next_comment];
}

/* Own-line comments that start before `offset`, each on its own line, keeping one
 * blank line where the author left one. Returns the end of the last comment printed,
 * or 0 when there was none. */
static uint32_t flush_comments(printer *p, uint32_t offset, uint32_t previous_end)
{
    const sc_comment *c;
    uint32_t last = previous_end, printed = 0;
    while ((c = peek_comment(p)) && c->span.start < offset) {
        if (last && blank_line_between(p, last, c->span.start))
            newline(p);
        indent(p);
        sc_buf_puts(&p->out, c->text);
        newline(p);
        last = printed = c->span.end;
        next_comment(p);
    }
    return printed;
}

static unsigned line_of(const printer *p, uint32_t offset)
{
    return sc_span_position(p->ctx, (sc_span){p->file->source, offset, offset}, false).line;
}

/* A comment that starts on the line where the item ended stays after it, unless
 * another item (starting at `next_start`, 0 for none) comes between them. */
static void trailing_comment_before(printer *p, uint32_t item_end, uint32_t next_start)
{
    const sc_comment *c = peek_comment(p);
    if (!c || line_of(p, c->span.start) != line_of(p, item_end))
        return;
    if (next_start && next_start < c->span.start)
        return;
    sc_buf_putc(&p->out, ' ');
    sc_buf_puts(&p->out, c->text);
    next_comment(p);
}

/* Whether a comment is printed on a line of its own between two items of a run. Of
 * the comments from the start of `prev` to `next_start` (inside it or after it), only
 * the first can follow `prev` on its last line; each other one gets a line of its own,
 * where the next fmt sees it between the two items. Both runs must end there. */
static bool own_line_comment_after(const printer *p, sc_span prev, uint32_t next_start)
{
    const sc_comment *first = NULL;
    for (size_t i = p->next_comment; i < p->file->comments.count; i++) {
        const sc_comment *c = p->file->comments.items[i];
        if (c->span.start >= next_start)
            break;
        if (c->span.start < prev.start || printed_verbatim(p, i))
            continue;
        if (first)
            return true;
        first = c;
    }
    return first && line_of(p, first->span.start) != line_of(p, prev.end);
}

static void trailing_comment(printer *p, uint32_t item_end)
{
    trailing_comment_before(p, item_end, 0);
}

static bool has_comment_inside(const printer *p, sc_span span)
{
    for (size_t i = p->next_comment; i < p->file->comments.count; i++) {
        const sc_comment *c = p->file->comments.items[i];
        if (c->span.start >= span.end)
            return false;
        if (c->span.start >= span.start && !printed_verbatim(p, i))
            return true;
    }
    return false;
}

/* ---- expressions -------------------------------------------------------------------- */

static int precedence(const sc_expr *e)
{
    if (e->kind == EXPR_COND)
        return 1;
    if (e->kind == EXPR_UNARY)
        return 8;
    if (e->kind != EXPR_BINARY)
        return 9;
    switch (e->op) {
    case OP_OR:
        return 2;
    case OP_AND:
        return 3;
    case OP_EQ:
    case OP_NE:
        return 4;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_IN:
        return 5;
    case OP_ADD:
    case OP_SUB:
        return 6;
    default:
        return 7;
    }
}

static void print_key(printer *p, sc_ident key, bool quoted)
{
    if (!quoted) {
        sc_buf_puts(&p->out, key.name ? key.name : "");
        return;
    }
    print_verbatim(p, key.span);
}

static size_t key_width(sc_ident key, bool quoted)
{
    return quoted ? key.span.end - key.span.start : strlen(key.name ? key.name : "");
}

static void print_string(printer *p, const sc_expr *e)
{
    sc_buf_putc(&p->out, '"');
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_expr *part = e->items.items[i];
        if (part->kind == EXPR_STRING && part->raw) {
            sc_buf_puts(&p->out, part->raw);
            continue;
        }
        sc_buf_puts(&p->out, "${");
        print_expr(p,
                   part->kind == EXPR_INTERP && part->items.count == 1 &&
                           part->span.start == ((sc_expr *)part->items.items[0])->span.start
                       ? part->items.items[0]
                       : part,
                   0);
        sc_buf_putc(&p->out, '}');
    }
    sc_buf_putc(&p->out, '"');
}

/* Width of the keys in the run of single-line entries starting at `from`; `end`
 * receives the index after the run. */
static size_t map_run_width(printer *p, const sc_ptr_list *entries, size_t from, size_t *end)
{
    size_t width = 0, i = from;
    for (; i < entries->count; i++) {
        const sc_map_entry *m = entries->items[i];
        if (!prints_on_one_line(p, NULL, m->value))
            break;
        if (i > from) {
            const sc_map_entry *prev = entries->items[i - 1];
            if (blank_line_between(p, prev->span.end, m->span.start) ||
                own_line_comment_after(p, prev->span, m->span.start))
                break;
        }
        size_t w = key_width(m->key, m->key_is_string);
        width = w > width ? w : width;
    }
    *end = i > from ? i : from + 1;
    return width;
}

static void print_map(printer *p, const sc_expr *e)
{
    if (e->items.count == 0) {
        sc_buf_puts(&p->out, "{}");
        return;
    }
    if (!multiline(p, e->span) && !has_comment_inside(p, e->span)) {
        sc_buf_puts(&p->out, "{ ");
        for (size_t i = 0; i < e->items.count; i++) {
            const sc_map_entry *m = e->items.items[i];
            if (i)
                sc_buf_puts(&p->out, ", ");
            print_key(p, m->key, m->key_is_string);
            sc_buf_puts(&p->out, " = ");
            print_expr(p, m->value, 0);
        }
        sc_buf_puts(&p->out, " }");
        return;
    }
    sc_buf_putc(&p->out, '{');
    trailing_comment(p, e->span.start);
    newline(p);
    p->indent++;
    size_t width = 0, run_end = 0;
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_map_entry *m = e->items.items[i];
        uint32_t prev_end =
            i ? ((sc_map_entry *)e->items.items[i - 1])->span.end : e->span.start + 1;
        /* Comments before the entry keep their own blank lines; without them, a blank
         * line in the source stays (whatever comments come later in the file). */
        bool flushed = flush_comments(p, m->span.start, prev_end) != 0;
        if (i && !flushed && blank_line_between(p, prev_end, m->span.start))
            newline(p);
        if (i >= run_end)
            width = map_run_width(p, &e->items, i, &run_end);
        indent(p);
        print_key(p, m->key, m->key_is_string);
        size_t w = key_width(m->key, m->key_is_string);
        if (prints_on_one_line(p, NULL, m->value))
            for (; w < width; w++)
                sc_buf_putc(&p->out, ' ');
        sc_buf_puts(&p->out, " = ");
        print_expr(p, m->value, 0);
        const sc_map_entry *next = i + 1 < e->items.count ? e->items.items[i + 1] : NULL;
        trailing_comment_before(p, m->span.end, next ? next->span.start : 0);
        newline(p);
    }
    flush_comments(p, e->span.end - 1, 0);
    p->indent--;
    indent(p);
    sc_buf_putc(&p->out, '}');
}

static void print_list(printer *p, const sc_expr *e)
{
    if (e->items.count == 0) {
        sc_buf_puts(&p->out, "[]");
        return;
    }
    if (!multiline(p, e->span) && !has_comment_inside(p, e->span)) {
        sc_buf_putc(&p->out, '[');
        for (size_t i = 0; i < e->items.count; i++) {
            if (i)
                sc_buf_puts(&p->out, ", ");
            print_expr(p, e->items.items[i], 0);
        }
        sc_buf_putc(&p->out, ']');
        return;
    }
    sc_buf_putc(&p->out, '[');
    newline(p);
    p->indent++;
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_expr *item = e->items.items[i];
        flush_comments(p, item->span.start, 0);
        indent(p);
        print_expr(p, item, 0);
        sc_buf_putc(&p->out, ',');
        const sc_expr *next = i + 1 < e->items.count ? e->items.items[i + 1] : NULL;
        trailing_comment_before(p, item->span.end, next ? next->span.start : 0);
        newline(p);
    }
    flush_comments(p, e->span.end - 1, 0);
    p->indent--;
    indent(p);
    sc_buf_putc(&p->out, ']');
}

static void print_arg(printer *p, const sc_arg *a)
{
    if (a->name.name) {
        sc_buf_puts(&p->out, a->name.name);
        sc_buf_puts(&p->out, " = ");
    }
    print_expr(p, a->value, 0);
}

static void print_call(printer *p, const sc_expr *e)
{
    sc_buf_puts(&p->out, e->name.name);
    sc_buf_putc(&p->out, '(');
    if (!multiline(p, e->span) || e->items.count == 0) {
        for (size_t i = 0; i < e->items.count; i++) {
            if (i)
                sc_buf_puts(&p->out, ", ");
            print_arg(p, e->items.items[i]);
        }
        sc_buf_putc(&p->out, ')');
        return;
    }
    newline(p);
    p->indent++;
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_arg *a = e->items.items[i];
        flush_comments(p, a->name.name ? a->name.span.start : a->value->span.start, 0);
        indent(p);
        print_arg(p, a);
        sc_buf_putc(&p->out, ',');
        const sc_arg *next = i + 1 < e->items.count ? e->items.items[i + 1] : NULL;
        trailing_comment_before(
            p, a->value->span.end,
            next ? (next->name.name ? next->name.span.start : next->value->span.start) : 0);
        newline(p);
    }
    flush_comments(p, e->span.end - 1, 0);
    p->indent--;
    indent(p);
    sc_buf_putc(&p->out, ')');
}

static void print_for(printer *p, const sc_expr *e)
{
    bool list = e->kind == EXPR_FOR_LIST;
    sc_buf_puts(&p->out, list ? "[for " : "{for ");
    if (e->key_var.name)
        sc_buf_printf(&p->out, "%s, ", e->key_var.name);
    sc_buf_printf(&p->out, "%s in ", e->name.name);
    print_expr(p, e->cond, 0);
    sc_buf_puts(&p->out, " : ");
    print_expr(p, e->left, 0);
    if (!list) {
        sc_buf_puts(&p->out, " => ");
        print_expr(p, e->right, 0);
    }
    if (e->filter) {
        sc_buf_puts(&p->out, " if ");
        print_expr(p, e->filter, 0);
    }
    sc_buf_putc(&p->out, list ? ']' : '}');
}

static void print_expr(printer *p, const sc_expr *e, int parent_prec)
{
    if (!e)
        return;
    int prec = precedence(e);
    bool parens = prec < parent_prec;
    if (parens)
        sc_buf_putc(&p->out, '(');
    switch (e->kind) {
    case EXPR_ERROR:
        break;
    case EXPR_STRING:
        if (e->items.count || !e->raw)
            print_string(p, e);
        else
            sc_buf_printf(&p->out, "\"%s\"", e->raw);
        break;
    case EXPR_INTERP:
        print_string(p, e);
        break;
    case EXPR_INT:
    case EXPR_NUMBER:
    case EXPR_DURATION:
    case EXPR_SIZE:
        sc_buf_puts(&p->out, e->raw);
        break;
    case EXPR_BOOL:
        sc_buf_puts(&p->out, e->bool_value ? "true" : "false");
        break;
    case EXPR_NULL:
        sc_buf_puts(&p->out, "null");
        break;
    case EXPR_LIST:
        print_list(p, e);
        break;
    case EXPR_MAP:
        print_map(p, e);
        break;
    case EXPR_NAME:
        sc_buf_puts(&p->out, e->name.name);
        break;
    case EXPR_MEMBER:
        /* `2.n` would read back as the number `2.`: a number keeps parentheses. */
        if (e->left && (e->left->kind == EXPR_INT || e->left->kind == EXPR_NUMBER)) {
            sc_buf_putc(&p->out, '(');
            print_expr(p, e->left, 0);
            sc_buf_putc(&p->out, ')');
        } else {
            print_expr(p, e->left, 9);
        }
        sc_buf_printf(&p->out, ".%s", e->name.name);
        break;
    case EXPR_INDEX:
        print_expr(p, e->left, 9);
        sc_buf_putc(&p->out, '[');
        print_expr(p, e->right, 0);
        sc_buf_putc(&p->out, ']');
        break;
    case EXPR_CALL:
        print_call(p, e);
        break;
    case EXPR_UNARY:
        sc_buf_puts(&p->out, sc_op_text(e->op));
        print_expr(p, e->left, 8);
        break;
    case EXPR_BINARY:
        print_expr(p, e->left, prec);
        sc_buf_printf(&p->out, " %s ", sc_op_text(e->op));
        print_expr(p, e->right, prec + 1);
        break;
    case EXPR_COND:
        print_expr(p, e->cond, 2);
        sc_buf_puts(&p->out, " ? ");
        print_expr(p, e->left, 0);
        sc_buf_puts(&p->out, " : ");
        print_expr(p, e->right, 1);
        break;
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP:
        print_for(p, e);
        break;
    }
    if (parens)
        sc_buf_putc(&p->out, ')');
}

/* ---- types ------------------------------------------------------------------------- */

static void print_type(printer *p, const sc_type_expr *t)
{
    if (!t)
        return;
    switch (t->kind) {
    case TYPEX_NAME:
        sc_buf_puts(&p->out, t->name.name);
        for (size_t i = 0; i < t->args.count; i++) {
            sc_buf_puts(&p->out, i ? ", " : "<");
            print_type(p, t->args.items[i]);
        }
        if (t->args.count)
            sc_buf_putc(&p->out, '>');
        return;
    case TYPEX_OPTIONAL:
        print_type(p, t->inner);
        sc_buf_putc(&p->out, '?');
        return;
    case TYPEX_UNION:
        for (size_t i = 0; i < t->alternatives.count; i++) {
            if (i)
                sc_buf_puts(&p->out, " | ");
            print_expr(p, t->alternatives.items[i], 0);
        }
        return;
    case TYPEX_RECORD: {
        if (t->fields.count == 0) {
            sc_buf_puts(&p->out, "{}");
            return;
        }
        bool multi = multiline(p, t->span);
        sc_buf_puts(&p->out, multi ? "{" : "{ ");
        if (multi) {
            newline(p);
            p->indent++;
        }
        for (size_t i = 0; i < t->fields.count; i++) {
            const sc_field *f = t->fields.items[i];
            if (multi) {
                flush_comments(p, f->span.start, 0);
                indent(p);
            } else if (i) {
                sc_buf_puts(&p->out, ", ");
            }
            sc_buf_printf(&p->out, "%s: ", f->name.name);
            print_type(p, f->type);
            if (f->default_value) {
                sc_buf_puts(&p->out, " = ");
                print_expr(p, f->default_value, 0);
            }
            if (multi) {
                trailing_comment(p, f->span.end);
                newline(p);
            }
        }
        if (multi) {
            flush_comments(p, t->span.end - 1, 0);
            p->indent--;
            indent(p);
            sc_buf_putc(&p->out, '}');
        } else {
            sc_buf_puts(&p->out, " }");
        }
        return;
    }
    }
}

/* ---- items --------------------------------------------------------------------------- */

static bool single_line_setting(printer *p, const sc_item *item)
{
    return item->kind == ITEM_ATTR && prints_on_one_line(p, item, NULL);
}

/* A body written on one line, holding only single-line settings, stays on one line. */
static bool inline_body(const printer *p, const sc_item *item)
{
    if (item->items.count == 0 ||
        multiline(p, item->body_span.end ? (sc_span){0, item->body_span.start, item->span.end}
                                         : item->span))
        return false;
    if (has_comment_inside(p, item->span))
        return false;
    for (size_t i = 0; i < item->items.count; i++)
        if (((sc_item *)item->items.items[i])->kind != ITEM_ATTR)
            return false;
    return true;
}

static void print_body(printer *p, const sc_item *item)
{
    if (item->items.count == 0) {
        sc_buf_puts(&p->out, " {}");
        return;
    }
    if (inline_body(p, item)) {
        sc_buf_puts(&p->out, " { ");
        for (size_t i = 0; i < item->items.count; i++) {
            const sc_item *setting = item->items.items[i];
            if (i)
                sc_buf_puts(&p->out, ", ");
            sc_buf_printf(&p->out, "%s = ", setting->name.name);
            print_expr(p, setting->value, 0);
        }
        sc_buf_puts(&p->out, " }");
        return;
    }
    sc_buf_puts(&p->out, " {");
    trailing_comment(p, item->body_span.start);
    newline(p);
    p->indent++;
    print_items(p, &item->items, item->span.end - 1);
    p->indent--;
    indent(p);
    sc_buf_putc(&p->out, '}');
}

static void print_repeat(printer *p, const sc_item *item)
{
    if (item->for_iter) {
        sc_buf_puts(&p->out, " for ");
        if (item->for_index.name)
            sc_buf_printf(&p->out, "%s, ", item->for_index.name);
        sc_buf_printf(&p->out, "%s in ", item->for_var.name);
        print_expr(p, item->for_iter, 0);
    }
    if (item->when) {
        sc_buf_puts(&p->out, " if ");
        print_expr(p, item->when, 0);
    }
}

static void print_item(printer *p, const sc_item *item, size_t key_pad)
{
    switch (item->kind) {
    case ITEM_ERROR:
        return;
    case ITEM_IMPORT:
        sc_buf_puts(&p->out, "import ");
        print_expr(p, item->text, 0);
        return;
    case ITEM_STACK:
    case ITEM_COMPONENT:
        sc_buf_printf(&p->out, "%s %s", item->kind == ITEM_STACK ? "stack" : "component",
                      item->name.name);
        print_body(p, item);
        return;
    case ITEM_CONNECTABLE:
        sc_buf_puts(&p->out, "connectable");
        print_body(p, item);
        return;
    case ITEM_TEST:
        sc_buf_puts(&p->out, "test ");
        print_expr(p, item->text, 0);
        print_body(p, item);
        return;
    case ITEM_TYPE:
        sc_buf_printf(&p->out, "type %s = ", item->name.name);
        print_type(p, item->type);
        return;
    case ITEM_ATTR: {
        sc_buf_puts(&p->out, item->name.name);
        for (size_t w = strlen(item->name.name); w < key_pad; w++)
            sc_buf_putc(&p->out, ' ');
        sc_buf_puts(&p->out, " = ");
        print_expr(p, item->value, 0);
        return;
    }
    case ITEM_BLOCK:
        sc_buf_puts(&p->out, item->name.name);
        if (item->label.name || item->label_is_string) {
            sc_buf_putc(&p->out, ' ');
            print_verbatim(p, item->label.span);
        }
        print_repeat(p, item);
        print_body(p, item);
        return;
    case ITEM_RESOURCE:
        sc_buf_printf(&p->out, "resource %s ", item->name.name);
        print_expr(p, item->text, 0);
        print_repeat(p, item);
        print_body(p, item);
        return;
    case ITEM_LET:
    case ITEM_ATTRIBUTE:
        sc_buf_printf(&p->out, "%s %s", item->kind == ITEM_LET ? "let" : "attribute",
                      item->name.name);
        if (item->type) {
            sc_buf_puts(&p->out, ": ");
            print_type(p, item->type);
        }
        sc_buf_puts(&p->out, " = ");
        print_expr(p, item->value, 0);
        return;
    case ITEM_PARAM:
    case ITEM_INPUT:
        sc_buf_printf(&p->out, "%s %s: ", item->kind == ITEM_PARAM ? "param" : "input",
                      item->name.name);
        print_type(p, item->type);
        if (item->value) {
            sc_buf_puts(&p->out, " = ");
            print_expr(p, item->value, 0);
        }
        if (item->has_body)
            print_body(p, item);
        return;
    case ITEM_OUTPUT:
        sc_buf_printf(&p->out, "output %s = ", item->name.name);
        print_expr(p, item->value, 0);
        return;
    case ITEM_ALLOW:
        sc_buf_puts(&p->out, "allow ");
        print_expr(p, item->from, 0);
        sc_buf_puts(&p->out, " -> ");
        print_expr(p, item->to, 0);
        if (item->has_body)
            print_body(p, item);
        return;
    case ITEM_GRANT:
        sc_buf_puts(&p->out, "grant");
        if (item->name.name)
            sc_buf_printf(&p->out, " %s", item->name.name);
        print_body(p, item);
        return;
    case ITEM_MOVED:
        sc_buf_printf(&p->out, "moved %s -> %s", item->label.name, item->name.name);
        return;
    case ITEM_CHECK:
    case ITEM_WARN:
    case ITEM_UNIQUE:
    case ITEM_ASSERT:
        sc_buf_puts(&p->out, item->kind == ITEM_CHECK    ? "check "
                             : item->kind == ITEM_WARN   ? "warn "
                             : item->kind == ITEM_UNIQUE ? "unique "
                                                         : "assert ");
        if (item->for_iter) {
            sc_buf_puts(&p->out, "for ");
            if (item->for_index.name)
                sc_buf_printf(&p->out, "%s, ", item->for_index.name);
            sc_buf_printf(&p->out, "%s in ", item->for_var.name);
            print_expr(p, item->for_iter, 0);
            sc_buf_puts(&p->out, " : ");
        }
        print_expr(p, item->value, 0);
        if (item->message) {
            sc_buf_puts(&p->out, ", ");
            print_expr(p, item->message, 0);
        }
        return;
    }
}

/* Width of the keys in the run of single-line settings starting at `from`. A comment
 * inside a setting is printed after it: on a line of its own it ends the run there (the
 * next fmt sees the two settings apart), but the setting itself still belongs to it. */
static size_t setting_run_width(printer *p, const sc_ptr_list *items, size_t from, size_t *end)
{
    size_t width = 0, i = from;
    for (; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (!single_line_setting(p, item))
            break;
        if (i > from) {
            const sc_item *prev = items->items[i - 1];
            if (blank_line_between(p, prev->span.end, item->span.start) ||
                own_line_comment_after(p, prev->span, item->span.start))
                break;
        }
        size_t w = strlen(item->name.name);
        width = w > width ? w : width;
    }
    *end = i > from ? i : from + 1;
    return width;
}

static void print_items(printer *p, const sc_ptr_list *items, uint32_t close_offset)
{
    size_t run_end = 0, width = 0;
    uint32_t prev_end = 0;
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (item->kind == ITEM_ERROR)
            continue;
        bool blank = prev_end && blank_line_between(p, prev_end, item->span.start);
        const sc_comment *c = peek_comment(p);
        bool comment_first = c && c->span.start < item->span.start;
        if (blank && !(comment_first && !blank_line_between(p, prev_end, c->span.start)))
            newline(p);
        uint32_t comments_end =
            flush_comments(p, item->span.start, comment_first && blank ? 0 : prev_end);
        if (comments_end && blank_line_between(p, comments_end, item->span.start))
            newline(p);
        if (i >= run_end)
            width = setting_run_width(p, items, i, &run_end);
        indent(p);
        print_item(p, item, single_line_setting(p, item) ? width : 0);
        const sc_item *next = i + 1 < items->count ? items->items[i + 1] : NULL;
        trailing_comment_before(p, item->span.end, next ? next->span.start : 0);
        newline(p);
        prev_end = item->span.end;
    }
    if (close_offset) {
        const sc_comment *c = peek_comment(p);
        if (c && c->span.start < close_offset && prev_end &&
            blank_line_between(p, prev_end, c->span.start))
            newline(p);
        flush_comments(p, close_offset, 0);
    }
}

const char *sc_format_file(sc_context *ctx, const sc_file *file, size_t *out_len)
{
    printer p = {.ctx = ctx, .src = sc_source_get(ctx, file->source), .file = file};
    sc_buf_init(&p.out, &ctx->allocator);
    print_items(&p, &file->items, 0);
    flush_comments(&p, UINT32_MAX, 0);
    const char *text = p.out.failed
                           ? NULL
                           : sc_arena_strndup(&ctx->arena, p.out.data ? p.out.data : "", p.out.len);
    if (text && out_len)
        *out_len = p.out.len;
    sc_buf_free(&p.out);
    return text;
}
