/* The standard library checked once per fuzzing process (sc_stdlib), for the targets
 * that compile with it: each input then costs only its own parsing and checking.
 * stdlib_test proves that gives the same result as loading the library, and its write
 * protection makes any input that changed the shared library crash the target. */
#ifndef STACKC_FUZZ_SHARED_STDLIB_H
#define STACKC_FUZZ_SHARED_STDLIB_H

#include <stackc/stackc.h>

/* Checked by LLVMFuzzerInitialize (shared_stdlib.c), before the first input. */
const sc_stdlib *fuzz_stdlib(void);

#endif
