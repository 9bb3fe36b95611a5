/* The standard library checked once and shared. sc_stdlib_new reads the prelude and
 * every module it imports into a context of its own, checks them, and write-protects
 * that context's arena. A program that starts from it (load.c, check.c) takes its
 * files, components and types as they are and checks only what comes after them: the
 * result a compilation gets by loading the library itself, without re-reading and
 * re-checking ~35 KB of it each time. Nothing may write into the shared library (it
 * would leak one compilation into the next); the protection turns any such write into
 * an immediate crash that the tests and fuzzers see. */
#include "sema/sema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t whole_pages(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (size + page - 1) / page * page;
}

/* Every block starts on a page and fills whole pages, so sc_arena_protect can cover
 * each arena chunk exactly. */
static void *page_alloc(void *user, size_t size)
{
    (void)user;
    return aligned_alloc((size_t)sysconf(_SC_PAGESIZE), whole_pages(size ? size : 1));
}

static void page_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static void *page_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    void *grown = page_alloc(user, new_size);
    if (grown && ptr)
        memcpy(grown, ptr, old_size < new_size ? old_size : new_size);
    if (grown)
        page_free(user, ptr);
    return grown;
}

/* Reads and checks the library in `dir` into a context on `allocator`; NULL (and the
 * context freed) when it has any diagnostic. */
/* For an image, no scratch region is handed back (sema's sc_scratch_begin): the image is
 * every byte of the arena, and the relocation scan would read stale words as addresses. */
static sc_stdlib *check_library(const char *dir, const sc_allocator *allocator, bool for_image)
{
    if (!dir)
        return NULL;
    sc_context *ctx = sc_context_new(allocator);
    if (!ctx)
        return NULL;
    ctx->eval.no_scratch = for_image;
    sc_context_set_stdlib_dir(ctx, dir);
    sc_program *program = sc_sema_check_stdlib(ctx);
    sc_stdlib *stdlib = sc_arena_alloc(&ctx->arena, sizeof(*stdlib));
    if (!program || !stdlib || ctx->out_of_memory || ctx->diagnostics.count || ctx->error_count ||
        ctx->suppressed_errors || program->files.count == 0) {
        sc_context_free(ctx);
        return NULL;
    }
    sc_keep_library_literals(ctx, program);
    /* Every build that places a library resource in its manifest asks for its line. */
    for (size_t i = 0; i < ctx->sources.count; i++)
        if (!sc_source_map_lines(ctx, ctx->sources.items[i])) {
            sc_context_free(ctx);
            return NULL;
        }
    stdlib->ctx = ctx;
    stdlib->program = program;
    return stdlib;
}

sc_stdlib *sc_stdlib_new(const char *dir)
{
    sc_allocator pages = {page_alloc, page_realloc, page_free, NULL};
    sc_stdlib *stdlib = check_library(dir, &pages, false);
    if (stdlib)
        sc_arena_protect(&stdlib->ctx->arena, true);
    return stdlib;
}

void sc_stdlib_free(sc_stdlib *stdlib)
{
    if (!stdlib)
        return;
    if (stdlib->from_image) {
        if (stdlib->image)
            munmap(stdlib->image, stdlib->image_size);
        free(stdlib->image_dir);
        free(stdlib);
        return;
    }
    sc_context *ctx = stdlib->ctx;
    sc_arena_protect(&ctx->arena, false);
    sc_context_free(ctx);
}

/* ---- images -----------------------------------------------------------------------------
 * An image is the memory of a checked library, taken whole. Every block the library's
 * context allocates while it is made comes from one region at a fixed address
 * (IMAGE_BASE), so the image is that region's bytes: wherever they are mapped at that
 * address again they are the very structures sc_stdlib_new would have made, with no
 * parsing, no checking and not one pointer to fix. The `stackc` command maps them there
 * straight from its own executable file (demand-paged, shared by every process). When
 * the address is taken, they are copied to other memory and every word that holds an
 * address in the region (listed in the image: its relocations) is moved. Strings the
 * library points at outside its memory (literals in the library's code) are copied into
 * the region as it is written. Only the build of the library that wrote an image can
 * read it (the layout of its structures is in the header), which the `stackc` command
 * guarantees by embedding the image its own build made.
 *
 *   header | relocations: uint32 offsets | padding to IMAGE_PAGE | the region's bytes */

enum { IMAGE_REGION_BYTES = 256 << 20, IMAGE_ALIGN = 16, IMAGE_PAGE = 4096 };

/* In the part of the address space that neither the kernel (executables at 0x55...,
 * mappings below 0x7f...) nor AddressSanitizer (its shadow ends at 0x10007fff7fff)
 * hands out unasked. */
