/* Completion. Where the offset stands comes from the walk (sc_query_place_at): which
 * body, which scope, which record's fields may be set there. What is being written
 * comes from the text just before the offset, because a line being typed is usually
 * not a complete item yet and the parser has dropped it:
 *   inside "..."            the values of the string union expected there
 *   NAME.NAME.|             the members of what the chain names
 *   at the start of an item (line start, after '{', '}' or ',')
 *                           what may be declared or set in this body
 *   after `input x:`        types
 *   anywhere else           the names in scope, built-in functions, literals */
#include "query/query.h"

#include "schema/schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct completer {
    sc_analysis *analysis;
    sc_arena *scratch;
    const char *text; /* the file's text */
    uint32_t offset;
    sc_place place;
    sc_ptr_list items;                   /* of sc_completion */
    sc_map seen;                         /* labels offered, so none is offered twice */
    uint32_t replace_start, replace_end; /* what a completion replaces */
    uint32_t text_end;
} completer;

static const char *const builtin_types[] = {"any", "bool",   "duration", "int",  "list",
                                            "map", "number", "secret",   "size", "string"};

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static void offer(completer *c, const char *label, sc_completion_kind kind, const char *detail,
                  const char *documentation, const char *insert_text)
{
    if (!label || sc_map_get(&c->seen, label))
        return;
    sc_completion *item = sc_arena_alloc(c->scratch, sizeof(*item));
    if (!item)
        return;
    *item = (sc_completion){label, kind, detail, documentation, insert_text};
    sc_map_put(c->scratch, &c->seen, label, item);
    sc_list_push(c->scratch, &c->items, item);
}

static const sc_type *strip(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    return t;
}

/* "Default: `x`" and the doc comment above `span`, as Markdown; NULL when neither. */
static const char *documentation(completer *c, sc_span span, const sc_expr *default_value)
{
    const char *doc = sc_query_doc_comment(c->analysis, span);
    const char *value = default_value ? sc_query_span_text(c->analysis, default_value->span) : NULL;
    if (value && doc)
        return sc_arena_printf(c->scratch, "Default: `%s`\n\n%s", value, doc);
    if (value)
        return sc_arena_printf(c->scratch, "Default: `%s`", value);
    return doc;
}

/* ---- what is offered ------------------------------------------------------------------------ */

static void offer_components(completer *c)
{
    const sc_program *program = c->analysis->program;
    for (size_t i = 0; i < program->component_order.count; i++) {
        const sc_component *component = program->component_order.items[i];
        offer(c, component->name, SC_COMPLETION_COMPONENT, "component",
              sc_query_doc_comment(c->analysis, component->item->span), NULL);
    }
}

static void offer_keywords(completer *c, const char *const *words, size_t count)
{
    for (size_t i = 0; i < count; i++)
        offer(c, words[i], SC_COMPLETION_KEYWORD, NULL, NULL, NULL);
}

static bool is_block_type(const sc_type *t)
{
    t = strip(t);
    if (t && (t->kind == TY_MAP || t->kind == TY_LIST))
        t = strip(t->elem);
    return t && t->kind == TY_RECORD;
}

static bool already_set(const completer *c, const char *name)
{
    const sc_ptr_list *items = c->place.items;
    for (size_t i = 0; items && i < items->count; i++) {
        const sc_item *item = items->items[i];
        /* A map<RECORD> input takes many blocks; a value or single block, one. */
        if (item->kind == ITEM_ATTR && item->name.name && strcmp(item->name.name, name) == 0)
            return true;
    }
    for (size_t i = 0; c->place.map && i < c->place.map->items.count; i++) {
        const sc_map_entry *entry = c->place.map->items.items[i];
        if (entry->key.name && strcmp(entry->key.name, name) == 0)
            return true;
    }
    return false;
}

static void offer_fields(completer *c, const sc_type *record, bool inputs)
{
    for (size_t i = 0; record && i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        if (already_set(c, field->name))
            continue;
        bool block = !c->place.map && is_block_type(field->type);
        offer(c, field->name, inputs ? SC_COMPLETION_INPUT : SC_COMPLETION_FIELD,
              sc_query_type_name(c->analysis, field->type),
              documentation(c, field->span, field->default_value),
              block ? NULL : sc_arena_printf(c->scratch, "%s = ", field->name));
    }
}

static void offer_union(completer *c, const sc_type *type, bool quoted)
{
    type = strip(type);
    if (!type || type->kind != TY_UNION)
        return;
    for (size_t i = 0; i < type->alternatives.count; i++) {
        const char *value = type->alternatives.items[i];
        offer(c, quoted ? sc_arena_printf(c->scratch, "\"%s\"", value) : value, SC_COMPLETION_VALUE,
              sc_query_type_name(c->analysis, type), NULL, NULL);
    }
}

