/* What the runner records for each test (run.c) and the report prints (report.c). */
#ifndef STACKC_TESTING_RESULTS_H
#define STACKC_TESTING_RESULTS_H

#include "testing/testing.h"

typedef struct test_failure {
    sc_span span;
    const char *message;
    const char *actual; /* NULL when the assertion is not a comparison */
    const char *expected;
    const char *note; /* what may explain it (a path that names nothing), or NULL */
} test_failure;

typedef struct test_result {
    const char *name;
    sc_span span;
    sc_ptr_list failures; /* test_failure */
} test_result;

#endif
