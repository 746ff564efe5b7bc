/*
 * test_access.c - simulated reads, writes and instruction fetches
 * (docs/semantics.md section 6; catalogue G071, G097).
 */
#include <string.h>
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT
#define AV VAS_STATUS_ACCESS_VIOLATION
#define GUARDV VAS_STATUS_GUARD_PAGE_VIOLATION
#define OK VAS_STATUS_SUCCESS

/* Contents: zero until written, persist across pages, atomic on fault. */
static void test_contents(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x3000, R | C, RW);
    uint8_t buf[0x2000], back[0x2000];
    memset(back, 0xCC, sizeof back);
    CHECK_EQ(oracle_read(o, a + 0x800, back, 0x2000, NULL), OK);
    int all_zero = 1;
    for (size_t i = 0; i < sizeof back; i++)
        all_zero &= back[i] == 0;
    CHECK_EQ(all_zero, 1);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    CHECK_EQ(oracle_write(o, a + 0x800, buf, sizeof buf, NULL), OK);  /* spans 3 pages */
    CHECK_EQ(oracle_read(o, a + 0x800, back, sizeof back, NULL), OK);
    CHECK_EQ(memcmp(buf, back, sizeof buf), 0);
    uint8_t edge[2];
    CHECK_EQ(oracle_read(o, a + 0x7FF, edge, 2, NULL), OK);
    CHECK_EQ(edge[0], 0);
    CHECK_EQ(edge[1], 1);

    /* A write running into a read-only page faults and moves nothing. */
    uint32_t old;
    CHECK_EQ(oracle_protect(o, a + 0x2000, 0x1000, RO, &old), 1);
    uint8_t ones[0x1000];
    memset(ones, 1, sizeof ones);
    uint64_t fault = 0;
    CHECK_EQ(oracle_write(o, a + 0x1800, ones, sizeof ones, &fault), AV);
    CHECK_EQ(fault, a + 0x2000);
    CHECK_EQ(oracle_read(o, a + 0x1800, back, 0x1000, NULL), OK);
    CHECK_EQ(memcmp(back, buf + 0x1000, 0x1000), 0);
    /* The fault address is the access start when the first page faults. */
    CHECK_EQ(oracle_write(o, a + 0x2010, ones, 1, &fault), AV);
    CHECK_EQ(fault, a + 0x2010);
    /* Running off the allocation end into free memory. */
    CHECK_EQ(oracle_read(o, a + 0x2FFF, back, 2, &fault), AV);
    CHECK_EQ(fault, a + 0x3000);
    /* Free memory, below MIN, beyond MAX, wrapping. */
    CHECK_EQ(oracle_read(o, 0, back, 1, &fault), AV);
    CHECK_EQ(fault, 0);
    CHECK_EQ(oracle_read(o, 0x7FFFFFFF0000, back, 1, &fault), AV);
    CHECK_EQ(fault, 0x7FFFFFFF0000);
    CHECK_EQ(oracle_read(o, UINT64_MAX, back, 2, &fault), AV);
    CHECK_EQ(fault, UINT64_MAX);
    /* len 0 always succeeds, last-error is never touched. */
    oracle_set_last_error(o, 42);
    CHECK_EQ(oracle_read(o, 0, back, 0, &fault), OK);
    CHECK_EQ(oracle_write(o, 0, ones, 0, &fault), OK);
    CHECK_EQ(oracle_last_error(o), 42);
    oracle_destroy(o);
}

/* G071: contents survive protection changes. */
static void test_contents_across_protect(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x1000, R | C, RW);
    uint8_t ff = 0xFF, b = 0;
    uint32_t old;
    uint64_t fault;
    CHECK_EQ(oracle_write(o, a, &ff, 1, NULL), OK);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RO, &old), 1);
    CHECK_EQ(old, RW);
    CHECK_EQ(oracle_write(o, a, &ff, 1, &fault), AV);
    CHECK_EQ(oracle_read(o, a, &b, 1, NULL), OK);
    CHECK_EQ(b, 0xFF);
    CHECK_EQ(oracle_protect(o, a, 0x1000, NA, &old), 1);
    CHECK_EQ(old, RO);
    CHECK_EQ(oracle_read(o, a, &b, 1, &fault), AV);
    CHECK_EQ(oracle_write(o, a, &ff, 1, &fault), AV);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RO, &old), 1);
    CHECK_EQ(old, NA);
    b = 0;
    CHECK_EQ(oracle_read(o, a, &b, 1, NULL), OK);
    CHECK_EQ(b, 0xFF);
    /* A reset keeps contents. */
    CHECK_EQ(oracle_alloc(o, a, 0x1000, VAS_MEM_RESET, NA), a);
    b = 0;
    CHECK_EQ(oracle_read(o, a, &b, 1, NULL), OK);
    CHECK_EQ(b, 0xFF);
    oracle_destroy(o);
}

