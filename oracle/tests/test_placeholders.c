/*
 * test_placeholders.c - what no trace can state about the oracle's
 * placeholders (docs/semantics.md 12.9-12.14); the rules themselves are
 * conformance cases run on every backend. Here: extended parameters of the
 * kinds a trace cannot write (types 2-6: NUMA node, partition, ...), a
 * VirtualAlloc2 into another process that fails and leaves that process's
 * last-error alone (13.2), and MapViewOfFile3 and UnmapViewOfFile2 naming
 * another process.
 */
#include "helpers.h"

#define NA VAS_PAGE_NOACCESS
#define RW VAS_PAGE_READWRITE
#define PLACEHOLDER (VAS_MEM_RESERVE | VAS_MEM_RESERVE_PLACEHOLDER)

/* Every type but address requirements is refused, whatever the others. */
static void test_parameter_kinds_not_modelled(void)
{
    oracle_t *o = oracle_create(NULL);
    for (uint32_t type = 2; type < VAS_MEM_EXT_MAX; type++) {
        vas_ext_param p[2] = {{VAS_MEM_EXT_ADDRESS_REQUIREMENTS, 0, 0, 0}, {type, 0, 0, 0}};
        CHECK_FAILS(oracle_alloc2(o, 0, 0, 0x10000, PLACEHOLDER, NA, &p[1], 1), VAS_ERROR_INVALID_PARAMETER);
        CHECK_FAILS(oracle_alloc2(o, 0, 0, 0x10000, PLACEHOLDER, NA, p, 2), VAS_ERROR_INVALID_PARAMETER);
        uint64_t s = oracle_create_section(o, 0x10000, RW);
        CHECK_FAILS(oracle_map_view3(o, s, 0, 0, 0, 0, 0, RW, &p[1], 1), VAS_ERROR_INVALID_PARAMETER);
        CHECK_EQ(oracle_close_handle(o, s), 1);
    }
    /* Nothing was made: the first fit is still the lowest granule. */
    CHECK_EQ(oracle_alloc2(o, 0, 0, 0x10000, PLACEHOLDER, NA, NULL, 0), 0x10000);
    oracle_destroy(o);
}

/* The caller's last-error reports another process's failure; the
 * target's stays what it was. */
static void test_other_process(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t h = oracle_process_create(o, NULL);
    oracle_t *child = oracle_process_space(o, h);
    oracle_set_last_error(child, 1234);
    uint64_t p = oracle_alloc2(o, h, 0, 0x20000, PLACEHOLDER, NA, NULL, 0);
    CHECK_EQ(p, 0x10000);
    CHECK_FAILS(oracle_alloc2(o, h, p, 0x1000, VAS_MEM_COMMIT, RW, NULL, 0), VAS_ERROR_INVALID_ADDRESS);
    CHECK_EQ(oracle_last_error(child), 1234);
    vas_mbi m;
    CHECK_EQ(oracle_query(child, p, &m, sizeof m), VAS_MBI_SIZE_X64);
    CHECK_EQ(m.state, VAS_MEM_RESERVE);
    CHECK_EQ(m.region_size, 0x20000);
    CHECK_EQ(oracle_query(o, p, &m, sizeof m), VAS_MBI_SIZE_X64);
    CHECK_EQ(m.state, VAS_MEM_FREE);   /* in the child, not here */

    /* A view into another process is not modelled (12.11 step 1); the
     * child has no view to unmap (12.13 step 3). */
    uint64_t s = oracle_create_section(o, 0x20000, RW);
    CHECK_FAILS(oracle_map_view3(o, s, h, p, 0, 0x20000, VAS_MEM_REPLACE_PLACEHOLDER, RW, NULL, 0),
                VAS_ERROR_NOT_SUPPORTED);
    CHECK_FAILS(oracle_unmap_view2(o, h, p, VAS_MEM_PRESERVE_PLACEHOLDER), VAS_ERROR_INVALID_ADDRESS);
    CHECK_EQ(oracle_last_error(child), 1234);
    oracle_destroy(o);
}

int main(void)
{
    test_parameter_kinds_not_modelled();
    test_other_process();
    return check_report("oracle_test_placeholders");
}