static void offer_symbol(completer *c, const sc_symbol *s)
{
    if (!s->name || strchr(s->name, ' '))
        return;
    const char *type = s->kind == SYM_INSTANCE && s->item
                           ? s->item->name.name
                           : sc_query_type_name(c->analysis, s->type);
    sc_completion_kind kind = s->kind == SYM_STACK   ? SC_COMPLETION_STACK
                              : s->kind == SYM_INPUT ? SC_COMPLETION_INPUT
                                                     : SC_COMPLETION_NAME;
    sc_span doc = s->item ? s->item->span : s->span;
    offer(c, s->name, kind, s->kind == SYM_STACK ? "stack" : type,
          sc_query_doc_comment(c->analysis, doc), NULL);
}

static void offer_scope(completer *c, const sc_scope *scope)
{
    for (size_t i = 0; i < scope->order.count; i++)
        offer_symbol(c, scope->order.items[i]);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(sc_builtin_name(*(const sc_builtin *const *)a),
                  sc_builtin_name(*(const sc_builtin *const *)b));
}

/* The built-in functions callable here, by name: the test runner's (added after the
 * language's) only inside a `test` block, where they mean something. */
static void offer_builtins(completer *c)
{
    const sc_context *ctx = c->analysis->ctx;
    size_t count = 0, all = sc_builtin_count(ctx);
    const sc_builtin **callable = sc_arena_alloc(c->scratch, (all + 1) * sizeof(*callable));
    if (!callable)
        return;
    for (size_t i = 0; i < all; i++) {
        const sc_builtin *b = sc_builtin_at(ctx, i);
        if (!b->only_in_tests || c->place.in_test)
            callable[count++] = b;
    }
    qsort(callable, count, sizeof(*callable), by_name);
    for (size_t i = 0; i < count; i++)
        offer(c, sc_builtin_name(callable[i]), SC_COMPLETION_FUNCTION,
              sc_builtin_signature(c->scratch, callable[i]), sc_builtin_summary(callable[i]), NULL);
}

static void offer_names(completer *c)
{
    for (const sc_local *l = c->place.locals; l; l = l->next)
        offer(c, l->name, SC_COMPLETION_NAME, sc_query_type_name(c->analysis, l->type), NULL, NULL);
    for (const sc_scope *scope = c->place.scope; scope; scope = scope->parent)
        offer_scope(c, scope);
    offer_builtins(c);
    static const char *const literals[] = {"true", "false", "null"};
    offer_keywords(c, literals, 3);
}

static void offer_types(completer *c)
{
    const sc_program *program = c->analysis->program;
    for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
        offer(c, builtin_types[i], SC_COMPLETION_TYPE, NULL, NULL, NULL);
    for (size_t i = 0; i < program->types.capacity; i++)
        if (program->types.keys[i])
            offer(c, program->types.keys[i], SC_COMPLETION_TYPE, "type", NULL, NULL);
    offer_components(c);
}

static void offer_members(completer *c, const sc_entity *e)
{
    if (e->kind == ENTITY_STACK && e->symbol && e->symbol->stack && e->symbol->stack->scope) {
        offer_scope(c, e->symbol->stack->scope);
        return;
    }
    const sc_type *t = strip(e->type);
    if (!t)
        return;
    if (t->kind == TY_COMPONENT) {
        for (size_t i = 0; i < t->component->attribute_order.count; i++) {
            const sc_attribute *a =
                sc_map_get(&t->component->attributes, t->component->attribute_order.items[i]);
            if (a && a->item)
                offer(c, a->name, SC_COMPLETION_ATTRIBUTE, sc_query_type_name(c->analysis, a->type),
                      sc_query_doc_comment(c->analysis, a->item->span), NULL);
        }
    } else if (t->kind == TY_RECORD) {
        offer_fields(c, t, false);
    } else if (t->kind == TY_RESOURCE) {
        const sc_resource_schema *rs = sc_query_resource_schema(c->analysis, t->resource_type);
        size_t skip = t->attribute ? strlen(t->attribute) + 1 : 0;
        for (size_t i = 0; rs && i < rs->attribute_count; i++) {
            const char *name = rs->attribute_names[i];
            if (skip && (strncmp(name, t->attribute, skip - 1) != 0 || name[skip - 1] != '.'))
                continue;
            const char *rest = name + skip, *dot = strchr(rest, '.');
            offer(c, dot ? sc_arena_strndup(c->scratch, rest, (size_t)(dot - rest)) : rest,
                  SC_COMPLETION_ATTRIBUTE,
                  rs->attributes[i].shape ? rs->attributes[i].shape->text : NULL, NULL, NULL);
        }
    }
}

