/* Entry point of the semantic stage: sc_sema_check loads a program and checks it.
 *
 * The passes, in order, each in its own file: load files (load.c); declare named types
 * and components (declare.c); declare every stack's names (stacks.c); check every
 * component definition (components.c); check every stack: instances against their
 * component's inputs (instances.c) with the component's checks evaluated for each
 * (values.c, instance_checks.c), raw resources (resources.c), lets, params, outputs and
 * `moved` (stacks.c), allow rules (allow.c), each followed by evaluating what `build`
 * would, for its evaluation errors (evaluate.c, eval.c); then cycles between stacks,
 * component tests (component_tests.c) and likely mistakes (lints.c). Every pass keeps
 * going after an error, so one run reports all it can. */
#include "sema/checker.h"
#include "sema/load.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *implicit_stack_name(sc_checker *c, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = sc_arena_strndup(&c->ctx->arena, base, len);
    for (char *p = name; p && *p; p++)
        if (*p == '_' || *p == '.')
            *p = '-';
    return name;
}

/* `app = "name"`: the application the file's stacks belong to. Its name prefixes every
 * deployed stack name, so two apps never share a stack in one account. */
static void declare_app(sc_checker *c, const sc_item *item)
{
    if (c->program->app) {
        sc_error(c->ctx, "E0201", item->name.span, "`app` is set twice");
        return;
    }
    if (!item->value || item->value->kind != EXPR_STRING) {
        sc_diagnostic *d = sc_error(c->ctx, "E0205", item->value ? item->value->span : item->span,
                                    "`app` must be written as a string");
        sc_diag_fix(c->ctx, d, "write `app = \"shop\"`");
        return;
    }
    const char *name = item->value->text;
    if (!sc_app_name_valid(name)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0217", item->value->span,
                                    "\"%s\" cannot start a CloudFormation stack name", name);
        sc_diag_note_plain(c->ctx, d, SC_APP_NAME_RULE);
        return;
    }
    c->program->app = name;
}

static bool first_stack_in(const sc_file *file)
{
    for (size_t i = 0; i < file->items.count; i++)
        if (((const sc_item *)file->items.items[i])->kind == ITEM_STACK)
            return true;
    return false;
}

static void declare_file(sc_checker *c, sc_file *file, bool is_main)
{
    sc_stack *implicit = NULL;
    const sc_item *first_stack = NULL, *first_loose = NULL;
    bool is_test_file = file == c->program->test_file;
    for (size_t i = 0; i < file->items.count; i++) {
        const sc_item *item = file->items.items[i];
        if (item->kind == ITEM_TEST && (is_test_file || (is_main && first_stack_in(file)))) {
            sc_list_push(&c->ctx->arena, &c->top_level_tests, (void *)item);
            continue;
        }
        if (is_test_file && item->kind != ITEM_IMPORT && item->kind != ITEM_ERROR) {
            sc_misplaced(c, item, "in a test file",
                         "a _test.stack file holds `test` blocks and imports");
            continue;
        }
        if (item->kind == ITEM_ATTR && is_main && item->name.name &&
            strcmp(item->name.name, "app") == 0) {
            declare_app(c, item);
            continue;
        }
        switch (item->kind) {
        case ITEM_IMPORT:
        case ITEM_TYPE:
        case ITEM_ERROR:
            break;
        case ITEM_COMPONENT:
            sc_declare_component(c, item);
            break;
        case ITEM_STACK:
            if (!is_main) {
                sc_misplaced(c, item, "in an imported file",
                             "imported files define components and types; stacks live in the file "
                             "being compiled");
                break;
            }
            first_stack = first_stack ? first_stack : item;
            if (item->name.name) {
                sc_stack *stack = sc_new_stack(c, item->name.name, item->name.span, item);
                if (stack)
                    sc_stack_add_items(c, stack, &item->items);
            }
            break;
        default:
            if (!is_main) {
                sc_misplaced(c, item, "in an imported file",
                             "imported files define components and types only");
                break;
            }
            first_loose = first_loose ? first_loose : item;
            if (!implicit) {
                const char *path = sc_source_get(c->ctx, file->source)->path;
                implicit = sc_new_stack(c, implicit_stack_name(c, path),
                                        (sc_span){file->source, 0, 0}, NULL);
            }
            if (implicit)
                sc_stack_add_item(c, implicit, item);
        }
    }
    if (first_stack && first_loose) {
        sc_diagnostic *d = sc_error(c->ctx, "E0219", first_loose->span,
                                    "this file has `stack` blocks, so declarations cannot stand "
                                    "outside them");
        sc_diag_note(c->ctx, d, first_stack->span, "a stack is declared here");
        sc_diag_fix(c->ctx, d,
                    "move it into a stack, or drop the `stack` blocks to make the "
                    "whole file one stack");
    }
}

/* A program that starts from a checked standard library takes its components and
 * types as they are (the library's files come first, as when loaded) and declares and
 * checks only what comes after them. Copies keep the shared library untouched. */
static bool continue_from_stdlib(sc_checker *c, size_t *first_file, size_t *first_component)
{
    const sc_program *stdlib = c->program->stdlib->program;
    sc_program *program = c->program;
    if (!sc_map_copy(&c->ctx->arena, &program->components, &stdlib->components) ||
        !sc_map_copy(&c->ctx->arena, &program->types, &stdlib->types) ||
        !sc_map_copy(&c->ctx->arena, &program->library_components, &stdlib->library_components) ||
        !sc_map_copy(&c->ctx->arena, &program->library_types, &stdlib->library_types))
        return false;
    for (size_t i = 0; i < stdlib->component_order.count; i++)
        if (!sc_list_push(&c->ctx->arena, &program->component_order,
                          stdlib->component_order.items[i]))
            return false;
    *first_file = stdlib->files.count;
    *first_component = stdlib->component_order.count;
    return !c->ctx->out_of_memory;
}

