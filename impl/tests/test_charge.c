/*
 * test_charge.c - the commit charge (docs/semantics.md section 7): what
 * adds to it, what subtracts, and the commit limit (1455, nothing made).
 */
#include "helpers.h"

#define A 0x50000000ull
#define LIMIT VAS_ERROR_COMMITMENT_LIMIT

int main(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0x5000);
    CHECK_EQ(vas_commit_charge(v), 0);
    /* reserve costs nothing */
    CHECK_EQ(vas_alloc(v, A, 0x100000, RESERVE, NA), A);
    CHECK_EQ(vas_commit_charge(v), 0);
    /* over the limit in one call: 1455, nothing made */
    CHECK_FAILS(v, vas_alloc(v, 0, 0x6000, COMMIT, RW), LIMIT);
    CHECK_FAILS(v, vas_alloc(v, A + 0x200000, 0x5001, RESERVE | COMMIT, RW), LIMIT);
    CHECK_FAILS(v, vas_alloc(v, A, 0x6000, COMMIT, RW), LIMIT);
    /* exactly the limit is fine */
    CHECK_EQ(vas_alloc(v, A, 0x3000, COMMIT, RW), A);
    CHECK_EQ(vas_commit_charge(v), 0x3000);
    /* re-committing pages costs only the new ones */
    CHECK_EQ(vas_alloc(v, A + 0x1000, 0x4000, COMMIT, RO), A + 0x1000);
    CHECK_EQ(vas_commit_charge(v), 0x5000);
    CHECK_EQ(vas_alloc(v, A, 0x5000, COMMIT, RW), A);
    CHECK_FAILS(v, vas_alloc(v, A, 0x6000, COMMIT, RW), LIMIT);
    /* an allocation error beats the charge: no room, conflict */
    CHECK_FAILS(v, vas_alloc(v, A + 0x8000, 0x1000, RESERVE | COMMIT, RW), E487);
    /* decommit subtracts committed pages only */
    CHECK_EQ(vas_free(v, A + 0x4000, 0x2000, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_commit_charge(v), 0x4000);
    uint64_t b = vas_alloc(v, 0, 0x1000, COMMIT | VAS_MEM_TOP_DOWN, RW);
    CHECK(b != 0);
    CHECK_EQ(vas_commit_charge(v), 0x5000);
    /* release subtracts the whole allocation */
    CHECK_EQ(vas_free(v, A, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(vas_commit_charge(v), 0x1000);
    CHECK_EQ(vas_free(v, b, 0, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_commit_charge(v), 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);

    /* without a limit, large commits are fine and cost no host memory */
    v = space_new(VAS_PROFILE_X64, 0);
    CHECK(vas_alloc(v, 0, 0x100000000ull, COMMIT, RW) != 0);
    CHECK_EQ(vas_commit_charge(v), 0x100000000ull);
    vas_destroy(v);
    return check_report("impl_charge");
}