#define IMAGE_BASE ((uintptr_t)0x6a5500000000ULL)

static const char image_magic[8] = "stackimg";

typedef struct image_header {
    char magic[8];
    uint64_t layout;           /* layout_fingerprint() of the build that wrote it */
    uint64_t base;             /* where the region was: IMAGE_BASE */
    uint64_t size;             /* bytes of the region */
    uint64_t stdlib;           /* offset of the sc_stdlib in the region */
    uint64_t relocation_count; /* uint32 offsets of the words that hold addresses */
} image_header;

/* Changes when the structures an image holds change size; an image of another build
 * of the library is refused. */
static uint64_t layout_fingerprint(void)
{
    const size_t sizes[] = {sizeof(sc_context), sizeof(sc_program), sizeof(sc_stdlib),
                            sizeof(sc_source),  sizeof(sc_type),    sizeof(sc_value),
                            sizeof(sc_symbol),  sizeof(sc_expr),    sizeof(sc_item),
                            sizeof(sc_file),    sizeof(sc_map),     sizeof(sc_ptr_list),
                            sizeof(void *),     IMAGE_PAGE,         3 /* format */};
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        h ^= sizes[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t align_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* A bump allocator over one reserved region; freeing gives nothing back. */
typedef struct region {
    unsigned char *base;
    size_t used, size;
} region;

static void *region_alloc(void *user, size_t size)
{
    region *r = user;
    size_t rounded = align_up(size ? size : 1, IMAGE_ALIGN);
    if (rounded > r->size - r->used)
        return NULL;
    void *p = r->base + r->used;
    r->used += rounded;
    return p;
}

static void *region_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    void *grown = region_alloc(user, new_size);
    if (grown && ptr)
        memcpy(grown, ptr, old_size < new_size ? old_size : new_size);
    return grown;
}

static void region_free(void *user, void *ptr)
{
    (void)user;
    (void)ptr;
}

typedef struct address_range {
    uintptr_t start, end;
} address_range;

/* The readable mappings of this program's own file, from /proc/self/maps (the count, or
 * -1): where the string literals of the library's code are. Only words that point there
 * are taken for addresses outside the region; any other word is data (an integer can
 * look like an address in AddressSanitizer's terabytes of shadow memory). */
static int program_mappings(address_range *ranges, int capacity)
{
    char program[4096];
    ssize_t n = readlink("/proc/self/exe", program, sizeof(program) - 1);
    FILE *maps = n > 0 ? fopen("/proc/self/maps", "r") : NULL;
    if (!maps)
        return -1;
    program[n] = '\0';
    int count = 0;
    unsigned long start, end;
    char permissions[8], line[4200];
    int path_at;
    while (count < capacity && fgets(line, sizeof(line), maps)) {
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, permissions, &path_at) != 3 ||
            permissions[0] != 'r' || strcmp(line + path_at, program) != 0)
            continue;
        ranges[count++] = (address_range){start, end};
    }
    fclose(maps);
    return count;
}

static const address_range *range_of(uintptr_t word, const address_range *ranges, int count)
{
    for (int i = 0; i < count; i++)
        if (word >= ranges[i].start && word < ranges[i].end)
            return &ranges[i];
    return NULL;
}

/* Whether every source of the library is a file directly in `dir`, as loading expects. */
static bool sources_in(const sc_context *ctx, const char *dir)
{
    size_t n = strlen(dir);
    for (size_t i = 0; i < ctx->sources.count; i++) {
        const sc_source *src = ctx->sources.items[i];
        if (strncmp(src->path, dir, n) != 0 || src->path[n] != '/' ||
            strchr(src->path + n + 1, '/'))
            return false;
    }
    return true;
}

static bool image_error(char *error, size_t size, const char *message)
{
    snprintf(error, size, "%s", message);
    return false;
}

typedef struct relocations {
    uint32_t *offsets;
    size_t count, capacity;
    uintptr_t copied_from[256]; /* outside strings copied into the region, and where to */
    uintptr_t copied_to[256];
    size_t copies;
} relocations;

static bool add_relocation(relocations *list, size_t offset)
{
    if (offset > UINT32_MAX)
        return false;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 4096;
        uint32_t *grown = realloc(list->offsets, capacity * sizeof(*grown));
        if (!grown)
            return false;
        list->offsets = grown;
        list->capacity = capacity;
    }
    list->offsets[list->count++] = (uint32_t)offset;
    return true;
}

