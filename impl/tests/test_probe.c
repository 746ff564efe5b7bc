/*
 * test_probe.c - IsBadReadPtr & co. on the model (docs/semantics.md
 * section 10; catalogue G107, G134).
 */
#include "helpers.h"

#define P 0x1000u
#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY

int main(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    /* G107 */
    CHECK_EQ(vas_is_bad_read_ptr(v, 0, 0), 0);
    CHECK_EQ(vas_is_bad_read_ptr(v, 0, 1), 1);
    CHECK_EQ(vas_is_bad_read_ptr(v, 0xdeadbeef, 0), 0);
    CHECK_EQ(vas_is_bad_read_ptr(v, 0xdeadbeef, 1), 1);
    CHECK_EQ(vas_is_bad_write_ptr(v, 0, 0), 0);
    CHECK_EQ(vas_is_bad_write_ptr(v, 0xdeadbeef, 1), 1);
    CHECK_EQ(vas_is_bad_code_ptr(v, 0), 1);
    uint64_t a = vas_alloc(v, 0, 0x10000, VAS_MEM_RESERVE, RW);
    CHECK_EQ(vas_alloc(v, a, 2 * P, VAS_MEM_COMMIT, RW), a);
    CHECK_EQ(vas_is_bad_read_ptr(v, a, 2 * P), 0);
    CHECK_EQ(vas_is_bad_read_ptr(v, a + P, P + 1), 1);           /* runs into reserved */
    CHECK_EQ(vas_is_bad_write_ptr(v, a, 2 * P), 0);
    uint32_t old;
    CHECK_EQ(vas_protect(v, a + P, P, RO, &old), 1);
    CHECK_EQ(vas_is_bad_write_ptr(v, a, 2 * P), 1);
    CHECK_EQ(vas_is_bad_read_ptr(v, a, 2 * P), 0);
    CHECK_EQ(vas_is_bad_code_ptr(v, a), 0);                      /* read access, not execute */
    /* guard pages fire once */
    CHECK_EQ(vas_protect(v, a + P, P, RO | VAS_PAGE_GUARD, &old), 1);
    CHECK_EQ(vas_is_bad_read_ptr(v, a, 2 * P), 1);
    CHECK_EQ(vas_is_bad_read_ptr(v, a, 2 * P), 0);
    /* strings */
    CHECK_EQ(vas_is_bad_string_ptr(v, 0, 0, 1), 0);
    CHECK_EQ(vas_is_bad_string_ptr(v, 0, 5, 1), 1);
    CHECK_EQ(vas_is_bad_string_ptr(v, a, 100, 1), 0);            /* zeros: empty string */
    uint8_t fill[P];
    for (unsigned i = 0; i < P; i++)
        fill[i] = 'x';
    CHECK_EQ(vas_protect(v, a + P, P, RW, &old), 1);
    CHECK_EQ(vas_write(v, a + P, fill, P, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_is_bad_string_ptr(v, a + P, P, 1), 0);          /* max reached first */
    CHECK_EQ(vas_is_bad_string_ptr(v, a + P, P + 1, 1), 1);      /* runs into reserved */
    CHECK_EQ(vas_is_bad_string_ptr(v, a + P, P, 2), 1);          /* W: 2 * P bytes */
    CHECK_EQ(vas_is_bad_string_ptr(v, a + P - 2, 3, 2), 0);      /* the zero char before */
    /* IsBadWritePtr writes: write watch sees the pages it got through */
    uint64_t w = vas_alloc(v, 0, 4 * P, VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH, RW);
    CHECK_EQ(vas_protect(v, w + 2 * P, P, RO, &old), 1);
    CHECK_EQ(vas_is_bad_write_ptr(v, w + 1, 3 * P), 1);
    uint64_t pages[4], count = 4;
    uint32_t gran;
    CHECK_EQ(vas_get_write_watch(v, 0, w, 4 * P, pages, &count, &gran), 0);
    CHECK_EQ(count, 2);
    CHECK_EQ(pages[1], w + P);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
    return check_report("impl_probe");
}
