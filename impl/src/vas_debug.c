/*
 * vas_debug.c - inspection without side effects (vas/vas_debug.h).
 */
#include "vas/vas_debug.h"
#include "vas_internal.h"

#include <stdio.h>
#include <string.h>

int vas_debug_page_contents(const vas_t *v, uint64_t page_addr, void *out4096)
{
    uint64_t page = round_down(page_addr, PAGE_BYTES);
    const allocation *a = alloc_tree_find(v, page);
    /* fuzz-unreached: debug-check - host_verify asks only for committed pages */
    if (!a || runs_find(a, page)->state != VAS_MEM_COMMIT)
        return 0;
    const uint8_t *bytes = a->section ? view_page_peek(a, page) : page_store_peek(a, page);
    if (bytes)
        memcpy(out4096, bytes, PAGE_BYTES);
    else
        memset(out4096, 0, PAGE_BYTES);
    return 1;
}

/* fuzz-unreached: debug-check - only a broken invariant gets here */
static int broken(const char *what, uint64_t at)
{
    fprintf(stderr, "vas invariant broken: %s (at 0x%llx)\n", what, (unsigned long long)at);
    return 0;
}

/* fuzz-unreached: debug-check - its failure returns: a correct model passes every check */
int vas_debug_check_invariants(const vas_t *v)
{
    if (!alloc_tree_check(v))
        return broken("allocation index (order, shape, bounds, gap or run summaries, pooled nodes)", 0);
    uint64_t committed = 0, allocations = 0, runs = 0, locked = 0;
    for (const allocation *a = alloc_tree_next(v, 0); a; a = alloc_tree_next(v, a->end)) {
        allocations++;
        runs += a->runs.count;
        if (!protection_is_valid_for(a->protect, a->type == VAS_MEM_IMAGE || a->mapped))
            return broken("allocation protection invalid", alloc_base(a));
        if (!runs_check(a))
            return broken("page runs do not tile the allocation as merged runs", alloc_base(a));
        if (!page_store_check(a))
            return broken("stored contents outside committed pages", alloc_base(a));
        if (!watch_check(a))
            return broken("write-watch pages outside the allocation or unwatched", alloc_base(a));
        if (!locks_check(a))
            return broken("locked ranges unmerged, outside the allocation or not committed", alloc_base(a));
        locked += locks_count(a, alloc_base(a), a->end);
        if (!a->uncharged)
            committed += runs_count_committed(a, alloc_base(a), a->end);
    }
    uint64_t section_pages = 0;
    if (!sections_check(v, &allocations, &runs, &section_pages))
        return broken("sections: bodies, view lists or charges inconsistent", 0);
    if (section_pages != v->section_pages)
        return broken("section charge differs from committed section pages", section_pages * PAGE_BYTES);
    if (allocations != node_pool_in_use(&v->records) || runs != node_pool_in_use(&v->run_nodes))
        return broken("record or run pool holds blocks no allocation owns", 0);
    if (locked != v->locked_pages)
        return broken("locked page count differs from the locked ranges", locked * PAGE_BYTES);
    if (committed != v->committed_pages)
        return broken("commit charge differs from committed pages", committed * PAGE_BYTES);
    uint64_t charged = committed + v->cow_pages + section_pages;
    if (v->cfg.commit_limit && charged * PAGE_BYTES > v->cfg.commit_limit)
        return broken("commit charge above the limit", charged * PAGE_BYTES);
    return 1;
}
