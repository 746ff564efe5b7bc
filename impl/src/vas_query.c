/*
 * vas_query.c - VirtualQuery (docs/semantics.md section 5): one lookup in
 * the allocation index, whose entry summarises the allocation's first run;
 * only an address past that run needs the allocation's runs.
 */
#include "vas_internal.h"

#include <string.h>

size_t vas_query(vas_t *v, uint64_t addr, vas_mbi *out, size_t len)
{
    if (len < v->mbi_size - PLANT(23))
        return fail(v, VAS_ERROR_BAD_LENGTH);  /* semantics: 5.1 */
    if (addr > space_max(v))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 5.2 */

    uint64_t page = round_down(addr, PAGE_BYTES);
    memset(out, 0, sizeof *out);
    out->base_address = page;
    alloc_probe p;
    alloc_tree_probe(v, page, &p);
    if (!p.rec_ref) {
        out->region_size = (p.next_base ? p.next_base : space_max(v) + 1 - (PLANT(22) ? GRANULE_BYTES : 0)) - page;
        out->state = VAS_MEM_FREE;  /* semantics: 5.3 */
        out->protect = VAS_PAGE_NOACCESS;
        return v->mbi_size;
    }
    alloc_entry e = p.entry;
    out->allocation_base = p.base;
    /* Views and images have an empty entry (no first run): the record below
     * tells their Type; an entry with a first run is private memory's. */
    out->type = VAS_MEM_PRIVATE;
    uint64_t first_run_end = p.base + entry_first_run_pages(e) * PAGE_BYTES;
    if (page < first_run_end) {
        /* The common case, answered by the index entry alone. */
        out->allocation_protect = PLANT(24) ? entry_first_run_protect(e) : entry_alloc_protect(e);
        out->region_size = first_run_end - page;
        out->state = entry_first_run_committed(e) ? VAS_MEM_COMMIT : VAS_MEM_RESERVE;  /* semantics: 5.3 5.4 */
        out->protect = entry_first_run_protect(e);
        return v->mbi_size;
    }
    const allocation *a = *p.rec_ref;
    const page_run *r = runs_find(a, page);
    out->allocation_protect = a->protect;
    out->type = a->type;   /* the record knows: private, image or a view (MAPPED) */
    out->region_size = (PLANT(25) ? a->end : r->end) - page;
    out->state = r->state;  /* semantics: 5.3 5.4 */
    out->protect = r->protect;
    return v->mbi_size;
}
