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

/* A NULL key is one whose allocation failed: it is never stored and never found. */
void *sc_map_get(const sc_map *map, const char *key)
{
    if (map->capacity == 0 || !key)
        return NULL;
    size_t mask = map->capacity - 1;
    for (size_t i = hash_string(key) & mask;; i = (i + 1) & mask) {
        if (!map->keys[i])
            return NULL;
        if (strcmp(map->keys[i], key) == 0)
            return map->values[i];
    }
}

static bool grow(sc_arena *arena, sc_map *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 16;
    const char **keys = sc_arena_alloc(arena, capacity * sizeof(*keys));
    void **values = sc_arena_alloc(arena, capacity * sizeof(*values));
    if (!keys || !values)
        return false;
    size_t mask = capacity - 1;
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

bool sc_map_put(sc_arena *arena, sc_map *map, const char *key, void *value)
{
    if (!key)
        return false;
    if ((map->count + 1) * 4 > map->capacity * 3 && !grow(arena, map))
        return false;
    size_t mask = map->capacity - 1;
    size_t i = hash_string(key) & mask;
    while (map->keys[i]) {
        if (strcmp(map->keys[i], key) == 0) {
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
