/* String-keyed hash map with open addressing, allocated in the arena. */
#include "util/util.h"

#include <string.h>

static uint64_t hash_string(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Most maps are small: a scope that binds one loop variable, the names of one instance.
 * Up to six entries, a map keeps its keys in insertion order in a table of 2, 4 or 8
 * slots (three quarters full at most, as a hashed one) and is searched from the start: a one-name
 * scope costs 32 bytes instead of the 256 of a hashed table of 16 slots (half the bytes maps took
 * in a build of 10,000 instances), and comparing a few strings costs less than hashing one. A map
 * that outgrows that is hashed into 16 slots by inserting its keys in the order they came, exactly
 * as if it had been hashed from the start: every map of more than six entries has the layout, and
 * so iterates in the order, it always had. */
enum { HASHED_CAPACITY = 16 };

static bool is_small(const sc_map *map)
{
    return map->capacity < HASHED_CAPACITY;
}

/* Names are mostly looked up with the very pointer they were stored under (both come
 * from the same identifier of the source), so comparing pointers first skips most
 * string comparisons. */
static bool same_key(const char *stored, const char *key)
{
    return stored == key || strcmp(stored, key) == 0;
}

/* A NULL key is one whose allocation failed: it is never stored and never found. */
void *sc_map_get(const sc_map *map, const char *key)
{
    if (map->capacity == 0 || !key)
        return NULL;
    if (is_small(map)) {
        for (size_t i = 0; i < map->count; i++)
            if (same_key(map->keys[i], key))
                return map->values[i];
        return NULL;
    }
    size_t mask = map->capacity - 1;
    for (size_t i = hash_string(key) & mask;; i = (i + 1) & mask) {
        if (!map->keys[i])
            return NULL;
        if (same_key(map->keys[i], key))
            return map->values[i];
    }
}

static bool grow_to(sc_arena *arena, sc_map *map, size_t capacity)
{
    const char **keys = sc_arena_alloc(arena, capacity * sizeof(*keys));
    void **values = sc_arena_alloc(arena, capacity * sizeof(*values));
    if (!keys || !values)
        return false;
    if (capacity < HASHED_CAPACITY) {
        if (map->count) {
            memcpy(keys, map->keys, map->count * sizeof(*keys));
            memcpy(values, map->values, map->count * sizeof(*values));
        }
        map->keys = keys;
        map->values = values;
        map->capacity = capacity;
        return true;
    }
    size_t mask = capacity - 1;
    /* From the small form, the slots are in insertion order: hashing them in that
     * order gives the layout of a map hashed from its first key. */
    for (size_t j = 0; j < map->capacity; j++) {
        if (!map->keys[j])
            continue;
        size_t i = hash_string(map->keys[j]) & mask;
        while (keys[i])
            i = (i + 1) & mask;
        keys[i] = map->keys[j];
        values[i] = map->values[j];
    }
    map->keys = keys;
    map->values = values;
    map->capacity = capacity;
    return true;
}

static bool grow(sc_arena *arena, sc_map *map)
{
    return grow_to(arena, map, map->capacity ? map->capacity * 2 : 2);
}

/* The capacity a map grown one entry at a time has when it holds `count`. */
static size_t capacity_for(size_t count)
{
    size_t capacity = 0;
    while (count * 4 > capacity * 3)
        capacity = capacity ? capacity * 2 : 2;
    return capacity;
}

bool sc_map_reserve(sc_arena *arena, sc_map *map, size_t count)
{
    size_t capacity = capacity_for(count);
    return capacity <= map->capacity || grow_to(arena, map, capacity);
}

bool sc_map_put(sc_arena *arena, sc_map *map, const char *key, void *value)
{
    if (!key)
        return false;
    if (is_small(map)) {
        for (size_t i = 0; i < map->count; i++)
            if (same_key(map->keys[i], key)) {
                map->values[i] = value;
                return true;
            }
    }
    if ((map->count + 1) * 4 > map->capacity * 3 && !grow(arena, map))
        return false;
    if (is_small(map)) {
        map->keys[map->count] = key;
        map->values[map->count] = value;
        map->count++;
        return true;
    }
    size_t mask = map->capacity - 1;
    size_t i = hash_string(key) & mask;
    while (map->keys[i]) {
        if (same_key(map->keys[i], key)) {
            map->values[i] = value;
            return true;
        }
        i = (i + 1) & mask;
    }
    map->keys[i] = key;
    map->values[i] = value;
    map->count++;
    return true;
}

bool sc_map_copy(sc_arena *arena, sc_map *dst, const sc_map *src)
{
    *dst = (sc_map){0};
    if (src->capacity == 0)
        return true;
    const char **keys = sc_arena_alloc(arena, src->capacity * sizeof(*keys));
    void **values = sc_arena_alloc(arena, src->capacity * sizeof(*values));
    if (!keys || !values)
        return false;
    memcpy(keys, src->keys, src->capacity * sizeof(*keys));
    memcpy(values, src->values, src->capacity * sizeof(*values));
    *dst = (sc_map){keys, values, src->count, src->capacity};
    return true;
}
