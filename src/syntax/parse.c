/* Entry point of the syntax stage: sc_parse_source runs the flex scanner and the bison
 * parser over one source and returns its AST. This file also holds the node
 * constructors the grammar actions call, and the syntax-error reporter. */
#include "syntax/parser_support.h"
#include "stack.lex.h"

#include <string.h>

/* What a parse allocates per byte of source, about: nodes, names, lists, comments (18
 * for bench/frontend_bench's programs). */
enum { SC_AST_BYTES_PER_SOURCE_BYTE = 20 };

#define NEW(lx, type) ((type *)sc_arena_alloc(&(lx)->ctx->arena, sizeof(type)))

void sc_ast_push(sc_lexer *lx, sc_ptr_list *list, void *item)
{
    if (item)
        sc_list_push(&lx->ctx->arena, list, item);
}

void sc_ast_file(sc_lexer *lx, sc_ptr_list *items, sc_span span)
{
    lx->file->items = *items;
    lx->file->span = span;
}

static sc_item *new_item(sc_lexer *lx, sc_item_kind kind, sc_span span)
{
    sc_item *item = NEW(lx, sc_item);
    if (item) {
        item->kind = kind;
        item->span = span;
    }
    return item;
}

sc_item *sc_ast_import(sc_lexer *lx, sc_expr *path, sc_span span)
{
    sc_item *item = new_item(lx, ITEM_IMPORT, span);
    if (item) {
        item->text = path;
    }
    return item;
}

sc_item *sc_ast_container(sc_lexer *lx, sc_item_kind kind, sc_ident name, sc_ptr_list *items,
                          sc_span body, sc_span span)
{
    sc_item *item = new_item(lx, kind, span);
    if (item) {
        item->name = name;
        item->items = *items;
        item->has_body = true;
        item->body_span = body;
    }
    return item;
}

sc_item *sc_ast_test(sc_lexer *lx, sc_expr *name, sc_ptr_list *items, sc_span body, sc_span span)
{
    sc_item *item = sc_ast_container(lx, ITEM_TEST, (sc_ident){0}, items, body, span);
    if (item)
        item->text = name;
    return item;
}

sc_item *sc_ast_declaration(sc_lexer *lx, sc_item_kind kind, sc_ident name, sc_type_expr *type,
                            sc_expr *value, sc_span span)
{
    sc_item *item = new_item(lx, kind, span);
    if (item) {
        item->name = name;
        item->type = type;
        item->value = value;
    }
    return item;
}

sc_item *sc_ast_block(sc_lexer *lx, sc_ident kind, sc_ident label, sc_span span)
{
    sc_item *item = new_item(lx, ITEM_BLOCK, span);
    if (item) {
        item->name = kind;
        item->label = label;
        /* A quoted label keeps its spelling for the formatter; an interpolated one has
         * no name, and the checker says why. */
        sc_source *src = sc_source_get(lx->ctx, lx->source);
        item->label_is_string =
            label.span.end > label.span.start && src && src->text[label.span.start] == '"';
    }
    return item;
}

sc_item *sc_ast_resource(sc_lexer *lx, sc_ident name, sc_expr *type, sc_span span)
{
    sc_item *item = new_item(lx, ITEM_RESOURCE, span);
    if (item) {
        item->name = name;
        item->text = type;
    }
    return item;
}

sc_item *sc_ast_repeat(sc_lexer *lx, sc_item *item, sc_ident index_var, sc_ident var, sc_expr *iter,
                       sc_expr *when)
{
    (void)lx;
    if (item) {
        item->for_index = index_var;
        item->for_var = var;
        item->for_iter = iter;
        item->when = when;
    }
    return item;
}

sc_item *sc_ast_body(sc_lexer *lx, sc_item *item, sc_ptr_list *items, sc_span body, sc_span span)
{
    (void)lx;
    if (item) {
        item->items = *items;
        item->has_body = true;
        item->body_span = body;
        item->span = span;
    }
    return item;
}

sc_item *sc_ast_allow(sc_lexer *lx, sc_expr *from, sc_expr *to, sc_span span)
{
    sc_item *item = new_item(lx, ITEM_ALLOW, span);
    if (item) {
        item->from = from;
        item->to = to;
    }
    return item;
}

/* `moved old -> new`: the old name in `label`, the new one in `name`. */
sc_item *sc_ast_moved(sc_lexer *lx, sc_ident from, sc_ident to, sc_span span)
{
    sc_item *item = new_item(lx, ITEM_MOVED, span);
    if (item) {
        item->label = from;
        item->name = to;
    }
    return item;
}

