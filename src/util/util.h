/* Shared plumbing of libstackc: the compilation context, its arena, strings, spans,
 * sources with line maps, and diagnostics as data.
 *
 * Memory convention: everything a stage builds lives in the context's arenas and dies
 * with sc_context_free; nothing is freed piecemeal, but for three whole parts: a scratch
 * region of `arena` handed back after a check or an evaluation (sema's scratch.c), and,
 * in a build, the scopes and the instance tree's records (`tree_scopes`, `tree_work`)
 * once nothing reads them. Allocation failure never aborts:
 * the arena returns NULL, remembers it (`ctx->out_of_memory`), and the driver reports
 * one "out of memory" diagnostic once the stage has unwound. So that every caller need
 * not check every result: lists and maps refuse NULL items and keys, value and type
 * constructors give NULL for NULL parts, and no stage (nor check phase, nor writer)
 * runs on what a failed stage left behind. tests/unit/oom_test.c fails each arena
 * allocation in turn (`sc_arena.fail_at`) to keep it so. */
#ifndef STACKC_UTIL_H
#define STACKC_UTIL_H

#include <stackc/stackc.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arena ------------------------------------------------------------------ */

typedef struct sc_arena_chunk sc_arena_chunk;

typedef struct sc_arena {
    const sc_allocator *allocator;
    sc_arena_chunk *chunks; /* newest first */
    size_t total;           /* bytes handed out, for benchmarks */
    size_t peak;            /* the most bytes it held at once: what handing back saves shows */
    bool *out_of_memory;    /* set when an allocation fails */
    /* Allocation-failure injection for tests: the `fail_at`-th sc_arena_alloc (counted
     * in `allocations`, from 1) returns NULL as if memory ran out; 0 never fails. The
     * allocator hook only sees whole chunks, so this is what reaches every call site. */
    size_t allocations;
    size_t fail_at;
    sc_arena_chunk *spare; /* the chunk a release kept for the next allocations, or NULL */
} sc_arena;

/* A point in the arena's allocations: everything allocated after it can be handed back
 * at once (sc_arena_release_to), for work whose results nothing keeps, such as checking
 * one instance. */
typedef struct sc_arena_mark {
    sc_arena_chunk *chunk;
    size_t used;
    size_t total;
} sc_arena_mark;

/* Zeroed memory that lives as long as the arena, or NULL when out of memory. */
void *sc_arena_alloc(sc_arena *arena, size_t size);
/* Makes the next `size` bytes of allocations come from one chunk, for a caller that
 * knows roughly what it will allocate (the parser, from a file's size): one chunk, large
 * enough for huge pages, instead of a series of growing ones. */
