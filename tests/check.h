/*
 * check.h - the one assertion header of the C tests (impl, oracle, harness,
 * the host tests). A failed check prints file:line, what was checked and
 * the values, and counts; the test keeps going so one run shows every
 * failure, and main returns check_report(name), which fails the executable
 * when any check failed.
 *
 * check_rand is the tests' one random generator: seeded, so every run of a
 * test sees the same inputs and a failure reproduces.
 */
#ifndef VAS_TESTS_CHECK_H
#define VAS_TESTS_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int check_failures;

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
            check_failures++;                                                               \
        }                                                                                   \
    } while (0)

/* CHECK with a printf-style explanation of what went wrong. */
#define CHECK_MSG(cond, ...)                                                                \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            check_failures++;                                                               \
        }                                                                                   \
    } while (0)

/* Compares as 64-bit unsigned numbers and prints both in hex and decimal. */
#define CHECK_EQ(actual, expected)                                                          \
    do {                                                                                    \
        unsigned long long check_a_ = (unsigned long long)(actual);                         \
        unsigned long long check_e_ = (unsigned long long)(expected);                       \
        if (check_a_ != check_e_) {                                                         \
            fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s): got 0x%llx (%llu), want 0x%llx (%llu)\n", \
                    __FILE__, __LINE__, #actual, #expected, check_a_, check_a_, check_e_,   \
                    check_e_);                                                              \
            check_failures++;                                                               \
        }                                                                                   \
    } while (0)

/* The address after the region (base, size) reported at `at`, for a walk
 * of the map. A region that does not reach past `at` (a wrong RegionSize)
 * fails the test and returns UINT64_MAX, which ends the walk: a fast
 * failure, not a walk that never ends. m is a vas_mbi. */
#define WALK_NEXT(at, m) walk_next_((at), (m).base_address, (m).region_size, __FILE__, __LINE__)
static inline uint64_t walk_next_(uint64_t at, uint64_t base, uint64_t size, const char *file, int line)
{
    uint64_t next = base + size;
    if (next > at)
        return next;
    fprintf(stderr, "%s:%d: the map walk does not advance at 0x%llx (base 0x%llx, size 0x%llx)\n",
            file, line, (unsigned long long)at, (unsigned long long)base,
            (unsigned long long)size);
    check_failures++;
    return UINT64_MAX;
}

static inline int check_report(const char *name)
{
    if (check_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    else
        printf("%s: all checks passed\n", name);
    return check_failures ? 1 : 0;
}

/* splitmix64: any seed (0 included) gives a good sequence; each test keeps
 * its own state. vastrace random uses the same generator. */
static inline uint64_t check_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static inline uint64_t check_rand_below(uint64_t *state, uint64_t n)
{
    return n ? check_rand(state) % n : 0;
}

#endif
