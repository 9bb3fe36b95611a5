/* Scanner helpers: literal decoding, keywords, brace tracking and lexical errors. */
#include "syntax/parser_support.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const sc_keyword keywords[] = {
    {"allow", TOK_ALLOW},         {"assert", TOK_ASSERT},
    {"attribute", TOK_ATTRIBUTE}, {"check", TOK_CHECK},
    {"component", TOK_COMPONENT}, {"connectable", TOK_CONNECTABLE},
    {"false", TOK_FALSE},         {"for", TOK_FOR},
    {"grant", TOK_GRANT},         {"if", TOK_IF},
    {"import", TOK_IMPORT},       {"in", TOK_IN},
    {"input", TOK_INPUT},         {"let", TOK_LET},
    {"moved", TOK_MOVED},         {"null", TOK_NULL},
    {"output", TOK_OUTPUT},       {"param", TOK_PARAM},
    {"resource", TOK_RESOURCE},   {"stack", TOK_STACK},
    {"test", TOK_TEST},           {"true", TOK_TRUE},
    {"type", TOK_TYPE},           {"unique", TOK_UNIQUE},
    {"warn", TOK_WARN},
};

const sc_keyword *sc_keywords(size_t *count)
{
    *count = sizeof(keywords) / sizeof(keywords[0]);
    return keywords;
}

sc_span sc_ast_span(sc_lexer *lx, sc_loc loc)
{
    return (sc_span){lx->source, loc.start, loc.end};
}

static sc_expr *new_literal(sc_lexer *lx, sc_expr_kind kind, sc_loc loc, const char *text,
                            size_t len)
{
    sc_expr *e = sc_arena_alloc(&lx->ctx->arena, sizeof(*e));
    if (!e)
        return NULL;
    e->kind = kind;
    e->span = sc_ast_span(lx, loc);
    e->raw = sc_arena_strndup(&lx->ctx->arena, text, len);
    return e->raw ? e : NULL;
}