sc_item *sc_ast_assertion(sc_lexer *lx, sc_item_kind kind, sc_expr *cond, sc_expr *message,
                          sc_span span)
{
    sc_item *item = new_item(lx, kind, span);
    if (item) {
        item->value = cond;
        item->message = message;
    }
    return item;
}

/* A quoted label or map key: the decoded text of a plain string. Interpolation in a
 * label is reported by the checker, which sees `label_is_string` and the raw node. */
sc_ident sc_ast_label_from_string(sc_lexer *lx, sc_expr *string)
{
    (void)lx;
    sc_ident id = {0};
    if (!string)
        return id;
    id.span = string->span;
    id.name = string->kind == EXPR_STRING ? string->text : NULL;
    return id;
}

static sc_type_expr *new_type(sc_lexer *lx, sc_type_expr_kind kind, sc_span span)
{
    sc_type_expr *t = NEW(lx, sc_type_expr);
    if (t) {
        t->kind = kind;
        t->span = span;
    }
    return t;
}

sc_type_expr *sc_ast_named_type(sc_lexer *lx, sc_ident name, sc_ptr_list *args, sc_span span)
{
    sc_type_expr *t = new_type(lx, TYPEX_NAME, span);
    if (t) {
        t->name = name;
        if (args)
            t->args = *args;
    }
    return t;
}

sc_type_expr *sc_ast_optional_type(sc_lexer *lx, sc_type_expr *inner, sc_span span)
{
    sc_type_expr *t = new_type(lx, TYPEX_OPTIONAL, span);
    if (t)
        t->inner = inner;
    return t;
}

sc_type_expr *sc_ast_union_type(sc_lexer *lx, sc_ptr_list *alternatives, sc_span span)
{
    sc_type_expr *t = new_type(lx, TYPEX_UNION, span);
    if (t)
        t->alternatives = *alternatives;
    return t;
}

sc_type_expr *sc_ast_record_type(sc_lexer *lx, sc_ptr_list *fields, sc_span span)
{
    sc_type_expr *t = new_type(lx, TYPEX_RECORD, span);
    if (t)
        t->fields = *fields;
    return t;
}

sc_field *sc_ast_field(sc_lexer *lx, sc_ident name, sc_type_expr *type, sc_expr *value,
                       sc_span span)
{
    sc_field *f = NEW(lx, sc_field);
    if (f) {
        f->name = name;
        f->type = type;
        f->default_value = value;
        f->span = span;
    }
    return f;
}

static sc_expr *new_expr(sc_lexer *lx, sc_expr_kind kind, sc_span span)
{
    sc_expr *e = NEW(lx, sc_expr);
    if (e) {
        e->kind = kind;
        e->span = span;
    }
    return e;
}

static uint32_t depth_of(const sc_expr *e)
{
    return e ? e->depth : 0;
}

/* Every later stage walks expressions recursively, so a chain of ten thousand `+` must
 * stop here, once, with a diagnostic, rather than exhaust a stack downstream. */
static sc_expr *bounded(sc_lexer *lx, sc_expr *e, uint32_t child_depth)
{
    if (!e)
        return NULL;
    e->depth = child_depth + 1;
    if (e->depth <= SC_MAX_EXPR_DEPTH)
        return e;
    if (!lx->expr_too_deep) {
        lx->expr_too_deep = true;
        sc_diagnostic *d =
            sc_error(lx->ctx, "E0008", e->span, "expression nests more than %d operators deep",
                     SC_MAX_EXPR_DEPTH);
        sc_diag_fix(lx->ctx, d, "split it into named `let` constants");
    }
    lx->file->has_syntax_errors = true;
    e->kind = EXPR_ERROR;
    e->depth = 0;
    return e;
}

static uint32_t deeper(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

sc_expr *sc_ast_cond(sc_lexer *lx, sc_expr *cond, sc_expr *yes, sc_expr *no, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_COND, span);
    if (e) {
        e->cond = cond;
        e->left = yes;
        e->right = no;
    }
    return bounded(lx, e, deeper(depth_of(cond), deeper(depth_of(yes), depth_of(no))));
}

sc_expr *sc_ast_binary(sc_lexer *lx, sc_op op, sc_expr *left, sc_expr *right, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_BINARY, span);
    if (e) {
        e->op = op;
        e->left = left;
        e->right = right;
    }
    return bounded(lx, e, deeper(depth_of(left), depth_of(right)));
}