static sc_program *check_program(sc_context *ctx, uint32_t source, bool with_tests,
                                 uint32_t tests_source)
{
    sc_program *program = sc_arena_alloc(&ctx->arena, sizeof(*program));
    if (!program)
        return NULL;
    sc_checker checker = {.ctx = ctx, .program = program};
    sc_checker *c = &checker;
    program->global = sc_scope_new(ctx, NULL);
    program->test_mode = with_tests;
    /* Tests may run the library's own component tests: they load it afresh. */
    program->stdlib = ctx->prelude && !with_tests ? ctx->stdlib : NULL;
    /* After an allocation failure the trees and tables may have holes: no later phase
     * runs on them, and the driver reports the failure. */
    if (!program->global)
        return program;
    if ((!sc_load_program(ctx, program, source, with_tests, tests_source) &&
         source != SC_NO_SOURCE) ||
        ctx->out_of_memory)
        return program;
    size_t first_file = 0, first_component = 0;
    if (program->stdlib && !continue_from_stdlib(c, &first_file, &first_component))
        return program;
    for (size_t i = first_file; i < program->files.count; i++) {
        sc_file *file = program->files.items[i];
        declare_file(c, file, file == program->main);
    }
    for (size_t i = first_file; i < program->files.count; i++)
        sc_declare_types(c, program->files.items[i]);
    if (ctx->out_of_memory)
        return program;
    for (size_t i = first_component; i < program->component_order.count; i++)
        sc_declare_component_body(c, program->component_order.items[i]);
    if (ctx->out_of_memory)
        return program;
    for (size_t i = first_component; i < program->component_order.count && !ctx->out_of_memory; i++)
        sc_check_component(c, program->component_order.items[i]);
    if (ctx->out_of_memory)
        return program;
    if (program->test_mode)
        sc_add_component_tests(c);
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_check_stack_name(c, program->stacks.items[i]);
        sc_declare_stack(c, program->stacks.items[i]);
    }
    for (size_t i = 0; i < program->stacks.count && !ctx->out_of_memory; i++)
        sc_check_stack(c, program->stacks.items[i]);
    /* Tests beside stack blocks (or in MAIN_test.stack) see every stack by name; a file
     * without stack blocks keeps its tests in its one stack. */
    for (size_t i = 0; i < c->top_level_tests.count && !ctx->out_of_memory; i++)
        sc_check_test(c, program->global, c->top_level_tests.items[i]);
    if (ctx->out_of_memory)
        return program;
    sc_check_stack_cycles(c);
    sc_warn_missing_allows(c);
    return program;
}

sc_program *sc_sema_check_source(sc_context *ctx, uint32_t source)
{
    return check_program(ctx, source, false, SC_NO_SOURCE);
}

sc_program *sc_sema_check_stdlib(sc_context *ctx)
{
    return check_program(ctx, SC_NO_SOURCE, false, SC_NO_SOURCE);
}

#define TESTS_FILE_SUFFIX "_test.stack"

/* NAME.stack for a tests file NAME_test.stack, read and added as a source; -1 when
 * `source` is no tests file or NAME.stack cannot be read. */
static int tested_program(sc_context *ctx, uint32_t source)
{
    const char *path = sc_source_get(ctx, source)->path;
    size_t len = strlen(path), suffix = strlen(TESTS_FILE_SUFFIX);
    if (len <= suffix || strcmp(path + len - suffix, TESTS_FILE_SUFFIX) != 0)
        return -1;
    const char *main_path = sc_arena_printf(&ctx->arena, "%.*s.stack", (int)(len - suffix), path);
    size_t text_len = 0;
    char *text = main_path ? ctx->read_file(ctx->read_file_user, main_path, &text_len) : NULL;
    if (!text)
        return -1;
    int main_source = sc_source_add(ctx, main_path, text, text_len);
    free(text);
    return main_source;
}

sc_program *sc_sema_check_in_context(sc_context *ctx, uint32_t source)
{
    int main_source = tested_program(ctx, source);
    if (main_source < 0)
        return sc_sema_check_source(ctx, source);
    return check_program(ctx, (uint32_t)main_source, false, source);
}

static sc_program *check_path(sc_context *ctx, const char *path, bool with_tests);

sc_program *sc_sema_check(sc_context *ctx, const char *path)
{
    return check_path(ctx, path, false);
}

sc_program *sc_sema_check_with_tests(sc_context *ctx, const char *path)
{
    return check_path(ctx, path, true);
}

static sc_program *check_path(sc_context *ctx, const char *path, bool with_tests)
{
    size_t len = 0;
    char *text = ctx->read_file(ctx->read_file_user, path, &len);
    if (!text) {
        sc_error(ctx, "E0211", (sc_span){(uint32_t)-1, 0, 0}, "cannot read \"%s\"", path);
        return NULL;
    }
    int source = sc_source_add(ctx, path, text, len);
    free(text);
    if (source < 0)
        return NULL;
    return check_program(ctx, (uint32_t)source, with_tests, SC_NO_SOURCE);
}
