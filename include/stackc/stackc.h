/* libstackc: compile `.stack` sources to checked modules and, later, CloudFormation.
 *
 * One compilation is one `sc_context`: it owns an arena that holds every token, node,
 * type and diagnostic of the compilation and is freed at once by sc_context_free.
 * There is no global mutable state, so several contexts may live side by side
 * (a language server, parallel compiles, a fuzzer). Stages never print: they append
 * diagnostics, which the caller renders with sc_render_human or sc_render_json. */
#ifndef STACKC_STACKC_H
#define STACKC_STACKC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocation hook. `alloc` returns NULL on failure; the library then stops
 * cleanly with an out-of-memory diagnostic. Tests use it to inject failures. */
typedef struct sc_allocator {
    void *(*alloc)(void *user, size_t size);
    void *(*realloc)(void *user, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *user, void *ptr);
    void *user;
} sc_allocator;

/* Reads an imported file. Returns a heap buffer (malloc) the library frees with free(),
 * or NULL when the file cannot be read; `len` receives the byte count. */
typedef char *(*sc_file_reader)(void *user, const char *path, size_t *len);

/* What a path names, for sc_file_system.kind. */
typedef enum sc_file_kind {
    SC_FILE_MISSING,
    SC_FILE_REGULAR,
    SC_FILE_DIRECTORY,
    SC_FILE_OTHER,
} sc_file_kind;

/* Everything else the library reads of the file system, beside sources (sc_file_reader):
 * Docker build contexts (hashed into image tags) and the working directory (compose's
 * absolute paths). Each member left NULL keeps the default (stat, opendir, fopen,
 * getcwd). */
typedef struct sc_file_system {
    sc_file_kind (*kind)(void *user, const char *path);
    /* Calls each(each_data, name) for every entry of `dir` but "." and "..", in any order,
     * until it returns false; false when `dir` cannot be listed or `each` stopped. */
    bool (*list)(void *user, const char *dir, bool (*each)(void *each_data, const char *name),
                 void *each_data);
    /* A stream to read `path` from, which the library fcloses; NULL when it cannot. */
    FILE *(*open)(void *user, const char *path);
    /* The working directory into `buf`; false when it does not fit or is unknown. */
    bool (*working_directory)(void *user, char *buf, size_t size);
    void *user;
} sc_file_system;

/* The largest source file the library reads: a larger one is error E0009. */
enum { SC_MAX_SOURCE_BYTES = 16 << 20 };

/* Reads `f` to its end or to `limit` bytes, whichever comes first, into a heap buffer
 * (malloc) with one spare byte after the data, which the caller frees; NULL when out of
 * memory. Readers of source files pass SC_MAX_SOURCE_BYTES + 1, so that a file over the
 * limit is refused however it is made (a FIFO, /dev/zero, a huge sparse file) without
 * reading all of it. */
char *sc_read_stream(FILE *f, size_t limit, size_t *len);

typedef struct sc_context sc_context;

typedef enum sc_severity {
    SC_SEVERITY_ERROR,
    SC_SEVERITY_WARNING,
    SC_SEVERITY_NOTE,
} sc_severity;

typedef struct sc_position {
    const char *file; /* path as given to the library; owned by the context */
    unsigned line;    /* 1-based */
    unsigned column;  /* 1-based, in bytes */
    unsigned offset;  /* 0-based byte offset */
} sc_position;

/* A diagnostic as data. Every string is owned by the context. */
typedef struct sc_diagnostic sc_diagnostic;

/* Process exit codes of the `stackc` command, documented in docs/cli.md. */
typedef enum sc_exit_code {
    SC_EXIT_OK = 0,
    SC_EXIT_COMPILE_ERROR = 1,
    SC_EXIT_USAGE = 2,
    SC_EXIT_IO = 3,
    SC_EXIT_DEPLOY_FAILED = 4,
    SC_EXIT_TEST_FAILED = 5,
    SC_EXIT_INTERNAL = 70,
    SC_EXIT_CANCELLED = 130, /* interrupted (Ctrl-C) during plan, apply or destroy */
} sc_exit_code;

/* Creates a context. `allocator` may be NULL for malloc/free. NULL if out of memory. */
sc_context *sc_context_new(const sc_allocator *allocator);
void sc_context_free(sc_context *ctx);

/* Where `import "std/..."` and the prelude are read from. The string is copied. */
void sc_context_set_stdlib_dir(sc_context *ctx, const char *dir);
/* Replaces the default file reader (fopen); used for imports and sc_load_file. */
void sc_context_set_file_reader(sc_context *ctx, sc_file_reader reader, void *user);
/* Replaces the other file-system accesses (NULL: all the defaults). Copied. */
void sc_context_set_file_system(sc_context *ctx, const sc_file_system *fs);
/* Whether the standard prelude is loaded before checking (default true). */
void sc_context_set_prelude(sc_context *ctx, bool enabled);
/* sc_test_file runs the tests inside component definitions of the file being tested;
 * with `all`, those of every component the program loads (the standard library's). */
