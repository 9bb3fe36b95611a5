/* The edits behind fix-its. A diagnostic's fix-it is text for people ("did you mean
 * `wp`?"); the forms that stand for one definite edit are turned into one here:
 *   did you mean `NAME`?           the misspelt name becomes NAME
 *   did you mean "TEXT"?           the misspelt string becomes "TEXT"
 *   ... write `STACK.NAME`         the bare name becomes STACK.NAME
 *   add `allow A -> B`             a line `allow A -> B` at the end of the stack
 * Any other fix-it is advice that needs a person (which value to add, what to rename). */
#include "query/query.h"

#include <ctype.h>
#include <string.h>

/* The text between the first `open` after `after` and the next `close`, or NULL. */
static const char *between(sc_arena *arena, const char *text, const char *after, char open,
                           char close)
{
    const char *at = strstr(text, after);
    const char *start = at ? strchr(at + strlen(after), open) : NULL;
    const char *end = start ? strchr(start + 1, close) : NULL;
    return end ? sc_arena_strndup(arena, start + 1, (size_t)(end - start - 1)) : NULL;
}

static bool is_identifier(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

static bool replace(sc_analysis *analysis, const sc_diagnostic *d, const char *text, sc_fix *out)
{
    out->range = sc_query_diagnostic_range(analysis->ctx, d);
    out->new_text = text;
    out->title = sc_arena_printf(&analysis->scratch, "Change to `%s`", text);
    return out->range.file && text && out->title;
}

/* `allow A -> B` goes on its own line before the `}` that closes the stack holding the
 * diagnostic, indented one step more than that `}`; or at the end of a file that is one
 * stack. */
static bool add_allow(sc_analysis *analysis, const sc_diagnostic *d, const char *rule, sc_fix *out)
{
    const sc_source *src = sc_source_get(analysis->ctx, d->span.file);
    if (!src)
        return false;
    const char *text = src->text;
    sc_arena *scratch = &analysis->scratch;
    uint32_t at = (uint32_t)src->len;
    const char *insert =
        sc_arena_printf(scratch, "%s%s\n", at && text[at - 1] != '\n' ? "\n" : "", rule);
    for (size_t i = 0; i < analysis->program->stacks.count; i++) {
        const sc_stack *stack = analysis->program->stacks.items[i];
        const sc_item *item = stack->item;
        if (!item || item->span.file != d->span.file || d->span.start < item->span.start ||
            d->span.start >= item->span.end || text[item->span.end - 1] != '}')
            continue;
        uint32_t brace = item->span.end - 1, line = brace;
        while (line > 0 && text[line - 1] != '\n')
            line--;
        bool alone = strspn(text + line, " \t") == brace - line;
        at = alone ? line : brace;
        insert =
            alone ? sc_arena_printf(scratch, "%.*s  %s\n", (int)(brace - line), text + line, rule)
                  : sc_arena_printf(scratch, " %s ", rule);
    }
    out->range = (sc_range){src->path, at, at};
    out->new_text = insert;
    out->title = sc_arena_printf(scratch, "Add `%s`", rule);
    return insert && out->title;
}

bool sc_query_fix(sc_analysis *analysis, const sc_diagnostic *d, sc_fix *out)
{
    sc_arena *scratch = sc_query_begin(analysis);
    const char *help = d->fix_it;
    if (!help)
        return false;
    const char *rule =
        strncmp(help, "add `allow ", 11) == 0 ? between(scratch, help, "add", '`', '`') : NULL;
    if (rule)
        return add_allow(analysis, d, rule, out);
    const char *written = sc_query_span_text(analysis, d->span);
    if (!written)
        return false;
    size_t len = strlen(written);
    const char *name = between(scratch, help, "did you mean", '`', '`');
    if (!name && strstr(help, ": write `"))
        name = between(scratch, help, ": write", '`', '`');
    if (name && is_identifier(written, len))
        return replace(analysis, d, name, out);
    const char *string = between(scratch, help, "did you mean", '"', '"');
    if (string && len >= 2 && written[0] == '"' && written[len - 1] == '"')
        return replace(analysis, d, sc_arena_printf(scratch, "\"%s\"", string), out);
    return false;
}
