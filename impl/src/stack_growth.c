/*
 * stack_growth.c - what the system does when a thread touches a guard page
 * of its own stack (docs/semantics.md section 11): the page is committed
 * (its guard goes), guard pages are placed below it and the access goes on
 * unseen; when the new guard would reach the stack's bottom page, the rest
 * of the stack above that page is committed and the access raises
 * STATUS_STACK_OVERFLOW. An access by the thread checks its pages through
 * space_check_access_by, which calls here.
 */
#include "vas_internal.h"

uint32_t stack_grow(vas_t *v, alloc_slot s, uint64_t page)
{
    allocation *a = s.rec;
    const page_run *r = runs_find(a, page);
    space_clear_guard(v, s, page, r->protect);  /* semantics: 11.accesses-by-a-thread.1 */
    uint64_t guard = stack_guard_bytes(v, a);
    if (page - a->base < (PLANT(45) ? 0 : PAGE_BYTES) + guard) {
        /* No room for a new guard: what is left above the bottom page is
         * given to the overflow handler, if the commit limit allows. */
        if (page > a->base + PAGE_BYTES)
            space_commit_pages(v, alloc_tree_find_slot(v, page), a->base + PAGE_BYTES, page,
                               VAS_PAGE_READWRITE);
        return VAS_STATUS_STACK_OVERFLOW;  /* semantics: 11.accesses-by-a-thread.2 */
    }
    if (!space_commit_pages(v, alloc_tree_find_slot(v, page), page - guard, page,
                            VAS_PAGE_READWRITE | VAS_PAGE_GUARD))
        return VAS_STATUS_STACK_OVERFLOW;
    return VAS_STATUS_SUCCESS;  /* semantics: 11.accesses-by-a-thread.3 */
}

static uint32_t thread_access(vas_t *v, uint64_t stack, uint64_t addr, size_t len,
                              access_kind kind, uint64_t *fault)
{
    allocation *a = stack_find(v, stack);
    if (!a)
        return VAS_STATUS_INVALID_HANDLE;
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    return space_report_fault(v, space_check_access_by(v, a, addr, len, kind, fault), fault);
}

uint32_t vas_thread_read(vas_t *v, uint64_t stack, uint64_t addr, void *buf, size_t len,
                         uint64_t *fault)
{
    uint32_t status = thread_access(v, stack, addr, len, ACCESS_READ, fault);
    if (status == VAS_STATUS_SUCCESS && len != 0)
        space_copy_out(v, addr, buf, len);
    return status;
}

uint32_t vas_thread_write(vas_t *v, uint64_t stack, uint64_t addr, const void *buf, size_t len,
                          uint64_t *fault)
{
    uint32_t status = thread_access(v, stack, addr, len, ACCESS_WRITE, fault);
    if (status == VAS_STATUS_SUCCESS && len != 0)
        space_copy_in(v, addr, buf, len);
    return status;
}

/* Whether the commit limit allows the growths down to page x after one at
 * `grown`: they charge the uncommitted pages of [x - guard, grown - guard). */
static int probe_charge_allowed(const vas_t *v, const allocation *a, uint64_t x, uint64_t grown,
                                uint64_t guard)
{
    uint64_t lo = x - guard, hi = grown - guard;
    return space_charge_allowed(v, (hi - lo) / PAGE_BYTES - runs_count_committed(a, lo, hi));
}

/* The growths that follow a growth at `grown`, all at once (semantics:
 * "a probe computed at once", fact 2): the walk would visit grown - 1 page,
 * find the guard the growth placed there, grow, and so on down. Commits
 * what the growths down to the lowest page X allowed would leave, and
 * returns the page the walk visits next (X - 1 page). */
static uint64_t probe_grow_run(vas_t *v, allocation *a, uint64_t grown, uint64_t stop)
{
    uint64_t guard = stack_guard_bytes(v, a);
    uint64_t low = stop + PAGE_BYTES;                 /* the walk's last visit */
    if (low < a->base + PAGE_BYTES + guard)
        low = a->base + PAGE_BYTES + guard;           /* below it a growth overflows */
    if (low >= grown)
        return grown - PAGE_BYTES;
    /* The charge grows as X goes down: the lowest X the limit allows, by halving. */
    uint64_t fits = grown, refused = low - PAGE_BYTES;
    if (probe_charge_allowed(v, a, low, grown, guard))
        fits = low;
    else
        while (fits - refused > PAGE_BYTES) {
            uint64_t mid = refused + (fits - refused) / PAGE_BYTES / 2 * PAGE_BYTES;
            if (probe_charge_allowed(v, a, mid, grown, guard))
                fits = mid;
            else
                refused = mid;
        }
    if (fits < grown) {
        alloc_slot s = alloc_tree_find_slot(v, grown);  /* commits neither insert nor remove */
        space_commit_pages(v, s, fits, grown, VAS_PAGE_READWRITE);
        space_commit_pages(v, s, fits - guard, fits, VAS_PAGE_READWRITE | VAS_PAGE_GUARD);
    }
    return fits - PAGE_BYTES;
}

uint32_t vas_thread_probe(vas_t *v, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    allocation *a = stack_find(v, stack);
    if (!a)
        return VAS_STATUS_INVALID_HANDLE;
    uint64_t stop = addr > a->base ? round_down(addr, PAGE_BYTES) : a->base;
    uint64_t page = a->end - PAGE_BYTES;
    while (page > stop && page < a->end) {
        const page_run *r = runs_find(a, page);
        uint64_t run_first = run_base(r);
        int guard = r->state == VAS_MEM_COMMIT && (r->protect & VAS_PAGE_GUARD);
        uint32_t status = space_check_access_by(v, a, page, 1, ACCESS_READ, fault);
        if (status != VAS_STATUS_SUCCESS)
            return status;
        /* semantics: "a probe computed at once" */
        page = guard ? probe_grow_run(v, a, page, stop) : run_first - PAGE_BYTES;
    }
    return space_report_fault(v, space_check_access_by(v, a, addr, 1, ACCESS_READ, fault), fault);
}
