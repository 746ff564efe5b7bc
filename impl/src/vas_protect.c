/*
 * vas_protect.c - VirtualProtect (docs/semantics.md section 4; views 12.5).
 */
#include "vas_internal.h"

/* What a view's page takes for protect: EXECUTE_WRITECOPY on a view that
 * is not copy-on-write shows (and acts) as EXECUTE_READWRITE (12.5). */
static uint32_t view_requested(const allocation *a, uint32_t protect)
{
    if ((protect & PROT_BASE_MASK) == VAS_PAGE_EXECUTE_WRITECOPY && !protection_is_copy_on_write(a->protect))
        return (protect & ~PROT_BASE_MASK) | VAS_PAGE_EXECUTE_READWRITE;
    return protect;
}

/* An image page asked to become writable becomes copy-on-write: its pages
 * are the image section's (11.2.6; loader.c test_VirtualProtect). */
static uint32_t image_requested(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    if (base == VAS_PAGE_READWRITE)
        return (protect & ~PROT_BASE_MASK) | VAS_PAGE_WRITECOPY;
    if (base == VAS_PAGE_EXECUTE_READWRITE)
        return (protect & ~PROT_BASE_MASK) | VAS_PAGE_EXECUTE_WRITECOPY;
    return protect;
}

int vas_protect(vas_t *v, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    uint64_t max = space_max(v);
    if (!old)
        return fail(v, VAS_ERROR_NOACCESS);  /* semantics: 4.1 */
    if (!protection_is_valid_for(protect, 1))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 4.2 */
    /* Below MIN is free memory, refused at step 4 (G072: Windows x64 answers
     * STATUS_CONFLICTING_ADDRESSES for address NULL), not here. */
    if (size == 0 || addr > max)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 4.3 */
    if (addr + size - 1 < addr || addr + size - 1 > max)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 4.3 */

    uint64_t start = round_down(addr, PAGE_BYTES);
    uint64_t end = round_up(addr + size, PAGE_BYTES);
    alloc_slot s = alloc_tree_find_slot(v, start);
    allocation *a = s.rec;
    if (a && a->system)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* X356, *old untouched; semantics: 11.2.6 */
    if (a && a->section && a->section->image)
        protect = image_requested(protect);   /* G309; semantics: 11.2.6 */
    /* Copy-on-write is for views only (section 1). */
    if (protection_is_copy_on_write(protect) && !(a && a->section))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (a && a->section) {
        if (!view_protection_compatible(a->section->protect, a->protect, protect))
            return fail(v, VAS_ERROR_INVALID_PARAMETER);
        protect = view_requested(a, protect);
    }
    if (!a || end > a->end || !runs_all_committed(a, start, end)) {
        *old = PLANT(17) ? *old : VAS_PAGE_NOACCESS;
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 4.4 */
    }
    uint32_t first = runs_find(a, PLANT(16) ? end - PAGE_BYTES : start)->protect;
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_protect(&v->run_nodes, a, start, end, protect))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    alloc_tree_sync_entry(s);
    watch_latch(a, start, PLANT(18) ? start : end);
    *old = first;  /* semantics: 4.5 */
    space_sync_host(v, start, end);
    return 1;
}
