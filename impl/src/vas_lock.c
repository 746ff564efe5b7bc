/*
 * vas_lock.c - VirtualLock, VirtualUnlock and the working-set quota
 * (docs/semantics.md section 9).
 */
#include "vas_internal.h"

#define WS_DEFAULT_MIN_PAGES 50   /* SetProcessWorkingSetSize docs: the defaults */
#define WS_DEFAULT_MAX_PAGES 345
#define WS_FLOOR_MIN_PAGES   20   /* a smaller minimum is raised to this */
#define WS_FLOOR_MAX_PAGES   13   /* a smaller maximum is refused */
#define WS_LOCK_OVERHEAD     8    /* [decision] pages of the minimum not lockable */

void locks_space_init(struct vas *v)
{
    v->ws_min_pages = WS_DEFAULT_MIN_PAGES;
    v->ws_max_pages = WS_DEFAULT_MAX_PAGES;
    v->locked_pages = 0;
}

/* 1 when [addr, addr + size) is a non-empty range inside the user space. */
static int range_valid(const vas_t *v, uint64_t addr, uint64_t size)
{
    uint64_t last = addr + (size - 1);
    return size != 0 && addr <= space_max(v) && last >= addr && last <= space_max(v);
}

/* Step 3 of VirtualLock: the first page of [lo, hi) that cannot be locked
 * decides; a guard page loses its guard. Returns 0 or the error. */
static uint32_t lockable(vas_t *v, uint64_t lo, uint64_t hi)
{
    for (uint64_t page = lo; page < hi;) {
        alloc_slot s = alloc_tree_find_slot(v, page);
        const page_run *r = s.rec ? runs_find(s.rec, page) : NULL;
        if (!r || r->state != VAS_MEM_COMMIT)
            return VAS_ERROR_INVALID_ADDRESS;   /* semantics: 9.virtuallock.3 */
        if (r->protect & VAS_PAGE_GUARD) {
            space_clear_guard(v, s, page, r->protect);   /* G098; semantics: 9.virtuallock.3 */
            return VAS_STATUS_GUARD_PAGE_VIOLATION;
        }
        if ((r->protect & PROT_BASE_MASK) == VAS_PAGE_NOACCESS && !PLANT(41))
            return VAS_ERROR_NOACCESS;   /* semantics: 9.virtuallock.3 */
        page = r->end;
    }
    return 0;
}

/* Pages of [lo, hi) not locked yet, allocation by allocation. */
static uint64_t newly_locked(const vas_t *v, uint64_t lo, uint64_t hi)
{
    uint64_t pages = 0;
    for (const allocation *a = alloc_tree_find(v, lo); a && alloc_base(a) < hi; a = alloc_tree_next(v, a->end)) {
        uint64_t from = lo > alloc_base(a) ? lo : alloc_base(a), to = hi < a->end ? hi : a->end;
        pages += (to - from) / PAGE_BYTES - locks_count(a, from, to);
    }
    return pages;
}

static int is_writable(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    return base == VAS_PAGE_READWRITE || base == VAS_PAGE_EXECUTE_READWRITE;
}

