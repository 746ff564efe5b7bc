/*
 * test_query.c - what vas_query reports that no conformance case can
 * state: the free regions of a fresh space (below MIN, between
 * allocations, up to MAX: no Windows process starts empty) and a whole-map
 * walk. Errors, runs and coalescing are cases in conformance/cases/query,
 * run on every backend.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull
#define FREE VAS_MEM_FREE

static void test_free_regions(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    /* empty space: one free region from the queried page to MAX */
    CHECK_REGION(v, 0, 0, 0, 0, X64_MAX + 1, FREE, NA);
    CHECK_REGION(v, 0x1234, 0x1000, 0, 0, X64_MAX + 1 - 0x1000, FREE, NA);
    CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A + 0x30000, 0x1000, RESERVE, NA), A + 0x30000);
    /* below MIN is free too, up to the first allocation */
    CHECK_REGION(v, 0x0, 0, 0, 0, A, FREE, NA);
    /* the tail of the first allocation's granule is free */
    CHECK_REGION(v, A + 0x1000, A + 0x1000, 0, 0, 0x2F000, FREE, NA);
    CHECK_REGION(v, A + 0x31000, A + 0x31000, 0, 0, X64_MAX + 1 - (A + 0x31000), FREE, NA);
    vas_destroy(v);
}

static void test_walk(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE, VAS_PAGE_EXECUTE_READWRITE), A);
    CHECK_EQ(vas_alloc(v, A + 0xF000, 0x1000, COMMIT, RW), A + 0xF000);
    CHECK_EQ(vas_alloc(v, A + 0x10000, 0x10000, RESERVE | COMMIT, RW), A + 0x10000);
    /* walking the whole map visits every region once: free below, the
     * reserved and committed runs of the first allocation, the second
     * allocation, the free tail */
    static map_snapshot s;
    snapshot_take(v, &s);
    CHECK_EQ(s.count, 5);
    CHECK_EQ(s.regions[1].region_size, 0xF000);
    CHECK_EQ(s.regions[2].base_address, A + 0xF000);
    CHECK_EQ(s.regions[3].allocation_base, A + 0x10000);
    CHECK_EQ(s.regions[4].state, FREE);
    CHECK_EQ(s.regions[4].base_address + s.regions[4].region_size, X64_MAX + 1);
    vas_destroy(v);
}

int main(void)
{
    test_free_regions();
    test_walk();
    return check_report("impl_query");
}
