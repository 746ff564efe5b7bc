/*
 * test_write_watch.c - what traces cannot state about the oracle's
 * GetWriteWatch (docs/semantics.md section 8): the out-values. A failed
 * call writes neither *count nor *granularity; a successful one says a
 * page. The behaviours a trace can state live in conformance/cases/watch.
 */
#include "helpers.h"

int main(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t pages[4], count = 4;
    uint32_t gran = 0;
    uint8_t byte = 1;
    uint64_t plain = oracle_alloc(o, 0, 0x10000, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    uint64_t watched = oracle_alloc(o, 0, 0x10000, VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH,
                                    VAS_PAGE_READWRITE);

    CHECK_EQ(oracle_get_write_watch(o, 0, plain, 0x10000, pages, &count, &gran), VAS_WATCH_FAILED);
    CHECK_EQ(count, 4);
    CHECK_EQ(gran, 0);
    CHECK_EQ(oracle_write(o, watched + 0x3000, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(oracle_get_write_watch(o, 0, watched, 0x10000, pages, &count, &gran), 0);
    CHECK_EQ(gran, 0x1000);
    CHECK_EQ(count, 1);
    CHECK_EQ(pages[0], watched + 0x3000);
    oracle_destroy(o);
    return check_report("oracle_write_watch");
}
