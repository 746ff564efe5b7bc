/*
 * process_layout.c - what a fresh space holds under VAS_LAYOUT_PROCESS
 * (docs/semantics.md section 11.2): the allocations of layout_table.c placed
 * at vas_create, each image as the view of its image section (section.c).
 */
#include "layout_table.h"
#include "vas_internal.h"

#include <string.h>

/* Places one allocation of the table. 0 if out of memory. */
static int layout_place(vas_t *v, const layout_alloc *l)
{
    uint64_t base = l->entry.base, end = base + l->entry.size, at = base, charged = 0;
    const layout_piece *p = l->pieces;
    allocation *a = allocation_new(v, base, end, l->alloc_protect, p->state, p->protect);
    if (!a)
        return 0;
    a->type = l->type;
    a->system = l->system;
    a->uncharged = !l->charged;
    a->mapped = l->type == VAS_MEM_IMAGE;   /* a view: its index entry has no summary */
    /* The main thread's stack is a thread's stack (section 11): it grows. */
    a->is_stack = strcmp(l->entry.role, "stack") == 0;
    for (; at < end; at += p->size, p++) {
        if (p->state == VAS_MEM_COMMIT && l->charged)
            charged += p->size / PAGE_BYTES;
        /* semantics: 11.2.1 11.2.2 11.2.3 11.2.4 11.2.5 */
        if (at != base && !runs_set(&v->run_nodes, a, at, at + p->size, p->state, p->protect))
            break;
    }
    if (at != end || !alloc_tree_insert(v, a)) {
        allocation_delete(v, a);
        return 0;
    }
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (l->type == VAS_MEM_IMAGE && !section_add_image(v, a)) {   /* semantics: 11.2.1 */
        alloc_tree_remove(v, a);
        allocation_delete(v, a);
        return 0;
    }
    v->committed_pages += charged;   /* semantics: 11.2.7 */
    space_sync_host(v, base, end);
    return 1;
}

int space_build_layout(vas_t *v)
{
    if (v->cfg.layout == VAS_LAYOUT_EMPTY)
        return 1;
    /* The table is a 64-bit process's; other profiles have no such layout. */
    if (v->cfg.layout != VAS_LAYOUT_PROCESS || v->cfg.profile != VAS_PROFILE_X64)
        return 0;
    size_t n;
    const layout_alloc *table = layout_table(v->cfg.layout, &n);
    for (size_t i = 0; i < n; i++)
        if (!layout_place(v, &table[i]))
            return 0;
    /* A limit below what the process starts with: no such process. */
    return v->cfg.commit_limit == 0 || v->committed_pages * PAGE_BYTES <= v->cfg.commit_limit;  /* semantics: 11.2.7 */
}
