/*
 * test_query.c - what oracle_query does that no conformance case can
 * state: a failed query leaves the caller's buffer alone, the free regions
 * of a fresh space (no Windows process starts empty) and a whole-map walk.
 * Errors, runs and coalescing are cases in conformance/cases/query, run on
 * every backend.
 */
#include <string.h>
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define TOP 0x7FFFFFFF0000ull /* MAX + 1 on x64 */

/* A failed query writes nothing into the buffer. */
static void test_failure_leaves_buffer(void)
{
    oracle_t *o = oracle_create(NULL);
    vas_mbi m, before;
    memset(&m, 0xCC, sizeof m);
    before = m;
    CHECK_FAILS(oracle_query(o, UINT64_MAX, &m, 48), 87);
    CHECK_FAILS(oracle_query(o, 0x10000, &m, 47), 24);
    CHECK_EQ(memcmp(&before, &m, sizeof m), 0);
    oracle_destroy(o);
}

/* G086: free memory, below MIN too, bounded by the next allocation. */
static void test_free_regions(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_QUERY(o, 0, 0, 0, 0, TOP, FREE, NA, 0);
    CHECK_QUERY(o, 0x1234, 0x1000, 0, 0, TOP - 0x1000, FREE, NA, 0);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x3000, R, NA), 0x50000000);
    CHECK_EQ(oracle_alloc(o, 0x40000000, 0x1000, R, NA), 0x40000000);
    CHECK_QUERY(o, 0, 0, 0, 0, 0x40000000, FREE, NA, 0);
    CHECK_QUERY(o, 0x40001000, 0x40001000, 0, 0, 0x0FFFF000, FREE, NA, 0);
    CHECK_QUERY(o, 0x50003FFF, 0x50003000, 0, 0, TOP - 0x50003000, FREE, NA, 0);
    oracle_destroy(o);
}

/* A whole map walked from 0 upward ends exactly at MAX + 1. */
static void test_walk(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0, 0x5000, R | C, RW), 0x10000);
    CHECK_EQ(oracle_alloc(o, 0x10000, 0x1000, C, VAS_PAGE_READONLY), 0x10000);
    CHECK_EQ(oracle_alloc(o, 0x7FFFFFFE0000, 0x10000, R, NA), 0x7FFFFFFE0000);
    uint64_t addr = 0, regions = 0, committed = 0;
    vas_mbi m;
    while (addr < TOP && oracle_query(o, addr, &m, sizeof m) == 48) {
        CHECK_EQ(m.base_address, addr);
        if (m.state == COMMIT)
            committed += m.region_size;
        addr = WALK_NEXT(addr, m);
        regions++;
    }
    CHECK_EQ(addr, TOP);
    CHECK_EQ(regions, 5);  /* free, RO page, RW pages, free, reserved */
    CHECK_EQ(committed, oracle_commit_charge(o));
    oracle_destroy(o);
}

int main(void)
{
    test_failure_leaves_buffer();
    test_free_regions();
    test_walk();
    return check_report("oracle_test_query");
}
