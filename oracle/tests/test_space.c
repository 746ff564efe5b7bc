/*
 * test_space.c - what no conformance case can state about a whole space:
 * the configurations oracle_create refuses, placement in a fresh x64 space
 * (first fit, top-down: no Windows process starts empty), a reservation of
 * all of user space, and a larger run that prints its cost. The profiles'
 * limits and the commit limit are cases in conformance/cases/profiles and
 * charge, run on every backend.
 */
#include <string.h>
#include <time.h>
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define TOP_DOWN VAS_MEM_TOP_DOWN

static vas_config config(vas_profile profile, uint64_t max, uint64_t limit)
{
    vas_config c;
    memset(&c, 0, sizeof c);
    c.profile = profile;
    c.min_address = 0x10000;
    c.max_address = max;
    c.commit_limit = limit;
    return c;
}

static void test_create(void)
{
    vas_config c = config(VAS_PROFILE_X64, 0x7FFFFFFEFFFF, 0);
    oracle_t *o = oracle_create(&c);
    CHECK_EQ(o != NULL, 1);
    oracle_destroy(o);
    c.profile = (vas_profile)7;
    CHECK_EQ(oracle_create(&c) == NULL, 1);
    c = config(VAS_PROFILE_X86, 0x7FFEFFFE, 0);       /* max + 1 not page-aligned */
    CHECK_EQ(oracle_create(&c) == NULL, 1);
    c = config(VAS_PROFILE_X86, 0xFFFF, 0);           /* max below min */
    CHECK_EQ(oracle_create(&c) == NULL, 1);
    c = config(VAS_PROFILE_X86, 0x7FFEFFFF, 0);
    c.min_address = 0;
    CHECK_EQ(oracle_create(&c) == NULL, 1);
    oracle_destroy(NULL);
}

/* First fit from MIN, holes reused, top-down from MAX. */
static void test_placement(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0, 0x1000, R, NA), 0x10000);
    CHECK_EQ(oracle_alloc(o, 0, 0x10001, R, NA), 0x20000);  /* 0x11000 bytes */
    CHECK_EQ(oracle_alloc(o, 0, 0x1000, R, NA), 0x40000);
    CHECK_EQ(oracle_free(o, 0x20000, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(oracle_alloc(o, 0, 0x20001, R, NA), 0x50000);  /* the hole 0x20000..0x40000 is short */
    CHECK_EQ(oracle_alloc(o, 0, 0x20000, R, NA), 0x20000);  /* and exactly right for this */
    oracle_destroy(o);

    o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0x20000, 0x1000, R, NA), 0x20000);
    CHECK_EQ(oracle_alloc(o, 0, 0x10000, R, NA), 0x10000);  /* exactly fills the hole */
    CHECK_EQ(oracle_alloc(o, 0, 0x10000, R, NA), 0x30000);  /* 0x21000..0x30000 is not aligned */
    CHECK_EQ(oracle_alloc(o, 0, 0x1000, R | TOP_DOWN, NA), 0x7FFFFFFE0000);
    CHECK_EQ(oracle_alloc(o, 0, 0x10001, C | TOP_DOWN, RW), 0x7FFFFFFC0000);
    CHECK_QUERY(o, 0x7FFFFFFC0000, 0x7FFFFFFC0000, 0x7FFFFFFC0000, RW, 0x11000, COMMIT, RW, PRIVATE);
    /* 0x7FFFFFFD1000..0x7FFFFFFE0000 holds no granule boundary: next gap down. */
    CHECK_EQ(oracle_alloc(o, 0, 0x1000, TOP_DOWN | R, NA), 0x7FFFFFFB0000);
    /* TOP_DOWN is ignored at a fixed address. */
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x1000, R | TOP_DOWN, NA), 0x50000000);
    oracle_destroy(o);
}

/* A reservation of the whole x64 user space is cheap and exact. */
static void test_huge_reservation(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0, 0x7FFFFFFE0000, R, NA), 0x10000);
    CHECK_EQ(oracle_alloc(o, 0x400000000000, 0x2000, C, RW), 0x400000000000);
    uint8_t b = 7;
    CHECK_EQ(oracle_write(o, 0x400000001FFF, &b, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_QUERY(o, 0x10000, 0x10000, 0x10000, NA, 0x400000000000 - 0x10000, RESERVE, 0, PRIVATE);
    CHECK_QUERY(o, 0x400000000000, 0x400000000000, 0x10000, NA, 0x2000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, 0x400000002000, 0x400000002000, 0x10000, NA, 0x7FFFFFFF0000 - 0x400000002000,
                RESERVE, 0, PRIVATE);
    CHECK_EQ(oracle_commit_charge(o), 0x2000);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R | TOP_DOWN, NA), 8);
    CHECK_EQ(oracle_free(o, 0x10000, 0, VAS_MEM_DECOMMIT), 1);
    CHECK_QUERY(o, 0x10000, 0x10000, 0x10000, NA, 0x7FFFFFFE0000, RESERVE, 0, PRIVATE);
    CHECK_EQ(oracle_alloc(o, 0x400000000000, 0x2000, C, RW), 0x400000000000);
    b = 9;
    CHECK_EQ(oracle_read(o, 0x400000001FFF, &b, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(b, 0);  /* the decommit dropped the byte */
    CHECK_EQ(oracle_free(o, 0x10000, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(oracle_commit_charge(o), 0);
    oracle_destroy(o);
}

/* Many allocations, then a full-map walk after each of 100 operations, as
 * the differential fuzzer does. Prints what it cost; asserts only results. */
static void test_many_allocations(void)
{
    oracle_t *o = oracle_create(NULL);
    clock_t t0 = clock();
    for (uint64_t i = 0; i < 400; i++) {
        uint64_t a = oracle_alloc(o, 0, 0x1000 + (i % 7) * 0x3000, R | C, RW);
        CHECK_EQ(a != 0, 1);
        if (i % 3 == 0)
            CHECK_EQ(oracle_free(o, a, 0, VAS_MEM_RELEASE), 1);
    }
    uint64_t regions = 0;
    for (int op = 0; op < 100; op++) {
        uint64_t a = oracle_alloc(o, 0, 0x5000, (op & 1) ? R | C | TOP_DOWN : R | C, RW);
        CHECK_EQ(a != 0, 1);
        uint32_t old;
        CHECK_EQ(oracle_protect(o, a + 0x1000, 0x1000, VAS_PAGE_READONLY, &old), 1);
        vas_mbi m;
        for (uint64_t addr = 0; addr < 0x7FFFFFFF0000; addr = WALK_NEXT(addr, m)) {
            CHECK_EQ(oracle_query(o, addr, &m, sizeof m), 48);
            regions++;
        }
    }
    double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
    printf("400 allocations + 100 ops with full map walks (%llu queries): %.1f ms\n",
           (unsigned long long)regions, ms);
    oracle_destroy(o);
}

int main(void)
{
    test_create();
    test_placement();
    test_huge_reservation();
    test_many_allocations();
    return check_report("oracle_test_space");
}
