/*
 * test_protect.c - oracle_protect against the golden catalogue (section C)
 * and docs/semantics.md section 4.
 */
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define NOCACHE VAS_PAGE_NOCACHE
#define GUARD VAS_PAGE_GUARD

/* G061, G062, G073, G067 and the parameter checks. */
static void test_failures(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x10000, R, NA);
    uint32_t old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, a, 0xFFFC, RO, &old), 487);        /* G061 */
    CHECK_EQ(old, NA);                                               /* G073 */
    CHECK_EQ(oracle_alloc(o, a, 0x1000, C, NA), a);
    old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, a, 0xFFFC, RO, &old), 487);        /* G062 */
    CHECK_EQ(old, NA);
    CHECK_QUERY(o, a, a, a, NA, 0x1000, COMMIT, NA, PRIVATE);
    old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, 0x60000000, 0x1000, RO, &old), 487); /* free memory */
    CHECK_EQ(old, NA);
    old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, a, 0x10001, RO, &old), 487);       /* past the end */
    CHECK_EQ(old, NA);

    /* G067: NULL old; nothing changes. */
    CHECK_FAILS(oracle_protect(o, a, 0x1000, RO, NULL), 998);
    CHECK_FAILS(oracle_protect(o, a, 0x1000, 0, NULL), 998);         /* before validity */
    /* Invalid protection and bad ranges: 87, *old untouched. */
    old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, a, 0x1000, RW | VAS_PAGE_EXECUTE_WRITECOPY, &old), 87); /* G065 */
    CHECK_FAILS(oracle_protect(o, a, 0x1000, NA | GUARD, &old), 87);
    CHECK_FAILS(oracle_protect(o, a, 0, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, 0x7FFFFFFF0000, 0x1000, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, a, UINT64_MAX, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, 0x60000000, 0, 0, &old), 87);      /* validity first */
    CHECK_EQ(old, 0xAAAA);
    /* Below MIN is free memory: 487 with old = NOACCESS (G072, G073). */
    CHECK_FAILS(oracle_protect(o, 0x1000, 0x1000, RO, &old), 487);
    CHECK_EQ(old, NA);
    CHECK_EQ(oracle_protect(o, a, 0x1000, NA, &old), 1);
    CHECK_EQ(old, NA);
    oracle_destroy(o);
}

/* G066: every value 0x00..0xF0 and a few modifiers on a NOACCESS page. */
static void test_protection_table(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x2000, R | C, NA);
    for (uint32_t prot = 0; prot <= 0xF0; prot++) {
        int valid = prot == 0x01 || prot == 0x02 || prot == 0x04 || prot == 0x10 || prot == 0x20
                    || prot == 0x40;
        uint32_t old = 0xAAAA;
        int ok = oracle_protect(o, a, 0x1000, prot, &old);
        CHECK_EQ(ok, valid);
        CHECK_EQ(old, valid ? NA : 0xAAAA);
        if (valid) {
            CHECK_QUERY(o, a, a, a, NA, prot == NA ? 0x2000 : 0x1000, COMMIT, prot, PRIVATE);
            CHECK_EQ(oracle_protect(o, a, 0x1000, NA, &old), 1);
            CHECK_EQ(old, prot);
        } else {
            CHECK_EQ(oracle_last_error(o), 87);
        }
    }
    oracle_destroy(o);
}

/* G063, G069, G070: old values, sub-page ranges, split and merge. */
static void test_split_merge(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x10000, R | C, NA);
    uint32_t old = 0;
    CHECK_EQ(oracle_protect(o, a, 0x1000, RO, &old), 1);
    CHECK_EQ(old, NA);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW, &old), 1);
    CHECK_EQ(old, RO);
    CHECK_QUERY(o, a, a, a, NA, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_protect(o, a, 0x10000, RW, &old), 1);
    CHECK_EQ(old, RW);  /* the first page's protection */
    CHECK_QUERY(o, a, a, a, NA, 0x10000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_protect(o, a + 1, 1, RO, &old), 1);              /* G069 */
    CHECK_EQ(old, RW);
    CHECK_QUERY(o, a, a, a, NA, 0x1000, COMMIT, RO, PRIVATE);
    CHECK_EQ(oracle_protect(o, a + 0x3FFF, 2, RO, &old), 1);         /* pages 3 and 4 */
    CHECK_QUERY(o, a + 0x1000, a + 0x1000, a, NA, 0x2000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, a + 0x3000, a + 0x3000, a, NA, 0x2000, COMMIT, RO, PRIVATE);
    CHECK_QUERY(o, a + 0x5000, a + 0x5000, a, NA, 0xB000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_protect(o, a, 0x10000, RW, &old), 1);            /* merge back */
    CHECK_EQ(old, RO);
    CHECK_QUERY(o, a, a, a, NA, 0x10000, COMMIT, RW, PRIVATE);
    oracle_destroy(o);
}

/* G074, G075, G079 and the dropped-cache-bit decision. */
static void test_modifiers(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x2000, C, RW | NOCACHE);
    uint32_t old = 0;
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW, &old), 1);             /* G074 */
    CHECK_EQ(old, 0x204);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, 0x204, PRIVATE);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RO, &old), 1);             /* G075 */
    CHECK_EQ(old, 0x204);
    CHECK_QUERY(o, a, a, a, 0x204, 0x1000, COMMIT, 0x202, PRIVATE);
    /* Naming WRITECOMBINE changes nothing: the page keeps NOCACHE. */
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW | VAS_PAGE_WRITECOMBINE, &old), 1);
    CHECK_EQ(old, 0x202);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, 0x204, PRIVATE);
    /* NOACCESS and GUARD drop the cache bit: the result would be invalid. */
    CHECK_EQ(oracle_protect(o, a, 0x2000, NA, &old), 1);
    CHECK_EQ(old, 0x204);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, NA, PRIVATE);
    CHECK_EQ(oracle_protect(o, a, 0x2000, RW, &old), 1);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, RW, PRIVATE);     /* bit gone for good */
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW | NOCACHE, &old), 1);   /* cannot add it */
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_protect(o, a, 0x2000, RW | GUARD, &old), 1);
    CHECK_EQ(old, RW);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, 0x104, PRIVATE);
    /* G079: guard round trip. */
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW, &old), 1);
    CHECK_EQ(old, 0x104);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW | GUARD, &old), 1);
    CHECK_EQ(old, RW);
    oracle_destroy(o);
}

int main(void)
{
    test_failures();
    test_protection_table();
    test_split_merge();
    test_modifiers();
    return check_report("oracle_test_protect");
}