/* Section 1's table: which protections allow which access; DEP on. */
static void test_rights(void)
{
    static const struct { uint32_t prot; int r, w, x; } rows[] = {
        {0x01, 0, 0, 0}, {0x02, 1, 0, 0}, {0x04, 1, 1, 0}, {0x10, 1, 0, 1},
        {0x20, 1, 0, 1}, {0x40, 1, 1, 1}, {0x204, 1, 1, 0}, {0x420, 1, 0, 1},
    };
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x1000, R | C, RW);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t old;
        uint8_t b = 0;
        uint64_t fault = 1;
        CHECK_EQ(oracle_protect(o, a, 1, rows[i].prot, &old), 1);
        CHECK_EQ(oracle_read(o, a + 5, &b, 1, &fault), rows[i].r ? OK : AV);
        CHECK_EQ(oracle_write(o, a + 5, &b, 1, &fault), rows[i].w ? OK : AV);
        CHECK_EQ(oracle_exec(o, a + 5, &fault), rows[i].x ? OK : AV);
        if (!rows[i].x)
            CHECK_EQ(fault, a + 5);
    }
    /* Reserved pages fault on every kind. */
    CHECK_EQ(oracle_free(o, a, 0x1000, VAS_MEM_DECOMMIT), 1);
    uint64_t fault = 0;
    CHECK_EQ(oracle_exec(o, a + 9, &fault), AV);
    CHECK_EQ(fault, a + 9);
    oracle_destroy(o);
}

/* G097: one-shot guard pages, and the guard firing before the base rights. */
static void test_guard(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x2000, R | C, RW | VAS_PAGE_GUARD);
    uint8_t b[8] = {0};
    uint64_t fault = 0;
    CHECK_EQ(oracle_read(o, a + 4, b, 4, &fault), GUARDV);
    CHECK_EQ(fault, a + 4);
    CHECK_QUERY(o, a, a, a, 0x104, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, a + 0x1000, a + 0x1000, a, 0x104, 0x1000, COMMIT, 0x104, PRIVATE);
    CHECK_EQ(oracle_read(o, a + 4, b, 4, &fault), OK);
    /* Crossing into the second guard page: that page fires, nothing written. */
    b[0] = 9;
    CHECK_EQ(oracle_write(o, a + 0xFFC, b, 8, &fault), GUARDV);
    CHECK_EQ(fault, a + 0x1000);
    CHECK_QUERY(o, a, a, a, 0x104, 0x2000, COMMIT, RW, PRIVATE);
    uint8_t back = 1;
    CHECK_EQ(oracle_read(o, a + 0xFFC, &back, 1, NULL), OK);
    CHECK_EQ(back, 0);
    /* A guard on a read-only page fires on a write (guard first), once. */
    uint32_t old;
    CHECK_EQ(oracle_protect(o, a, 0x1000, RO | VAS_PAGE_GUARD, &old), 1);
    CHECK_EQ(oracle_exec(o, a, &fault), GUARDV);
    CHECK_QUERY(o, a, a, a, 0x104, 0x1000, COMMIT, RO, PRIVATE);
    CHECK_EQ(oracle_write(o, a, b, 1, &fault), AV);
    /* Last-error untouched, charge unchanged. */
    oracle_set_last_error(o, 3);
    CHECK_EQ(oracle_protect(o, a, 0x1000, RW | VAS_PAGE_GUARD, &old), 1);
    CHECK_EQ(oracle_write(o, a, b, 1, &fault), GUARDV);
    CHECK_EQ(oracle_last_error(o), 3);
    CHECK_EQ(oracle_commit_charge(o), 0x2000);
    oracle_destroy(o);
}

int main(void)
{
    test_contents();
    test_contents_across_protect();
    test_rights();
    test_guard();
    return check_report("oracle_test_access");
}
