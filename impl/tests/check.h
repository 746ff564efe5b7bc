/*
 * check.h - the unit tests' assertion macros. A failed check prints
 * file:line, the expression and both values, and counts; a test's main
 * returns check_report() so any failure makes the executable fail.
 */
#ifndef VAS_TEST_CHECK_H
#define VAS_TEST_CHECK_H

#include <stdio.h>
#include <stdint.h>

static int check_failures;

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

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
            check_failures++;                                                               \
        }                                                                                   \
    } while (0)

static inline int check_report(const char *name)
{
    if (check_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    else
        printf("%s: all checks passed\n", name);
    return check_failures ? 1 : 0;
}

#endif
