/* Scratch regions (checker.h): evaluating into a part of the compilation's arena that is
 * handed back afterwards, keeping only what outlives it.
 *
 * A region begins at a mark of ctx->arena (sc_scratch_begin). While it is open, whatever
 * must outlive it goes to ctx->lasting (sc_lasting): a value the region was for and a
 * `let` first read in it are copied out (sc_value_keep), and an instance or a tree's
 * pending name, made on first use, is evaluated in ctx->lasting altogether: the two
 * arenas exchange their chunks meanwhile (sc_eval_leave_scratch). A region begun inside
 * such an evaluation exchanges them back for its own duration, so its temporaries lie
 * above the region that was left and what it keeps still goes to ctx->lasting. At the
 * end (sc_scratch_end_keeping), the region is handed back unless something that points
 * into it was added (a diagnostic, a source, an evaluation error) or it is too small to
 * be worth copying its value out of. */
#include "sema/checker.h"

#include <string.h>

static void count_lasting(const sc_context *ctx, size_t counts[SC_SCRATCH_COUNTS])
{
    size_t now[SC_SCRATCH_COUNTS] = {ctx->diagnostics.count, ctx->error_count,
                                     ctx->suppressed_errors, ctx->eval.errors.count,
                                     ctx->sources.count};
    memcpy(counts, now, sizeof(now));
}

void sc_scratch_begin(sc_context *ctx, sc_scratch *scratch)
{
    scratch->active = !ctx->eval.in_scratch && !ctx->eval.no_scratch;
    if (!scratch->active)
        return;
    /* Inside an evaluation that left a region for ctx->lasting, this region's
     * temporaries go to the compilation's arena again, above the outer region, and what
     * it keeps to ctx->lasting. */
    scratch->outer_left = ctx->eval.left_scratch;
    scratch->outer_from = ctx->eval.scratch_from;
    if (scratch->outer_left) {
        sc_arena_exchange(&ctx->arena, &ctx->lasting);
        ctx->eval.left_scratch = false;
    }
    count_lasting(ctx, scratch->counts);
    scratch->mark = sc_arena_mark_now(&ctx->arena);
    ctx->eval.in_scratch = true;
    ctx->eval.scratch_from = scratch->mark;
}

/* `v`'s text, in ctx->lasting if it lies in the region from `mark`. */
static const char *keep_text(sc_context *ctx, const char *text, sc_arena_mark mark)
{
    return text && sc_arena_since(&ctx->arena, mark, text) ? sc_arena_strdup(sc_lasting(ctx), text)
                                                           : text;
}

/* A copy of `list` in ctx->lasting, its elements kept (values) or their text (keys). */
static bool keep_list(sc_context *ctx, sc_ptr_list *copy, const sc_ptr_list *list,
                      sc_arena_mark mark, bool values)
{
    *copy = (sc_ptr_list){0};
    if (!list->count)
        return true;
    if (!sc_list_reserve(sc_lasting(ctx), copy, list->count))
        return false;
    for (size_t i = 0; i < list->count; i++) {
        void *item = values ? (void *)sc_value_keep(ctx, list->items[i], mark)
                            : (void *)keep_text(ctx, list->items[i], mark);
        if (!item && list->items[i])
            return false;
        copy->items[copy->count++] = item;
    }
    return true;
}

sc_value *sc_value_keep(sc_context *ctx, sc_value *v, sc_arena_mark mark)
{
    if (!v || !sc_arena_since(&ctx->arena, mark, v))
        return v;
    sc_value *copy = sc_arena_alloc(sc_lasting(ctx), sizeof(*copy));
    if (!copy)
        return NULL;
    *copy = *v;
    copy->s = keep_text(ctx, v->s, mark);
    copy->instance_path = keep_text(ctx, v->instance_path, mark);
    if ((v->s && !copy->s) || (v->instance_path && !copy->instance_path) ||
        !keep_list(ctx, &copy->items, &v->items, mark, true) ||
        !keep_list(ctx, &copy->keys, &v->keys, mark, false))
        return NULL;
    return copy;
}

sc_value *sc_scratch_end_keeping(sc_context *ctx, sc_scratch *scratch, sc_value *value)
{
    if (!scratch->active)
        return value;
    ctx->eval.in_scratch = false;
    size_t now[SC_SCRATCH_COUNTS];
    count_lasting(ctx, now);
    /* A small region is mostly the value itself: copying it out would cost more than it
     * hands back, so it stays, unless it lies in a region that left for ctx->lasting
     * (outer_left), which would hand the value back with itself. With no value to keep,
     * a region is always handed back. */
    size_t made = ctx->arena.total - scratch->mark.total;
    bool worth = !value || made >= SC_SCRATCH_WORTH_KEEPING || scratch->outer_left;
    if (worth && !ctx->out_of_memory && memcmp(now, scratch->counts, sizeof(now)) == 0) {
        sc_value *kept = sc_value_keep(ctx, value, scratch->mark);
        if (kept || !value) {
            sc_arena_release_to(&ctx->arena, scratch->mark);
            value = kept;
        }
    }
    ctx->eval.scratch_from = scratch->outer_from;
    if (scratch->outer_left) {
        sc_arena_exchange(&ctx->arena, &ctx->lasting);
        ctx->eval.left_scratch = true;
    }
    return value;
}

void sc_scratch_end(sc_context *ctx, sc_scratch *scratch)
{
    sc_scratch_end_keeping(ctx, scratch, NULL);
}

sc_value *sc_eval_keeping(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_scratch scratch;
    sc_scratch_begin(ctx, &scratch);
    return sc_scratch_end_keeping(ctx, &scratch, sc_eval(ctx, scope, e));
}

bool sc_eval_leave_scratch(sc_context *ctx, const void *holder)
{
    if (!ctx->eval.in_scratch || sc_arena_since(&ctx->arena, ctx->eval.scratch_from, holder))
        return false;
    sc_arena_exchange(&ctx->arena, &ctx->lasting);
    ctx->eval.in_scratch = false;
    ctx->eval.left_scratch = true;
    return true;
}

void sc_eval_return_to_scratch(sc_context *ctx, bool left)
{
    if (!left)
        return;
    sc_arena_exchange(&ctx->arena, &ctx->lasting);
    ctx->eval.in_scratch = true;
    ctx->eval.left_scratch = false;
}
