/*
 * test_alloc.c - vas_alloc: every check of docs/semantics.md section 2 in
 * order, the G017 rounding table, reserve / commit / reset behaviour,
 * placement (bottom-up, top-down, no room) and the profiles' limits.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull

static void test_argument_checks(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    /* 1. size 0 */
    CHECK_FAILS(v, vas_alloc(v, 0, 0, COMMIT, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, A, 0, RESERVE, RW), E87);
    /* 2. unknown type bits (AT_ROUND_TO_PAGE, LARGE_PAGES, PHYSICAL, DECOMMIT) */
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, COMMIT | 0x40000000u, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, COMMIT | RESERVE | VAS_MEM_LARGE_PAGES, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, RESERVE | VAS_MEM_PHYSICAL, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, COMMIT | VAS_MEM_DECOMMIT, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, 0x1u, RW), E87);
    /* 3. RESET / RESET_UNDO alone only */
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, VAS_MEM_RESET | COMMIT, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, VAS_MEM_RESET | RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, VAS_MEM_RESET | VAS_MEM_RESET_UNDO, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, VAS_MEM_RESET_UNDO | VAS_MEM_TOP_DOWN, RW), E87);
    /* 4. COMMIT or RESERVE needed; WRITE_WATCH needs RESERVE */
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, 0, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, VAS_MEM_TOP_DOWN, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, VAS_MEM_WRITE_WATCH, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, VAS_MEM_WRITE_WATCH | COMMIT, RW), E87);
    /* 5. protection must be valid, for reset too */
    static const uint32_t bad[] = {0, VAS_PAGE_WRITECOPY, VAS_PAGE_EXECUTE_WRITECOPY, RW | RO,
                                   NA | VAS_PAGE_GUARD, NA | VAS_PAGE_NOCACHE,
                                   RW | VAS_PAGE_GUARD | VAS_PAGE_NOCACHE,
                                   RW | VAS_PAGE_NOCACHE | VAS_PAGE_WRITECOMBINE, 0x800, RW | 0x1000,
                                   VAS_PAGE_GUARD};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, COMMIT, bad[i]), E87);
        CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, RESERVE, bad[i]), E87);
    }
    /* 6. address range */
    CHECK_FAILS(v, vas_alloc(v, 0x1000, 0x1000, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0xFFFF, 0x1000, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, X64_MAX + 1, 0x1000, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, X64_MAX + 2 - 0x10000, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, UINT64_MAX, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, X64_MAX - 0xFFF, 0x1001, RESERVE, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0x7FFFFFFE0000ull, UINT64_MAX - 0x7FFFFFFE0000ull + 2, RESERVE, RW), E87);
    /* 7. reset needs an address */
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, VAS_MEM_RESET, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, VAS_MEM_RESET_UNDO, RW), E87);
    /* order: a bad protection beats the missing reset address, and both
     * beat a 487 the same call would otherwise get */
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, VAS_MEM_RESET, 0), E87);
    /* The last page of the space can be reserved. */
    MARK(v);
    CHECK_EQ(vas_alloc(v, X64_MAX - 0xFFF, 0x1000, RESERVE, RW), X64_MAX + 1 - 0x10000);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_REGION(v, X64_MAX, X64_MAX - 0xFFF, X64_MAX + 1 - 0x10000, RW, 0x1000, RESERVE, 0);
    vas_destroy(v);
}

static void test_rounding_table(void)
{
    /* G017 */
    static const struct { uint64_t addr, size, base, rsize; } rows[] = {
        {0x50000000, 0x1, 0x50000000, 0x1000},    {0x50008000, 0x1, 0x50000000, 0x9000},
        {0x50000010, 0x1000, 0x50000000, 0x2000}, {0x50010000, 0x2000, 0x50010000, 0x2000},
        {0x5000FFFF, 0x3000, 0x50000000, 0x13000}, {0x50001010, 0x7000, 0x50000000, 0x9000},
        {0x50001010, 0xC000, 0x50000000, 0xE000}, {0x50001010, 0x1000, 0x50000000, 0x3000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        vas_t *v = space_new(VAS_PROFILE_X64, 0);
        CHECK_EQ(vas_alloc(v, rows[i].addr, rows[i].size, RESERVE, NA), rows[i].base);
        CHECK_REGION(v, rows[i].base, rows[i].base, rows[i].base, NA, rows[i].rsize, RESERVE, 0);
        vas_destroy(v);
    }
    /* G018: reserve+commit at an unaligned address commits from the granule */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, 0x50004080, 0x1000, RESERVE | COMMIT, RW), A);
    CHECK_REGION(v, A, A, A, RW, 0x6000, COMMIT, RW);
    CHECK_EQ(vas_commit_charge(v), 0x6000);
    CHECK_REGION(v, A + 0x6000, A + 0x6000, 0, 0, X64_MAX + 1 - (A + 0x6000), VAS_MEM_FREE, NA);
    vas_destroy(v);
}

