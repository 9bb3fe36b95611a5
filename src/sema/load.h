/* Loading a program: the prelude, the main source and its imports. */
#ifndef STACKC_SEMA_LOAD_H
#define STACKC_SEMA_LOAD_H

#include "sema/sema.h"

/* Parses `main_source` after the prelude (when enabled; program->stdlib's files when
 * set) and loads every import transitively into program->files; with `with_tests`,
 * also MAIN_test.stack beside it (program->test_file). Returns the main file.
 * SC_NO_SOURCE loads the prelude alone and returns NULL. */
sc_file *sc_load_program(sc_context *ctx, sc_program *program, uint32_t main_source,
                         bool with_tests);

#endif
