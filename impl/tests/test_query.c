/*
 * test_query.c - vas_query: the checks of docs/semantics.md section 5,
 * free regions (below MIN, between allocations, up to MAX), and run
 * coalescing (G083, G087) clipped to the allocation.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull
#define FREE VAS_MEM_FREE

static void test_errors(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    vas_mbi m;
    /* 1. short buffer (G090) */
    MARK(v);
    CHECK_EQ(vas_query(v, A, &m, 47), 0);
    CHECK_ERR(v, VAS_ERROR_BAD_LENGTH);
    MARK(v);
    CHECK_EQ(vas_query(v, X64_MAX + 1, &m, 0), 0);   /* length checked first */
    CHECK_ERR(v, VAS_ERROR_BAD_LENGTH);
    /* 2. beyond MAX (G089) */
    MARK(v);
    CHECK_EQ(vas_query(v, X64_MAX + 1, &m, sizeof m), 0);
    CHECK_ERR(v, E87);
    MARK(v);
    CHECK_EQ(vas_query(v, UINT64_MAX, &m, sizeof m), 0);
    CHECK_ERR(v, E87);
    /* success leaves last-error alone, returns 48 (G081) */
    MARK(v);
    CHECK_EQ(vas_query(v, X64_MAX, &m, sizeof m), 48);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_REGION(v, X64_MAX, X64_MAX - 0xFFF, 0, 0, 0x1000, FREE, NA);
    vas_destroy(v);

    vas_t *x86 = space_new(VAS_PROFILE_X86, 0);
    CHECK_EQ(vas_query(x86, 0, &m, 27), 0);
    CHECK_ERR(x86, VAS_ERROR_BAD_LENGTH);
    CHECK_EQ(vas_query(x86, 0x7FFF0000, &m, 28), 0);
    CHECK_ERR(x86, E87);
    vas_destroy(x86);
}

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

static void test_runs(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old;
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE, VAS_PAGE_EXECUTE_READWRITE), A);
    /* G082: reserved pages report protect 0; allocation protect as given */
    CHECK_REGION(v, A + 0x5123, A + 0x5000, A, VAS_PAGE_EXECUTE_READWRITE, 0xB000, RESERVE, 0);
    CHECK_EQ(vas_alloc(v, A + 0xF000, 0x1000, COMMIT, RW), A + 0xF000);
    CHECK_REGION(v, A + 0xF700, A + 0xF000, A, VAS_PAGE_EXECUTE_READWRITE, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, VAS_PAGE_EXECUTE_READWRITE, 0xE000, RESERVE, 0);
    /* commits made separately with equal protection coalesce (G087) */
    CHECK_EQ(vas_alloc(v, A + 0x2000, 0x1000, COMMIT, RW), A + 0x2000);
    CHECK_EQ(vas_alloc(v, A + 0x4000, 0x1000, COMMIT, RW), A + 0x4000);
    CHECK_EQ(vas_alloc(v, A + 0x3000, 0x1000, COMMIT, RW), A + 0x3000);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, VAS_PAGE_EXECUTE_READWRITE, 0x3000, COMMIT, RW);
    CHECK_EQ(vas_protect(v, A + 0x3000, 0x1000, RO, &old), 1);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, VAS_PAGE_EXECUTE_READWRITE, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x3000, A + 0x3000, A, VAS_PAGE_EXECUTE_READWRITE, 0x1000, COMMIT, RO);
    CHECK_EQ(vas_protect(v, A + 0x3000, 0x1000, RW, &old), 1);
    /* decommitting the middle splits, re-committing merges */
    CHECK_EQ(vas_free(v, A + 0x3000, 0x1000, VAS_MEM_DECOMMIT), 1);
    CHECK_REGION(v, A + 0x3000, A + 0x3000, A, VAS_PAGE_EXECUTE_READWRITE, 0x1000, RESERVE, 0);
    CHECK_EQ(vas_free(v, A + 0x2000, 0x3000, VAS_MEM_DECOMMIT), 1);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, VAS_PAGE_EXECUTE_READWRITE, 0xE000, RESERVE, 0);
    /* runs never extend past the allocation into a neighbour with equal attributes */
    CHECK_EQ(vas_alloc(v, A + 0x10000, 0x10000, RESERVE | COMMIT, RW), A + 0x10000);
    CHECK_REGION(v, A + 0xF000, A + 0xF000, A, VAS_PAGE_EXECUTE_READWRITE, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x10000, A + 0x10000, A + 0x10000, RW, 0x10000, COMMIT, RW);
    /* walking the whole map visits every region once */
    static map_snapshot s;
    snapshot_take(v, &s);
    /* free below, reserved + committed runs of the first allocation, the
     * second allocation, the free tail */
    CHECK_EQ(s.count, 5);
    CHECK_EQ(s.regions[1].region_size, 0xF000);
    CHECK_EQ(s.regions[2].base_address, A + 0xF000);
    CHECK_EQ(s.regions[3].allocation_base, A + 0x10000);
    CHECK_EQ(s.regions[4].state, FREE);
    vas_destroy(v);
}

int main(void)
{
    test_errors();
    test_free_regions();
    test_runs();
    return check_report("impl_query");
}
