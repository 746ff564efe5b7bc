/*
 * allocation.c - creating and destroying one allocation with its runs and
 * contents (the allocation index itself is alloc_tree.c).
 */
#include "vas_internal.h"

#include <stdlib.h>

allocation *allocation_new(uint64_t base, uint64_t end, uint32_t alloc_protect,
                           uint32_t state, uint32_t protect)
{
    assert(base % GRANULE_BYTES == 0 && end % PAGE_BYTES == 0 && base < end);
    allocation *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    a->base = base;
    a->end = end;
    a->protect = alloc_protect;
    page_store_init(a);
    if (!runs_init(a, state, protect)) {
        free(a);
        return NULL;
    }
    return a;
}

void allocation_delete(allocation *a)
{
    runs_free_all(a);
    page_store_free_all(a);
    free(a);
}
