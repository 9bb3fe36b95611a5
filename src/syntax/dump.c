/* Text dumps of the syntax stage: the token stream and the AST (`--dump=`). */
#include "syntax/parser_support.h"
#include "stack.lex.h"

#include <string.h>

const char *sc_op_text(sc_op op)
{
    switch (op) {
    case OP_NOT:
        return "!";
    case OP_NEG:
        return "-";
    case OP_OR:
        return "||";
    case OP_AND:
        return "&&";
    case OP_EQ:
        return "==";
    case OP_NE:
        return "!=";
    case OP_LT:
        return "<";
    case OP_LE:
        return "<=";
    case OP_GT:
        return ">";
    case OP_GE:
        return ">=";
    case OP_IN:
        return "in";
    case OP_ADD:
        return "+";
    case OP_SUB:
        return "-";
    case OP_MUL:
        return "*";
    case OP_DIV:
        return "/";
    case OP_MOD:
        return "%";
    case OP_NONE:
        break;
    }
    return "?";
}

const char *sc_item_kind_name(sc_item_kind kind)
{
    static const char *const names[] = {
        [ITEM_ERROR] = "error",
        [ITEM_IMPORT] = "import",
        [ITEM_STACK] = "stack",
        [ITEM_COMPONENT] = "component",
        [ITEM_TYPE] = "type",
        [ITEM_BLOCK] = "block",
        [ITEM_ATTR] = "attr",
        [ITEM_RESOURCE] = "resource",
        [ITEM_LET] = "let",
        [ITEM_PARAM] = "param",
        [ITEM_OUTPUT] = "output",
        [ITEM_ALLOW] = "allow",
        [ITEM_INPUT] = "input",
        [ITEM_ATTRIBUTE] = "attribute",
        [ITEM_CONNECTABLE] = "connectable",
        [ITEM_CHECK] = "check",
        [ITEM_WARN] = "warn",
        [ITEM_TEST] = "test",
        [ITEM_ASSERT] = "assert",
        [ITEM_UNIQUE] = "unique",
        [ITEM_GRANT] = "grant",
        [ITEM_MOVED] = "moved",
    };
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

bool sc_write_tokens(sc_context *ctx, uint32_t source, FILE *out)
{
    sc_source *src = sc_source_get(ctx, source);
    sc_file file = {.source = source};
    sc_lexer lx = {.ctx = ctx, .file = &file, .source = source};
    yyscan_t scanner;
    if (!src || sc_yylex_init_extra(&lx, &scanner) != 0)
        return false;
    if (memchr(src->text, '\0', src->len)) {
        sc_yylex_destroy(scanner);
        sc_error(ctx, "E0001", (sc_span){source, 0, 0}, "the file holds a NUL byte");
        return false;
    }
    lx.offset = (uint32_t)sc_byte_order_mark(src->text, src->len);
    YY_BUFFER_STATE buffer =
        sc_yy_scan_bytes(src->text + lx.offset, (int)(src->len - lx.offset), scanner);
    for (;;) {
        SC_YYSTYPE value;
        sc_loc loc;
        int token = sc_yylex(&value, &loc, scanner);
        sc_position pos = sc_span_position(ctx, (sc_span){source, loc.start, loc.end}, false);
        fprintf(out, "%u:%u %d '%.*s'\n", pos.line, pos.column, token, (int)(loc.end - loc.start),
                src->text + loc.start);
        if (token == TOK_END)
            break;
    }
    sc_yy_delete_buffer(buffer, scanner);
    sc_yylex_destroy(scanner);
    return true;
}

static void write_expr(const sc_expr *e, FILE *out);

static void write_list(const sc_ptr_list *items, FILE *out)
{
    for (size_t i = 0; i < items->count; i++) {
        fputc(' ', out);
        write_expr(items->items[i], out);
    }
}

static void write_expr(const sc_expr *e, FILE *out)
{
    if (!e) {
        fputs("nil", out);
        return;
    }
    switch (e->kind) {
    case EXPR_ERROR:
        fputs("(error)", out);
        return;
    case EXPR_STRING:
        fprintf(out, "\"%s\"", e->raw ? e->raw : "");
        return;
    case EXPR_INTERP:
        fputs("(interp", out);
        write_list(&e->items, out);
        fputc(')', out);
        return;
    case EXPR_INT:
    case EXPR_NUMBER:
    case EXPR_DURATION:
    case EXPR_SIZE:
        fputs(e->raw, out);
        return;
    case EXPR_BOOL:
        fputs(e->bool_value ? "true" : "false", out);
        return;
    case EXPR_NULL:
        fputs("null", out);
        return;
    case EXPR_LIST:
        fputs("(list", out);
        write_list(&e->items, out);
        fputc(')', out);
        return;
    case EXPR_MAP:
        fputs("(map", out);
        for (size_t i = 0; i < e->items.count; i++) {
            const sc_map_entry *m = e->items.items[i];
            fprintf(out, " (%s ", m->key.name ? m->key.name : "?");
            write_expr(m->value, out);
            fputc(')', out);
        }
        fputc(')', out);
        return;
    case EXPR_NAME:
        fputs(e->name.name, out);
        return;
    case EXPR_MEMBER:
        fputs("(. ", out);
        write_expr(e->left, out);
        fprintf(out, " %s)", e->name.name);
        return;
    case EXPR_INDEX:
        fputs("([] ", out);
        write_expr(e->left, out);
        fputc(' ', out);
        write_expr(e->right, out);
        fputc(')', out);
        return;
    case EXPR_CALL:
        fprintf(out, "(call %s", e->name.name);
        for (size_t i = 0; i < e->items.count; i++) {
            const sc_arg *a = e->items.items[i];
            if (a->name.name)
                fprintf(out, " %s=", a->name.name);
            else
                fputc(' ', out);
            write_expr(a->value, out);
        }
        fputc(')', out);
        return;
    case EXPR_UNARY:
        fprintf(out, "(%s ", sc_op_text(e->op));
        write_expr(e->left, out);
        fputc(')', out);
        return;
    case EXPR_BINARY:
        fprintf(out, "(%s ", sc_op_text(e->op));
        write_expr(e->left, out);
        fputc(' ', out);
        write_expr(e->right, out);
        fputc(')', out);
        return;
    case EXPR_COND:
        fputs("(? ", out);
        write_expr(e->cond, out);
        fputc(' ', out);
        write_expr(e->left, out);
        fputc(' ', out);
        write_expr(e->right, out);
        fputc(')', out);
        return;
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP:
        fprintf(out, "(%s %s%s%s ", e->kind == EXPR_FOR_LIST ? "for-list" : "for-map",
                e->key_var.name ? e->key_var.name : "", e->key_var.name ? "," : "", e->name.name);
        write_expr(e->cond, out);
        fputc(' ', out);
        write_expr(e->left, out);
        if (e->right) {
            fputc(' ', out);
            write_expr(e->right, out);
        }
        if (e->filter) {
            fputs(" if ", out);
            write_expr(e->filter, out);
        }
        fputc(')', out);
        return;
    }
}

static void write_type(const sc_type_expr *t, FILE *out)
{
    if (!t) {
        fputs("nil", out);
        return;
    }
    switch (t->kind) {
    case TYPEX_NAME:
        fputs(t->name.name, out);
        for (size_t i = 0; i < t->args.count; i++) {
            fputs(i == 0 ? "<" : ",", out);
            write_type(t->args.items[i], out);
        }
        if (t->args.count)
            fputc('>', out);
        return;
    case TYPEX_OPTIONAL:
        write_type(t->inner, out);
        fputc('?', out);
        return;
    case TYPEX_UNION:
        for (size_t i = 0; i < t->alternatives.count; i++) {
            if (i)
                fputc('|', out);
            write_expr(t->alternatives.items[i], out);
        }
        return;
    case TYPEX_RECORD:
        fputc('{', out);
        for (size_t i = 0; i < t->fields.count; i++) {
            const sc_field *f = t->fields.items[i];
            fprintf(out, "%s%s:", i ? " " : "", f->name.name);
            write_type(f->type, out);
            if (f->default_value) {
                fputc('=', out);
                write_expr(f->default_value, out);
            }
        }
        fputc('}', out);
        return;
    }
}

static void write_items(const sc_ptr_list *items, int depth, FILE *out);

static void write_item(const sc_item *item, int depth, FILE *out)
{
    fprintf(out, "%*s(%s", depth * 2, "", sc_item_kind_name(item->kind));
    if (item->name.name)
        fprintf(out, " %s", item->name.name);
    if (item->label.name)
        fprintf(out, " \"%s\"", item->label.name);
    if (item->text) {
        fputc(' ', out);
        write_expr(item->text, out);
    }
    if (item->type) {
        fputs(" : ", out);
        write_type(item->type, out);
    }
    if (item->from) {
        fputc(' ', out);
        write_expr(item->from, out);
        fputs(" -> ", out);
        write_expr(item->to, out);
    }
    if (item->for_iter) {
        fprintf(out, " for %s%s%s in ", item->for_index.name ? item->for_index.name : "",
                item->for_index.name ? "," : "", item->for_var.name);
        write_expr(item->for_iter, out);
    }
    if (item->when) {
        fputs(" if ", out);
        write_expr(item->when, out);
    }
    if (item->value) {
        fputs(" = ", out);
        write_expr(item->value, out);
    }
    if (item->message) {
        fputs(", ", out);
        write_expr(item->message, out);
    }
    if (item->has_body) {
        fputc('\n', out);
        write_items(&item->items, depth + 1, out);
        fprintf(out, "%*s", depth * 2, "");
    }
    fputs(")\n", out);
}

static void write_items(const sc_ptr_list *items, int depth, FILE *out)
{
    for (size_t i = 0; i < items->count; i++)
        write_item(items->items[i], depth, out);
}

void sc_write_ast(const sc_file *file, FILE *out)
{
    write_items(&file->items, 0, out);
}