static void offer_properties(completer *c)
{
    const sc_resource_schema *rs = sc_query_resource_schema(c->analysis, c->place.resource_type);
    for (size_t i = 0; rs && i < rs->properties.property_count; i++) {
        const sc_schema_property *p = &rs->properties.properties[i];
        offer(c, p->name, SC_COMPLETION_FIELD, p->shape ? p->shape->text : NULL,
              p->required ? "Required." : NULL, sc_arena_printf(c->scratch, "%s = ", p->name));
    }
    static const char *const options[] = {"depends_on", "deletion_policy", "update_replace_policy",
                                          "metadata"};
    offer_keywords(c, options, 4);
}

/* What may start an item in the body at the offset. */
static void offer_declarations(completer *c)
{
    static const char *const top[] = {"stack", "component", "import", "type", "test"};
    static const char *const stack[] = {"let",      "param", "output", "allow",
                                        "resource", "moved", "test"};
    static const char *const component[] = {"input", "let",    "resource",    "attribute", "check",
                                            "warn",  "unique", "connectable", "grant",     "test"};
    static const char *const test[] = {"let", "assert"};
    switch (c->place.body) {
    case BODY_FILE:
        offer_keywords(c, top, sizeof(top) / sizeof(top[0]));
        if (c->place.scope && c->place.scope->stack) { /* a file that is one stack */
            offer_components(c);
            offer_keywords(c, stack, sizeof(stack) / sizeof(stack[0]));
        }
        return;
    case BODY_STACK:
        offer_components(c);
        offer_keywords(c, stack, sizeof(stack) / sizeof(stack[0]));
        return;
    case BODY_COMPONENT:
        offer_keywords(c, component, sizeof(component) / sizeof(component[0]));
        offer_components(c);
        return;
    case BODY_SETTINGS:
        offer_fields(c, c->place.record, c->place.instance_of != NULL);
        return;
    case BODY_RESOURCE:
        offer_properties(c);
        return;
    case BODY_TEST:
        offer_keywords(c, test, sizeof(test) / sizeof(test[0]));
        return;
    case BODY_OTHER:
        return;
    }
}

/* ---- reading the text before the offset
 * ---------------------------------------------------------- */

static uint32_t line_start(const completer *c, uint32_t at)
{
    while (at > 0 && c->text[at - 1] != '\n')
        at--;
    return at;
}

static uint32_t skip_blanks_back(const completer *c, uint32_t at)
{
    while (at > 0 && (c->text[at - 1] == ' ' || c->text[at - 1] == '\t'))
        at--;
    return at;
}

static uint32_t word_start(const completer *c, uint32_t at)
{
    while (at > 0 && is_word_char(c->text[at - 1]))
        at--;
    return at;
}

/* The opening quote of the string the offset is in on its line, or UINT32_MAX. */
static uint32_t string_start(const completer *c)
{
    uint32_t open = UINT32_MAX;
    for (uint32_t at = line_start(c, c->offset); at < c->offset; at++) {
        char ch = c->text[at];
        if (ch == '\\' && open != UINT32_MAX)
            at++;
        else if (ch == '"')
            open = open == UINT32_MAX ? at : UINT32_MAX;
        else if (ch == '/' && open == UINT32_MAX && c->text[at + 1] == '/')
            return UINT32_MAX;
    }
    return open;
}

/* The word ending at `end` (after blanks), or NULL. */
static const char *word_before(completer *c, uint32_t end, uint32_t *start)
{
    end = skip_blanks_back(c, end);
    uint32_t begin = word_start(c, end);
    if (start)
        *start = begin;
    return begin < end ? sc_arena_strndup(c->scratch, c->text + begin, end - begin) : NULL;
}

/* In a body of settings, `KEY = |` or `KEY = "|`: the type KEY's field expects. */
static const sc_type *expected_by_key(completer *c, uint32_t value_start)
{
    uint32_t at = skip_blanks_back(c, value_start);
    if (at == 0 || c->text[at - 1] != '=' || (at >= 2 && strchr("=!<>", c->text[at - 2])))
        return NULL;
    const char *key = word_before(c, at - 1, NULL);
    const sc_record_field *field =
        key && c->place.record ? sc_record_find(c->place.record, key) : NULL;
    return field ? field->type : NULL;
}

