/* The local AWS emulator (tests/emulator/emulator.py) for the aws_*_test programs: a
 * fresh one per test, on a free port, that exits when its test program closes its
 * stdin (so it cannot outlive a crash), and its unsigned admin API. */
#ifndef STACKC_TEST_AWS_EMULATOR_H
#define STACKC_TEST_AWS_EMULATOR_H

#include "aws/http.h"

#include <stdbool.h>
#include <sys/types.h>

#define TEST_EMULATOR_ACCESS_KEY "AKIAIOSFODNN7EXAMPLE"
#define TEST_EMULATOR_SECRET_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TEST_EMULATOR_ACCOUNT "123456789012"

typedef struct test_emulator {
    pid_t pid;
    int to_emulator;   /* its stdin: closing it ends the emulator */
    int from_emulator; /* its stdout */
    int port;
    char endpoint[64];          /* http://127.0.0.1:PORT */
    sc_aws_transport transport; /* for the admin API */
} test_emulator;

/* Starts python3 emulator.py with resources and change sets of 20 ms and `extra`
 * arguments (NULL-terminated, may be NULL); false (having said why) when it does not
 * start within 10 s. */
bool test_emulator_start(test_emulator *e, const char *const *extra);
/* Closing its stdin ends it; SIGKILL if it lingers past 2 s. */
void test_emulator_stop(test_emulator *e);

/* An unsigned request to /_emulator/<path>; the HTTP status (0 for none). `body`, if
 * non-NULL, receives the answer as a heap string the caller frees. */
long test_emulator_admin(test_emulator *e, const char *method, const char *path, const char *json,
                         char **body);

#endif