/* Length of the valid UTF-8 sequence at `p`, or 0 when it is not one. */
static size_t utf8_length(const unsigned char *p, size_t left)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = (p[0] & 0xE0) == 0xC0   ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || n > left || (n == 2 && p[0] < 0xC2) || (n == 4 && p[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && p[0] == 0xE0 && p[1] < 0xA0) || (n == 3 && p[0] == 0xED && p[1] > 0x9F) ||
        (n == 4 && p[0] == 0xF0 && p[1] < 0x90) || (n == 4 && p[0] == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

static void keep_comment(sc_lexer *lx, sc_loc loc, const char *text, size_t len)
{
    if (!lx->keep_comments)
        return;
    sc_comment *c = sc_arena_alloc(&lx->ctx->arena, sizeof(*c));
    if (!c)
        return;
    c->span = sc_ast_span(lx, loc);
    /* Trailing white space is not part of what the author meant to keep. */
    while (len > 2 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
        len--;
    c->text = sc_arena_strndup(&lx->ctx->arena, text, len);
    sc_list_push(&lx->ctx->arena, &lx->file->comments, c);
}

/* A `//` comment: the scanner takes any byte to the line's end, so UTF-8 is checked
 * here (block comments are checked by the scanner's rules). */
void sc_lex_comment(sc_lexer *lx, sc_loc loc, const char *text, size_t len)
{
    const unsigned char *bytes = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_length(bytes + i, len - i);
        if (n == 0) {
            sc_lex_bad_utf8(lx, (sc_loc){loc.start + (uint32_t)i, loc.start + (uint32_t)i + 1});
            break;
        }
        i += n;
    }
    keep_comment(lx, loc, text, len);
}

void sc_lex_block_comment(sc_lexer *lx, sc_span span)
{
    sc_source *src = sc_source_get(lx->ctx, lx->source);
    keep_comment(lx, (sc_loc){span.start, span.end}, src->text + span.start, span.end - span.start);
}

bool sc_lex_open(sc_lexer *lx, sc_loc loc, unsigned char kind)
{
    if (lx->too_deep)
        return false;
    if (lx->depth + lx->paren_depth >= SC_MAX_NESTING) {
        lx->too_deep = true;
        sc_diagnostic *d = sc_error(lx->ctx, "E0008", sc_ast_span(lx, loc),
                                    "nesting is deeper than the limit of %d", SC_MAX_NESTING);
        sc_diag_fix(lx->ctx, d, "split the value into named `let` constants");
        return false;
    }
    lx->kinds[lx->depth] = kind;
    lx->opened_at[lx->depth] = loc.start;
    lx->depth++;
    return true;
}

/* Returns the kind of brace that '}' closes; a stray '}' counts as a block brace
 * and the parser reports it. */
int sc_lex_close(sc_lexer *lx)
{
    if (lx->depth == 0)
        return LEX_BRACE_BLOCK;
    lx->depth--;
    return lx->kinds[lx->depth];
}

bool sc_lex_paren(sc_lexer *lx, int delta)
{
    if (delta < 0) {
        if (lx->paren_depth > 0)
            lx->paren_depth--;
        return true;
    }
    if (lx->too_deep)
        return false;
    if (lx->depth + lx->paren_depth >= SC_MAX_NESTING) {
        lx->too_deep = true;
        sc_error(lx->ctx, "E0008", (sc_span){lx->source, lx->offset - 1, lx->offset},
                 "nesting is deeper than the limit of %d", SC_MAX_NESTING);
        return false;
    }
    lx->paren_depth++;
    return true;
}

typedef struct unit {
    const char *name;
    sc_expr_kind kind;
    double scale; /* to milliseconds or bytes */
} unit;

static const unit units[] = {
    {"ms", EXPR_DURATION, 1},
    {"s", EXPR_DURATION, 1000},
    {"m", EXPR_DURATION, 60000},
    {"h", EXPR_DURATION, 3600000},
    {"d", EXPR_DURATION, 86400000},
    {"B", EXPR_SIZE, 1},
    {"KB", EXPR_SIZE, 1e3},
    {"MB", EXPR_SIZE, 1e6},
    {"GB", EXPR_SIZE, 1e9},
    {"TB", EXPR_SIZE, 1e12},
    {"KiB", EXPR_SIZE, 1024.0},
    {"MiB", EXPR_SIZE, 1024.0 * 1024},
    {"GiB", EXPR_SIZE, 1024.0 * 1024 * 1024},
    {"TiB", EXPR_SIZE, 1024.0 * 1024 * 1024 * 1024},
};

static int number_error(sc_lexer *lx, sc_loc loc, sc_expr *e, SC_YYSTYPE *value)
{
    /* Hand the parser an error node in a number's place: one bad literal, one diagnostic. */
    if (e)
        e->kind = EXPR_ERROR;
    value->expr = e;
    return TOK_INT;
    (void)lx;
    (void)loc;
}

static int literal_with_unit(sc_lexer *lx, sc_loc loc, sc_expr *e, const char *text, size_t digits,
                             const char *suffix, SC_YYSTYPE *value)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(units[i].name, suffix) != 0)
            continue;
        double amount = strtod(text, NULL);
        double scaled = amount * units[i].scale;
        if (scaled > 9.2e18) {
            sc_error(lx->ctx, "E0005", sc_ast_span(lx, loc), "literal '%s' is too large", e->raw);
            return number_error(lx, loc, e, value);
        }
        if (scaled != floor(scaled)) {
            sc_diagnostic *d =
                sc_error(lx->ctx, "E0005", sc_ast_span(lx, loc), "'%s' is not a whole number of %s",
                         e->raw, units[i].kind == EXPR_SIZE ? "bytes" : "milliseconds");
            sc_diag_fix(lx->ctx, d, "use a smaller unit");
            return number_error(lx, loc, e, value);
        }
        e->kind = units[i].kind;
        e->int_value = (long long)scaled;
        value->expr = e;
        return units[i].kind == EXPR_SIZE ? TOK_SIZE : TOK_DURATION;
    }
    sc_diagnostic *d = sc_error(lx->ctx, "E0006", sc_ast_span(lx, loc), "unknown unit '%s' in '%s'",
                                suffix, e->raw);
    const char *names[sizeof(units) / sizeof(units[0])];
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        names[i] = units[i].name;
    const char *close = sc_closest_name(suffix, names, sizeof(units) / sizeof(units[0]));
    if (close)
        sc_diag_fix(lx->ctx, d, "did you mean '%.*s%s'?", (int)digits, text, close);
    else
        sc_diag_note_plain(lx->ctx, d,
                           "durations take ms, s, m, h, d; sizes take B, KB, MB, GB, TB, KiB, "
                           "MiB, GiB, TiB");
    return number_error(lx, loc, e, value);
}

int sc_lex_number(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value)
{
    sc_expr *e = new_literal(lx, EXPR_INT, loc, text, len);
    if (!e) {
        value->expr = NULL;
        return TOK_INT;
    }
    size_t digits = 0;
    while (digits < len && (text[digits] == '.' || (text[digits] >= '0' && text[digits] <= '9')))
        digits++;
    if (text[digits - 1] == '.') {
        sc_error(lx->ctx, "E0005", sc_ast_span(lx, loc),
                 "number '%s' needs digits after the decimal point", e->raw);
        return number_error(lx, loc, e, value);
    }
    if (digits < len)
        return literal_with_unit(lx, loc, e, e->raw, digits, e->raw + digits, value);
    if (memchr(text, '.', len)) {
        e->kind = EXPR_NUMBER;
        e->number_value = strtod(e->raw, NULL);
        value->expr = e;
        return TOK_NUMBER;
    }
    errno = 0;
    e->int_value = strtoll(e->raw, NULL, 10);
    if (errno == ERANGE) {
        sc_error(lx->ctx, "E0005", sc_ast_span(lx, loc), "integer '%s' does not fit in 64 bits",
                 e->raw);
        e->int_value = 0;
    }
    value->expr = e;
    return TOK_INT;
}

