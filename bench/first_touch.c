/* What the first write to fresh memory costs on this machine, and whether it depends on
 * how long ago the memory was last freed: the one cost of a big build (bench/scale.sh)
 * that the compiler does not control.
 *   first_touch [MB] [IDLE_SECONDS]        (default 512 MB, 5 s)
 * For 4 KiB pages and for transparent huge pages, maps MB of fresh memory and writes
 * every byte of it, twice: right after the same amount was written and unmapped
 * ("recycled"), and after IDLE_SECONDS with nothing mapped ("after idle"). On a virtual
 * machine whose balloon driver reports free pages to the host (virtio free page
 * reporting, see bench/scale.sh's host line), memory free for more than about two
 * seconds has been handed back to the host, and writing it again waits for the host. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds to map `bytes`, write them all and unmap them; negative when mapping fails. */
static double touch(size_t bytes, bool huge)
{
    double start = seconds_now();
    void *block = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED)
        return -1;
#ifdef MADV_HUGEPAGE
    if (huge)
        madvise(block, bytes, MADV_HUGEPAGE);
#else
    (void)huge;
#endif
    memset(block, 1, bytes);
    double spent = seconds_now() - start;
    munmap(block, bytes);
    return spent;
}

static void report(const char *pages, const char *when, size_t bytes, double spent)
{
    if (spent < 0) {
        printf("%-10s %-12s cannot map %zu MB\n", pages, when, bytes >> 20);
        return;
    }
    printf("%-10s %-12s %8.3f s %8.2f GB/s\n", pages, when, spent, (double)bytes / spent / 1e9);
}

int main(int argc, char **argv)
{
    long megabytes = argc > 1 ? atol(argv[1]) : 512;
    unsigned idle = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
    if (megabytes <= 0) {
        fprintf(stderr, "usage: first_touch [MB] [IDLE_SECONDS]\n");
        return 2;
    }
    size_t bytes = (size_t)megabytes << 20;
    printf("%-10s %-12s %10s %13s\n", "pages", "memory", "time", "speed");
    for (int huge = 0; huge <= 1; huge++) {
        const char *pages = huge ? "huge" : "4 KiB";
        touch(bytes, huge); /* what the recycled write below reuses */
        report(pages, "recycled", bytes, touch(bytes, huge));
        sleep(idle);
        report(pages, "after idle", bytes, touch(bytes, huge));
    }
    return 0;
}
