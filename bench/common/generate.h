/* Synthetic `.stack` programs for benchmarks: N component instances over M stacks. */
#ifndef STACKC_BENCH_GENERATE_H
#define STACKC_BENCH_GENERATE_H

#include <stddef.h>

/* A program of `instances` instances in `stacks` application stacks (plus one network
 * stack each). Heap buffer, caller frees. */
char *sc_bench_generate(int instances, int stacks, size_t *len);
/* A chain of `stacks` stacks, each with one raw resource that reads the output of the
 * stack before it. Heap buffer, caller frees. */
char *sc_bench_generate_chain(int stacks, size_t *len);

#endif
