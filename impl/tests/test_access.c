/*
 * test_access.c - what vas_read / vas_write / vas_exec do that no
 * conformance case can state: the debug view of a page's contents, a NULL
 * fault pointer, and zero-length accesses (a trace writes at least one
 * byte). Rights, faults, guard pages and the life of contents are cases in
 * conformance/cases/access, guard and contents, run on every backend.
 */
#include "helpers.h"

#include <string.h>

#define A 0x50000000ull
#define AV VAS_STATUS_ACCESS_VIOLATION
#define OK VAS_STATUS_SUCCESS

static void test_zero_length_and_null_fault(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint8_t buf[1] = {0};
    uint64_t fault = 7;
    /* len 0 succeeds anywhere and reports no fault */
    CHECK_EQ(vas_read(v, 0, buf, 0, &fault), OK);
    CHECK_EQ(vas_write(v, UINT64_MAX, buf, 0, &fault), OK);
    CHECK_EQ(fault, 7);
    /* a NULL fault pointer is fine */
    CHECK_EQ(vas_read(v, A, buf, 1, NULL), AV);
    vas_destroy(v);
}

static void test_debug_view(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint8_t page[0x1000];
    CHECK_EQ(vas_alloc(v, A, 0x10000, RESERVE, NA), A);
    CHECK_EQ(vas_alloc(v, A, 0x3000, COMMIT, RW), A);
    /* committed pages read as zeros; reserved and free pages have none */
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, page), 1);
    for (int i = 0; i < 0x1000; i++)
        CHECK_EQ(page[i], 0);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x3000, page), 0);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x20000, page), 0);
    /* a write across two pages shows in the second page's view */
    uint8_t msg[0x30];
    for (int i = 0; i < 0x30; i++)
        msg[i] = (uint8_t)(i + 1);
    CHECK_EQ(vas_write(v, A + 0xFE8, msg, sizeof msg, NULL), OK);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, page), 1);
    CHECK_EQ(page[0], 0x19);
    CHECK_EQ(page[0x17], 0x30);
    CHECK_EQ(page[0x18], 0);
    /* decommit leaves no contents to view */
    CHECK_EQ(vas_free(v, A + 0x1000, 0x1000, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_debug_page_contents(v, A + 0x1000, page), 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

int main(void)
{
    test_zero_length_and_null_fault();
    test_debug_view();
    return check_report("impl_access");
}