sc_expr *sc_ast_unary(sc_lexer *lx, sc_op op, sc_expr *operand, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_UNARY, span);
    if (e) {
        e->op = op;
        e->left = operand;
    }
    return bounded(lx, e, depth_of(operand));
}

sc_expr *sc_ast_member(sc_lexer *lx, sc_expr *left, sc_ident member, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_MEMBER, span);
    if (e) {
        e->left = left;
        e->name = member;
    }
    return bounded(lx, e, depth_of(left));
}

sc_expr *sc_ast_index(sc_lexer *lx, sc_expr *left, sc_expr *index, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_INDEX, span);
    if (e) {
        e->left = left;
        e->right = index;
    }
    return bounded(lx, e, deeper(depth_of(left), depth_of(index)));
}

sc_expr *sc_ast_bool(sc_lexer *lx, bool value, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_BOOL, span);
    if (e)
        e->bool_value = value;
    return e;
}

sc_expr *sc_ast_null(sc_lexer *lx, sc_span span)
{
    return new_expr(lx, EXPR_NULL, span);
}

sc_expr *sc_ast_name(sc_lexer *lx, sc_ident name)
{
    sc_expr *e = new_expr(lx, EXPR_NAME, name.span);
    if (e)
        e->name = name;
    return e;
}

sc_expr *sc_ast_call(sc_lexer *lx, sc_ident name, sc_ptr_list *args, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_CALL, span);
    if (e) {
        e->name = name;
        e->items = *args;
    }
    return e;
}

/* Parentheses only group: the inner node is kept, widened to the parenthesised span
 * so diagnostics underline what the author wrote. The formatter re-adds parentheses
 * from precedence. */
sc_expr *sc_ast_paren(sc_lexer *lx, sc_expr *inner, sc_span span)
{
    (void)lx;
    (void)span;
    return inner;
}

sc_expr *sc_ast_list(sc_lexer *lx, sc_ptr_list *items, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_LIST, span);
    if (e)
        e->items = *items;
    return e;
}

sc_expr *sc_ast_map(sc_lexer *lx, sc_ptr_list *entries, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_MAP, span);
    if (e)
        e->items = *entries;
    return e;
}

sc_expr *sc_ast_for_list(sc_lexer *lx, sc_ident index_var, sc_ident var, sc_expr *iter,
                         sc_expr *body, sc_expr *filter, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_FOR_LIST, span);
    if (e) {
        e->key_var = index_var;
        e->name = var;
        e->cond = iter;
        e->left = body;
        e->filter = filter;
    }
    return e;
}

sc_expr *sc_ast_for_map(sc_lexer *lx, sc_ident key_var, sc_ident var, sc_expr *iter, sc_expr *key,
                        sc_expr *value, sc_expr *filter, sc_span span)
{
    sc_expr *e = new_expr(lx, EXPR_FOR_MAP, span);
    if (e) {
        e->key_var = key_var;
        e->name = var;
        e->cond = iter;
        e->left = key;
        e->right = value;
        e->filter = filter;
    }
    return e;
}

size_t sc_expr_child_count(const sc_expr *e)
{
    return e ? 4 + e->items.count : 0;
}

const sc_expr *sc_expr_child(const sc_expr *e, size_t i)
{
    const sc_expr *fixed[] = {e->left, e->right, e->cond, e->filter};
    if (i < 4)
        return fixed[i];
    const void *item = e->items.items[i - 4];
    if (e->kind == EXPR_MAP)
        return ((const sc_map_entry *)item)->value;
    if (e->kind == EXPR_CALL)
        return ((const sc_arg *)item)->value;
    return item;
}

sc_expr *sc_ast_error_expr(sc_lexer *lx, sc_span span)
{
    return new_expr(lx, EXPR_ERROR, span);
}