/* `a.b.` before `at` (which is just after the last dot): the chain, resolved. */
static bool resolve_chain(completer *c, uint32_t dot, sc_entity *out)
{
    const char *names[64];
    size_t count = 0;
    uint32_t at = dot;
    while (count < 64) {
        uint32_t start;
        const char *name = word_before(c, at, &start);
        if (!name || isdigit((unsigned char)name[0]))
            return false;
        names[count++] = name;
        at = skip_blanks_back(c, start);
        if (at == 0 || c->text[at - 1] != '.')
            break;
        at--;
    }
    if (!sc_query_lookup(c->analysis, &c->place, names[count - 1], out))
        return false;
    for (size_t i = count - 1; i-- > 0;) {
        sc_entity next;
        if (!sc_query_member(c->analysis, out, names[i], &next))
            return false;
        *out = next;
    }
    return true;
}

/* After `input x:`, `param x:`, `let x:`, `attribute x:` or inside `list<`, `map<`. */
static bool at_type(completer *c, uint32_t at)
{
    if (at > 0 && c->text[at - 1] == '<')
        return true;
    if (at == 0 || c->text[at - 1] != ':')
        return false;
    uint32_t name_start;
    const char *name = word_before(c, at - 1, &name_start);
    const char *keyword = name ? word_before(c, name_start, NULL) : NULL;
    return keyword && (strcmp(keyword, "input") == 0 || strcmp(keyword, "param") == 0 ||
                       strcmp(keyword, "let") == 0 || strcmp(keyword, "attribute") == 0);
}

/* Words after which an expression follows. */
static bool expression_keyword(const char *word)
{
    static const char *const words[] = {"allow", "in", "if", "assert", "check", "warn", "unique"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

static void complete(completer *c, uint32_t start)
{
    uint32_t quote = string_start(c);
    if (quote != UINT32_MAX) {
        c->replace_start = quote + 1;
        while (c->replace_end < c->text_end && c->text[c->replace_end] != '"' &&
               c->text[c->replace_end] != '\n')
            c->replace_end++;
        const sc_type *expected = strip(c->place.expected);
        if (!expected || expected->kind != TY_UNION)
            expected = expected_by_key(c, quote);
        offer_union(c, expected, false);
        return;
    }
    if (start > 0 && c->text[start - 1] == '.') {
        sc_entity subject;
        if (resolve_chain(c, start - 1, &subject))
            offer_members(c, &subject);
        return;
    }
    uint32_t before = skip_blanks_back(c, start);
    char previous = before ? c->text[before - 1] : '\n';
    if (previous == '\n' || previous == '{' || previous == '}' || previous == ',' ||
        previous == '\r') {
        if (c->place.body == BODY_SETTINGS && c->place.map == NULL && previous == ',' &&
            c->place.expected) /* a list or call argument inside a value */
            offer_names(c);
        else
            offer_declarations(c);
        return;
    }
    if (at_type(c, before)) {
        offer_types(c);
        return;
    }
    if (is_word_char(previous)) {
        const char *word = word_before(c, before, NULL);
        if (!word || !expression_keyword(word))
            return; /* a name being declared: nothing to suggest */
    }
    const sc_type *expected = c->place.expected ? c->place.expected : expected_by_key(c, start);
    offer_union(c, expected, true);
    offer_names(c);
}

size_t sc_query_completions(sc_analysis *analysis, const char *file, size_t offset,
                            const sc_completion **out, sc_range *replace)
{
    completer c = {.analysis = analysis, .scratch = sc_query_begin(analysis)};
    const sc_file *f = sc_query_file(analysis, file);
    size_t len = 0;
    c.text = sc_query_source_text(analysis->ctx, file, &len);
    *out = NULL;
    if (!f || !c.text)
        return 0;
    c.offset = offset < len ? (uint32_t)offset : (uint32_t)len;
    c.place = sc_query_place_at(analysis, f, c.offset);
    uint32_t start = word_start(&c, c.offset);
    c.replace_start = start;
    c.replace_end = c.offset;
    c.text_end = (uint32_t)len;
    complete(&c, start);
    if (replace)
        *replace = (sc_range){sc_source_get(analysis->ctx, f->source)->path, c.replace_start,
                              c.replace_end};
    sc_completion *items =
        c.items.count ? sc_arena_alloc(c.scratch, c.items.count * sizeof(*items)) : NULL;
    for (size_t i = 0; items && i < c.items.count; i++)
        items[i] = *(const sc_completion *)c.items.items[i];
    *out = items;
    return items ? c.items.count : 0;
}