static void test_reserve_conflicts(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x3000, RESERVE, NA), A);
    /* G019: same granule, beyond the reservation's pages */
    CHECK_FAILS(v, vas_alloc(v, A + 0x8000, 0x1000, RESERVE, NA), E487);
    CHECK_FAILS(v, vas_alloc(v, A, 0x1000, RESERVE | COMMIT, RW), E487);
    /* a range reaching into the next allocation from below */
    CHECK_EQ(vas_alloc(v, A + 0x20000, 0x1000, RESERVE, NA), A + 0x20000);
    CHECK_FAILS(v, vas_alloc(v, A + 0x10000, 0x11000, RESERVE, NA), E487);
    CHECK_EQ(vas_alloc(v, A + 0x10000, 0x10000, RESERVE, NA), A + 0x10000);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_commit(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A + 0x20000, 0x10000, RESERVE, NA), A + 0x20000);
    /* G013: past the end of the reservation; G014 across two; G015 free */
    CHECK_FAILS(v, vas_alloc(v, A + 0xF000, 0x2000, COMMIT, RW), E487);
    CHECK_FAILS(v, vas_alloc(v, A + 0x10000, 0x1000, COMMIT, RW), E487);
    CHECK_FAILS(v, vas_alloc(v, A + 0x4000, 0x30000, COMMIT, RW), E487);
    /* page rounding: returns the page-rounded start */
    MARK(v);
    CHECK_EQ(vas_alloc(v, A + 0x1FFF, 2, COMMIT, RW), A + 0x1000);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_REGION(v, A, A, A, NA, 0x1000, RESERVE, 0);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, NA, 0x2000, COMMIT, RW);
    CHECK_REGION(v, A + 0x3000, A + 0x3000, A, NA, 0xD000, RESERVE, 0);
    CHECK_EQ(vas_commit_charge(v), 0x2000);
    /* G010 / G011: re-commit succeeds, takes the new protection whole */
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x1000, COMMIT, RW), A + 0x1000);
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x3000, COMMIT, RO | VAS_PAGE_GUARD), A + 0x1000);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, NA, 0x3000, COMMIT, RO | VAS_PAGE_GUARD);
    CHECK_EQ(vas_commit_charge(v), 0x3000);
    /* commit with address 0 is reserve+commit (G006, G029) */
    uint64_t b = vas_alloc(v, 0, 0x1800, COMMIT, RW | VAS_PAGE_NOCACHE);
    CHECK(b != 0 && b % 0x10000 == 0);
    CHECK_REGION(v, b, b, b, RW | VAS_PAGE_NOCACHE, 0x2000, COMMIT, RW | VAS_PAGE_NOCACHE);
    CHECK_EQ(vas_commit_charge(v), 0x5000);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_reset(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x4000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x1000, COMMIT, RW), A);
    CHECK_EQ(vas_write(v, A + 10, "hi", 2, NULL), VAS_STATUS_SUCCESS);
    static map_snapshot before, after;
    snapshot_take(v, &before);
    /* G025: reserved pages are fine; returns the page start */
    CHECK_EQ(vas_alloc(v, A + 0x10, 0x3000, VAS_MEM_RESET, RW), A);
    CHECK_EQ(vas_alloc(v, A + 0x2000, 0x10, VAS_MEM_RESET_UNDO, NA), A + 0x2000);
    snapshot_take(v, &after);
    CHECK(snapshot_equal(&before, &after));
    char got[2];
    CHECK_EQ(vas_read(v, A + 10, got, 2, NULL), VAS_STATUS_SUCCESS);
    CHECK(got[0] == 'h' && got[1] == 'i');   /* [decision] contents kept */
    /* G026: past the end, or in free memory */
    CHECK_FAILS(v, vas_alloc(v, A + 0x3000, 0x2000, VAS_MEM_RESET, RW), E487);
    CHECK_FAILS(v, vas_alloc(v, A + 0x10000, 0x1000, VAS_MEM_RESET, RW), E487);
    vas_destroy(v);
}

