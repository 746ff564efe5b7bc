/*
 * test_lock.c - what traces cannot state about VirtualLock and the
 * working-set sizes on the model (docs/semantics.md section 9): the
 * model's own invariants after every kind of lock change, and
 * GetProcessWorkingSetSize with a NULL out-pointer. The behaviours a trace
 * can state live in conformance/cases/lock (G098, G103, X502-X506, X519).
 */
#include "helpers.h"

#define P 0x1000u

int main(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t lo = 0, hi = 0;
    CHECK_EQ(vas_get_working_set(v, NULL, &hi), 0);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_NOACCESS);
    CHECK_EQ(vas_get_working_set(v, &lo, NULL), 0);

    /* Locks split and join the lock records; decommit and release drop
     * them: the index and the count stay consistent through all of it. */
    uint64_t a = vas_alloc(v, 0, 0x40000, VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    CHECK_EQ(vas_lock(v, a + P - 1, 2), 1);
    CHECK_EQ(vas_lock(v, a + 5 * P, 3 * P), 1);
    CHECK_EQ(vas_unlock(v, a + 6 * P, 1), 1);
    CHECK_EQ(vas_locked_bytes(v), 4 * P);
    CHECK(vas_debug_check_invariants(v));
    CHECK_EQ(vas_free(v, a, 6 * P, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_locked_bytes(v), P);
    CHECK(vas_debug_check_invariants(v));
    CHECK_EQ(vas_free(v, a, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(vas_locked_bytes(v), 0);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
    return check_report("impl_lock");
}
