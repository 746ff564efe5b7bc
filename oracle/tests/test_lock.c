/*
 * test_lock.c - what traces cannot state about the oracle's locking
 * (docs/semantics.md section 9): GetProcessWorkingSetSize with a NULL
 * out-pointer, and the count of locked bytes through splits, decommit and
 * release. The behaviours a trace can state live in conformance/cases/lock.
 */
#include "helpers.h"

int main(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t size = 0;
    CHECK(!oracle_get_working_set(o, &size, NULL));
    CHECK_EQ(oracle_last_error(o), VAS_ERROR_NOACCESS);
    CHECK(!oracle_get_working_set(o, NULL, &size));

    uint64_t base = oracle_alloc(o, 0, 0x20000, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    CHECK(oracle_lock(o, base, 0x8000));
    CHECK(oracle_unlock(o, base + 0x2000, 0x1000));
    CHECK_EQ(oracle_locked_bytes(o), 0x7000);
    CHECK(oracle_free(o, base + 0x4000, 0x4000, VAS_MEM_DECOMMIT));
    CHECK_EQ(oracle_locked_bytes(o), 0x3000);
    CHECK(oracle_free(o, base, 0, VAS_MEM_RELEASE));
    CHECK_EQ(oracle_locked_bytes(o), 0);
    oracle_destroy(o);
    return check_report("oracle_lock");
}
