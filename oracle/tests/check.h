/*
 * check.h - the assertions the oracle's tests share.
 *
 * A failed check prints where it failed and the two values, and the test
 * keeps going so one run shows every failure; main returns check_result().
 */
#ifndef ORACLE_TESTS_CHECK_H
#define ORACLE_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include "oracle.h"

static int check_failures;

#define CHECK_EQ(actual, expected)                                                  \
    do {                                                                            \
        uint64_t a_ = (uint64_t)(actual), e_ = (uint64_t)(expected);                \
        if (a_ != e_) {                                                             \
            fprintf(stderr, "%s:%d: %s is 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", \
                    __FILE__, __LINE__, #actual, a_, e_);                           \
            check_failures++;                                                       \
        }                                                                           \
    } while (0)

/* The address after the region m reported at `at`, for a walk of the map.
 * A region that does not reach past `at` (a wrong RegionSize) fails the
 * test and returns UINT64_MAX, which ends the walk: a fast failure, not a
 * walk that never ends. */
#define WALK_NEXT(at, m) walk_next_(at, &(m), __FILE__, __LINE__)
static inline uint64_t walk_next_(uint64_t at, const vas_mbi *m, const char *file, int line)
{
    uint64_t next = m->base_address + m->region_size;
    if (next > at)
        return next;
    fprintf(stderr, "%s:%d: the map walk does not advance at 0x%llx (base 0x%llx, size 0x%llx)\n",
            file, line, (unsigned long long)at, (unsigned long long)m->base_address,
            (unsigned long long)m->region_size);
    check_failures++;
    return UINT64_MAX;
}

/* A call that must fail: returns 0 and sets last-error to err. */
#define CHECK_FAILS(call, err)                                                      \
    do {                                                                            \
        CHECK_EQ((call), 0);                                                        \
        CHECK_EQ(oracle_last_error(o), (err));                                      \
    } while (0)

/* The expected answer of a query, field by field. */
typedef struct expected_mbi {
    uint64_t base, alloc_base;
    uint32_t alloc_protect;
    uint64_t size;
    uint32_t state, protect, type;
} expected_mbi;

#define CHECK_QUERY(o, addr, ...) check_query((o), (addr), (expected_mbi){__VA_ARGS__}, __LINE__)

static void check_query(oracle_t *o, uint64_t addr, expected_mbi e, int line)
{
    vas_mbi m;
    size_t n = oracle_query(o, addr, &m, sizeof m);
    if (n == 0) {
        fprintf(stderr, "line %d: query 0x%" PRIx64 " failed, error %u\n", line, addr,
                (unsigned)oracle_last_error(o));
        check_failures++;
        return;
    }
    if (m.base_address != e.base || m.allocation_base != e.alloc_base
        || m.allocation_protect != e.alloc_protect || m.region_size != e.size
        || m.state != e.state || m.protect != e.protect || m.type != e.type
        || m.partition_id != 0 || m.reserved0 != 0 || m.reserved1 != 0) {
        fprintf(stderr,
                "line %d: query 0x%" PRIx64 " gave {base 0x%" PRIx64 " alloc_base 0x%" PRIx64
                " alloc_prot 0x%x size 0x%" PRIx64 " state 0x%x prot 0x%x type 0x%x},"
                " expected {0x%" PRIx64 " 0x%" PRIx64 " 0x%x 0x%" PRIx64 " 0x%x 0x%x 0x%x}\n",
                line, addr, m.base_address, m.allocation_base, m.allocation_protect,
                m.region_size, m.state, m.protect, m.type, e.base, e.alloc_base,
                e.alloc_protect, e.size, e.state, e.protect, e.type);
        check_failures++;
    }
}

/* Shorthands for the states of an expected_mbi. */
#define COMMIT VAS_MEM_COMMIT
#define RESERVE VAS_MEM_RESERVE
#define FREE VAS_MEM_FREE
#define PRIVATE VAS_MEM_PRIVATE

static int check_result(const char *name)
{
    if (check_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    else
        printf("%s: all checks passed\n", name);
    return check_failures != 0;
}

#endif
