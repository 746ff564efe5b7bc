/*
 * bench_protocol.c - what the backend protocol costs (docs/backend-protocol.md).
 *
 *   bench_protocol --vastrace PATH [--wine-exe vastrace.exe] [--seconds S]
 *
 * 1. Round trip: random traces of 1, 32 and 1,000 operations run on impl in
 *    process and on "exec:PATH serve --backend impl", each with the memory
 *    map observed after every operation (what a lockstep comparison reads).
 *    Prints the median time per trace of each and ops/s.
 * 2. With --wine-exe: the same round trip of a 32-operation trace through
 *    "exec:wine vastrace.exe serve --without threads,processes" (the
 *    server of the impl-vs-Wine fuzz target, whose exec/s its own bench
 *    measures: docs/outside-implementations.md).
 * Figures only: nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

/* A trace of exactly n operations from a seed (trace_of_seed; a seed whose
 * bytes give fewer is passed over), made what a real process can run (x64,
 * no layout, no ASLR: as the Wine fuzz target sets it). */
static trace *random_trace(uint64_t seed, size_t n)
{
    uint8_t *bytes = NULL;
    size_t cap = 0;
    trace *t;
    for (;; seed += 1ull << 32) {
        t = trace_of_seed(seed, n, &bytes, &cap);
        if (t == NULL) {
            fprintf(stderr, "bench_protocol: out of memory\n");
            exit(2);
        }
        if (t->n_ops == n)
            break;
        trace_free(t);
    }
    free(bytes);
    t->profile = VAS_PROFILE_X64;
    t->commit_limit = 0;
    t->layout = VAS_LAYOUT_EMPTY;
    t->aslr_seed = 0;
    return t;
}

/* Runs t on b as a lockstep lane would: every op, then the map. */
static double time_trace(const backend *b, const trace *t)
{
    backend_run r;
    region_map map = {0};
    op_result res = {0};
    double t0 = proto_now();
    size_t i;
    if (backend_run_open(&r, b, t) != 0)
        return -1;
    for (i = 0; i < t->n_ops; i++) {
        if (op_execute(&r, &t->ops[i], &res) != 0)
            break;
        op_bind_result(&r, &t->ops[i], &res);
        region_map_walk(&r, &map);
    }
    op_result_clear(&res);
    region_map_free(&map);
    backend_run_close(&r);
    return proto_now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n ? v[n / 2] : 0;
}

static void round_trips(const char *vastrace, double seconds)
{
    static const size_t sizes[] = {1, 32, 1000};
    char spec[4096];
    const backend *impl = backend_find("impl"), *remote;
    size_t s;

    snprintf(spec, sizeof spec, "exec:%s serve --backend impl", vastrace);
    remote = backend_find(spec);
    if (remote == NULL) {
        fprintf(stderr, "bench_protocol: cannot start %s\n", spec);
        exit(2);
    }
    printf("%-6s %14s %14s %14s %14s %8s\n", "ops", "in-process", "ops/s", "protocol", "ops/s", "ratio");
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s], k = 0, cap = 4096;
        double *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b), ma, mb;
        double end = proto_now() + seconds;
        while (k < cap && (k < 5 || proto_now() < end)) {
            trace *t = random_trace(1000 + k, n);
            a[k] = time_trace(impl, t);
            b[k] = time_trace(remote, t);
            trace_free(t);
            k++;
        }
        ma = median(a, k);
        mb = median(b, k);
        printf("%-6zu %11.1f us %14.0f %11.1f us %14.0f %7.1fx   (median of %zu traces)\n", n, ma * 1e6,
               n / ma, mb * 1e6, n / mb, mb / ma, k);
        free(a);
        free(b);
    }
}

static void wine_round_trip(const char *exe)
{
    char spec[4096];
    const backend *pair[2];
    double v[64], w[64];
    size_t j;

    snprintf(spec, sizeof spec, "exec:wine %s serve --without threads,processes", exe);
    pair[0] = backend_find("impl");
    pair[1] = backend_find(spec);
    if (pair[1] == NULL) {
        fprintf(stderr, "bench_protocol: cannot start %s\n", spec);
        exit(2);
    }
    /* One lane alone: a RUN of a 32-op trace (less the families the server
     * leaves out) through Wine, against impl running the same trace in
     * process (medians of 64 traces). */
    for (j = 0; j < 64; j++) {
        trace *t = random_trace(5000 + j, 32);
        trace_drop_unsupported(t, pair, 2);
        v[j] = time_trace(pair[1], t);
        w[j] = time_trace(pair[0], t);
        trace_free(t);
    }
    printf("one 32-op trace: %.1f us through %s, %.1f us on impl in process (medians of 64)\n",
           median(v, 64) * 1e6, spec, median(w, 64) * 1e6);
}

int main(int argc, char **argv)
{
    const char *vastrace = getenv("VASTRACE"), *wine_exe = NULL;
    double seconds = 3;
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--vastrace") == 0 && i + 1 < argc)
            vastrace = argv[++i];
        else if (strcmp(argv[i], "--wine-exe") == 0 && i + 1 < argc)
            wine_exe = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_protocol --vastrace PATH [--wine-exe EXE] [--seconds S]\n");
            return 2;
        }
    }
    if (vastrace == NULL) {
        fprintf(stderr, "bench_protocol: give --vastrace PATH (or set VASTRACE)\n");
        return 2;
    }
    round_trips(vastrace, seconds);
    if (wine_exe)
        wine_round_trip(wine_exe);
    return 0;
}
