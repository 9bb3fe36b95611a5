/* The test runner: runs a program's `test` blocks against what it compiled to and reports
 * each assertion that failed. Entry point: sc_run_tests (run.c), after sema, expansion;
 * the built-ins tests read the compiled result with (builtins.c) are added to every
 * context by sc_testing_add_builtins, so sema checks them like the language's own. */
#ifndef STACKC_TESTING_H
#define STACKC_TESTING_H

#include "expand/expand.h"

#include <stdio.h>

/* Hidden names a test's scope binds to the compiled result (spaces keep them apart
 * from identifiers): every resource as a view, and outputs, parameters and exports by
 * stack. Only this stage's built-ins read them. */
#define SC_TEST_RESOURCES_SYMBOL "test resources"
#define SC_TEST_OUTPUTS_SYMBOL "test outputs"
#define SC_TEST_PARAMETERS_SYMBOL "test parameters"
#define SC_TEST_EXPORTS_SYMBOL "test exports"

/* Adds resource_at, resources, outputs, parameters and exports to `ctx` (sema's
 * sc_add_builtins). Outside a test they are not known at compile time. */
bool sc_testing_add_builtins(sc_context *ctx);

/* Whether a compiled-resource view (in SC_TEST_RESOURCES_SYMBOL) is the one resource_at
 * finds at `path`: its declaration path, or its stack's name, '/', and that path. */
bool sc_view_at_path(const sc_value *view, const char *path);

/* Runs every `test` of the program against what it compiled to; results are appended
 * to `results`. True when every assertion held. */
bool sc_run_tests(sc_context *ctx, const sc_program *program, const sc_cfn_program *out,
                  sc_ptr_list *results);
/* Whether a result from sc_run_tests has a failed assertion. */
bool sc_test_result_failed(const void *result);
/* "PASS name" / "FAIL name" with each failure's line, actual and expected value, and
 * a closing "N passed, N failed"; or one JSON document (report.c). */
void sc_render_test_results(const sc_context *ctx, const sc_ptr_list *results, FILE *out,
                            bool json);

#endif
