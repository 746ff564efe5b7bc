/*
 * test_write_watch.c - what traces cannot state about GetWriteWatch on the
 * model (docs/semantics.md section 8): the granularity out-value, a failed
 * call leaving *count alone, and a report of a thousand pages (beyond what a
 * case states readably) with the model's invariants after every kind of
 * change to the written bits. The behaviours a trace can state live in
 * conformance/cases/watch (G022, G078, G102, G109-G114, X501).
 */
#include "helpers.h"

#define P 0x1000u
#define WW VAS_MEM_WRITE_WATCH

static uint64_t results[2048];

int main(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    uint64_t size = 2048 * P, count = 64, plain;
    uint32_t gran = 0, old;
    uint8_t byte = 3;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, VAS_PAGE_READWRITE);
    CHECK(base != 0);

    plain = vas_alloc(v, 0, P, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    CHECK_EQ(vas_get_write_watch(v, 0, plain, P, results, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(count, 64);
    CHECK_EQ(gran, 0);

    /* Every other page of 2048 written: written bits split into 1024 runs,
     * reported in address order whatever the protection does. */
    for (uint64_t i = 0; i < 2048; i += 2)
        CHECK_EQ(vas_write(v, base + i * P, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_protect(v, base, size / 2, VAS_PAGE_READONLY, &old), 1);
    CHECK(vas_debug_check_invariants(v));
    count = 2048;
    CHECK_EQ(vas_get_write_watch(v, VAS_WRITE_WATCH_FLAG_RESET, base, size, results, &count, &gran), 0);
    CHECK_EQ(gran, P);
    CHECK_EQ(count, 1024);
    for (uint64_t i = 0; i < 1024; i++)
        if (results[i] != base + i * 2 * P)
            CHECK_EQ(results[i], base + i * 2 * P);
    CHECK(vas_debug_check_invariants(v));

    /* Decommit drops what a protect did not latch; the runs join again. */
    CHECK_EQ(vas_write(v, base + size - P, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_free(v, base + size / 2, size / 2, VAS_MEM_DECOMMIT), 1);
    CHECK(vas_debug_check_invariants(v));
    count = 2048;
    CHECK_EQ(vas_get_write_watch(v, 0, base, size, results, &count, &gran), 0);
    CHECK_EQ(count, 0);
    CHECK_EQ(vas_free(v, base, 0, VAS_MEM_RELEASE), 1);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
    return check_report("impl_write_watch");
}
