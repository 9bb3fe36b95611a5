/* Whole-build benchmark: parse, check, expand and emit, as `stackc build` does, on the
 * WordPress example and on generated programs of growing size. Each size runs in its
 * own child process so its peak RSS is its own. Figures only; nothing is asserted. */
#include <stackc/stackc.h>

#include "generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Builds `path` `rounds` times; prints min and median ms and the bytes emitted. With
 * `shared`, every build starts from one checked standard library (sc_stdlib), as a
 * long-lived caller's would. */
static void time_build(const char *label, const char *path, const char *stdlib, int rounds,
                       size_t input_bytes, const sc_stdlib *shared)
{
    double times[64];
    if (rounds > 64)
        rounds = 64;
    size_t emitted = 0;
    bool ok = true;
    for (int r = 0; r < rounds; r++) {
        sc_context *ctx = sc_context_new(NULL);
        if (!shared || !sc_context_use_stdlib(ctx, shared))
            sc_context_set_stdlib_dir(ctx, stdlib);
        double t0 = now_ms();
        ok = sc_build_file(ctx, path, NULL) && ok;
        times[r] = now_ms() - t0;
        emitted = 0;
        for (size_t i = 0; i < sc_output_count(ctx); i++) {
            size_t len;
            sc_output_data(ctx, i, &len);
            emitted += len;
        }
        if (!ok && r == 0)
            sc_render_human(ctx, stderr, false);
        sc_context_free(ctx);
    }
    qsort(times, (size_t)rounds, sizeof(double), compare_doubles);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%-22s %10zu %10.2f %10.2f %10.1f %12zu %10ld%s\n", label, input_bytes, times[0],
           times[rounds / 2], (double)input_bytes / 1e6 / (times[0] / 1e3), emitted,
           usage.ru_maxrss / 1024, ok ? "" : "  (errors!)");
    fflush(stdout);
}

static size_t file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n < 0 ? 0 : (size_t)n;
}

static void in_child(const char *label, const char *path, const char *stdlib, int rounds,
                     bool shared)
{
    pid_t pid = fork();
    if (pid == 0) {
        sc_stdlib *library = shared ? sc_stdlib_new(stdlib) : NULL;
        time_build(label, path, stdlib, rounds, file_size(path), library);
        sc_stdlib_free(library);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
}

/* build_bench [FILE]: with a file, times only that one (for profiling a build). */
int main(int argc, char **argv)
{
    const char *stdlib = getenv("STACKC_STDLIB") ? getenv("STACKC_STDLIB") : "stdlib";
    printf("%-22s %10s %10s %10s %10s %12s %10s\n", "input", "bytes", "min ms", "median ms", "MB/s",
           "emitted B", "peak MiB");
    fflush(stdout); /* or every forked child prints the header again */
    if (argc > 1) {
        time_build(argv[1], argv[1], stdlib, 64, file_size(argv[1]), NULL);
        return 0;
    }
    in_child("examples/wordpress", "examples/wordpress/site.stack", stdlib, 50, false);
    in_child("  shared stdlib", "examples/wordpress/site.stack", stdlib, 50, true);
    static const int sizes[] = {60, 600, 2400, 6000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t len;
        int stacks = sizes[i] < 120 ? 2 : sizes[i] / 60; /* 10 sites, ~250 resources each */
        char *text = sc_bench_generate(sizes[i], stacks, &len);
        char path[] = "/tmp/stackc-bench-XXXXXX.stack";
        int fd = mkstemps(path, 6);
        if (fd < 0 || write(fd, text, len) != (ssize_t)len)
            return 1;
        close(fd);
        char label[64];
        snprintf(label, sizeof(label), "generated %d", sizes[i]);
        in_child(label, path, stdlib, sizes[i] <= 600 ? 10 : 3, false);
        unlink(path);
        free(text);
    }
    return 0;
}
