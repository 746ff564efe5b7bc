/*
 * vas_query.c - VirtualQuery (docs/semantics.md section 5): one lookup in
 * the allocation index, one in the allocation's runs.
 */
#include "vas_internal.h"

#include <string.h>

size_t vas_query(vas_t *v, uint64_t addr, vas_mbi *out, size_t len)
{
    if (len < v->mbi_size)
        return fail(v, VAS_ERROR_BAD_LENGTH);
    if (addr > space_max(v))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);

    uint64_t page = round_down(addr, PAGE_BYTES);
    memset(out, 0, sizeof *out);
    out->base_address = page;
    allocation *a = alloc_tree_find(v, page);
    if (!a) {
        allocation *next = alloc_tree_next(v, page);
        out->region_size = (next ? alloc_base(next) : space_max(v) + 1) - page;
        out->state = VAS_MEM_FREE;
        out->protect = VAS_PAGE_NOACCESS;
        return v->mbi_size;
    }
    const page_run *r = runs_find(a, page);
    out->allocation_base = alloc_base(a);
    out->allocation_protect = a->protect;
    out->region_size = r->end - page;
    out->state = r->state;
    out->protect = r->protect;
    out->type = VAS_MEM_PRIVATE;
    return v->mbi_size;
}
