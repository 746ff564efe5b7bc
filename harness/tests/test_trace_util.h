/*
 * test_trace_util.h - what the test_trace_*.c programs share: a CHECK that
 * counts failures and keeps going, and a fixed-seed random generator (the
 * same inputs on every run, so a failure reproduces).
 */
#ifndef TEST_TRACE_UTIL_H
#define TEST_TRACE_UTIL_H

#include <stdint.h>
#include <stdio.h>

static int test_failures;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            test_failures++;                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__,        \
                    __LINE__, #cond);                                     \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
        }                                                                 \
    } while (0)

/* xorshift64*: small, deterministic, good enough to make test inputs. */
static uint64_t test_rng_state = 0x9E3779B97F4A7C15ull;

static inline uint64_t test_rand(void)
{
    uint64_t x = test_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    test_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static inline size_t test_rand_below(size_t n)
{
    return n ? (size_t)(test_rand() % n) : 0;
}

static inline int test_report(const char *name)
{
    if (test_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
