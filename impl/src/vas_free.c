/*
 * vas_free.c - VirtualFree: decommit and release (docs/semantics.md
 * section 3).
 */
#include "vas_internal.h"

static void release_allocation(vas_t *v, allocation *a)
{
    uint64_t base = alloc_base(a), end = a->end;
    v->committed_pages -= PLANT(14) ? 0 : runs_count_committed(a, base, end);
    locks_forget(v, a, base, end);
    alloc_tree_remove(v, a);
    allocation_delete(v, a);
    space_sync_host(v, base, end);
}

static int decommit_range(vas_t *v, alloc_slot s, uint64_t start, uint64_t end)
{
    allocation *a = s.rec;
    uint64_t committed = PLANT(31) ? (end - start) / PAGE_BYTES : runs_count_committed(a, start, end);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!locks_forget(v, a, start, end) || !runs_set(&v->run_nodes, a, start, end, VAS_MEM_RESERVE, 0))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    alloc_tree_sync_entry(s);
    page_store_drop(a, start, end - (PLANT(15) ? PAGE_BYTES : 0));
    watch_decommit(a, start, end);
    v->committed_pages -= committed;  /* semantics: 3.decommit 7 */
    space_sync_host(v, start, end);
    return 1;
}

#define RELEASE_PRESERVE (VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER)
#define RELEASE_COALESCE (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS)

int vas_free(vas_t *v, uint64_t addr, uint64_t size, uint32_t type)
{
    uint64_t max = space_max(v);
    int placeholder_op = type == RELEASE_PRESERVE || type == RELEASE_COALESCE;
    if (type != VAS_MEM_DECOMMIT && type != VAS_MEM_RELEASE && !placeholder_op)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 3.1, 12.12.1 */
    if (addr > max || addr < space_min(v))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 3.2 */
    if (size != 0 && (addr + size - 1 < addr || addr + size - 1 > max))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 3.2 */
    if (type == VAS_MEM_RELEASE && size != 0 && !PLANT(11))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 3.3 */
    if (placeholder_op && size == 0)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.12.4 (G419, G425) */

    uint64_t start = round_down(addr, PAGE_BYTES);
    alloc_slot s = alloc_tree_find_slot(v, start);
    allocation *a = s.rec;
    if (!a)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 3.4 */
    if (a->system)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* X356; semantics: 11.2.6 */
    if (a->section)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);   /* a view (12.5; G430) */
    if (placeholder_op) {
        uint64_t end = round_up(addr + size, PAGE_BYTES);
        return type == RELEASE_PRESERVE ? placeholder_free_preserve(v, s, start, end)
                                        : placeholder_coalesce(v, s, start, end);
    }
    if (type == VAS_MEM_DECOMMIT && a->placeholder)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.12.decommit (X419) */

    if (size == 0) {
        if (start != alloc_base(a) && !PLANT(12))
            return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 3.release 3.decommit */
        if (type == VAS_MEM_RELEASE) {
            release_allocation(v, a);  /* semantics: 3.release 7 */
            return 1;
        }
        return decommit_range(v, s, alloc_base(a), a->end);  /* semantics: 3.decommit */
    }

    uint64_t end = round_up(addr + size, PAGE_BYTES);
    if (end > a->end && PLANT(13))
        end = a->end;
    if (end > a->end)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 3.decommit */
#if VAS_PLANTED_BUG_DECOMMIT
    /* PLANTED BUG for the fuzzing test (off by default): a decommit of more
     * than one page leaves its last page committed. The differential fuzzer
     * must find this; never enable it outside that test. */
    if (end - start > PAGE_BYTES)
        end -= PAGE_BYTES;
#endif
    return decommit_range(v, s, start, end);
}
