/* Loading a program: the prelude, the main source and its imports. */
#ifndef STACKC_SEMA_LOAD_H
#define STACKC_SEMA_LOAD_H

#include "sema/sema.h"

/* Parses `main_source` after the prelude (when enabled; program->stdlib's files when
 * set) and loads every import transitively into program->files, and its tests file
 * (program->test_file): `tests_source` when one is given (a source already added), else
 * with `with_tests` MAIN_test.stack beside it. Returns the main file. SC_NO_SOURCE as
 * `main_source` loads the prelude alone and returns NULL. */
sc_file *sc_load_program(sc_context *ctx, sc_program *program, uint32_t main_source,
                         bool with_tests, uint32_t tests_source);

#endif
