/* Shared helpers for the CUnit programs in tests/unit: one main, file reading. */
#ifndef STACKC_TEST_SUPPORT_H
#define STACKC_TEST_SUPPORT_H

#include <CUnit/CUnit.h>
#include <stddef.h>

typedef struct test_case {
    const char *name;
    void (*run)(void);
} test_case;

/* Registers one suite made of `cases` (terminated by a {NULL, NULL} entry), runs
 * it verbosely and returns the process exit status: 0 only if every assertion passed. */
int test_main(const char *suite_name, const test_case *cases);

/* Reads a whole file into a NUL-terminated heap buffer the caller frees; NULL if
 * it cannot be read. `len` (optional) receives the size without the NUL. */
char *test_read_file(const char *path, size_t *len);

/* Writes `len` bytes to `path`; returns 0 on success. */
int test_write_file(const char *path, const char *data, size_t len);

#endif
