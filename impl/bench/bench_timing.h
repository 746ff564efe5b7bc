/*
 * bench_timing.h - what the model's benchmarks (vas_bench.c,
 * section_bench.c) share: a monotonic clock in ns, a seeded xorshift
 * generator (the same inputs every run) and the median of a sample.
 */
#ifndef VAS_BENCH_TIMING_H
#define VAS_BENCH_TIMING_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rng_state = 88172645463325252ull;
static inline uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return v[n / 2];
}

#endif