void sc_context_set_all_component_tests(sc_context *ctx, bool all);

/* The standard library read and checked once, then shared read-only by any number of
 * contexts: a caller that compiles many times in one process (a fuzzer, a test runner,
 * an editor) skips re-reading and re-checking it for every compilation and gets the
 * same diagnostics and outputs. NULL when the library in `dir` cannot be read, has any
 * diagnostic, or memory runs out: compilations then load it themselves and report what
 * is wrong with it. Its memory is write-protected while it lives. */
typedef struct sc_stdlib sc_stdlib;
sc_stdlib *sc_stdlib_new(const char *dir);
void sc_stdlib_free(sc_stdlib *stdlib);
/* The same library from an image of it that sc_stdlib_write_image made at build time
 * (the `stackc` command embeds one), without reading or checking anything. The image's
 * memory is used in place when the caller has mapped its bytes from `offset` on at
 * `address` (sc_stdlib_image_placement) and passes that as `in_place`; otherwise it is
 * copied (and its pointers moved when that address is taken). `dir` is where the
 * library's files are now (import "std/...", the paths in diagnostics, the schema
 * files of types the library does not use); it must hold the files the image was made
 * from. NULL when the image is not one this build of the library made, or memory runs
 * out. `image` may go once this returns; an `in_place` mapping must outlive the result. */
sc_stdlib *sc_stdlib_from_image(const void *image, size_t size, const void *in_place,
                                const char *dir);
/* Where an image's memory must be to be used in place: at `address`, the `length`
 * bytes from `offset` of the image (a multiple of the page size). False when the image
 * is not one this build of the library made. */
bool sc_stdlib_image_placement(const void *image, size_t size, uintptr_t *address, size_t *offset,
                               size_t *length);
/* Checks the library in `dir` (an absolute path without `.` or `..` segments) and writes
 * its image to `out`. False, with the reason in `error`, when it cannot. */
bool sc_stdlib_write_image(const char *dir, FILE *out, char *error, size_t error_size);
/* Makes `ctx` start from `stdlib` (and read `import "std/..."` from its folder);
 * `stdlib` must outlive `ctx`. Only on a fresh context: false, and no change, once it
 * holds any source. sc_test_file loads the library itself, for its component tests. */
bool sc_context_use_stdlib(sc_context *ctx, const sc_stdlib *stdlib);

/* Parses and checks the file at `path` with everything it imports; a tests file
 * (NAME_test.stack) with NAME.stack, the program it tests, when that is beside it.
 * Returns true when no error was reported (warnings allowed). */
bool sc_check_file(sc_context *ctx, const char *path);
/* The same for an in-memory buffer named `name` (copied). */
bool sc_check_buffer(sc_context *ctx, const char *name, const char *text, size_t len);

/* What `sc_build_file` writes. */
typedef struct sc_build_options {
    bool yaml;              /* templates as YAML instead of JSON */
    const char *stack;      /* only this stack (the manifest lists only it), or NULL for all */
    bool export_references; /* cross-stack references as Export + Fn::ImportValue instead of
                               the default Fn::GetStackOutput (see docs/backend.md) */
    const char *app;        /* the app's name, over the file's `app = "..."`; NULL: the file's */
    const char *previous_manifest; /* the manifest.json of the last build (NUL-terminated), or
                                      NULL: a resource that protects data (it has a
                                      deletion policy) and would be replaced because its
                                      declaration was renamed is then a warning, W0330 */
    /* Where each output goes as soon as it is written, instead of being kept: the
     * templates, then manifest.json, with `data` valid only during the call. The build
     * then holds one output at a time, not all of them (a program of 100,000 instances
     * writes over half a gigabyte). Returning false stops the build, which then returns
     * false (the caller knows why). A build can still report an error after some outputs
     * went (a later template over CloudFormation's limits): a caller that must not leave
     * a failed build's outputs behind stages them until the build returns, as `stackc
     * build` does. NULL: outputs are kept, read with sc_output_*. */
    bool (*write_output)(void *user, const char *name, const char *data, size_t len);
    void *write_output_user;
} sc_build_options;

/* Checks the file, expands its components and emits one CloudFormation template per
 * stack plus manifest.json. Returns true when no error was reported. The outputs stay
 * owned by the context: read them with sc_output_* before sc_context_free. */
bool sc_build_file(sc_context *ctx, const char *path, const sc_build_options *options);
/* The same for an in-memory buffer named `name` (copied); imports and build contexts
 * resolve relative to `name`'s folder. */
