/*
 * test_protect.c - what vas_protect does that no conformance case can
 * state: a call refused with 87 leaves *old exactly as it was (a trace
 * cannot give old a value beforehand), while a 487 writes NOACCESS there.
 * Every behaviour a trace can state is a case in conformance/cases/protect
 * (and guard/), run on every backend.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull
#define A 0x50000000ull

static void test_old_untouched_on_invalid_arguments(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint32_t old = 0x77;
    CHECK_EQ(vas_alloc(v, A, 0x4000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x2000, COMMIT, RW), A);
    /* invalid protection (G065, G066), size 0, address range, overflow */
    CHECK_FAILS(v, vas_protect(v, A, 0x1000, RW | VAS_PAGE_EXECUTE_WRITECOPY, &old), E87);
    CHECK_FAILS(v, vas_protect(v, A + 0x3000, 0x1000, 0, &old), E87);
    CHECK_FAILS(v, vas_protect(v, A, 0, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, X64_MAX + 1, 0x1000, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, X64_MAX, 2, RO, &old), E87);
    CHECK_FAILS(v, vas_protect(v, A, UINT64_MAX, RO, &old), E87);
    CHECK_EQ(old, 0x77);
    for (uint32_t p = 0; p <= 0xF0; p++) {
        if (p == 0x01 || p == 0x02 || p == 0x04 || p == 0x10 || p == 0x20 || p == 0x40)
            continue;   /* the six values G066 accepts */
        CHECK_FAILS(v, vas_protect(v, A, 0x1000, p, &old), E87);
    }
    CHECK_EQ(old, 0x77);
    /* not committed (G061, G073): 487, and old becomes NOACCESS */
    CHECK_FAILS(v, vas_protect(v, A + 0x3000, 0x1000, RO, &old), E487);
    CHECK_EQ(old, NA);
    vas_destroy(v);
}

int main(void)
{
    test_old_untouched_on_invalid_arguments();
    return check_report("impl_protect");
}
