/*
 * test_lock.c - VirtualLock / VirtualUnlock and the working-set quota on
 * the oracle (docs/semantics.md section 9; catalogue G098, G099, G103).
 */
#include "helpers.h"


#define P 0x1000u
#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define GUARD VAS_PAGE_GUARD

#define CHECK_FAILS_WITH(v, call, err)                  \
    do {                                                \
        CHECK_EQ((call), 0);                            \
        CHECK_EQ(oracle_last_error(v), (err));             \
    } while (0)

static void test_errors(void)
{
    oracle_t *v = oracle_create(NULL);
    uint64_t a = oracle_alloc(v, 0, 0x10000, VAS_MEM_RESERVE, NA);
    CHECK_EQ(oracle_alloc(v, a, 2 * P, VAS_MEM_COMMIT, RW), a);
    CHECK_FAILS_WITH(v, oracle_lock(v, a, 0), VAS_ERROR_INVALID_PARAMETER);
    CHECK_FAILS_WITH(v, oracle_lock(v, a, 3 * P), VAS_ERROR_INVALID_ADDRESS);   /* page 2 reserved */
    CHECK_FAILS_WITH(v, oracle_lock(v, 0x70000000, P), VAS_ERROR_INVALID_ADDRESS); /* free */
    CHECK_FAILS_WITH(v, oracle_unlock(v, a, P), VAS_ERROR_NOT_LOCKED);
    uint32_t old;
    CHECK_EQ(oracle_protect(v, a + P, P, NA, &old), 1);
    CHECK_FAILS_WITH(v, oracle_lock(v, a, 2 * P), VAS_ERROR_NOACCESS);
    CHECK_EQ(oracle_locked_bytes(v), 0);
    /* a 2-byte range straddling a page boundary locks both pages */
    CHECK_EQ(oracle_protect(v, a + P, P, RW, &old), 1);
    CHECK_EQ(oracle_lock(v, a + P - 1, 2), 1);
    CHECK_EQ(oracle_locked_bytes(v), 2 * P);
    CHECK_EQ(oracle_lock(v, a, 2 * P), 1);           /* no lock count */
    CHECK_EQ(oracle_locked_bytes(v), 2 * P);
    CHECK_FAILS_WITH(v, oracle_unlock(v, a, 3 * P), VAS_ERROR_NOT_LOCKED);
    CHECK_EQ(oracle_locked_bytes(v), 2 * P);         /* a failed unlock unlocks nothing */
    CHECK_EQ(oracle_unlock(v, a + P, 1), 1);
    CHECK_EQ(oracle_locked_bytes(v), P);
    CHECK_FAILS_WITH(v, oracle_unlock(v, a + P, 1), VAS_ERROR_NOT_LOCKED);
    /* decommit and release unlock */
    CHECK_EQ(oracle_free(v, a, P, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(oracle_locked_bytes(v), 0);
    CHECK_EQ(oracle_lock(v, a + P, P), 1);
    CHECK_EQ(oracle_free(v, a, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(oracle_locked_bytes(v), 0);
    oracle_destroy(v);
}

static void test_guard(void)
{
    /* G098, G099: the first lock fails with the raw status and clears the guard */
    oracle_t *v = oracle_create(NULL);
    uint64_t a = oracle_alloc(v, 0, P, VAS_MEM_COMMIT, RW | GUARD);
    CHECK_FAILS_WITH(v, oracle_lock(v, a, P), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_QUERY(v, a, a, a, RW | GUARD, P, VAS_MEM_COMMIT, RW, VAS_MEM_PRIVATE);
    CHECK_EQ(oracle_lock(v, a, P), 1);
    CHECK_EQ(oracle_unlock(v, a, P), 1);
    oracle_destroy(v);
}

static void test_write_watch(void)
{
    /* G103: a failed lock marks nothing, the successful one marks the page */
    oracle_t *v = oracle_create(NULL);
    uint64_t a = oracle_alloc(v, 0, P, VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH, RW | GUARD);
    uint64_t pages[4], count = 4;
    uint32_t gran;
    CHECK_EQ(oracle_lock(v, a, P), 0);
    CHECK_EQ(oracle_get_write_watch(v, 0, a, P, pages, &count, &gran), 0);
    CHECK_EQ(count, 0);
    CHECK_EQ(oracle_lock(v, a, P), 1);
    count = 4;
    CHECK_EQ(oracle_get_write_watch(v, 0, a, P, pages, &count, &gran), 0);
    CHECK_EQ(count, 1);
    CHECK_EQ(pages[0], a);
    oracle_destroy(v);
}

static void test_quota(void)
{
    oracle_t *v = oracle_create(NULL);
    uint64_t lo, hi;
    CHECK_EQ(oracle_get_working_set(v, &lo, &hi), 1);
    CHECK_EQ(lo, 50 * P);
    CHECK_EQ(hi, 345 * P);
    CHECK_FAILS_WITH(v, oracle_get_working_set(v, NULL, &hi), VAS_ERROR_NOACCESS);
    uint64_t a = oracle_alloc(v, 0, 0x100000, VAS_MEM_COMMIT, RW);
    CHECK_EQ(oracle_lock(v, a, 42 * P), 1);                       /* 50 - 8 */
    CHECK_FAILS_WITH(v, oracle_lock(v, a + 42 * P, P), VAS_ERROR_WORKING_SET_QUOTA);
    CHECK_EQ(oracle_lock(v, a, 42 * P), 1);                       /* already locked: no new pages */
    CHECK_FAILS_WITH(v, oracle_set_working_set(v, 0, 100 * P), VAS_ERROR_INVALID_PARAMETER);
    CHECK_FAILS_WITH(v, oracle_set_working_set(v, 200 * P, 100 * P), VAS_ERROR_INVALID_PARAMETER);
    CHECK_FAILS_WITH(v, oracle_set_working_set(v, P, 12 * P), VAS_ERROR_INVALID_PARAMETER);
    CHECK_EQ(oracle_set_working_set(v, UINT64_MAX, UINT64_MAX), 1);
    CHECK_EQ(oracle_set_working_set(v, 100 * P, 400 * P), 1);
    CHECK_EQ(oracle_lock(v, a + 42 * P, 50 * P), 1);              /* 92 = 100 - 8 */
    CHECK_FAILS_WITH(v, oracle_lock(v, a + 92 * P, P), VAS_ERROR_WORKING_SET_QUOTA);
    CHECK_FAILS_WITH(v, oracle_set_working_set(v, P, 13 * P), VAS_ERROR_INVALID_PARAMETER); /* 20 > 13 */
    CHECK_EQ(oracle_set_working_set(v, P, 20 * P + 5), 1);
    CHECK_EQ(oracle_get_working_set(v, &lo, &hi), 1);
    CHECK_EQ(lo, 20 * P);                                      /* raised to the floor */
    CHECK_EQ(hi, 20 * P);
    CHECK_EQ(oracle_locked_bytes(v), 92 * P);                     /* stays locked */
    oracle_destroy(v);
}

int main(void)
{
    test_errors();
    test_guard();
    test_write_watch();
    test_quota();
    return check_report("oracle_test_lock");
}
