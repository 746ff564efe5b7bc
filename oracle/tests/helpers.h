/*
 * helpers.h - the oracle tests' shared steps over tests/check.h: a call
 * that must fail with a given last-error, and a query's expected answer
 * field by field.
 */
#ifndef ORACLE_TESTS_HELPERS_H
#define ORACLE_TESTS_HELPERS_H

#include <inttypes.h>
#include <stdio.h>

#include "check.h"
#include "oracle.h"

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

static inline void check_query(oracle_t *o, uint64_t addr, expected_mbi e, int line)
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

#endif
