/* Loading a program: the prelude, the main source and its imports. */
#ifndef STACKC_SEMA_LOAD_H
#define STACKC_SEMA_LOAD_H

#include "sema/sema.h"

/* Parses `main_source` after the prelude (when enabled) and loads every import
 * transitively into program->files; with `with_tests`, also MAIN_test.stack beside it
 * (program->test_file). Returns the main file. */
sc_file *sc_load_program(sc_context *ctx, sc_program *program, uint32_t main_source, bool with_tests);

#endif
