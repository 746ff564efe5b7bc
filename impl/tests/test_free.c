/*
 * test_free.c - vas_free: the checks of docs/semantics.md section 3 in
 * order, release, decommit with and without a size, and what decommit does
 * to contents and the commit charge.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull
#define DECOMMIT VAS_MEM_DECOMMIT
#define RELEASE VAS_MEM_RELEASE

static void test_argument_checks(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE | COMMIT, RW), A);
    /* 1. type exactly DECOMMIT or RELEASE (G037, G038, G053) */
    CHECK_FAILS(v, vas_free(v, A, 0, 0), E87);
    CHECK_FAILS(v, vas_free(v, A, 0, DECOMMIT | RELEASE), E87);
    CHECK_FAILS(v, vas_free(v, A, 0, RELEASE | VAS_MEM_COMMIT), E87);
    CHECK_FAILS(v, vas_free(v, A, 0, VAS_MEM_FREE), E87);
    /* 2. address range */
    CHECK_FAILS(v, vas_free(v, 0, 0, RELEASE), E87);
    CHECK_FAILS(v, vas_free(v, 0xFFFF, 0x1000, DECOMMIT), E87);
    CHECK_FAILS(v, vas_free(v, X64_MAX + 1, 0, RELEASE), E87);
    CHECK_FAILS(v, vas_free(v, X64_MAX, 2, DECOMMIT), E87);
    CHECK_FAILS(v, vas_free(v, A, UINT64_MAX, DECOMMIT), E87);
    /* 3. release with a size (G039): 87 even at the base, before 487 */
    CHECK_FAILS(v, vas_free(v, A, 0x10000, RELEASE), E87);
    CHECK_FAILS(v, vas_free(v, A + 0x20000, 0x1000, RELEASE), E87);
    /* 4. start in no allocation (G045, G046) */
    CHECK_FAILS(v, vas_free(v, A + 0x10000, 0, RELEASE), E487);
    CHECK_FAILS(v, vas_free(v, A + 0x10000, 0x1000, DECOMMIT), E487);
    CHECK_FAILS(v, vas_free(v, 0x10000, 0, DECOMMIT), E487);
    /* release / decommit size 0 not at the base (G043) */
    CHECK_FAILS(v, vas_free(v, A + 0x1000, 0, RELEASE), E487);
    CHECK_FAILS(v, vas_free(v, A + 0x1000, 0, DECOMMIT), E487);
    /* decommit past the end (G047, G051) */
    CHECK_FAILS(v, vas_free(v, A + 0xF000, 0x1001, DECOMMIT), E87);
    CHECK_FAILS(v, vas_free(v, A + 1, 0x10000, DECOMMIT), E87);
    vas_destroy(v);

    /* G046: same granule, outside the reservation */
    v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x3000, RESERVE, NA), A);
    CHECK_FAILS(v, vas_free(v, A + 0x8000, 0, RELEASE), E487);
    /* G047: one-page reservation, decommit 0x1001 */
    CHECK_FAILS(v, vas_free(v, A, 0x3001, DECOMMIT), E87);
    vas_destroy(v);
}

static void test_release(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x8000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A + 0x2000, 0x2000, COMMIT, RW), A + 0x2000);
    CHECK_EQ(vas_commit_charge(v), 0x2000);
    MARK(v);
    /* G054: partially committed, released whole; rounding down to the base */
    CHECK_EQ(vas_free(v, A + 0x1000, 0, RELEASE), 0);  /* not the base */
    CHECK_ERR(v, E487);
    MARK(v);
    CHECK_EQ(vas_free(v, A, 0, RELEASE), 1);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_EQ(vas_commit_charge(v), 0);
    CHECK_REGION(v, A, A, 0, 0, X64_MAX + 1 - A, VAS_MEM_FREE, NA);
    /* G045: twice */
    CHECK_FAILS(v, vas_free(v, A, 0, RELEASE), E487);
    /* contents are gone with the allocation */
    CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE | COMMIT, RW), A);
    CHECK_EQ(vas_write(v, A, "x", 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_free(v, A, 0, RELEASE), 1);
    CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE | COMMIT, RW), A);
    char c = 1;
    CHECK_EQ(vas_read(v, A, &c, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(c, 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_decommit(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE | COMMIT, RW), A);
    CHECK_EQ(vas_commit_charge(v), 0x10000);
    /* G050: rounds outward to pages */
    CHECK_EQ(vas_free(v, A + 0x1FFF, 2, DECOMMIT), 1);
    CHECK_REGION(v, A, A, A, RW, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, RW, 0x2000, RESERVE, 0);
    CHECK_REGION(v, A + 0x3000, A + 0x3000, A, RW, 0xD000, COMMIT, RW);
    CHECK_EQ(vas_commit_charge(v), 0xE000);
    /* G041: decommitting reserved pages again succeeds, charge unchanged */
    CHECK_EQ(vas_free(v, A + 0x1000, 0x2000, DECOMMIT), 1);
    CHECK_EQ(vas_commit_charge(v), 0xE000);
    /* sub-page range decommits its page */
    CHECK_EQ(vas_free(v, A + 1, 0xFFF, DECOMMIT), 1);
    CHECK_REGION(v, A, A, A, RW, 0x3000, RESERVE, 0);
    /* G049: size 0 at the base (after rounding down) decommits everything */
    CHECK_FAILS(v, vas_free(v, A + 0x1000, 0, DECOMMIT), E487);
    CHECK_EQ(vas_free(v, A + 0x0, 0, DECOMMIT), 1);
    CHECK_REGION(v, A, A, A, RW, 0x10000, RESERVE, 0);
    CHECK_EQ(vas_commit_charge(v), 0);
    /* G042: decommitted pages fault */
    uint64_t fault = 0;
    char c;
    CHECK_EQ(vas_read(v, A + 0x10, &c, 1, &fault), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(fault, A + 0x10);
    /* decommit drops contents and guard bits */
    CHECK_EQ(vas_alloc(v, A, 0x2000, COMMIT, RW), A);
    CHECK_EQ(vas_write(v, A + 0x1000, "abc", 3, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_free(v, A + 0x1000, 0x1000, DECOMMIT), 1);
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x1000, COMMIT, RW), A + 0x1000);
    char buf[3] = {1, 1, 1};
    CHECK_EQ(vas_read(v, A + 0x1000, buf, 3, NULL), VAS_STATUS_SUCCESS);
    CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_decommit_at_page_in_base_page(void)
{
    /* G049 exactly: VirtualFree(a + 0xFFE, 0, MEM_DECOMMIT) succeeds because
     * a + 0xFFE rounds down to the base page. */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x3000, RESERVE | COMMIT, RW), A);
    MARK(v);
    CHECK_EQ(vas_free(v, A + 0xFFE, 0, DECOMMIT), 1);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_REGION(v, A, A, A, RW, 0x3000, RESERVE, 0);
    /* and release at base + 0xFFE too */
    CHECK_EQ(vas_free(v, A + 0xFFE, 0, RELEASE), 1);
    CHECK_REGION(v, A, A, 0, 0, X64_MAX + 1 - A, VAS_MEM_FREE, NA);
    vas_destroy(v);
}

int main(void)
{
    test_argument_checks();
    test_release();
    test_decommit();
    test_decommit_at_page_in_base_page();
    return check_report("impl_free");
}
