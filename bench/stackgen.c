/* Writes a generated program to standard output, for the whole-process benchmarks:
 *   stackgen instances N   N component instances, 10 sites (60 instances) per stack
 *   stackgen chain N       N stacks, each reading an output of the one before */
#include "generate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int n = argc == 3 ? atoi(argv[2]) : 0;
    if (n <= 0 || (strcmp(argv[1], "instances") != 0 && strcmp(argv[1], "chain") != 0)) {
        fprintf(stderr, "usage: stackgen instances|chain N\n");
        return 2;
    }
    size_t len = 0;
    char *text = strcmp(argv[1], "chain") == 0 ? sc_bench_generate_chain(n, &len)
                                               : sc_bench_generate(n, n < 120 ? 2 : n / 60, &len);
    bool ok = text && fwrite(text, 1, len, stdout) == len;
    free(text);
    return ok ? 0 : 1;
}
