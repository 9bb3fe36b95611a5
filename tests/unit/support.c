/* Shared helpers for the CUnit programs in tests/unit. */
#include "support.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

int test_main(const char *suite_name, const test_case *cases)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (!suite) {
        CU_cleanup_registry();
        return 2;
    }
    for (const test_case *c = cases; c->name; c++) {
        if (!CU_add_test(suite, c->name, c->run)) {
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0)
        return 3;
    return failed == 0 ? 0 : 1;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, used = 0;
    char *data = malloc(cap);
    while (data) {
        size_t got = fread(data + used, 1, cap - used - 1, f);
        used += got;
        if (used + 1 < cap)
            break;
        cap *= 2;
        char *grown = realloc(data, cap);
        if (!grown) {
            free(data);
            data = NULL;
        }
        data = grown;
    }
    fclose(f);
    if (!data)
        return NULL;
    data[used] = '\0';
    if (len)
        *len = used;
    return data;
}

int test_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t wrote = fwrite(data, 1, len, f);
    int closed = fclose(f);
    return (wrote == len && closed == 0) ? 0 : -1;
}
