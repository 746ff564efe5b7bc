/*
 * test_write_watch.c - GetWriteWatch / ResetWriteWatch on the model
 * (docs/semantics.md section 8), following the sequence of K32
 * test_write_watch (catalogue G109-G114).
 */
#include "helpers.h"

#define P 0x1000u
#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY
#define NA VAS_PAGE_NOACCESS
#define WW VAS_MEM_WRITE_WATCH
#define RESET VAS_WRITE_WATCH_FLAG_RESET

static uint64_t results[2048];

/* GetWriteWatch over [addr, addr + size) with room for max pages; returns
 * the count (or checks the failure when want_error is not 0). */
static uint64_t watched(vas_t *v, uint32_t flags, uint64_t addr, uint64_t size, uint64_t max)
{
    uint64_t count = max;
    uint32_t gran = 0;
    CHECK_EQ(vas_get_write_watch(v, flags, addr, size, results, &count, &gran), 0);
    CHECK_EQ(gran, P);
    return count;
}

static void write_byte(vas_t *v, uint64_t at)
{
    uint8_t b = 3;
    CHECK_EQ(vas_write(v, at, &b, 1, NULL), VAS_STATUS_SUCCESS);
}

static void test_basic(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t size = 0x10000, count;
    uint32_t gran, old;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, RW);
    CHECK(base != 0);
    /* G110: NULL and unwatched memory */
    count = 64;
    CHECK_EQ(vas_get_write_watch(v, 0, 0, size, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    uint64_t plain = vas_alloc(v, 0, size, VAS_MEM_COMMIT, RW);
    CHECK_EQ(vas_get_write_watch(v, 0, plain, size, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(count, 64);   /* a failed call writes nothing */
    CHECK_EQ(vas_reset_write_watch(v, plain, size), VAS_WATCH_FAILED);

    CHECK_EQ(watched(v, 0, base, size, 64), 0);
    write_byte(v, base + P + 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 1);
    CHECK_EQ(results[0], base + P);
    CHECK_EQ(watched(v, RESET, base, size, 64), 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 0);

    write_byte(v, base + 2 * P + 3);
    write_byte(v, base + 4 * P + 8);
    CHECK_EQ(watched(v, 0, base, size, 64), 2);
    CHECK_EQ(results[1], base + 4 * P);
    CHECK_EQ(watched(v, 0, base + 3 * P, 2 * P, 64), 1);   /* the range restricts */
    CHECK_EQ(results[0], base + 4 * P);
    CHECK_EQ(vas_reset_write_watch(v, base, 3 * P), 0);
    CHECK_EQ(watched(v, 0, base, size, 64), 1);

    uint8_t four[4] = {1, 2, 3, 4};                          /* straddles pages 1 and 2 */
    CHECK_EQ(vas_write(v, base + 2 * P - 2, four, 4, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(watched(v, 0, base, size, 64), 3);
    CHECK_EQ(watched(v, RESET, base, size, 1), 1);           /* resets only what it lists */
    CHECK_EQ(results[0], base + P);
    CHECK_EQ(watched(v, 0, base, size, 64), 2);
    CHECK_EQ(results[0], base + 2 * P);

    /* G078: protection changes do not affect watches */
    CHECK_EQ(vas_protect(v, base, 3 * P, RO, &old), 1);
    CHECK_EQ(vas_protect(v, base, 3 * P, RW, &old), 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 2);

    /* a faulting write marks nothing */
    CHECK_EQ(vas_protect(v, base + 8 * P, P, RO, &old), 1);
    CHECK_EQ(vas_write(v, base + 8 * P, four, 1, NULL), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(watched(v, 0, base, size, 64), 2);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_errors(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t size = 0x10000, count;
    uint32_t gran;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, RW);
    /* G111, one argument wrong at a time */
    count = 0;
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, results, NULL, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_NOACCESS);
    count = 64;
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, results, &count, NULL), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_NOACCESS);
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, NULL, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_NOACCESS);
    count = 0;
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, NULL, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    count = 64;
    CHECK_EQ(vas_get_write_watch(v, 0xdeadbeef, base, size, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    CHECK_EQ(vas_get_write_watch(v, 0, base, 0, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_get_write_watch(v, 0, base, size * 2, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_get_write_watch(v, 0, base + size - P, P + 1, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    CHECK_EQ(vas_reset_write_watch(v, base, 0), VAS_WATCH_FAILED);
    /* G022, G023 */
    vas_set_last_error(v, 0);
    CHECK_EQ(vas_alloc(v, 0, size, WW, RW), 0);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    CHECK(vas_alloc(v, 0, size, VAS_MEM_RESERVE | WW, NA) != 0);
    vas_destroy(v);
}

/* G113, G114: decommit forgets writes a VirtualProtect did not see. */
static void test_decommit(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t size = 0x10000;
    uint32_t old;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | WW, NA);
    CHECK_EQ(watched(v, 0, base, size, 64), 0);
    CHECK_EQ(vas_alloc(v, base, size, VAS_MEM_COMMIT, NA), base);
    CHECK_EQ(vas_protect(v, base, 6 * P, RW, &old), 1);
    write_byte(v, base + 5 * P + 200);
    CHECK_EQ(vas_protect(v, base, 6 * P, NA, &old), 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 1);
    CHECK_EQ(vas_reset_write_watch(v, base, size), 0);
    CHECK_EQ(vas_free(v, base + P, P, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(vas_protect(v, base + 2 * P, P, RW, &old), 1);
    CHECK_EQ(watched(v, RESET, base, size, 64), 0);
    write_byte(v, base + 2 * P + 200);
    CHECK_EQ(watched(v, RESET, base, size, 64), 1);

    CHECK_EQ(vas_alloc(v, base, size, VAS_MEM_COMMIT, NA), base);
    CHECK_EQ(vas_protect(v, base, 6 * P, RW, &old), 1);
    write_byte(v, base + 3 * P + 200);
    write_byte(v, base + 5 * P + 200);
    CHECK_EQ(vas_free(v, base, size, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 0);
    CHECK_EQ(vas_alloc(v, base, size, VAS_MEM_COMMIT, RW), base);
    CHECK_EQ(watched(v, 0, base, size, 64), 0);

    write_byte(v, base + 3 * P + 200);
    CHECK_EQ(vas_protect(v, base, 6 * P, RW, &old), 1);     /* latches page 3 */
    write_byte(v, base + 5 * P + 200);
    CHECK_EQ(watched(v, 0, base, size, 64), 2);
    CHECK_EQ(vas_free(v, base, size, VAS_MEM_DECOMMIT), 1);
    CHECK_EQ(watched(v, 0, base, size, 64), 1);
    CHECK_EQ(results[0], base + 3 * P);
    CHECK_EQ(vas_alloc(v, base, size, VAS_MEM_COMMIT, RW), base);
    CHECK_EQ(watched(v, 0, base, size, 64), 1);
    write_byte(v, base + 4 * P + 200);
    write_byte(v, base + 2 * P + 200);
    write_byte(v, base + 6 * P + 200);
    CHECK_EQ(watched(v, 0, base, size, 64), 4);
    CHECK_EQ(results[0], base + 2 * P);
    CHECK_EQ(results[1], base + 3 * P);
    CHECK_EQ(results[2], base + 4 * P);
    CHECK_EQ(results[3], base + 6 * P);
    CHECK(vas_debug_check_invariants(v));
    CHECK_EQ(vas_free(v, base, 0, VAS_MEM_RELEASE), 1);
    vas_destroy(v);
}

/* The longer range of K32: 2048 pages, every other one written. */
static void test_long_range(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t size = 2048 * P;
    uint32_t old;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, RW);
    for (uint64_t i = 0; i < 2048; i += 2)
        write_byte(v, base + i * P);
    CHECK_EQ(vas_protect(v, base, size / 2, RO, &old), 1);
    CHECK_EQ(watched(v, 0, base, size, 2048), 1024);
    for (uint64_t i = 0; i < 1024; i++)
        if (results[i] != base + i * 2 * P)
            CHECK_EQ(results[i], base + i * 2 * P);
    CHECK_EQ(watched(v, RESET, base, size, 2048), 1024);
    CHECK_EQ(watched(v, 0, base, size, 2048), 0);
    vas_destroy(v);
}

int main(void)
{
    test_basic();
    test_errors();
    test_decommit();
    test_long_range();
    return check_report("impl_write_watch");
}