/* A string of only text segments folds to one EXPR_STRING; any `${}` makes it EXPR_INTERP. */
sc_expr *sc_ast_string(sc_lexer *lx, sc_ptr_list *parts, sc_span span)
{
    sc_source *src = sc_source_get(lx->ctx, lx->source);
    bool closed = span.end > span.start + 1 && src->text[span.end - 1] == '"';
    /* The common case, one run of text without escapes: the segment becomes the string. */
    if (parts->count == 1 && closed) {
        sc_expr *only = parts->items[0];
        if (only && only->kind == EXPR_STRING && only->text == only->raw &&
            only->span.start == span.start + 1 && only->span.end == span.end - 1) {
            only->span = span;
            return only;
        }
    }
    bool plain = true;
    size_t total = 0;
    for (size_t i = 0; i < parts->count; i++) {
        sc_expr *part = parts->items[i];
        if (part->kind != EXPR_STRING)
            plain = false;
        else if (part->text)
            total += strlen(part->text);
    }
    sc_expr *e = new_expr(lx, plain ? EXPR_STRING : EXPR_INTERP, span);
    if (!e)
        return NULL;
    e->items = *parts;
    if (!plain)
        return e;
    char *text = sc_arena_alloc(&lx->ctx->arena, total + 1);
    if (!text)
        return e;
    size_t at = 0;
    for (size_t i = 0; i < parts->count; i++) {
        sc_expr *part = parts->items[i];
        if (!part->text) /* out of memory while lexing it */
            continue;
        size_t n = strlen(part->text);
        memcpy(text + at, part->text, n);
        at += n;
    }
    text[at] = '\0';
    e->text = text;
    uint32_t raw_end = span.end > span.start + 1 ? span.end - 1 : span.end;
    if (span.end > 0 && src->text[span.end - 1] != '"')
        raw_end = span.end;
    e->raw = sc_arena_strndup(&lx->ctx->arena, src->text + span.start + 1,
                              raw_end > span.start + 1 ? raw_end - span.start - 1 : 0);
    return e;
}

sc_expr *sc_ast_interpolation(sc_lexer *lx, sc_expr *inner, sc_span open, sc_span close)
{
    (void)lx;
    (void)open;
    (void)close;
    if (!inner)
        return NULL;
    /* An embedded string literal must not be mistaken for a text segment. */
    if (inner->kind == EXPR_STRING) {
        sc_expr *wrap = new_expr(lx, EXPR_INTERP, inner->span);
        if (wrap)
            sc_list_push(&lx->ctx->arena, &wrap->items, inner);
        return wrap;
    }
    return inner;
}

sc_map_entry *sc_ast_map_entry(sc_lexer *lx, sc_ident key, bool quoted, sc_expr *value,
                               sc_span span)
{
    sc_map_entry *m = NEW(lx, sc_map_entry);
    if (m) {
        m->key = key;
        m->key_is_string = quoted;
        m->value = value;
        m->span = span;
    }
    return m;
}

sc_arg *sc_ast_arg(sc_lexer *lx, sc_ident name, sc_expr *value)
{
    sc_arg *a = NEW(lx, sc_arg);
    if (a) {
        a->name = name;
        a->value = value;
    }
    return a;
}

static const char *unquote(sc_lexer *lx, const char *name)
{
    size_t len = strlen(name);
    if (len >= 2 && name[0] == '"' && name[len - 1] == '"')
        return sc_arena_strndup(&lx->ctx->arena, name + 1, len - 2);
    return name;
}

/* Whether `name` (written without quotes) is among the expected tokens, whose names
 * bison may or may not quote. */
static bool expects(const char *const *expected, int count, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < count; i++) {
        const char *e = expected[i];
        if (strcmp(e, name) == 0)
            return true;
        if (e[0] == '"' && strncmp(e + 1, name, len) == 0 && e[len + 1] == '"' &&
            e[len + 2] == '\0')
            return true;
    }
    return false;
}

/* Names what the parser wanted: a short list, or the category when the list is long. */
static void describe_expected(sc_lexer *lx, sc_buf *msg, const char *const *expected, int count)
{
    if (expects(expected, count, "integer") && expects(expected, count, "identifier")) {
        sc_buf_puts(msg, ", expected an expression");
        return;
    }
    if (expects(expected, count, "resource") && expects(expected, count, "identifier")) {
        sc_buf_puts(msg, ", expected a declaration, `name = value` or '}'");
        return;
    }
    if (count == 0 || count > 5)
        return;
    for (int i = 0; i < count; i++)
        sc_buf_printf(msg, "%s%s",
                      i == 0           ? ", expected "
                      : i == count - 1 ? " or "
                                       : ", ",
                      unquote(lx, expected[i]));
}

void sc_parse_syntax_error(sc_lexer *lx, sc_loc loc, const char *unexpected, bool at_end,
                           const char *const *expected, int expected_count)
{
    lx->file->has_syntax_errors = true;
    if (lx->too_deep)
        return;
    sc_buf msg;
    sc_buf_init(&msg, &lx->ctx->allocator);
    sc_buf_printf(&msg, "unexpected %s", unquote(lx, unexpected));
    describe_expected(lx, &msg, expected, expected_count);
    sc_span span = sc_ast_span(lx, loc);
    sc_diagnostic *d = sc_error(lx->ctx, "E0100", span, "%s", msg.data ? msg.data : "syntax error");
    sc_buf_free(&msg);
    if (at_end && lx->depth > 0) {
        int open = lx->depth - 1;
        sc_span opened = {lx->source, lx->opened_at[open], lx->opened_at[open] + 1};
        sc_diag_note(lx->ctx, d, opened, "to close the %s opened here",
                     lx->kinds[open] == LEX_BRACE_INTERP ? "'${'" : "'{'");
        sc_diag_fix(lx->ctx, d, "add the missing '}'");
    }
}

