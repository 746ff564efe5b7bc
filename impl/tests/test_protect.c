/*
 * test_protect.c - vas_protect: the checks of docs/semantics.md section 4
 * in order, the G066 table, old protection, splitting and merging, and the
 * sticky cache attribute (G074, G075).
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull
#define NOCACHE VAS_PAGE_NOCACHE
#define GUARD VAS_PAGE_GUARD

static void test_argument_checks(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old = 0x77;
    CHECK_EQ(vas_alloc(v, A, 0x4000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x2000, COMMIT, RW), A);
    /* 1. NULL old (G067), even when the rest is also wrong */
    CHECK_FAILS(v, vas_protect(v, A, 0x1000, RO, NULL), VAS_ERROR_NOACCESS);
    CHECK_FAILS(v, vas_protect(v, 0, 0, 0, NULL), VAS_ERROR_NOACCESS);
    /* 2. invalid protection: old untouched */
    CHECK_FAILS(v, vas_protect(v, A, 0x1000, RW | VAS_PAGE_EXECUTE_WRITECOPY, &old), E87);
    CHECK_FAILS(v, vas_protect(v, A + 0x3000, 0x1000, 0, &old), E87);
    CHECK_EQ(old, 0x77);
    /* 3. size 0, address range, overflow */
    CHECK_FAILS(v, vas_protect(v, A, 0, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, X64_MAX + 1, 0x1000, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, X64_MAX, 2, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, A, UINT64_MAX, RO, &old), E87);
    CHECK_EQ(old, 0x77);
    /* 4. not committed / free / past the end: 487 and old = NOACCESS (G073);
     * below MIN is free memory too (G072) */
    CHECK_FAILS(v, vas_protect(v, 0x1000, 0x1000, RO, &old), E487);
    CHECK_EQ(old, NA);
    old = 0x77;
    CHECK_FAILS(v, vas_protect(v, A + 0x3000, 0x1000, RO, &old), E487);   /* G061 */
    CHECK_EQ(old, NA);
    old = 0x77;
    CHECK_FAILS(v, vas_protect(v, A + 0x1000, 0x2000, RO, &old), E487);   /* G062 */
    CHECK_EQ(old, NA);
    old = 0x77;
    CHECK_FAILS(v, vas_protect(v, A + 0x10000, 0x1000, RO, &old), E487);  /* free */
    CHECK_EQ(old, NA);
    old = 0x77;
    CHECK_FAILS(v, vas_protect(v, A, 0x5000, RO, &old), E487);            /* past the end */
    CHECK_EQ(old, NA);
    vas_destroy(v);
}

static void test_table(void)
{
    /* G066: from NOACCESS, exactly six values succeed. */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE | COMMIT, NA), A);
    for (uint32_t p = 0; p <= 0xF0; p++) {
        uint32_t old = 0;
        int ok_expected = p == 0x01 || p == 0x02 || p == 0x04 || p == 0x10 || p == 0x20 || p == 0x40;
        MARK(v);
        int ok = vas_protect(v, A, 0x1000, p, &old);
        CHECK_EQ(ok, ok_expected);
        if (ok) {
            CHECK_EQ(old, NA);
            CHECK_REGION(v, A, A, A, NA, 0x1000, COMMIT, p);
            CHECK_EQ(vas_protect(v, A, 0x1000, NA, &old), 1);
            CHECK_EQ(old, p);
        } else {
            CHECK_ERR(v, E87);
            CHECK_REGION(v, A, A, A, NA, 0x1000, COMMIT, NA);
        }
    }
    vas_destroy(v);
}

