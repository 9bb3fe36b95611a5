/* The compilation arena: bump allocation in chunks, freed all at once. */
#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

/* Under AddressSanitizer, memory handed back by sc_arena_release_to is poisoned until it
 * is allocated again, so a pointer kept into it is caught where it is read. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(start, size) ((void)(start), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(start, size) ((void)(start), (void)(size))
#endif

/* A first chunk under the allocators' mmap thresholds (glibc's, ASan's 128 KiB) is
 * recycled from their heaps: a small compilation then costs no fresh page faults.
 * Nothing the library allocates needs more than pointer alignment. */
enum {
    ARENA_FIRST_CHUNK = 64 * 1024 - 64,
    ARENA_CHUNK_SIZE = 256 * 1024,
    ARENA_MAX_CHUNK = 8 * 1024 * 1024,
    ARENA_ALIGN = _Alignof(max_align_t) < 8 ? _Alignof(max_align_t) : 8
};

struct sc_arena_chunk {
    sc_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
};

/* Large chunks ask the kernel for transparent huge pages: a big compilation touches
 * tens of megabytes once, and 4 KiB page faults were a quarter of its time. */
static void advise_huge_pages(void *start, size_t size)
{
#ifdef MADV_HUGEPAGE
    enum { HUGE = 2 * 1024 * 1024 };
    uintptr_t first = ((uintptr_t)start + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
    uintptr_t last = ((uintptr_t)start + size) & ~(uintptr_t)(HUGE - 1);
    if (last > first)
        madvise((void *)first, last - first, MADV_HUGEPAGE);
#else
    (void)start;
    (void)size;
#endif
}

static sc_arena_chunk *new_chunk(sc_arena *arena, size_t min_size)
{
    /* Chunks grow with the arena, so a large compilation needs few of them. */
    size_t size = arena->chunks ? ARENA_CHUNK_SIZE : ARENA_FIRST_CHUNK;
    if (arena->total / 4 > size)
        size = arena->total / 4 < ARENA_MAX_CHUNK ? arena->total / 4 : ARENA_MAX_CHUNK;
    if (min_size > size)
        size = min_size;
    if (arena->spare && arena->spare->size >= min_size) {
        sc_arena_chunk *spare = arena->spare;
        arena->spare = NULL;
        spare->used = 0;
        spare->next = arena->chunks;
        arena->chunks = spare;
        return spare;
    }
    sc_arena_chunk *chunk = arena->allocator->alloc(arena->allocator->user, sizeof(*chunk) + size);
    if (!chunk) {
        *arena->out_of_memory = true;
        return NULL;
    }
    chunk->size = size;
    chunk->used = 0;
    if (size >= ARENA_MAX_CHUNK / 2)
        advise_huge_pages(chunk->data, size);
    chunk->next = arena->chunks;
    arena->chunks = chunk;
    return chunk;
}

void *sc_arena_alloc(sc_arena *arena, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded < size || ++arena->allocations == arena->fail_at) {
        *arena->out_of_memory = true;
        return NULL;
    }
    sc_arena_chunk *chunk = arena->chunks;
    if (!chunk || chunk->size - chunk->used < rounded) {
        chunk = new_chunk(arena, rounded);
        if (!chunk)
            return NULL;
    }
    void *p = chunk->data + chunk->used;
    chunk->used += rounded;
    arena->total += rounded;
    if (arena->total > arena->peak)
        arena->peak = arena->total;
    ASAN_UNPOISON_MEMORY_REGION(p, rounded);
    memset(p, 0, size);
    return p;
}

void sc_arena_reserve(sc_arena *arena, size_t size)
{
    sc_arena_chunk *chunk = arena->chunks;
    if (!chunk || chunk->size - chunk->used < size)
        new_chunk(arena, size);
}

