/* Document symbols: a file's declarations as a tree, read from its syntax alone so a file
 * being edited keeps its outline. */
#include "query/query.h"

typedef struct outliner {
    sc_analysis *analysis;
    sc_arena *scratch;
} outliner;

static const sc_outline *outline_items(outliner *o, const sc_ptr_list *items, bool settings,
                                       size_t *count);

static const char *source_of(outliner *o, const sc_type_expr *type)
{
    return type ? sc_query_span_text(o->analysis, type->span) : NULL;
}

/* One item's entry; false for items the outline leaves out (settings, checks, errors). */
static bool outline_item(outliner *o, const sc_item *item, bool settings, sc_outline *out)
{
    *out = (sc_outline){.name = item->name.name,
                        .start = item->span.start,
                        .end = item->span.end,
                        .name_start = item->name.span.start,
                        .name_end = item->name.span.end};
    switch (item->kind) {
    case ITEM_IMPORT:
        if (!item->text || item->text->kind != EXPR_STRING)
            return false;
        out->kind = SC_OUTLINE_IMPORT;
        out->name = item->text->text;
        out->name_start = item->text->span.start;
        out->name_end = item->text->span.end;
        return true;
    case ITEM_STACK:
    case ITEM_COMPONENT:
        out->kind = item->kind == ITEM_STACK ? SC_OUTLINE_STACK : SC_OUTLINE_COMPONENT;
        out->children = outline_items(o, &item->items, false, &out->child_count);
        break;
    case ITEM_TYPE:
        out->kind = SC_OUTLINE_TYPE;
        out->detail = source_of(o, item->type);
        break;
    case ITEM_BLOCK:
        out->kind = SC_OUTLINE_INSTANCE;
        out->detail = item->name.name;
        if (item->label.name) {
            out->name = item->label.name;
            out->name_start = item->label.span.start;
            out->name_end = item->label.span.end;
        }
        out->children = outline_items(o, &item->items, true, &out->child_count);
        break;
    case ITEM_RESOURCE:
        out->kind = SC_OUTLINE_RESOURCE;
        out->detail = item->text && item->text->kind == EXPR_STRING ? item->text->text : NULL;
        break;
    case ITEM_LET:
    case ITEM_PARAM:
    case ITEM_INPUT:
    case ITEM_ATTRIBUTE:
        out->kind = item->kind == ITEM_LET     ? SC_OUTLINE_LET
                    : item->kind == ITEM_PARAM ? SC_OUTLINE_PARAM
                    : item->kind == ITEM_INPUT ? SC_OUTLINE_INPUT
                                               : SC_OUTLINE_ATTRIBUTE;
        out->detail = source_of(o, item->type);
        break;
    case ITEM_OUTPUT:
        out->kind = SC_OUTLINE_OUTPUT;
        break;
    case ITEM_TEST:
        if (!item->text || item->text->kind != EXPR_STRING)
            return false;
        out->kind = SC_OUTLINE_TEST;
        out->name = item->text->text;
        out->name_start = item->text->span.start;
        out->name_end = item->text->span.end;
        break;
    default:
        return false;
    }
    /* Inside an instance only nested blocks are declarations of their own. */
    if (settings && item->kind != ITEM_BLOCK)
        return false;
    return out->name != NULL;
}

static const sc_outline *outline_items(outliner *o, const sc_ptr_list *items, bool settings,
                                       size_t *count)
{
    *count = 0;
    sc_outline *entries =
        items->count ? sc_arena_alloc(o->scratch, items->count * sizeof(*entries)) : NULL;
    if (!entries)
        return NULL;
    for (size_t i = 0; i < items->count; i++)
        if (outline_item(o, items->items[i], settings, &entries[*count]))
            (*count)++;
    return entries;
}

size_t sc_query_outline(sc_analysis *analysis, const char *file, const sc_outline **out)
{
    outliner o = {.analysis = analysis, .scratch = sc_query_begin(analysis)};
    const sc_file *f = sc_query_file(analysis, file);
    size_t count = 0;
    *out = f ? outline_items(&o, &f->items, false, &count) : NULL;
    return *out ? count : 0;
}