/* flex marks the end of its buffer with NUL bytes, and its full-table scanner misreads
 * a NUL inside the input. No `.stack` file has one: the first is reported, and the
 * scanner reads a copy with each NUL made a space, so offsets stay the same. */
static const char *without_nul_bytes(sc_context *ctx, const sc_source *src, sc_file *file)
{
    const char *nul = memchr(src->text, '\0', src->len);
    if (!nul)
        return src->text;
    uint32_t at = (uint32_t)(nul - src->text);
    sc_error(ctx, "E0001", (sc_span){file->source, at, at + 1}, "unexpected NUL byte");
    file->has_syntax_errors = true;
    char *copy = sc_arena_strndup(&ctx->arena, src->text, src->len);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < src->len; i++)
        if (copy[i] == '\0')
            copy[i] = ' ';
    return copy;
}

/* One run of the scanner and `parse` over `text`: the parser's status, or -1 when the
 * scanner could not start. */
static int run_parser(sc_lexer *lx, const char *text, size_t len, int (*parse)(yyscan_t))
{
    yyscan_t scanner;
    if (sc_yylex_init_extra(lx, &scanner) != 0) {
        lx->ctx->out_of_memory = true;
        return -1;
    }
    lx->offset = (uint32_t)sc_byte_order_mark(text, len);
    YY_BUFFER_STATE buffer = sc_yy_scan_bytes(text + lx->offset, (int)(len - lx->offset), scanner);
    int status = parse(scanner);
    sc_yy_delete_buffer(buffer, scanner);
    sc_yylex_destroy(scanner);
    return status;
}

sc_file *sc_parse_source(sc_context *ctx, uint32_t source)
{
    sc_source *src = sc_source_get(ctx, source);
    sc_file *file = sc_arena_alloc(&ctx->arena, sizeof(*file));
    if (!src || !file)
        return NULL;
    file->source = source;
    file->span = (sc_span){source, 0, (uint32_t)src->len};
    if (src->len > SC_MAX_SOURCE_BYTES) {
        /* Readers stop one byte past the limit (sc_read_stream), so a longer length is
         * only known for a buffer handed over whole. */
        sc_diagnostic *d = src->len == (size_t)SC_MAX_SOURCE_BYTES + 1
                               ? sc_error(ctx, "E0009", (sc_span){source, 0, 0},
                                          "file is over the limit of %d bytes", SC_MAX_SOURCE_BYTES)
                               : sc_error(ctx, "E0009", (sc_span){source, 0, 0},
                                          "file is %zu bytes, over the limit of %d bytes", src->len,
                                          SC_MAX_SOURCE_BYTES);
        sc_diag_fix(ctx, d, "split it into files that import one another");
        file->has_syntax_errors = true;
        return file;
    }
    const char *text = without_nul_bytes(ctx, src, file);
    if (!text)
        return file;
    sc_arena_reserve(&ctx->arena, src->len * SC_AST_BYTES_PER_SOURCE_BYTE);
    /* The fast pass, without lookahead correction (grammar/stack.y). When it meets a
     * syntax error, what it added is taken back and the file is parsed again with the
     * parser that reports errors; its nodes stay in the arena, unused. */
    const sc_file fresh = *file;
    const size_t diagnostics = ctx->diagnostics.count;
    const size_t errors = ctx->error_count, suppressed = ctx->suppressed_errors;
    sc_lexer lx = {.ctx = ctx, .file = file, .source = source, .keep_comments = true};
    int status = run_parser(&lx, text, src->len, sc_yyparse_without_lac);
    if (status > 0 || lx.syntax_error_seen) {
        *file = fresh;
        ctx->diagnostics.count = diagnostics;
        ctx->error_count = errors;
        ctx->suppressed_errors = suppressed;
        lx = (sc_lexer){.ctx = ctx, .file = file, .source = source, .keep_comments = true};
        status = run_parser(&lx, text, src->len, sc_yyparse);
    }
    if (status < 0)
        return file;
    if (status == 2 && !lx.expr_too_deep)
        ctx->out_of_memory = true;
    if (status != 0)
        file->has_syntax_errors = true;
    return file;
}
