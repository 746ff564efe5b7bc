/*
 * test_query.c - oracle_query against the golden catalogue (section D) and
 * docs/semantics.md section 5.
 */
#include <string.h>
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define TOP 0x7FFFFFFF0000ull /* MAX + 1 on x64 */

/* G081, G089, G090: return value and failures. */
static void test_returns(void)
{
    oracle_t *o = oracle_create(NULL);
    vas_mbi m;
    memset(&m, 0xCC, sizeof m);
    CHECK_EQ(oracle_query(o, 0x10000, &m, sizeof m), 48);
    CHECK_EQ(oracle_query(o, 0x10000, &m, 1000), 48);
    CHECK_FAILS(oracle_query(o, 0x10000, &m, 47), 24);
    CHECK_FAILS(oracle_query(o, 0x7FFFFFFF0000, &m, 48), 87);
    CHECK_FAILS(oracle_query(o, UINT64_MAX, &m, 48), 87);
    CHECK_FAILS(oracle_query(o, UINT64_MAX, &m, 0), 24);             /* length first */
    /* A failed query leaves the buffer alone. */
    vas_mbi before = m;
    CHECK_FAILS(oracle_query(o, UINT64_MAX, &m, 48), 87);
    CHECK_EQ(memcmp(&before, &m, sizeof m), 0);
    /* The last usable page answers. */
    oracle_set_last_error(o, 5);
    CHECK_QUERY(o, 0x7FFFFFFEFFFF, 0x7FFFFFFEF000, 0, 0, 0x1000, FREE, NA, 0);
    CHECK_EQ(oracle_last_error(o), 5);
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

/* G082, G083, G087: runs inside an allocation. */
static void test_runs(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x10000, R, NA), 0x50000000);
    CHECK_EQ(oracle_alloc(o, 0x5000F000, 0x1000, C, RW), 0x5000F000);
    CHECK_QUERY(o, 0x5000F700, 0x5000F000, 0x50000000, NA, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, 0x50000000, 0x50000000, 0x50000000, NA, 0xF000, RESERVE, 0, PRIVATE);
    /* Adjacent allocations with equal pages are separate regions. */
    CHECK_EQ(oracle_alloc(o, 0x50010000, 0x10000, R | C, RW), 0x50010000);
    CHECK_QUERY(o, 0x5000F000, 0x5000F000, 0x50000000, NA, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, 0x50010000, 0x50010000, 0x50010000, RW, 0x10000, COMMIT, RW, PRIVATE);
    /* Committing the rest coalesces the run. */
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0xF000, C, RW), 0x50000000);
    CHECK_QUERY(o, 0x50000000, 0x50000000, 0x50000000, NA, 0x10000, COMMIT, RW, PRIVATE);
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
        addr += m.region_size;
        regions++;
    }
    CHECK_EQ(addr, TOP);
    CHECK_EQ(regions, 5);  /* free, RO page, RW pages, free, reserved */
    CHECK_EQ(committed, oracle_commit_charge(o));
    oracle_destroy(o);
}

int main(void)
{
    test_returns();
    test_free_regions();
    test_runs();
    test_walk();
    return check_report("oracle_test_query");
}
