/*
 * test_access.c - vas_read / vas_write / vas_exec (docs/semantics.md
 * section 6): rights per protection, guard pages one shot, fault address,
 * nothing moves on a fault, and the life of contents.
 */
#include "helpers.h"

#include <string.h>

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull
#define GUARD VAS_PAGE_GUARD
#define AV VAS_STATUS_ACCESS_VIOLATION
#define GV VAS_STATUS_GUARD_PAGE_VIOLATION
#define OK VAS_STATUS_SUCCESS

static void test_rights(void)
{
    static const struct { uint32_t prot; int r, w, x; } rows[] = {
        {VAS_PAGE_NOACCESS, 0, 0, 0},     {VAS_PAGE_READONLY, 1, 0, 0},
        {VAS_PAGE_READWRITE, 1, 1, 0},    {VAS_PAGE_EXECUTE, 1, 0, 1},
        {VAS_PAGE_EXECUTE_READ, 1, 0, 1}, {VAS_PAGE_EXECUTE_READWRITE, 1, 1, 1},
        {VAS_PAGE_READWRITE | VAS_PAGE_NOCACHE, 1, 1, 0},
        {VAS_PAGE_EXECUTE_READ | VAS_PAGE_WRITECOMBINE, 1, 0, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        vas_t *v = space_new(VAS_PROFILE_X64, 0);
        CHECK_EQ(vas_alloc(v, A, 0x1000, RESERVE | COMMIT, rows[i].prot), A);
        uint8_t b = 0;
        uint64_t fault = 0;
        MARK(v);
        CHECK_EQ(vas_read(v, A + 5, &b, 1, &fault), rows[i].r ? OK : AV);
        CHECK_EQ(vas_write(v, A + 5, &b, 1, &fault), rows[i].w ? OK : AV);
        CHECK_EQ(vas_exec(v, A + 5, &fault), rows[i].x ? OK : AV);
        if (!rows[i].r || !rows[i].w || !rows[i].x)
            CHECK_EQ(fault, A + 5);
        CHECK_EQ(vas_last_error(v), 0xABCDu);   /* accesses never touch last-error */
        vas_destroy(v);
    }
}

static void test_faults(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t fault = 0;
    uint8_t buf[0x3000];
    CHECK_EQ(vas_alloc(v, A, 0x4000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x2000, COMMIT, RW), A);
    /* free, reserved, below MIN, beyond MAX */
    CHECK_EQ(vas_read(v, A + 0x10000, buf, 1, &fault), AV);
    CHECK_EQ(fault, A + 0x10000);
    CHECK_EQ(vas_read(v, A + 0x2010, buf, 1, &fault), AV);
    CHECK_EQ(fault, A + 0x2010);
    CHECK_EQ(vas_read(v, 0x10, buf, 1, &fault), AV);
    CHECK_EQ(vas_exec(v, X64_MAX + 1, &fault), AV);
    CHECK_EQ(fault, X64_MAX + 1);
    CHECK_EQ(vas_read(v, UINT64_MAX - 2, buf, 8, &fault), AV);
    CHECK_EQ(fault, UINT64_MAX - 2);
    /* a range crossing into reserved memory faults at the page boundary,
     * and nothing is written */
    memset(buf, 0xEE, sizeof buf);
    CHECK_EQ(vas_write(v, A + 0x1FF0, buf, 0x20, &fault), AV);
    CHECK_EQ(fault, A + 0x2000);
    uint8_t got[0x10];
    CHECK_EQ(vas_read(v, A + 0x1FF0, got, 0x10, &fault), OK);
    for (int i = 0; i < 0x10; i++)
        CHECK_EQ(got[i], 0);
    /* len 0 always succeeds, even on free memory */
    fault = 7;
    CHECK_EQ(vas_read(v, 0, buf, 0, &fault), OK);
    CHECK_EQ(vas_write(v, UINT64_MAX, buf, 0, &fault), OK);
    CHECK_EQ(fault, 7);
    /* NULL fault pointer is fine */
    CHECK_EQ(vas_read(v, A + 0x3000, buf, 1, NULL), AV);
    vas_destroy(v);
}

static void test_guard(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t fault = 0;
    uint32_t old;
    uint8_t b = 0x5A;
    CHECK_EQ(vas_alloc(v, A, 0x3000, RESERVE | COMMIT, RW | GUARD), A);
    /* one shot: the first access fails with a guard violation, at the page */
    CHECK_EQ(vas_write(v, A + 0x1008, &b, 1, &fault), GV);
    CHECK_EQ(fault, A + 0x1008);
    CHECK_REGION(v, A, A, A, RW | GUARD, 0x1000, COMMIT, RW | GUARD);
    CHECK_REGION(v, A + 0x1000, A + 0x1000, A, RW | GUARD, 0x1000, COMMIT, RW);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, RW | GUARD, 0x1000, COMMIT, RW | GUARD);
    CHECK_EQ(vas_write(v, A + 0x1008, &b, 1, &fault), OK);
    /* the guard fires first, for any kind, even one the base denies */
    CHECK_EQ(vas_exec(v, A, &fault), GV);
    CHECK_EQ(fault, A);
    CHECK_EQ(vas_exec(v, A, &fault), AV);
    /* a range: the first guard page met decides; pages after it keep theirs */
    CHECK_EQ(vas_protect(v, A, 0x3000, RO | GUARD, &old), 1);
    uint8_t buf[0x2100];
    CHECK_EQ(vas_read(v, A + 0x800, buf, 0x2000, &fault), GV);
    CHECK_EQ(fault, A + 0x800);
    CHECK_EQ(vas_read(v, A + 0x800, buf, 0x2000, &fault), GV);
    CHECK_EQ(fault, A + 0x1000);
    CHECK_REGION(v, A, A, A, RW | GUARD, 0x2000, COMMIT, RO);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, RW | GUARD, 0x1000, COMMIT, RO | GUARD);
    /* a denied page before a guard page: access violation, guard kept */
    CHECK_EQ(vas_write(v, A + 0x1FFF, buf, 2, &fault), AV);
    CHECK_EQ(fault, A + 0x1FFF);
    CHECK_REGION(v, A + 0x2000, A + 0x2000, A, RW | GUARD, 0x1000, COMMIT, RO | GUARD);
    /* guard with a cache attribute: NOCACHE|GUARD is invalid, so only guard */
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_contents(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old;
    uint8_t page[0x1000], out[0x1000];
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x3000, COMMIT, RW), A);
    /* zero on commit */
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, out), 1);
    for (int i = 0; i < 0x1000; i++)
        CHECK_EQ(out[i], 0);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x3000, out), 0);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x20000, out), 0);
    /* a write across two pages reads back, also via the debug view */
    uint8_t msg[0x30];
    for (int i = 0; i < 0x30; i++)
        msg[i] = (uint8_t)(i + 1);
    CHECK_EQ(vas_write(v, A + 0xFE8, msg, sizeof msg, NULL), OK);
    uint8_t back[0x30];
    CHECK_EQ(vas_read(v, A + 0xFE8, back, sizeof back, NULL), OK);
    CHECK(memcmp(back, msg, sizeof msg) == 0);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, page), 1);
    CHECK_EQ(page[0], 0x19);
    CHECK_EQ(page[0x17], 0x30);
    CHECK_EQ(page[0x18], 0);
    /* kept across protection changes (G071) and re-commits (G010) */
    CHECK_EQ(vas_protect(v, A, 0x2000, NA, &old), 1);
    CHECK_EQ(vas_read(v, A + 0xFE8, back, 1, NULL), AV);
    CHECK_EQ(vas_protect(v, A, 0x2000, RO, &old), 1);
    CHECK_EQ(vas_write(v, A + 0xFE8, msg, 1, NULL), AV);
    CHECK_EQ(vas_alloc(v, A, 0x3000, COMMIT, VAS_PAGE_EXECUTE_READ), A);
    memset(back, 0, sizeof back);
    CHECK_EQ(vas_read(v, A + 0xFE8, back, sizeof back, NULL), OK);
    CHECK(memcmp(back, msg, sizeof msg) == 0);
    /* gone after decommit: re-commit gives zeros */
    CHECK_EQ(vas_free(v, A + 0x1000, 0x1000, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, page), 0);
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x1000, COMMIT, RW), A + 0x1000);
    CHECK_EQ(vas_read(v, A + 0x1000, back, 0x18, NULL), OK);
    for (int i = 0; i < 0x18; i++)
        CHECK_EQ(back[i], 0);
    CHECK_EQ(vas_read(v, A + 0xFE8, back, 0x18, NULL), OK);   /* page 0 kept */
    CHECK(memcmp(back, msg, 0x18) == 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_accesses_span_allocations(void)
{
    /* Adjacent allocations: an access may run from one into the next. */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE | COMMIT, RW), A);
    CHECK_EQ(vas_alloc(v, A + 0x10000, 0x10000, RESERVE | COMMIT, RW), A + 0x10000);
    uint8_t msg[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
    CHECK_EQ(vas_write(v, A + 0xFFFC, msg, 8, NULL), OK);
    CHECK_EQ(vas_read(v, A + 0xFFFC, back, 8, NULL), OK);
    CHECK(memcmp(msg, back, 8) == 0);
    vas_destroy(v);
}

int main(void)
{
    test_rights();
    test_faults();
    test_guard();
    test_contents();
    test_accesses_span_allocations();
    return check_report("impl_access");
}