static void test_placement(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    /* bottom-up first fit from MIN */
    CHECK_EQ(vas_alloc(v, 0, 1, RESERVE, NA), 0x10000);
    CHECK_EQ(vas_alloc(v, 0, 0x10001, RESERVE, NA), 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE, NA), 0x40000);
    CHECK_REGION(v, 0x20000, 0x20000, 0x20000, NA, 0x11000, RESERVE, 0);
    CHECK_REGION(v, 0x31000, 0x31000, 0, 0, 0xF000, VAS_MEM_FREE, NA);
    /* a hole is reused */
    CHECK_EQ(vas_free(v, 0x20000, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(vas_alloc(v, 0, 0x20000, RESERVE, NA), 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE, NA), 0x50000);
    /* top-down: highest granule base that fits below MAX */
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE | VAS_MEM_TOP_DOWN, NA), X64_MAX + 1 - 0x10000);
    CHECK_EQ(vas_alloc(v, 0, 0x10001, RESERVE | VAS_MEM_TOP_DOWN, NA), X64_MAX + 1 - 0x10000 - 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x2000, COMMIT | VAS_MEM_TOP_DOWN, RW), X64_MAX + 1 - 0x40000);
    /* TOP_DOWN is ignored with an address */
    CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE | VAS_MEM_TOP_DOWN, NA), A);
    /* WRITE_WATCH with RESERVE is accepted */
    CHECK(vas_alloc(v, 0, 0x1000, RESERVE | VAS_MEM_WRITE_WATCH, NA) != 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_profiles(void)
{
    vas_t *x86 = space_new(VAS_PROFILE_X86, 0);
    vas_t *laa = space_new(VAS_PROFILE_X86_LAA, 0);
    CHECK_EQ(vas_get_config(x86)->max_address, 0x7FFEFFFF);
    CHECK_EQ(vas_get_config(laa)->max_address, 0xFFFEFFFF);
    CHECK_FAILS(x86, vas_alloc(x86, 0x7FFF0000, 0x1000, RESERVE, NA), E87);
    CHECK_FAILS(x86, vas_alloc(x86, 0x7FFE0000, 0x10001, RESERVE, NA), E87);
    CHECK_FAILS(x86, vas_alloc(x86, 0, 0x7FFE0001, RESERVE, NA), E87);
    CHECK_EQ(vas_alloc(x86, 0x7FFE0000, 0x10000, RESERVE, NA), 0x7FFE0000);
    CHECK_EQ(vas_alloc(laa, 0x80000000, 0x1000, RESERVE, NA), 0x80000000);
    CHECK_EQ(vas_alloc(laa, 0, 0x1000, RESERVE | VAS_MEM_TOP_DOWN, NA), 0xFFFE0000);
    CHECK_EQ(vas_alloc(x86, 0, 0x1000, RESERVE | VAS_MEM_TOP_DOWN, NA), 0x7FFD0000);
    /* the whole x86 space in one reservation, then no room (8) */
    vas_t *full = space_new(VAS_PROFILE_X86, 0);
    CHECK_EQ(vas_alloc(full, 0, 0x7FFE0000, RESERVE, NA), 0x10000);
    CHECK_FAILS(full, vas_alloc(full, 0, 0x1000, RESERVE, NA), VAS_ERROR_NOT_ENOUGH_MEMORY);
    CHECK_FAILS(full, vas_alloc(full, 0, 0x1000, COMMIT | VAS_MEM_TOP_DOWN, RW), VAS_ERROR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(vas_free(full, 0x10000, 0, VAS_MEM_RELEASE), 1);
    /* a granule left free but too small for 0x10001 bytes */
    CHECK_EQ(vas_alloc(full, 0x20000, 0x7FFD0000, RESERVE, NA), 0x20000);
    CHECK_EQ(vas_alloc(full, 0, 0x10000, RESERVE, NA), 0x10000);
    CHECK_EQ(vas_free(full, 0x10000, 0, VAS_MEM_RELEASE), 1);
    CHECK_FAILS(full, vas_alloc(full, 0, 0x10001, RESERVE, NA), VAS_ERROR_NOT_ENOUGH_MEMORY);
    CHECK_FAILS(full, vas_alloc(full, 0, 0x10001, RESERVE | VAS_MEM_TOP_DOWN, NA), VAS_ERROR_NOT_ENOUGH_MEMORY);
    /* an MBI is 28 bytes on x86 profiles */
    vas_mbi m;
    CHECK_EQ(vas_query(x86, 0, &m, 28), 28);
    CHECK_EQ(vas_query(laa, 0, &m, sizeof m), 28);
    /* inconsistent configurations are refused */
    vas_config cfg;
    vas_config_default(&cfg, VAS_PROFILE_X86);
    cfg.max_address = 0xFFFEFFFF;
    CHECK(vas_create(&cfg) == NULL);
    vas_config_default(&cfg, VAS_PROFILE_X64);
    cfg.min_address = 0x1000;
    CHECK(vas_create(&cfg) == NULL);
    cfg.min_address = 0x10000;
    cfg.max_address = 0x7FFFFFFEFFFE;
    CHECK(vas_create(&cfg) == NULL);
    cfg.profile = (vas_profile)7;
    CHECK(vas_create(&cfg) == NULL);
    /* host-backed: while no host window exists, creation must fail cleanly */
    vas_config_default(&cfg, VAS_PROFILE_X64);
    vas_t *nul = vas_create(NULL);
    CHECK(nul != NULL);
    CHECK(vas_host_pointer(nul, 0x10000) == NULL);
    vas_destroy(nul);
    vas_destroy(x86);
    vas_destroy(laa);
    vas_destroy(full);
}

int main(void)
{
    test_argument_checks();
    test_rounding_table();
    test_reserve_conflicts();
    test_commit();
    test_reset();
    test_placement();
    test_profiles();
    return check_report("impl_alloc");
}