bool sc_build_buffer(sc_context *ctx, const char *name, const char *text, size_t len,
                     const sc_build_options *options);
/* The app the last build named its stacks after (the option's, else the file's
 * `app = "..."`), or NULL when it named none. */
const char *sc_build_app(const sc_context *ctx);
size_t sc_output_count(const sc_context *ctx);
const char *sc_output_name(const sc_context *ctx, size_t index);
const char *sc_output_data(const sc_context *ctx, size_t index, size_t *len);

/* `stackc graph`: the architecture as a picture (docs/views.md). */
typedef enum sc_graph_format {
    SC_GRAPH_DOT,     /* Graphviz; `dot -Tsvg` renders it */
    SC_GRAPH_MERMAID, /* a Mermaid flowchart, rendered by GitHub in Markdown */
} sc_graph_format;

/* Checks the file and draws it: one output, "graph.dot" or "graph.mmd", read with
 * sc_output_*. Returns true when no error was reported. */
bool sc_graph_file(sc_context *ctx, const char *path, sc_graph_format format);

/* What `sc_build_compose` needs besides the program. */
typedef struct sc_compose_options {
    const char *output_dir;   /* where docker-compose.yml will be written; build contexts
                                 are written relative to it. NULL: the current directory */
    const char *previous_env; /* the .env already in output_dir, or NULL: the values set in
                                 it are kept, so a rebuild never undoes the user's edits */
} sc_compose_options;

/* `stackc build --target compose`: checks the file and writes "docker-compose.yml" and
 * ".env", which run the standard components on one machine (docs/views.md). Returns
 * true when no error was reported; the outputs are read with sc_output_*. */
bool sc_build_compose(sc_context *ctx, const char *path, const sc_compose_options *options);

/* Compiles FILE (and FILE_test.stack beside it, if any) and runs every `test` block
 * against the result. Returns false when the program has compile errors; the test
 * outcome is read with sc_tests_failed and rendered with sc_render_tests. */
bool sc_test_file(sc_context *ctx, const char *path);
size_t sc_tests_run(const sc_context *ctx);
size_t sc_tests_failed(const sc_context *ctx);
/* Each test as PASS or FAIL with the failing assertions' lines, actual and expected
 * values, then "N passed, N failed"; or one JSON document. */
void sc_render_tests(const sc_context *ctx, FILE *out, bool json);

/* Reformats one source to the canonical layout. Returns the text, NUL-terminated, owned
 * by `ctx` (freed with it: the caller frees nothing), or NULL when the source has
 * syntax errors (then diagnostics say why) or memory ran out. */
const char *sc_format_buffer(sc_context *ctx, const char *name, const char *text, size_t len,
                             size_t *out_len);

/* Diagnostics collected so far, in report order. */
size_t sc_diagnostic_count(const sc_context *ctx);
const sc_diagnostic *sc_diagnostic_at(const sc_context *ctx, size_t index);
size_t sc_error_count(const sc_context *ctx);
sc_severity sc_diagnostic_severity(const sc_diagnostic *d);
const char *sc_diagnostic_code(const sc_diagnostic *d);
const char *sc_diagnostic_message(const sc_diagnostic *d);
sc_position sc_diagnostic_position(const sc_context *ctx, const sc_diagnostic *d);
/* Related places ("first declared here"), in order; a note without a place has
 * line 0. The fix-it ("did you mean ...") or NULL. */
size_t sc_diagnostic_note_count(const sc_diagnostic *d);
const char *sc_diagnostic_note_message(const sc_diagnostic *d, size_t index);
sc_position sc_diagnostic_note_position(const sc_context *ctx, const sc_diagnostic *d,
                                        size_t index);
const char *sc_diagnostic_help(const sc_diagnostic *d);

/* Renderers: `file:line:col: error[CODE]: message`, the source line, a caret line,
 * notes and fix-its; or one JSON document. `color` adds ANSI colours. */
void sc_render_human(const sc_context *ctx, FILE *out, bool color);
void sc_render_json(const sc_context *ctx, FILE *out);

/* Text dumps between stages (`stackc check --dump=tokens|ast|typed|expanded`): the
 * lexer's tokens, the parser's tree, each declaration with its checked type (and its
 * value where known at compile time), and each stack's resources as expanded, before
 * emission. Returns false if the stage could not run. */
bool sc_dump_tokens(sc_context *ctx, const char *path, FILE *out);
bool sc_dump_ast(sc_context *ctx, const char *path, FILE *out);
bool sc_dump_typed(sc_context *ctx, const char *path, FILE *out);
bool sc_dump_expanded(sc_context *ctx, const char *path, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
