/* sc_map (src/util/map.c), and the arena's marks it lives with (src/util/arena.c): lookups,
 * replacing, growing through the small form into the hashed one, and the layout a hashed map has,
 * which the checker's "did you mean" lists and the language server's completions iterate: it must
 * stay what it was before small maps, the layout of keys hashed into 16 slots from the first one.
 * Marks: what is allocated after one is handed back at once and its memory reused, what came before
 * is kept, and two arenas can exchange what they hold. */
#include "support.h"
#include "util/util.h"

#include <stackc/stackc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char keys[200][16];

/* The layout of the same keys in a map hashed from its first key (the map before small
 * maps): FNV-1a, linear probing, 16 slots doubled past three quarters full, rehashed in
 * slot order. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void reference_insert(const char **slots, size_t capacity, const char *key)
{
    size_t i = fnv1a(key) & (capacity - 1);
    while (slots[i])
        i = (i + 1) & (capacity - 1);
    slots[i] = key;
}

static size_t reference_layout(const char **slots, size_t count)
{
    size_t capacity = 16;
    memset(slots, 0, 512 * sizeof(*slots));
    for (size_t n = 0; n < count; n++) {
        if ((n + 1) * 4 > capacity * 3) {
            const char *old[512];
            memcpy(old, slots, capacity * sizeof(*slots));
            memset(slots, 0, 512 * sizeof(*slots));
            for (size_t j = 0; j < capacity; j++)
                if (old[j])
                    reference_insert(slots, capacity * 2, old[j]);
            capacity *= 2;
        }
        reference_insert(slots, capacity, keys[n]);
    }
    return capacity;
}

static void test_put_get_replace_at_every_size(void)
{
    sc_context *ctx = sc_context_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    sc_arena *arena = &ctx->arena;
    for (size_t count = 0; count <= 200; count++) {
        sc_map map = {0};
        for (size_t i = 0; i < count; i++)
            CU_ASSERT_TRUE(sc_map_put(arena, &map, keys[i], keys[i]));
        CU_ASSERT_EQUAL(map.count, count);
        for (size_t i = 0; i < count; i++)
            CU_ASSERT_PTR_EQUAL(sc_map_get(&map, keys[i]), keys[i]);
        CU_ASSERT_PTR_NULL(sc_map_get(&map, "absent"));
        CU_ASSERT_PTR_NULL(sc_map_get(&map, NULL));
        /* Replacing keeps the count; an equal string finds the same entry. */
        for (size_t i = 0; i < count; i += 3) {
            char copy[16];
            strcpy(copy, keys[i]);
            CU_ASSERT_TRUE(sc_map_put(arena, &map, keys[i], &map));
            CU_ASSERT_PTR_EQUAL(sc_map_get(&map, copy), &map);
        }
        CU_ASSERT_EQUAL(map.count, count);
        sc_map copy;
        CU_ASSERT_TRUE(sc_map_copy(arena, &copy, &map));
        for (size_t i = 0; i < count; i++)
            CU_ASSERT_PTR_EQUAL(sc_map_get(&copy, keys[i]), sc_map_get(&map, keys[i]));
    }
    CU_ASSERT_FALSE(ctx->out_of_memory);
    sc_context_free(ctx);
}

static void test_hashed_layout_is_the_one_hashed_from_the_first_key(void)
{
    sc_context *ctx = sc_context_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    sc_arena *arena = &ctx->arena;
    for (size_t count = 7; count <= 200; count++) {
        sc_map map = {0};
        for (size_t i = 0; i < count; i++)
            sc_map_put(arena, &map, keys[i], keys[i]);
        const char *expected[512];
        size_t capacity = reference_layout(expected, count);
        CU_ASSERT_EQUAL_FATAL(map.capacity, capacity);
        for (size_t i = 0; i < capacity; i++)
            CU_ASSERT_PTR_EQUAL(map.keys[i], expected[i]);
    }
    /* Up to six keys, slot order is insertion order. */
    sc_map small = {0};
    for (size_t i = 0; i < 6; i++)
        sc_map_put(arena, &small, keys[i], keys[i]);
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_PTR_EQUAL(small.keys[i], keys[i]);
    sc_context_free(ctx);
}

/* Allocations after a mark, across several chunks, are handed back: the total is the
 * mark's, the next allocation reuses the first released address, what came before the
 * mark keeps its bytes, and a map grown after the mark is gone with it. */
static void test_release_to_a_mark_hands_back_what_came_after(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_arena *arena = &ctx->arena;
    char *before = sc_arena_strdup(arena, "kept");
    sc_arena_mark mark = sc_arena_mark_now(arena);
    CU_ASSERT_FALSE(sc_arena_since(arena, mark, before));
    char *first = sc_arena_alloc(arena, 100);
    CU_ASSERT_TRUE(sc_arena_since(arena, mark, first));
    for (size_t i = 0; i < 2000; i++) /* 2 MB: several chunks past the mark's */
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc_arena_alloc(arena, 1000));
    CU_ASSERT_TRUE(arena->total > mark.total + 2000000);
    sc_arena_release_to(arena, mark);
    CU_ASSERT_EQUAL(arena->total, mark.total);
    CU_ASSERT_PTR_EQUAL(arena->chunks, mark.chunk);
    CU_ASSERT_PTR_NOT_NULL(arena->spare);
    CU_ASSERT_STRING_EQUAL(before, "kept");
    char *again = sc_arena_alloc(arena, 100);
    CU_ASSERT_PTR_EQUAL(again, first);
    CU_ASSERT_EQUAL(again[0], 0); /* zeroed again */
    /* The spare chunk serves the next chunk-sized need instead of the allocator. */
    for (size_t i = 0; i < 2000; i++)
        sc_arena_alloc(arena, 1000);
    CU_ASSERT_PTR_NULL(arena->spare);
    sc_context_free(ctx);
}

/* Exchanging two arenas moves their chunks and totals, not their allocators: an
 * allocation made meanwhile lands in the other arena and stays after the exchange back. */
static void test_exchange_moves_what_two_arenas_hold(void)
{
    sc_context *ctx = sc_context_new(NULL);
    size_t main_total = ctx->arena.total, lasting_total = ctx->lasting.total;
    sc_arena_mark mark = sc_arena_mark_now(&ctx->arena);
    sc_arena_exchange(&ctx->arena, &ctx->lasting);
    char *made = sc_arena_strdup(&ctx->arena, "lasting");
    sc_arena_exchange(&ctx->arena, &ctx->lasting);
    CU_ASSERT_EQUAL(ctx->arena.total, main_total);
    CU_ASSERT_TRUE(ctx->lasting.total > lasting_total);
    CU_ASSERT_FALSE(sc_arena_since(&ctx->arena, mark, made));
    sc_arena_release_to(&ctx->arena, mark);
    CU_ASSERT_STRING_EQUAL(made, "lasting");
    CU_ASSERT_PTR_EQUAL(ctx->arena.allocator, &ctx->allocator);
    sc_context_free(ctx);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        snprintf(keys[i], sizeof(keys[i]), "name%zu", i * 7919 % 1000);
    static const test_case cases[] = {
        {"put, get and replace at every size from 0 to 200", test_put_get_replace_at_every_size},
        {"a hashed map's layout is the one hashed from its first key",
         test_hashed_layout_is_the_one_hashed_from_the_first_key},
        {"release to a mark hands back what came after it",
         test_release_to_a_mark_hands_back_what_came_after},
        {"exchange moves what two arenas hold", test_exchange_moves_what_two_arenas_hold},
        {NULL, NULL},
    };
    return test_main("map", cases);
}