static void test_split_and_merge(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old = 0;
    CHECK_EQ(vas_alloc(v, A, 0x4000, RESERVE | COMMIT, RW), A);
    /* G069: sub-page range covers its page; G063 old value */
    MARK(v);
    CHECK_EQ(vas_protect(v, A + 0x1001, 1, RO, &old), 1);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_EQ(old, RW);
    CHECK_REGION(v, A, A, A, RW, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, RW, 0x1000, COMMIT, RO);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, RW, 0x2000, COMMIT, RW);
    /* old is the first page's protection, across different runs */
    CHECK_EQ(vas_protect(v, A + 0x1000, 0x2000, VAS_PAGE_EXECUTE_READ, &old), 1);
    CHECK_EQ(old, RO);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, RW, 0x2000, COMMIT, VAS_PAGE_EXECUTE_READ);
    /* G070: restoring merges back into one region */
    CHECK_EQ(vas_protect(v, A + 0x1000, 0x2000, RW, &old), 1);
    CHECK_REGION(v, A, A, A, RW, 0x4000, COMMIT, RW);
    /* G079: the guard bit round trip */
    CHECK_EQ(vas_protect(v, A, 0x1000, RW | GUARD, &old), 1);
    CHECK_EQ(old, RW);
    CHECK_EQ(vas_protect(v, A, 0x1000, RW, &old), 1);
    CHECK_EQ(old, RW | GUARD);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_sticky_cache_attribute(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old = 0;
    uint64_t a = vas_alloc(v, 0, 0x2000, COMMIT, RW | NOCACHE);
    CHECK(a != 0);
    /* G074 */
    CHECK_EQ(vas_protect(v, a, 0x1000, RW, &old), 1);
    CHECK_EQ(old, RW | NOCACHE);
    CHECK_REGION(v, a, a, a, RW | NOCACHE, 0x2000, COMMIT, RW | NOCACHE);
    /* G075 */
    CHECK_EQ(vas_protect(v, a, 0x1000, RO, &old), 1);
    CHECK_EQ(old, RW | NOCACHE);
    CHECK_REGION(v, a, a, a, RW | NOCACHE, 0x1000, COMMIT, RO | NOCACHE);
    /* naming the other attribute changes nothing: it belongs to the commit */
    CHECK_EQ(vas_protect(v, a, 0x1000, RO | VAS_PAGE_WRITECOMBINE, &old), 1);
    CHECK_EQ(old, RO | NOCACHE);
    CHECK_REGION(v, a, a, a, RW | NOCACHE, 0x1000, COMMIT, RO | NOCACHE);
    /* [decision] dropped when keeping it would be invalid: NOACCESS, GUARD */
    CHECK_EQ(vas_protect(v, a, 0x1000, NA, &old), 1);
    CHECK_REGION(v, a, a, a, RW | NOCACHE, 0x1000, COMMIT, NA);
    CHECK_EQ(vas_protect(v, a + 0x1000, 0x1000, RW | GUARD, &old), 1);
    CHECK_EQ(old, RW | NOCACHE);
    CHECK_REGION(v, a + 0x1000, a + 0x1000, a, RW | NOCACHE, 0x1000, COMMIT, RW | GUARD);
    /* once gone it does not come back */
    CHECK_EQ(vas_protect(v, a, 0x2000, RW, &old), 1);
    CHECK_REGION(v, a, a, a, RW | NOCACHE, 0x2000, COMMIT, RW);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_per_page_cache_bits(void)
{
    /* Each page keeps its own attribute: a range over mixed pages splits. */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old = 0;
    CHECK_EQ(vas_alloc(v, A, 0x3000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x1000, COMMIT, RW | NOCACHE), A);
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x1000, COMMIT, RW), A + 0x1000);
    CHECK_EQ(vas_alloc(v, A + 0x2000, 0x1000, COMMIT, RW | VAS_PAGE_WRITECOMBINE), A + 0x2000);
    CHECK_EQ(vas_protect(v, A, 0x3000, RO, &old), 1);
    CHECK_EQ(old, RW | NOCACHE);
    CHECK_REGION(v, A, A, A, NA, 0x1000, COMMIT, RO | NOCACHE);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, NA, 0x1000, COMMIT, RO);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, NA, 0x1000, COMMIT, RO | VAS_PAGE_WRITECOMBINE);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

int main(void)
{
    test_argument_checks();
    test_table();
    test_split_and_merge();
    test_sticky_cache_attribute();
    test_per_page_cache_bits();
    return check_report("impl_protect");
}
