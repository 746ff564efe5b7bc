/*
 * test_free.c - oracle_free against the golden catalogue (section B) and
 * docs/semantics.md section 3.
 */
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define DECOMMIT VAS_MEM_DECOMMIT
#define RELEASE VAS_MEM_RELEASE

/* G037-G039, G053 and step 2: parameter checks. */
static void test_parameter_errors(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x10000, R | C, RW);
    CHECK_EQ(a, 0x10000);
    CHECK_FAILS(oracle_free(o, a, 0x10000, 0), 87);
    CHECK_FAILS(oracle_free(o, a, 0, VAS_MEM_FREE), 87);
    CHECK_FAILS(oracle_free(o, a, 0, DECOMMIT | RELEASE), 87);
    CHECK_FAILS(oracle_free(o, a, 1, RELEASE), 87);
    CHECK_FAILS(oracle_free(o, 0, 0, RELEASE), 87);                  /* below MIN */
    CHECK_FAILS(oracle_free(o, 0xF000, 0x2000, DECOMMIT), 87);
    CHECK_FAILS(oracle_free(o, 0x7FFFFFFF0000, 0, RELEASE), 87);     /* above MAX */
    CHECK_FAILS(oracle_free(o, a, UINT64_MAX, DECOMMIT), 87);        /* wraps */
    CHECK_FAILS(oracle_free(o, 0x7FFFFFFEF000, 0x1001, DECOMMIT), 87);
    /* Bounds come before the release-size rule and the lookup. */
    CHECK_FAILS(oracle_free(o, 0x7FFFFFFEF000, 0x1001, RELEASE), 87);
    CHECK_EQ(oracle_commit_charge(o), 0x10000);
    CHECK_QUERY(o, a, a, a, RW, 0x10000, COMMIT, RW, PRIVATE);
    /* G039 continued: size 0 then works. */
    oracle_set_last_error(o, 77);
    CHECK_EQ(oracle_free(o, a, 0, RELEASE), 1);
    CHECK_EQ(oracle_last_error(o), 77);
    CHECK_EQ(oracle_commit_charge(o), 0);
    oracle_destroy(o);
}

/* G043, G045, G046, G054, G057: release. */
static void test_release(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x10000, R | C, RW);
    CHECK_FAILS(oracle_free(o, a + 0x1000, 0, RELEASE), 487);        /* G043 */
    CHECK_EQ(oracle_free(o, a, 0, RELEASE), 1);
    CHECK_FAILS(oracle_free(o, a, 0, RELEASE), 487);                 /* G045 */
    CHECK_QUERY(o, a, a, 0, 0, 0x7FFFFFFF0000 - a, FREE, NA, 0);     /* G057 */

    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x3000, R, NA), 0x50000000);
    CHECK_FAILS(oracle_free(o, 0x50008000, 0, RELEASE), 487);        /* G046 */
    /* G054: mixed states, all released, charge returned. */
    CHECK_EQ(oracle_alloc(o, 0x50001000, 0x1000, C, RW), 0x50001000);
    CHECK_EQ(oracle_commit_charge(o), 0x1000);
    CHECK_EQ(oracle_free(o, 0x50000FFF, 0, RELEASE), 1);             /* rounds down to base */
    CHECK_EQ(oracle_commit_charge(o), 0);
    CHECK_QUERY(o, 0x50000000, 0x50000000, 0, 0, 0x7FFFFFFF0000 - 0x50000000, FREE, NA, 0);
    /* The space is usable again: the same address reserves anew, zero-filled. */
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x1000, R | C, RW), 0x50000000);
    uint8_t b = 0xFF;
    CHECK_EQ(oracle_read(o, 0x50000000, &b, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(b, 0);
    oracle_destroy(o);
}

/* G041, G042, G047, G049-G051: decommit. */
static void test_decommit(void)
{
    oracle_t *o = oracle_create(NULL);
    /* G041: reserved-only pages decommit fine. */
    uint64_t p = oracle_alloc(o, 0, 0x1000, R, NA);
    CHECK_EQ(oracle_free(o, p, 0x1000, DECOMMIT), 1);
    CHECK_QUERY(o, p, p, p, NA, 0x1000, RESERVE, 0, PRIVATE);
    /* G047: past the end of a one-page allocation. */
    CHECK_FAILS(oracle_free(o, p, 0x1001, DECOMMIT), 87);
    CHECK_FAILS(oracle_free(o, p + 1, 0x1000, DECOMMIT), 87);
    CHECK_EQ(oracle_free(o, p + 1, 0xFFF, DECOMMIT), 1);             /* G050 */

    /* G049: size 0 at the base (page-rounded) decommits everything. */
    uint64_t a = oracle_alloc(o, 0, 0x10000, R | C, RW);
    CHECK_EQ(a, 0x20000);
    CHECK_FAILS(oracle_free(o, a + 0x1000, 0, DECOMMIT), 487);
    CHECK_EQ(oracle_free(o, a + 0xFFE, 0, DECOMMIT), 1);
    CHECK_QUERY(o, a, a, a, RW, 0x10000, RESERVE, 0, PRIVATE);      /* G042 */
    CHECK_EQ(oracle_commit_charge(o), 0);
    uint64_t fault = 0;
    uint8_t byte = 1;
    CHECK_EQ(oracle_read(o, a, &byte, 1, &fault), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(fault, a);

    /* G050: a 2-byte range straddling a page boundary decommits both pages. */
    CHECK_EQ(oracle_alloc(o, a, 0x10000, C, RW), a);
    CHECK_EQ(oracle_write(o, a + 0x2000, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(oracle_free(o, a + 0x1FFF, 2, DECOMMIT), 1);
    CHECK_QUERY(o, a, a, a, RW, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, a + 0x1000, a + 0x1000, a, RW, 0x2000, RESERVE, 0, PRIVATE);
    CHECK_QUERY(o, a + 0x3000, a + 0x3000, a, RW, 0xD000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_commit_charge(o), 0xE000);
    /* Decommit drops contents: re-commit reads zeros. */
    CHECK_EQ(oracle_alloc(o, a + 0x2000, 1, C, RW), a + 0x2000);
    byte = 0xEE;
    CHECK_EQ(oracle_read(o, a + 0x2000, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(byte, 0);

    /* G051: a range covering a hole and the next allocation. */
    uint64_t b = oracle_alloc(o, 0, 0x10000, R | C, RW);
    CHECK_EQ(b, 0x30000);
    CHECK_FAILS(oracle_free(o, a + 0x8000, 0x10000, DECOMMIT), 87);
    CHECK_FAILS(oracle_free(o, p, 0x2000, DECOMMIT), 87);            /* into the hole after p */
    CHECK_FAILS(oracle_free(o, p + 0x1000, 0x1000, DECOMMIT), 487);  /* starts in the hole */
    CHECK_FAILS(oracle_free(o, p + 0x1000, 0, RELEASE), 487);
    CHECK_EQ(oracle_commit_charge(o), 0xF000 + 0x10000);
    oracle_destroy(o);
}

int main(void)
{
    test_parameter_errors();
    test_release();
    test_decommit();
    return check_report("oracle_test_free");
}
