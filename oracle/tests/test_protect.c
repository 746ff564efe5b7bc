/*
 * test_protect.c - what oracle_protect does that no conformance case can
 * state: a call refused with 87 leaves *old exactly as it was (a trace
 * cannot give old a value beforehand), while a 487 writes NOACCESS there.
 * Every behaviour a trace can state is a case in conformance/cases/protect
 * (and guard/), run on every backend.
 */
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT

static void test_old_untouched_on_invalid_arguments(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0x10000, R, NA);
    CHECK_EQ(oracle_alloc(o, a, 0x1000, C, NA), a);
    uint32_t old = 0xAAAA;
    CHECK_FAILS(oracle_protect(o, a, 0x1000, RW | VAS_PAGE_EXECUTE_WRITECOPY, &old), 87); /* G065 */
    CHECK_FAILS(oracle_protect(o, a, 0x1000, NA | VAS_PAGE_GUARD, &old), 87);
    CHECK_FAILS(oracle_protect(o, a, 0, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, 0x7FFFFFFF0000, 0x1000, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, a, UINT64_MAX, RO, &old), 87);
    CHECK_FAILS(oracle_protect(o, 0x60000000, 0, 0, &old), 87);
    CHECK_EQ(old, 0xAAAA);
    /* G066: every invalid value up to 0xF0 */
    for (uint32_t prot = 0; prot <= 0xF0; prot++) {
        if (prot == 0x01 || prot == 0x02 || prot == 0x04 || prot == 0x10 || prot == 0x20
            || prot == 0x40)
            continue;
        CHECK_FAILS(oracle_protect(o, a, 0x1000, prot, &old), 87);
    }
    CHECK_EQ(old, 0xAAAA);
    /* G061, G073: reserved pages give 487 and old = NOACCESS */
    CHECK_FAILS(oracle_protect(o, a + 0x1000, 0x1000, RO, &old), 487);
    CHECK_EQ(old, NA);
    oracle_destroy(o);
}

int main(void)
{
    test_old_untouched_on_invalid_arguments();
    return check_report("oracle_test_protect");
}