void sc_arena_reserve(sc_arena *arena, size_t size);
/* Copies `len` bytes and adds a NUL. NULL when out of memory. */
char *sc_arena_strndup(sc_arena *arena, const char *s, size_t len);
char *sc_arena_strdup(sc_arena *arena, const char *s);
char *sc_arena_printf(sc_arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sc_arena_vprintf(sc_arena *arena, const char *fmt, va_list args);
/* The decimal digits of a magnitude, with a '-' before them when `negative`, written at
 * the end of `digits`; returns where they begin and sets *len. For writers that print
 * many integers without a printf each (the arena's plain formats, the JSON writer). */
enum { SC_INT_DIGITS = 24 };
const char *sc_int_digits(char digits[SC_INT_DIGITS], unsigned long long magnitude, bool negative,
                          size_t *len);
void sc_arena_release(sc_arena *arena);
sc_arena_mark sc_arena_mark_now(const sc_arena *arena);
/* Whether `p` was allocated from the arena after `mark`. */
bool sc_arena_since(const sc_arena *arena, sc_arena_mark mark, const void *p);
/* Hands back everything allocated after `mark`: the caller guarantees nothing made
 * before the mark points into it. Keeps one chunk for what comes next. */
void sc_arena_release_to(sc_arena *arena, sc_arena_mark mark);
/* Exchanges what two arenas hold (their chunks and totals; not their allocators or
 * failure injection): for allocating, for a while, into another arena through code that
 * allocates from one. */
void sc_arena_exchange(sc_arena *a, sc_arena *b);
/* Makes every chunk read-only, or writable again. Only for an arena whose allocator
 * returns whole pages (sc_stdlib's): other chunks are left as they are. */
void sc_arena_protect(sc_arena *arena, bool read_only);

/* ---- growable array in the arena ---------------------------------------------- */

/* A list of pointers. Growing copies into a fresh arena block; the old one stays
 * until the arena dies, which keeps the amortised cost linear. */
/* Counts are 32 bits: a list is two words, not three (a value holds two lists, and
 * values are most of a compilation's memory), and no list comes near 2^32 entries under
 * the 16 MiB input limit and the evaluation budget. */
typedef struct sc_ptr_list {
    void **items;
    uint32_t count;
    uint32_t capacity;
} sc_ptr_list;

/* Appends `item`; false when out of memory. A NULL item (a failed allocation upstream)
 * is refused, so lists never hold NULL. */
bool sc_list_push(sc_arena *arena, sc_ptr_list *list, void *item);
/* Makes room for `count` items in all, when that is known before they are pushed: a
 * list grown by doubling leaves its smaller copies behind in the arena. */
bool sc_list_reserve(sc_arena *arena, sc_ptr_list *list, size_t count);

/* ---- string-keyed hash map in the arena ------------------------------------------ */

/* Open addressing, keys borrowed (they must outlive the map, as arena strings do).
 * Scopes with thousands of names stay O(1) per lookup. */
typedef struct sc_map {
    const char **keys;
    void **values;
    size_t count;
    size_t capacity; /* a power of two, or 0 */
} sc_map;

void *sc_map_get(const sc_map *map, const char *key);
/* Inserts or replaces. False when out of memory. */
bool sc_map_put(sc_arena *arena, sc_map *map, const char *key, void *value);
/* Room for `count` entries, so that filling the map allocates nothing more: a map grown
 * one entry at a time leaves each smaller table behind in the arena. Up to twelve
 * entries the layout is the one growing makes; a larger map may iterate in another
 * order, so reserve only maps that are looked up, never walked (a scope's names). */
bool sc_map_reserve(sc_arena *arena, sc_map *map, size_t count);
/* Makes `dst` an independent copy of `src` with the same layout, so both iterate in
 * the same order and grow the same way. False when out of memory. */
bool sc_map_copy(sc_arena *arena, sc_map *dst, const sc_map *src);

/* ---- heap string builder -------------------------------------------------------- */

/* A growable byte buffer on the context's allocator (not the arena): used for output
 * that outlives the compilation. The owner frees it with sc_buf_free or takes it
 * with sc_buf_take. `failed` records an allocation failure; appends become no-ops. */
typedef struct sc_buf {
    const sc_allocator *allocator;
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} sc_buf;

void sc_buf_init(sc_buf *buf, const sc_allocator *allocator);
void sc_buf_append(sc_buf *buf, const char *data, size_t len);
void sc_buf_puts(sc_buf *buf, const char *s);
void sc_buf_putc(sc_buf *buf, char c);
void sc_buf_printf(sc_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_buf_indent(sc_buf *buf, int levels);
void sc_buf_free(sc_buf *buf);
/* Hands the NUL-terminated data to the caller, who frees it with free() when the
 * allocator is the default one. NULL if an append failed. */
char *sc_buf_take(sc_buf *buf, size_t *len);

/* ---- sources and spans ---------------------------------------------------------- */

typedef struct sc_span {
    uint32_t file;  /* index into ctx->sources */
    uint32_t start; /* byte offsets, end exclusive */
    uint32_t end;
} sc_span;

typedef struct sc_source {
    const char *path;
    const char *text; /* NUL-terminated copy in the arena */
    size_t len;
    uint32_t *line_starts; /* offsets of each line's first byte; built on demand */
    size_t line_count;
    bool library; /* read from the standard library's folder */
} sc_source;

/* 3 when `text` starts with a UTF-8 byte-order mark (editors on Windows write one), else
 * 0. Scanning starts after it and line 1's columns count from it, so offsets stay true
 * to the text an editor holds while positions match what it shows. */
size_t sc_byte_order_mark(const char *text, size_t len);

/* ---- diagnostics ---------------------------------------------------------------- */

typedef struct sc_note {
    sc_span span;
    bool has_span;
    const char *message;
} sc_note;

struct sc_diagnostic {
    sc_severity severity;
    const char *code; /* stable code, e.g. "E0201"; see docs/diagnostics.md */
    sc_span span;
    const char *message;
    sc_ptr_list notes;  /* of sc_note */
    const char *fix_it; /* "help: ..." text, or NULL */
};

/* ---- the context ---------------------------------------------------------------- */

/* Compile-time evaluation (sema/eval.c) has a budget per compilation; this is what it
 * has used, and which evaluation errors it has reported. */
typedef struct sc_eval_usage {
    uint64_t steps;        /* expressions evaluated, and the comparisons built-ins make */
    uint64_t elements;     /* list and map entries made */
    uint64_t bytes;        /* bytes of strings made */
    uint64_t source_bytes; /* the text of the program's own files, which the budget grows with */
    bool spent;            /* the budget ran out: every later evaluation stops at once */
    bool reported;         /* ... and that was reported, once */
    sc_map errors;         /* "file:start:end code" of each evaluation error reported */
    /* Checking one instance evaluates into a region of the arena that is handed back
     * afterwards (sema's sc_scratch_begin/end). */
    bool in_scratch;
    sc_arena_mark scratch_from;
    bool left_scratch;       /* evaluating, in ctx->lasting, what outlives the region */
    bool no_scratch;         /* every byte stays: the standard library's image is its whole arena */
    bool tree_work_apart;    /* building: scopes and the tree's records go to their arenas */
    bool hand_back_scopes;   /* building: the scopes go as soon as the instance tree is made */
    bool scopes_handed_back; /* ... and they went: later scopes stay in the arena */
} sc_eval_usage;

enum { SC_MAX_BUILTIN_TABLES = 4 };

struct sc_context {
    sc_allocator allocator; /* what the library uses: the caller's, watched for failure */
    sc_allocator caller_allocator;
    sc_arena arena;
    /* What evaluation keeps for the rest of the compilation while it evaluates in a
     * region of `arena` that is handed back afterwards (sema's sc_scratch_begin): compiled
     * patterns, `unique` keys, what of a component's body the checks evaluate, the list
     * of cleanups, and the values copied out of regions. Written through sc_lasting(). */
    sc_arena lasting;
    /* For a build, what checking and making the instance tree need and nothing after
     * reads (sema's sc_scope_arena, sc_tree_work): the scopes, their symbols and name
     * tables, handed back once the tree is made (a stack's own as soon as it is made,
     * when no other stack reads them); and the tree's records that expansion
     * replays, handed back once expansion has read them. */
    sc_arena tree_scopes;
    sc_arena tree_work;
    bool out_of_memory;
    sc_ptr_list sources;     /* of sc_source */
    sc_ptr_list diagnostics; /* of sc_diagnostic */
    size_t error_count;
    size_t max_errors; /* further errors are counted, not stored */
    size_t suppressed_errors;
    const char *stdlib_dir;
    const struct sc_stdlib *stdlib; /* a checked standard library to start from, or NULL */
    sc_file_reader read_file;
    void *read_file_user;
    sc_file_system file_system; /* every member set: the caller's or the default (files.c) */
    bool prelude;
    bool all_component_tests; /* stackc test: run every component's tests, not only the file's */
    sc_ptr_list outputs;      /* of sc_artifact (emit/emit.h): what a build produced */
    sc_ptr_list test_results; /* what sc_test_file ran (testing/run.c) */
    size_t tests_failed;
    const char *app; /* the app the last build named its stacks after, or NULL */
    sc_map regexes;  /* pattern -> compiled regular expression (sema/builtins_text.c) */
    /* Built-ins a client added (sema's sc_add_builtins): tables it owns, no allocation. */
    const struct sc_builtin *builtin_tables[SC_MAX_BUILTIN_TABLES];
    size_t builtin_table_sizes[SC_MAX_BUILTIN_TABLES];
    size_t builtin_table_count;
    sc_ptr_list cleanups;   /* sc_cleanup: what sc_context_free runs first */
    sc_eval_usage eval;     /* what compile-time evaluation spent of its budget */
    bool expansion_follows; /* build, test: the expansion evaluates every instance's body,
                               so the checker need not to find its evaluation errors */
};

/* A context with nothing added: what sc_context_new (src/driver) builds on before it
 * adds the built-ins of later stages. */
sc_context *sc_context_create(const sc_allocator *allocator);

/* The file system as the context sees it (files.c): the caller's hooks or the defaults. */
sc_file_kind sc_file_kind_of(const sc_context *ctx, const char *path);
bool sc_list_directory(const sc_context *ctx, const char *dir,
                       bool (*each)(void *each_data, const char *name), void *each_data);
FILE *sc_open_file(const sc_context *ctx, const char *path);
bool sc_working_directory(const sc_context *ctx, char *buf, size_t size);
/* What a context starts with. */
sc_file_system sc_default_file_system(void);

/* Something outside the arena that a context holds until it is freed. */
typedef struct sc_cleanup {
    void (*run)(void *data);
    void *data;
} sc_cleanup;

/* Makes sc_context_free call run(data) (latest first). False, and nothing registered,
 * when out of memory. */
/* Where what outlives a scratch region goes (sema's sc_scratch_begin): ctx->lasting, or,
 * while an evaluation has left the region (sc_eval_leave_scratch exchanged the two
 * arenas' chunks), ctx->arena, which holds the lasting chunks then. */
sc_arena *sc_lasting(sc_context *ctx);
bool sc_context_on_free(sc_context *ctx, void (*run)(void *data), void *data);
/* Runs and forgets every registered cleanup now. */
void sc_context_run_cleanups(sc_context *ctx);

/* Adds a source (text copied into the arena); returns its index or -1. */
int sc_source_add(sc_context *ctx, const char *path, const char *text, size_t len);
sc_source *sc_source_get(const sc_context *ctx, uint32_t index);
/* Computes the source's line starts, if not yet: false when out of memory. */
bool sc_source_map_lines(sc_context *ctx, sc_source *src);
/* "a, b, c": the names (const char *) joined, in the arena ("(none)" when empty). */
const char *sc_join_names(sc_context *ctx, const sc_ptr_list *names);
/* The source text a span covers, copied into the arena ("?" when it has none). */
const char *sc_span_text(sc_context *ctx, sc_span span);
sc_position sc_span_position(const sc_context *ctx, sc_span span, bool at_end);
sc_span sc_span_join(sc_span a, sc_span b);

/* Appends a diagnostic and returns it so callers can add notes and a fix-it.
 * Returns NULL when out of memory or when past the error limit. */
sc_diagnostic *sc_diag(sc_context *ctx, sc_severity severity, const char *code, sc_span span,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
sc_diagnostic *sc_error(sc_context *ctx, const char *code, sc_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
sc_diagnostic *sc_warning(sc_context *ctx, const char *code, sc_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sc_diag_note(sc_context *ctx, sc_diagnostic *d, sc_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sc_diag_note_plain(sc_context *ctx, sc_diagnostic *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sc_diag_fix(sc_context *ctx, sc_diagnostic *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The closest of `candidates` to `name` by edit distance, or NULL if none is close. */
const char *sc_closest_name(const char *name, const char *const *candidates, size_t count);

/* Internal invariant broken: reports file and line, then aborts. */
_Noreturn void sc_unreachable_at(const char *file, int line, const char *what);
#define sc_unreachable(what) sc_unreachable_at(__FILE__, __LINE__, what)

#endif