/* A string the library points at outside its memory, copied into the region once. */
static uintptr_t copy_string(region *r, relocations *list, uintptr_t from,
                             const address_range *range)
{
    for (size_t i = 0; i < list->copies; i++)
        if (list->copied_from[i] == from)
            return list->copied_to[i];
    size_t len = strnlen((const char *)from, range->end - from);
    char *to = list->copies < 256 && len < range->end - from ? region_alloc(r, len + 1) : NULL;
    if (!to)
        return 0;
    memcpy(to, (const char *)from, len + 1);
    list->copied_from[list->copies] = from;
    list->copied_to[list->copies++] = (uintptr_t)to;
    return (uintptr_t)to;
}

/* Lists every word that holds an address in the region, copying in the strings that
 * words outside it point at. The region only holds what the library's code put there,
 * and the only outside addresses it stores are of string literals ("", type names);
 * sc_stdlib_from_image's tests prove the result by compiling every file of the
 * repository from an image and from the sources. */
static bool list_relocations(region *r, relocations *list)
{
    address_range ranges[64];
    int range_count = program_mappings(ranges, 64);
    if (range_count < 0)
        return false;
    uintptr_t start = (uintptr_t)r->base;
    size_t scanned = r->used; /* copied strings come after it and hold no addresses */
    for (size_t offset = 0; offset + sizeof(uintptr_t) <= scanned; offset += sizeof(uintptr_t)) {
        uintptr_t *word = (uintptr_t *)(r->base + offset);
        const address_range *outside = *word ? range_of(*word, ranges, range_count) : NULL;
        if (outside && !(*word = copy_string(r, list, *word, outside)))
            return false;
        if (*word >= start && *word <= start + r->used && !add_relocation(list, offset))
            return false;
    }
    return true;
}

static bool write_image(region *r, const sc_stdlib *stdlib, FILE *out, char *error,
                        size_t error_size)
{
    relocations list = {0};
    uint64_t stdlib_offset = (uint64_t)((const unsigned char *)stdlib - r->base);
    if (!list_relocations(r, &list)) {
        free(list.offsets);
        return image_error(error, error_size, "out of memory, or no /proc/self/maps");
    }
    image_header header = {.layout = layout_fingerprint(),
                           .base = IMAGE_BASE,
                           .size = r->used,
                           .stdlib = stdlib_offset,
                           .relocation_count = list.count};
    memcpy(header.magic, image_magic, sizeof(header.magic));
    size_t head = sizeof(header) + list.count * sizeof(uint32_t);
    size_t padding = align_up(head, IMAGE_PAGE) - head;
    bool ok = fwrite(&header, sizeof(header), 1, out) == 1 &&
              fwrite(list.offsets, sizeof(uint32_t), list.count, out) == list.count;
    for (size_t i = 0; ok && i < padding; i++)
        ok = fputc(0, out) != EOF;
    ok = ok && fwrite(r->base, 1, r->used, out) == r->used;
    free(list.offsets);
    return ok || image_error(error, error_size, "cannot write the image");
}

bool sc_stdlib_write_image(const char *dir, FILE *out, char *error, size_t error_size)
{
    region r = {mmap((void *)IMAGE_BASE, IMAGE_REGION_BYTES, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0),
                0, IMAGE_REGION_BYTES};
    if (r.base == MAP_FAILED)
        return image_error(error, error_size, "cannot reserve memory for the image");
    if ((uintptr_t)r.base != IMAGE_BASE) { /* a kernel before 4.17 takes it as a hint */
        munmap(r.base, r.size);
        return image_error(error, error_size, "the image's address is taken");
    }
    sc_allocator bump = {region_alloc, region_realloc, region_free, &r};
    sc_stdlib *stdlib = check_library(dir, &bump, true);
    bool ok;
    if (!stdlib) {
        ok = image_error(error, error_size,
                         "the standard library does not check cleanly (run stackc check on it)");
    } else if (!sources_in(stdlib->ctx, dir)) {
        ok = image_error(error, error_size,
                         "the library's files are not all directly in its folder");
    } else {
        /* What points at code or at the heap: the allocators, the file reader, the
         * regular expressions the checks compiled. Never used again. */
        sc_context *ctx = stdlib->ctx;
        sc_context_run_cleanups(ctx);
        ctx->regexes = (sc_map){0};
        ctx->allocator = (sc_allocator){0};
        ctx->caller_allocator = (sc_allocator){0};
        ctx->read_file = NULL;
        ctx->read_file_user = NULL;
        ok = write_image(&r, stdlib, out, error, error_size);
    }
    munmap(r.base, r.size);
    return ok;
}

