/*
 * allocation.c - creating and destroying one allocation with its runs and
 * contents (the allocation index itself is alloc_tree.c).
 */
#include "vas_internal.h"


allocation *allocation_new(struct vas *v, uint64_t base, uint64_t end, uint32_t alloc_protect,
                           uint32_t state, uint32_t protect)
{
    assert(base % PAGE_BYTES == 0 && end % PAGE_BYTES == 0 && base < end);
    allocation *a = node_pool_take(&v->records);
    /* fuzz-unreached: alloc-failure - the record pool never runs dry while fuzzing */
    if (!a)
        return NULL;
    a->base = base;
    a->end = end;
    a->protect = alloc_protect;
    a->system = 0;
    a->uncharged = 0;
    a->type = VAS_MEM_PRIVATE;
    a->mapped = 0;
    a->placeholder = 0;
    a->replaced = 0;
    a->section = NULL;
    a->offset = 0;
    a->view_prev = a->view_next = NULL;
    page_store_init(a);
    watch_init(a, 0);
    locks_init(a);
    a->is_stack = 0;
    a->stack_guarantee = 0;
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_init(&v->run_nodes, a, state, protect)) {
        node_pool_give(&v->records, a);
        return NULL;
    }
    return a;
}

void allocation_delete(struct vas *v, allocation *a)
{
    runs_free_all(&v->run_nodes, a);
    page_store_free_all(a);
    watch_free_all(a);
    locks_free_all(a);
    node_pool_give(&v->records, a);
}
