/* sc_map (src/util/map.c), and the arena's marks it lives with (src/util/arena.c): lookups,
 * replacing, growing through the small form into the hashed one, and the layout a hashed map has,
 * which the checker's "did you mean" lists and the language server's completions iterate: it must
 * stay what it was before small maps, the layout of keys hashed into 16 slots from the first one.
 * Marks: what is allocated after one is handed back at once and its memory reused, what came before
 * is kept, and two arenas can exchange what they hold. Reserving room in a map. And the arena's and
 * the buffer's printf, which format plain formats themselves. */
#include "support.h"
#include "util/util.h"

#include <stackc/stackc.h>

#include <stdarg.h>
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

/* A map reserved for `count` entries takes them without allocating again, at the
 * capacity growing would have reached; up to twelve entries (the small form and the
 * first hashed table) its slots are the ones growing fills. Reserving less than the map
 * holds, or again, changes nothing. */
static void test_reserve_makes_room_once(void)
{
    sc_context *ctx = sc_context_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    sc_arena *arena = &ctx->arena;
    for (size_t count = 0; count <= 200; count++) {
        sc_map grown = {0}, reserved = {0};
        for (size_t i = 0; i < count; i++)
            sc_map_put(arena, &grown, keys[i], keys[i]);
        CU_ASSERT_TRUE(sc_map_reserve(arena, &reserved, count));
        size_t total = arena->total;
        for (size_t i = 0; i < count; i++)
            CU_ASSERT_TRUE(sc_map_put(arena, &reserved, keys[i], keys[i]));
        CU_ASSERT_EQUAL(arena->total, total);
        CU_ASSERT_EQUAL(reserved.capacity, grown.capacity);
        CU_ASSERT_EQUAL(reserved.count, count);
        for (size_t i = 0; i < count; i++)
            CU_ASSERT_PTR_EQUAL(sc_map_get(&reserved, keys[i]), keys[i]);
        for (size_t i = 0; count <= 12 && i < grown.capacity; i++)
            CU_ASSERT_PTR_EQUAL(reserved.keys[i], grown.keys[i]);
        CU_ASSERT_TRUE(sc_map_reserve(arena, &reserved, count / 2));
        CU_ASSERT_TRUE(sc_map_reserve(arena, &reserved, count));
        CU_ASSERT_EQUAL(arena->total, total);
    }
    /* A map reserved with entries in it keeps them. */
    sc_map map = {0};
    for (size_t i = 0; i < 5; i++)
        sc_map_put(arena, &map, keys[i], keys[i]);
    CU_ASSERT_TRUE(sc_map_reserve(arena, &map, 40));
    CU_ASSERT_EQUAL(map.capacity, 64);
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_PTR_EQUAL(sc_map_get(&map, keys[i]), keys[i]);
    CU_ASSERT_FALSE(ctx->out_of_memory);
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

/* What sc_arena_vprintf makes of `fmt` is what vsnprintf makes of it. */
static void assert_formats_as_snprintf(sc_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void assert_formats_as_snprintf(sc_context *ctx, const char *fmt, ...)
{
    char expected[1200];
    va_list args, again;
    va_start(args, fmt);
    va_copy(again, args);
    vsnprintf(expected, sizeof(expected), fmt, args);
    const char *made = sc_arena_vprintf(&ctx->arena, fmt, again);
    va_end(again);
    va_end(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(made);
    CU_ASSERT_STRING_EQUAL(made, expected);
}

/* sc_arena_printf writes plain formats (%s, %d, %u, %zu, %lld, %%) itself and hands any
 * other to vsnprintf: either way, the text is the one snprintf makes, at every edge. */
static void test_arena_printf_writes_what_snprintf_writes(void)
{
    sc_context *ctx = sc_context_new(NULL);
    char expected[1200], long_text[600];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    assert_formats_as_snprintf(ctx, "%s/%s", "Stack", "instance");
    assert_formats_as_snprintf(ctx, "%s[%s]", "path", "");
    assert_formats_as_snprintf(ctx, "plain text, no directive");
    assert_formats_as_snprintf(ctx, "%d %d %d", 0, -1, -2147483647 - 1);
    assert_formats_as_snprintf(ctx, "%u %u", 0u, 4294967295u);
    assert_formats_as_snprintf(ctx, "%zu|%zu", (size_t)0, (size_t)-1);
    assert_formats_as_snprintf(ctx, "%lld %lld %lld", 0LL, -9223372036854775807LL - 1,
                               9223372036854775807LL);
    assert_formats_as_snprintf(ctx, "100%% of %s", "it");
    assert_formats_as_snprintf(ctx, "%s%08X", "Queue", 0x2aU); /* not plain: vsnprintf's */
    assert_formats_as_snprintf(ctx, "%s:%u then %x", "file", 12u, 255u); /* plain, then not */
    assert_formats_as_snprintf(ctx, "%s-%s", long_text, long_text);      /* over the stack buffer */
    assert_formats_as_snprintf(ctx, "%.3s|%5d", "abcdef", 42);
    sc_buf buf;
    sc_buf_init(&buf, &ctx->allocator);
    for (int i = 0; i < 200; i++)
        sc_buf_printf(&buf, "%s:%d,", i % 2 ? long_text : "short", i);
    size_t len = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(expected, sizeof(expected), "%s:%d,", i % 2 ? long_text : "short", i);
        CU_ASSERT_EQUAL(strncmp(buf.data + len, expected, strlen(expected)), 0);
        len += strlen(expected);
    }
    CU_ASSERT_EQUAL(buf.len, len);
    CU_ASSERT_EQUAL(strlen(buf.data), len);
    sc_buf_free(&buf);
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
        {"reserve makes room once", test_reserve_makes_room_once},
        {"release to a mark hands back what came after it",
         test_release_to_a_mark_hands_back_what_came_after},
        {"exchange moves what two arenas hold", test_exchange_moves_what_two_arenas_hold},
        {"sc_arena_printf and sc_buf_printf write what snprintf writes",
         test_arena_printf_writes_what_snprintf_writes},
        {NULL, NULL},
    };
    return test_main("map", cases);
}