int vas_lock(vas_t *v, uint64_t addr, uint64_t size)
{
    if (!range_valid(v, addr, size))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);   /* semantics: 9.virtuallock.1 */
    uint64_t lo = round_down(addr, PAGE_BYTES), hi = round_up(addr + size, PAGE_BYTES);   /* semantics: 9.virtuallock.2 */
    uint32_t refused = lockable(v, lo, hi);
    if (refused)
        return fail(v, refused);
    uint64_t fresh = newly_locked(v, lo, hi);
    uint64_t quota = v->ws_min_pages > WS_LOCK_OVERHEAD ? v->ws_min_pages - WS_LOCK_OVERHEAD : 0;
    if (v->locked_pages + fresh > quota + PLANT(39))
        return fail(v, VAS_ERROR_WORKING_SET_QUOTA);   /* semantics: 9.virtuallock.4 */
    for (allocation *a = alloc_tree_find(v, lo); a && alloc_base(a) < hi; a = alloc_tree_next(v, a->end)) {
        uint64_t from = lo > alloc_base(a) ? lo : alloc_base(a), to = hi < a->end ? hi : a->end;
        if (!locks_add(a, from, to))
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
        /* Locking faults the pages in, for write where allowed (G103). */
        if (a->write_watch)   /* semantics: 9.virtuallock.5 */
            for (const page_run *r = runs_find(a, from); r && run_base(r) < to; r = runs_next(a, r))
                if (is_writable(r->protect)
                    && !watch_mark_written(a, run_base(r) > from ? run_base(r) : from, r->end < to ? r->end : to))
                    return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
        if (a->write_watch)
            space_sync_host(v, from, to);   /* reported pages take real writes (section 15) */
    }
    v->locked_pages += fresh;   /* semantics: 9.virtuallock.5 */
    return 1;
}

int vas_unlock(vas_t *v, uint64_t addr, uint64_t size)
{
    if (!range_valid(v, addr, size))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    uint64_t lo = round_down(addr, PAGE_BYTES), hi = round_up(addr + size, PAGE_BYTES);
    /* Every page must be locked; locked ranges never cross allocations. */
    for (uint64_t page = lo; page < hi;) {
        allocation *a = alloc_tree_find(v, page);
        uint64_t to = a && hi > a->end ? a->end : hi;
        if (!a || !locks_cover(a, page, to))
            return fail(v, VAS_ERROR_NOT_LOCKED);   /* semantics: 9.virtualunlock */
        page = to;
    }
    for (allocation *a = alloc_tree_find(v, lo); a && alloc_base(a) < hi; a = alloc_tree_next(v, a->end)) {
        uint64_t from = lo > alloc_base(a) ? lo : alloc_base(a), to = hi < a->end ? hi : a->end;
        if (!locks_remove(a, from, to))
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    v->locked_pages -= (hi - lo) / PAGE_BYTES - PLANT(40);   /* semantics: 9.virtualunlock */
    return 1;
}

int locks_forget(struct vas *v, allocation *a, uint64_t lo, uint64_t hi)
{
    uint64_t pages = locks_count(a, lo, hi);
    if (pages == 0)
        return 1;
    if (!locks_remove(a, lo, hi))
        return 0;
    v->locked_pages -= pages;   /* semantics: 9.decommit-and-release */
    return 1;
}

uint64_t vas_locked_bytes(const vas_t *v)
{
    return v->locked_pages * PAGE_BYTES;
}

int vas_get_working_set(vas_t *v, uint64_t *min_bytes, uint64_t *max_bytes)
{
    if (!min_bytes || !max_bytes)
        return fail(v, VAS_ERROR_NOACCESS);   /* semantics: 9.getprocessworkingsetsize */
    *min_bytes = v->ws_min_pages * PAGE_BYTES;   /* semantics: 9.getprocessworkingsetsize */
    *max_bytes = v->ws_max_pages * PAGE_BYTES;
    return 1;
}

int vas_set_working_set(vas_t *v, uint64_t min_bytes, uint64_t max_bytes)
{
    if (min_bytes == UINT64_MAX && max_bytes == UINT64_MAX)
        return 1;   /* "empty the working set": nothing the model keeps changes */
    uint64_t min_pages = min_bytes / PAGE_BYTES, max_pages = max_bytes / PAGE_BYTES;
    if (min_bytes != 0 && min_pages < WS_FLOOR_MIN_PAGES)
        min_pages = WS_FLOOR_MIN_PAGES;
    if (min_bytes == 0 || min_pages > max_pages || max_pages < WS_FLOOR_MAX_PAGES)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);   /* semantics: 9.setprocessworkingsetsize */
    v->ws_min_pages = min_pages;   /* semantics: 9.setprocessworkingsetsize */
    v->ws_max_pages = max_pages;
    return 1;
}