static bool read_header(const void *image, size_t size, image_header *header, size_t *start)
{
    if (!image || size < sizeof(*header))
        return false;
    memcpy(header, image, sizeof(*header));
    if (memcmp(header->magic, image_magic, sizeof(header->magic)) != 0 ||
        header->layout != layout_fingerprint() || header->base != IMAGE_BASE ||
        header->relocation_count > size / sizeof(uint32_t))
        return false;
    *start = align_up(sizeof(*header) + header->relocation_count * sizeof(uint32_t), IMAGE_PAGE);
    return *start <= size && header->size == size - *start &&
           header->stdlib + sizeof(sc_stdlib) <= header->size;
}

bool sc_stdlib_image_placement(const void *image, size_t size, uintptr_t *address, size_t *offset,
                               size_t *length)
{
    image_header header;
    size_t start;
    if (!read_header(image, size, &header, &start))
        return false;
    *address = (uintptr_t)header.base;
    *offset = start;
    *length = header.size;
    return true;
}

/* The region's bytes at a fresh mapping: at IMAGE_BASE when it is free, as they are;
 * elsewhere with every address moved. MAP_FAILED when out of memory. */
static unsigned char *copy_region(const unsigned char *image, const image_header *header,
                                  size_t start, size_t mapped)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
    unsigned char *memory = mmap((void *)IMAGE_BASE, mapped, PROT_READ | PROT_WRITE,
                                 flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (memory != MAP_FAILED && (uintptr_t)memory != IMAGE_BASE) {
        munmap(memory, mapped);
        memory = MAP_FAILED;
    }
    if (memory == MAP_FAILED)
        memory = mmap(NULL, mapped, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (memory == MAP_FAILED)
        return memory;
    memcpy(memory, image + start, header->size);
    uintptr_t delta = (uintptr_t)memory - IMAGE_BASE;
    for (size_t i = 0; delta && i < header->relocation_count; i++) {
        uint32_t offset;
        memcpy(&offset, image + sizeof(*header) + i * sizeof(offset), sizeof(offset));
        uintptr_t word;
        memcpy(&word, memory + offset, sizeof(word));
        word += delta;
        memcpy(memory + offset, &word, sizeof(word));
    }
    mprotect(memory, mapped, PROT_READ);
    return memory;
}

sc_stdlib *sc_stdlib_from_image(const void *image, size_t size, const void *in_place,
                                const char *dir)
{
    image_header header;
    size_t start;
    if (!dir || !read_header(image, size, &header, &start))
        return NULL;
    if (in_place && (uintptr_t)in_place != IMAGE_BASE)
        return NULL;
    sc_stdlib *stdlib = malloc(sizeof(*stdlib));
    char *dir_copy = strdup(dir);
    size_t mapped = whole_pages(header.size);
    unsigned char *memory = (unsigned char *)in_place;
    if (stdlib && dir_copy && !memory)
        memory = copy_region(image, &header, start, mapped);
    if (!stdlib || !dir_copy || !memory || memory == MAP_FAILED) {
        free(stdlib);
        free(dir_copy);
        return NULL;
    }
    *stdlib = *(const sc_stdlib *)(memory + header.stdlib);
    stdlib->image = in_place ? NULL : memory;
    stdlib->image_size = mapped;
    stdlib->image_dir = dir_copy;
    stdlib->from_image = true;
    return stdlib;
}

/* The library's sources keep their indices, so its spans mean the same here. Each is a
 * copy: a context builds line maps into its own. */
bool sc_context_use_stdlib(sc_context *ctx, const sc_stdlib *stdlib)
{
    if (!ctx || !stdlib || ctx->sources.count)
        return false;
    const sc_context *library = stdlib->ctx;
    /* An image's files are where they are now: each path moves from the folder the
     * image was made in to this one. */
    const char *made_in = library->stdlib_dir;
    const char *dir = sc_arena_strdup(&ctx->arena, stdlib->image_dir ? stdlib->image_dir : made_in);
    for (size_t i = 0; dir && i < library->sources.count; i++) {
        sc_source *copy = sc_arena_alloc(&ctx->arena, sizeof(*copy));
        if (!copy || !sc_list_push(&ctx->arena, &ctx->sources, copy)) {
            ctx->sources.count = 0;
            return false;
        }
        *copy = *(const sc_source *)library->sources.items[i];
        if (stdlib->image_dir) {
            copy->path = sc_arena_printf(&ctx->arena, "%s%s", dir, copy->path + strlen(made_in));
            if (!copy->path) {
                ctx->sources.count = 0;
                return false;
            }
        }
    }
    if (!dir)
        return false;
    ctx->stdlib_dir = dir;
    ctx->stdlib = stdlib;
    return true;
}