/* `text` is the scanner's yytext, which flex ends with a NUL while the rule runs. */
int sc_lex_word(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value)
{
    value->ident.span = sc_ast_span(lx, loc);
    size_t lo = 0, hi = sizeof(keywords) / sizeof(keywords[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        /* The first byte settles most steps without a call. */
        int cmp = (unsigned char)keywords[mid].word[0] - (unsigned char)text[0];
        if (cmp == 0)
            cmp = strcmp(keywords[mid].word, text);
        if (cmp == 0) {
            /* Keywords can serve as keys (`type = ...`): the table's text is their name. */
            value->ident.name = keywords[mid].word;
            return keywords[mid].token;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    value->ident.name = sc_arena_strndup(&lx->ctx->arena, text, len);
    return TOK_IDENT;
}

static size_t encode_utf8(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One piece of string text: a run of characters or one escape, decoded into `text`. */
int sc_lex_text(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value)
{
    sc_expr *e = new_literal(lx, EXPR_STRING, loc, text, len);
    value->expr = e;
    if (!e)
        return TOK_STR_TEXT;
    if (text[0] != '\\' || len < 2) {
        e->text = e->raw;
        return TOK_STR_TEXT;
    }
    char decoded[4];
    size_t n = 1;
    switch (text[1]) {
    case 'n':
        decoded[0] = '\n';
        break;
    case 'r':
        decoded[0] = '\r';
        break;
    case 't':
        decoded[0] = '\t';
        break;
    case 'u': {
        unsigned long cp = strtoul(text + 3, NULL, 16);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
            sc_error(lx->ctx, "E0004", sc_ast_span(lx, loc),
                     "'%s' is not a valid Unicode scalar value", e->raw);
            cp = 0xFFFD;
        }
        n = encode_utf8(cp, decoded);
        break;
    }
    default:
        decoded[0] = text[1];
        break;
    }
    e->text = sc_arena_strndup(&lx->ctx->arena, decoded, n);
    return TOK_STR_TEXT;
}

int sc_lex_bad_escape(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value)
{
    sc_diagnostic *d;
    if (text[1] == '\n')
        d = sc_error(lx->ctx, "E0004", sc_ast_span(lx, loc),
                     "a backslash cannot escape a line break");
    else
        d = sc_error(lx->ctx, "E0004", sc_ast_span(lx, loc), "unknown escape sequence '%.*s'",
                     (int)len, text);
    sc_diag_note_plain(lx->ctx, d, "strings know \\n \\r \\t \\\" \\\\ \\$ \\/ and \\u{XXXX}");
    return sc_lex_text(lx, loc, text + 1, len - 1, value);
}

void sc_lex_bad_char(sc_lexer *lx, sc_loc loc, const char *text, size_t len)
{
    unsigned char c = (unsigned char)text[0];
    if (c >= 0x80 && len == 1) {
        sc_lex_bad_utf8(lx, loc);
        return;
    }
    if (c < 0x20 || c == 0x7F) {
        sc_error(lx->ctx, "E0001", sc_ast_span(lx, loc), "unexpected control character 0x%02X", c);
        return;
    }
    sc_diagnostic *d = sc_error(lx->ctx, "E0001", sc_ast_span(lx, loc),
                                "unexpected character '%.*s'", (int)len, text);
    if (c == '\'')
        sc_diag_fix(lx->ctx, d, "strings use double quotes: \"...\"");
    else if (c == '#')
        sc_diag_fix(lx->ctx, d, "comments start with // or /* */");
    else if (c == ';')
        sc_diag_fix(lx->ctx, d, "no semicolons are needed: put each item on its own line");
}

void sc_lex_bad_utf8(sc_lexer *lx, sc_loc loc)
{
    sc_error(lx->ctx, "E0003", sc_ast_span(lx, loc), "invalid UTF-8 byte");
}

void sc_lex_unterminated_string(sc_lexer *lx, sc_loc loc)
{
    sc_diagnostic *d =
        sc_error(lx->ctx, "E0002", (sc_span){lx->source, lx->string_start, loc.start},
                 "unterminated string");
    sc_diag_fix(lx->ctx, d, "add a closing '\"' before the end of the line");
}

void sc_lex_unterminated_comment(sc_lexer *lx)
{
    sc_diagnostic *d =
        sc_error(lx->ctx, "E0007", (sc_span){lx->source, lx->string_start, lx->string_start + 2},
                 "unterminated block comment");
    sc_diag_fix(lx->ctx, d, "close it with */");
}