char *sc_arena_strndup(sc_arena *arena, const char *s, size_t len)
{
    char *copy = sc_arena_alloc(arena, len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *sc_arena_strdup(sc_arena *arena, const char *s)
{
    if (!s) /* a copy of a string that failed to allocate */
        return NULL;
    return sc_arena_strndup(arena, s, strlen(s));
}

/* Appends `text` to out[*len] within `size` bytes; false when it does not fit. */
static bool put_text(char *out, size_t size, size_t *len, const char *text, size_t n)
{
    if (*len + n >= size)
        return false;
    memcpy(out + *len, text, n);
    *len += n;
    return true;
}

const char *sc_int_digits(char digits[SC_INT_DIGITS], unsigned long long magnitude, bool negative,
                          size_t *len)
{
    size_t at = SC_INT_DIGITS;
    do {
        digits[--at] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        digits[--at] = '-';
    *len = SC_INT_DIGITS - at;
    return digits + at;
}

static bool put_unsigned(char *out, size_t size, size_t *len, unsigned long long value,
                         bool negative)
{
    char digits[SC_INT_DIGITS];
    size_t n;
    const char *text = sc_int_digits(digits, value, negative, &n);
    return put_text(out, size, len, text, n);
}

static bool put_signed(char *out, size_t size, size_t *len, long long value)
{
    unsigned long long magnitude =
        value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    return put_unsigned(out, size, len, magnitude, value < 0);
}

/* The formats the library's names and paths use ("%s/%s", "%s[%zu]"): %s, %d, %u, %zu,
 * %lld and %%, written as vsnprintf writes them, without its machinery (over a thousand
 * instructions a call). False, having consumed some of `args`, for any other directive,
 * a NULL string, or a text that does not fit in `size` bytes. */
static bool format_plainly(char *out, size_t size, size_t *len, const char *fmt, va_list args)
{
    *len = 0;
    for (const char *p = fmt; *p; p++) {
        const char *percent = strchr(p, '%');
        size_t literal = percent ? (size_t)(percent - p) : strlen(p);
        if (!put_text(out, size, len, p, literal))
            return false;
        if (!percent)
            break;
        p = percent + 1;
        bool ok;
        if (*p == 's') {
            const char *text = va_arg(args, const char *);
            ok = text && put_text(out, size, len, text, strlen(text));
        } else if (*p == 'd') {
            ok = put_signed(out, size, len, va_arg(args, int));
        } else if (*p == 'u') {
            ok = put_unsigned(out, size, len, va_arg(args, unsigned), false);
        } else if (p[0] == 'z' && p[1] == 'u') {
            ok = put_unsigned(out, size, len, va_arg(args, size_t), false);
            p++;
        } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
            ok = put_signed(out, size, len, va_arg(args, long long));
            p += 2;
        } else if (*p == '%') {
            ok = put_text(out, size, len, "%", 1);
        } else {
            return false;
        }
        if (!ok)
            return false;
    }
    out[*len] = '\0';
    return true;
}

/* Formats once into a buffer on the stack, which holds nearly every name and path the
 * library makes, plainly where the format allows; only a longer text is formatted a
 * second time, into its allocation. */
char *sc_arena_vprintf(sc_arena *arena, const char *fmt, va_list args)
{
    char small[256];
    va_list first;
    va_copy(first, args);
    size_t plain_len;
    bool plain = format_plainly(small, sizeof(small), &plain_len, fmt, first);
    va_end(first);
    int n = (int)plain_len;
    if (!plain) {
        va_copy(first, args);
        n = vsnprintf(small, sizeof(small), fmt, first);
        va_end(first);
    }
    if (n < 0)
        return NULL;
    char *out = sc_arena_alloc(arena, (size_t)n + 1);
    if (!out)
        return NULL;
    if ((size_t)n < sizeof(small))
        memcpy(out, small, (size_t)n + 1);
    else
        vsnprintf(out, (size_t)n + 1, fmt, args);
    return out;
}

char *sc_arena_printf(sc_arena *arena, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *out = sc_arena_vprintf(arena, fmt, args);
    va_end(args);
    return out;
}

void sc_arena_release(sc_arena *arena)
{
    sc_arena_chunk *chunk = arena->chunks;
    while (chunk) {
        sc_arena_chunk *next = chunk->next;
        arena->allocator->free(arena->allocator->user, chunk);
        chunk = next;
    }
    arena->chunks = NULL;
    arena->total = 0;
    if (arena->spare)
        arena->allocator->free(arena->allocator->user, arena->spare);
    arena->spare = NULL;
}

sc_arena_mark sc_arena_mark_now(const sc_arena *arena)
{
    return (sc_arena_mark){arena->chunks, arena->chunks ? arena->chunks->used : 0, arena->total};
}

static bool within(const sc_arena_chunk *chunk, size_t from, const void *p)
{
    uintptr_t at = (uintptr_t)p, start = (uintptr_t)chunk->data;
    return at >= start + from && at < start + chunk->used;
}

bool sc_arena_since(const sc_arena *arena, sc_arena_mark mark, const void *p)
{
    for (const sc_arena_chunk *chunk = arena->chunks; chunk; chunk = chunk->next) {
        if (chunk == mark.chunk)
            return within(chunk, mark.used, p);
        if (within(chunk, 0, p))
            return true;
    }
    return false;
}

/* Of the chunks after the mark, the largest is kept as the spare: checking the next
 * instance needs about as much, and giving it back would fault its pages in again. */
static void keep_or_free(sc_arena *arena, sc_arena_chunk *chunk)
{
    if (arena->spare && arena->spare->size >= chunk->size) {
        arena->allocator->free(arena->allocator->user, chunk);
        return;
    }
    if (arena->spare)
        arena->allocator->free(arena->allocator->user, arena->spare);
    chunk->next = NULL;
    ASAN_POISON_MEMORY_REGION(chunk->data, chunk->size);
    arena->spare = chunk;
}

void sc_arena_exchange(sc_arena *a, sc_arena *b)
{
    sc_arena_chunk *chunks = a->chunks, *spare = a->spare;
    size_t total = a->total, peak = a->peak;
    a->chunks = b->chunks;
    a->spare = b->spare;
    a->total = b->total;
    a->peak = b->peak;
    b->chunks = chunks;
    b->spare = spare;
    b->total = total;
    b->peak = peak;
}

void sc_arena_release_to(sc_arena *arena, sc_arena_mark mark)
{
    while (arena->chunks && arena->chunks != mark.chunk) {
        sc_arena_chunk *chunk = arena->chunks;
        arena->chunks = chunk->next;
        keep_or_free(arena, chunk);
    }
    if (mark.chunk) {
        ASAN_POISON_MEMORY_REGION(mark.chunk->data + mark.used, mark.chunk->used - mark.used);
        mark.chunk->used = mark.used;
    }
    arena->total = mark.total;
}

void sc_arena_protect(sc_arena *arena, bool read_only)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (sc_arena_chunk *chunk = arena->chunks; chunk; chunk = chunk->next) {
        size_t bytes = (sizeof(*chunk) + chunk->size + page - 1) & ~(page - 1);
        if ((uintptr_t)chunk % page == 0)
            mprotect(chunk, bytes, read_only ? PROT_READ : PROT_READ | PROT_WRITE);
    }
}

bool sc_list_reserve(sc_arena *arena, sc_ptr_list *list, size_t count)
{
    if (count <= list->capacity)
        return true;
    if (count > UINT32_MAX) {
        *arena->out_of_memory = true;
        return false;
    }
    void **items = sc_arena_alloc(arena, count * sizeof(void *));
    if (!items)
        return false;
    if (list->count)
        memcpy(items, list->items, list->count * sizeof(void *));
    list->items = items;
    list->capacity = (uint32_t)count;
    return true;
}

bool sc_list_push(sc_arena *arena, sc_ptr_list *list, void *item)
{
    if (!item) /* its allocation failed; lists never hold NULL, so readers need not check */
        return false;
    if (list->count == list->capacity &&
        !sc_list_reserve(arena, list, list->capacity ? (size_t)list->capacity * 2 : 4))
        return false;
    list->items[list->count++] = item;
    return true;
}
