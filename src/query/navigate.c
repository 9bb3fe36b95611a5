/* Go to definition and find references: the entity at an offset, then its declaration,
 * or every occurrence of it in the program's files (the standard library's included). */
#include "query/query.h"

static bool entity_at(sc_analysis *analysis, const char *file, size_t offset, sc_occurrence *out)
{
    const sc_file *f = sc_query_file(analysis, file);
    return f && offset <= UINT32_MAX && sc_query_occurrence_at(analysis, f, (uint32_t)offset, out);
}

bool sc_query_definition(sc_analysis *analysis, const char *file, size_t offset, sc_range *out)
{
    sc_query_begin(analysis);
    sc_occurrence o;
    if (!entity_at(analysis, file, offset, &o) || !o.entity.has_decl)
        return false;
    *out = sc_query_range(analysis->ctx, o.entity.decl);
    return out->file != NULL;
}

typedef struct gathering {
    sc_entity target;
    bool include_declaration;
    sc_ptr_list found; /* of sc_range, declaration first */
} gathering;

static bool gather(sc_walk *w, const sc_occurrence *o)
{
    gathering *g = w->user;
    if (!sc_entity_same(&o->entity, &g->target) || (o->declaration && !g->include_declaration))
        return true;
    for (size_t i = 0; i < g->found.count; i++) {
        const sc_range *seen = g->found.items[i];
        if (seen->start == o->span.start && seen->end == o->span.end &&
            seen->file == sc_query_range(w->analysis->ctx, o->span).file)
            return true;
    }
    sc_range *range = sc_arena_alloc(w->scratch, sizeof(*range));
    if (!range)
        return false;
    *range = sc_query_range(w->analysis->ctx, o->span);
    if (!sc_list_push(w->scratch, &g->found, range))
        return false;
    if (o->declaration) { /* the declaration leads */
        for (size_t i = g->found.count - 1; i > 0; i--)
            g->found.items[i] = g->found.items[i - 1];
        g->found.items[0] = range;
    }
    return true;
}

size_t sc_query_references(sc_analysis *analysis, const char *file, size_t offset,
                           bool include_declaration, const sc_range **out)
{
    sc_arena *scratch = sc_query_begin(analysis);
    *out = NULL;
    sc_occurrence o;
    if (!entity_at(analysis, file, offset, &o))
        return 0;
    gathering g = {.target = o.entity, .include_declaration = include_declaration};
    sc_walk w = {.analysis = analysis, .scratch = scratch, .visit = gather, .user = &g};
    for (size_t i = 0; i < analysis->program->files.count && !w.stopped; i++)
        sc_walk_file(&w, analysis->program->files.items[i]);
    sc_range *ranges =
        g.found.count ? sc_arena_alloc(scratch, g.found.count * sizeof(*ranges)) : NULL;
    if (!ranges)
        return 0;
    for (size_t i = 0; i < g.found.count; i++)
        ranges[i] = *(const sc_range *)g.found.items[i];
    *out = ranges;
    return g.found.count;
}
