/*
 * thread_stack.c - threads as far as the address space sees them: a stack
 * made as CreateThread makes it, SetThreadStackGuarantee, the stack's
 * release when the thread exits (docs/semantics.md section 11).
 *
 * A thread is its stack allocation (allocation.is_stack): looking a thread
 * up is one index descent, and a stack released by VirtualFree takes its
 * thread with it without any bookkeeping here.
 */
#include "vas_internal.h"

#define STACK_COMMIT_ROUND 0x100000u   /* a commit >= the reserve rounds the reserve to 1 MiB */
#define STACK_MIN_COMMIT   0x2000u     /* the initial commit is at least two pages */
#define X64_MIN_GUARANTEE  0x2000u     /* 64-bit threads: at least two pages guaranteed */

allocation *stack_find(const vas_t *v, uint64_t stack)
{
    if (stack < space_min(v) || stack > space_max(v))
        return NULL;
    allocation *a = alloc_tree_find(v, stack);
    return a && a->is_stack && a->base == stack ? a : NULL;
}

uint64_t stack_guard_bytes(const vas_t *v, const allocation *stack)
{
    uint64_t guaranteed = stack->stack_guarantee;
    if (v->cfg.profile == VAS_PROFILE_X64 && guaranteed < X64_MIN_GUARANTEE)
        guaranteed = X64_MIN_GUARANTEE;
    return guaranteed + PAGE_BYTES;
}

int space_commit_pages(vas_t *v, alloc_slot s, uint64_t lo, uint64_t hi, uint32_t protect)
{
    uint64_t fresh = (hi - lo) / PAGE_BYTES - runs_count_committed(s.rec, lo, hi);
    if (!space_charge_allowed(v, fresh))
        return 0;
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_set(&v->run_nodes, s.rec, lo, hi, VAS_MEM_COMMIT, protect))
        return 0;
    alloc_tree_sync_entry(s);
    v->committed_pages += fresh;
    space_sync_host(v, lo, hi);
    return 1;
}

/* The reservation and initial commit CreateThread asks for; 0 when the
 * numbers cannot be rounded (the call then fails as out of memory). */
static int stack_sizes(uint64_t stack_size, int size_is_reservation, uint64_t *reserve,
                       uint64_t *commit)
{
    uint64_t r = VAS_STACK_DEFAULT_RESERVE, c = VAS_STACK_DEFAULT_COMMIT;
    if (size_is_reservation && stack_size != 0)
        r = stack_size;  /* semantics: 11.createthread.1 */
    else if (!size_is_reservation && stack_size != 0)
        c = stack_size;
    if (c > UINT64_MAX - STACK_COMMIT_ROUND || r > UINT64_MAX - STACK_COMMIT_ROUND)
        return 0;
    c = round_up(c, PAGE_BYTES);
    if (c >= r)
        r = round_up(c, STACK_COMMIT_ROUND);  /* semantics: 11.createthread.2 */
    r = round_up(r, GRANULE_BYTES);
    if (c < STACK_MIN_COMMIT)
        c = STACK_MIN_COMMIT;  /* semantics: 11.createthread.3 */
    *reserve = r;
    *commit = c < r ? c : r;
    return 1;
}

uint64_t vas_create_thread(vas_t *v, uint64_t stack_size, int size_is_reservation)
{
    uint64_t reserve, commit;
    if (!stack_sizes(stack_size, size_is_reservation, &reserve, &commit) ||
        reserve > space_max(v) + 1 - space_min(v))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);  /* semantics: 11.createthread.5 */
    /* Guard pages below the commit when they fit and leave the bottom page. */
    uint64_t guard = X64_MIN_GUARANTEE + PAGE_BYTES;
    if (v->cfg.profile != VAS_PROFILE_X64)
        guard = PAGE_BYTES;
    if (commit + guard + PAGE_BYTES > reserve)
        guard = 0;  /* semantics: 11.createthread.4 */
    uint64_t base = vas_alloc(v, 0, reserve, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);  /* semantics: 11.createthread.6 */
    if (base == 0)
        return 0;
    /* No room is decided before the commit limit, as for VirtualAlloc. */
    if (!space_charge_allowed(v, (commit + guard) / PAGE_BYTES)) {
        vas_free(v, base, 0, VAS_MEM_RELEASE);
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);
    }
    uint64_t top = base + reserve;
    alloc_slot s = alloc_tree_find_slot(v, base);
    s.rec->is_stack = 1;  /* semantics: 11.createthread.7 */
    s.rec->stack_guarantee = 0;
    /* fuzz-unreached: alloc-failure - the charge was checked above, the run pool never runs dry */
    if (!space_commit_pages(v, s, top - commit, top, VAS_PAGE_READWRITE) ||
        (guard && !space_commit_pages(v, alloc_tree_find_slot(v, base), top - commit - guard,
                                      top - commit, VAS_PAGE_READWRITE | VAS_PAGE_GUARD))) {
        vas_free(v, base, 0, VAS_MEM_RELEASE);
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    return base;
}

int vas_exit_thread(vas_t *v, uint64_t stack)
{
    if (!stack_find(v, stack))
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    if (v->current_thread == stack)
        v->current_thread = 0;
    return vas_free(v, stack, 0, VAS_MEM_RELEASE);  /* semantics: 11.thread-exit */
}

void vas_set_current_thread(vas_t *v, uint64_t stack)
{
    v->current_thread = stack;
}

uint64_t vas_current_thread(const vas_t *v)
{
    return v->current_thread;
}

int vas_set_thread_stack_guarantee(vas_t *v, uint64_t stack, uint32_t *size)
{
    allocation *a = stack_find(v, stack);
    if (!a)
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    if (!size)
        return fail(v, VAS_ERROR_NOACCESS);
    uint64_t wanted = round_up((uint64_t)*size, PAGE_BYTES);
    if (v->cfg.profile == VAS_PROFILE_X64 && wanted != 0 && wanted < X64_MIN_GUARANTEE)
        wanted = X64_MIN_GUARANTEE;
    *size = a->stack_guarantee;
    if (wanted >= a->end - a->base)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 11.setthreadstackguarantee */
    if (wanted > a->stack_guarantee)
        a->stack_guarantee = (uint32_t)wanted;  /* semantics: 11.setthreadstackguarantee */
    return 1;
}

int vas_thread_stack_limits(vas_t *v, uint64_t stack, uint64_t *low, uint64_t *high)
{
    allocation *a = stack_find(v, stack);
    if (!a)
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    if (low)
        *low = a->base;
    if (high)
        *high = a->end;
    return 1;
}
