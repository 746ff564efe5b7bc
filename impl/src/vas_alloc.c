/*
 * vas_alloc.c - VirtualAlloc: reserve, commit, reset (docs/semantics.md
 * section 2), and VirtualAlloc2's placeholders (12.10). The checks run in
 * the documented order; the first failing one decides last-error and
 * nothing changes.
 */
#include "vas_internal.h"

#define TYPE_ACCEPTED (VAS_MEM_COMMIT | VAS_MEM_RESERVE | VAS_MEM_RESET | VAS_MEM_RESET_UNDO | \
                       VAS_MEM_TOP_DOWN | VAS_MEM_WRITE_WATCH)
#define TYPE_ACCEPTED2 (TYPE_ACCEPTED | VAS_MEM_RESERVE_PLACEHOLDER | VAS_MEM_REPLACE_PLACEHOLDER)

static const addr_reqs NO_REQS = {0, 0, 0, 0};

static int is_reset(uint32_t type)
{
    return (type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO)) != 0;
}

/* VirtualAlloc2's placeholder flags (12.10 step 3); 1 when fine. */
static int placeholder_flags_valid(vas_t *v, uint32_t type)
{
    if ((type & VAS_MEM_RESERVE_PLACEHOLDER) &&
        (!(type & VAS_MEM_RESERVE) ||
         (type & (VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH | VAS_MEM_REPLACE_PLACEHOLDER))))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.10.3 (X416) */
    if ((type & VAS_MEM_REPLACE_PLACEHOLDER) && !(type & VAS_MEM_RESERVE))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.10.3 (G421) */
    return 1;
}

/* Checks 1-7 of section 2 (with VirtualAlloc2's of 12.10 woven in when
 * accepted has the placeholder bits); 0 (and last-error set) when one
 * fails. */
static int alloc_arguments_valid(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                                 uint32_t accepted, const addr_reqs *reqs)
{
    uint64_t min = space_min(v), max = space_max(v);
    if (size == 0)
        return fail(v, PLANT(1) ? VAS_ERROR_INVALID_ADDRESS : VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.1 */
    if (type & ~accepted)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.2 */
    if (is_reset(type)) {
        if (type != VAS_MEM_RESET && type != VAS_MEM_RESET_UNDO)
            return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.3 */
    } else {
        if (!(type & (VAS_MEM_COMMIT | VAS_MEM_RESERVE)))
            return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.4 */
        if ((type & VAS_MEM_WRITE_WATCH) && !(type & VAS_MEM_RESERVE) && !PLANT(8))
            return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.4 */
    }
    if (!placeholder_flags_valid(v, type))
        return 0;
    if (!protection_is_valid(protect))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.5 */
    if ((type & VAS_MEM_RESERVE_PLACEHOLDER) && protect != VAS_PAGE_NOACCESS)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.10.3 (G417) */
    if (!addr_reqs_valid(v, reqs, addr, 0))
        return 0;  /* semantics: 12.10.4 */
    if (addr != 0 && addr < min)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.6 */
    if (addr > max)
        return fail(v, PLANT(7) ? VAS_ERROR_INVALID_ADDRESS : VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.6 */
    if (size > max + 1 - min)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.6 */
    if (addr != 0 && (addr + size - 1 < addr || addr + size - 1 > max))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.6 */
    if (is_reset(type) && addr == 0)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 2.7 */
    if ((type & VAS_MEM_REPLACE_PLACEHOLDER) && addr == 0)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.10.5 (X417) */
    return 1;
}

static int charge_allowed(const vas_t *v, uint64_t pages)
{
    uint64_t limit = v->cfg.commit_limit;
    /* private pages, copy-on-write views and sections (section 12.8) */
    uint64_t after = (v->committed_pages + v->cow_pages + v->section_pages + pages) * PAGE_BYTES;
    return limit == 0 || (PLANT(32) ? after < limit : after <= limit);
}

/* A new allocation [base, end), committed with protect when commit. */
static uint64_t reserve_range(vas_t *v, uint64_t base, uint64_t end, uint32_t type, uint32_t protect)
{
    uint64_t pages = (end - base) / PAGE_BYTES;
    int commit = (type & VAS_MEM_COMMIT) != 0;
    if (commit && !charge_allowed(v, pages))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);  /* semantics: 2.reserve 7 */
    allocation *a = commit ? allocation_new(v, base, end, protect, VAS_MEM_COMMIT, protect)
                           : allocation_new(v, base, end, protect, VAS_MEM_RESERVE, 0);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!a)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    watch_init(a, (type & VAS_MEM_WRITE_WATCH) != 0);
    a->placeholder = (type & VAS_MEM_RESERVE_PLACEHOLDER) != 0;   /* semantics: 12.10.reserve-a-placeholder (G416) */
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!alloc_tree_insert(v, a)) {
        allocation_delete(v, a);
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    if (commit)
        v->committed_pages += pages;  /* semantics: 2.reserve 7 */
    space_sync_host(v, base, end);
    return base;
}

static uint64_t reserve_at(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    uint64_t base = round_down(addr, GRANULE_BYTES);
    uint64_t end = round_up(addr + size - PLANT(3), PAGE_BYTES);
    if (alloc_tree_overlaps(v, base, end - (PLANT(2) && end - base > PAGE_BYTES ? PAGE_BYTES : 0)))
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 2.reserve */
    return reserve_range(v, base, end, type, protect);  /* semantics: 2.reserve */
}

static uint64_t reserve_anywhere(vas_t *v, uint64_t size, uint32_t type, uint32_t protect,
                                 const addr_reqs *reqs)
{
    size = round_up(size, PLANT(4) ? 2 * PAGE_BYTES : PAGE_BYTES);
    int top_down = !PLANT(9) && (type & VAS_MEM_TOP_DOWN) != 0;
    uint64_t base = 0;
    if (addr_reqs_active(reqs)) {
        /* The requirements' window decides (12.14), not the seed's bound. */
        base = addr_reqs_place(v, reqs, size, top_down);
        if (base == 0)
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);  /* semantics: 12.14 (G431) */
        return reserve_range(v, base, base + size, type, protect);
    }
    /* Randomised placement searches from its random bound first, then the
     * whole space (section 11.1). */
    if (v->aslr_top)
        base = alloc_tree_find_gap_bounded(v, size, top_down, v->aslr_bottom, v->aslr_top);
    if (base == 0)
        base = alloc_tree_find_gap(v, size, top_down);
    if (base == 0)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);  /* semantics: 2.reserve */
    return reserve_range(v, base, base + size, type, protect);  /* semantics: 2.reserve */
}

/* The index entry of the allocation holding every page of [start, end),
 * or NULL. */
static alloc_slot single_allocation(const vas_t *v, uint64_t start, uint64_t end)
{
    alloc_slot s = alloc_tree_find_slot(v, start);
    if (s.rec && end > s.rec->end)
        s.rec = NULL;
    return s;
}

static uint64_t commit_at(vas_t *v, uint64_t addr, uint64_t size, uint32_t protect)
{
    uint64_t start = round_down(addr, PAGE_BYTES);
    uint64_t end = round_up(addr + size, PAGE_BYTES);
    alloc_slot s = single_allocation(v, start, end);
    allocation *a = s.rec;
    /* X356: nothing is committed into the system's allocations; G421: nor
     * into a placeholder */
    if (!a || a->system || a->placeholder)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 2.commit */
    if (a->section && a->section->image)   /* G310: an image's pages are all committed */
        return fail(v, VAS_ERROR_ACCESS_DENIED);  /* semantics: 11.2.6 */
    if (a->section)   /* a view: the section's pages, and so every view's (12.6) */
        return view_commit(v, s, start, end, protect) ? start : 0;
    uint64_t already = runs_count_committed(a, start, end);
    uint64_t fresh = (end - start) / PAGE_BYTES - already;
    if (!charge_allowed(v, fresh) && !PLANT(5))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);  /* semantics: 2.commit 7 */
    /* Reserved pages hold no stored contents (decommit dropped them), so
     * newly committed pages read as zeros without further work. */
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_set(&v->run_nodes, a, start, end, VAS_MEM_COMMIT, protect))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    alloc_tree_sync_entry(s);
    v->committed_pages += PLANT(6) ? (end - start) / PAGE_BYTES : fresh;  /* semantics: 2.commit 7 */
    space_sync_host(v, start, end);
    return start;
}

static uint64_t reset_at(vas_t *v, uint64_t addr, uint64_t size)
{
    uint64_t start = round_down(addr, PAGE_BYTES);
    uint64_t end = round_up(addr + size, PAGE_BYTES);
    allocation *a = single_allocation(v, start, end).rec;
    if ((!a || a->system || a->placeholder) && !PLANT(10))
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 2.reset 12.10.other-ways-in (X419) */
    /* Contents are kept: nothing here ever pressures memory. */
    space_sync_host(v, start, end);  /* semantics: 2.reset */
    return start;
}

/* MEM_REPLACE_PLACEHOLDER (12.10): the placeholder of exactly [start, end)
 * becomes a private allocation that replaced a placeholder. */
static uint64_t replace_placeholder(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    uint64_t start = round_down(addr, PAGE_BYTES);
    uint64_t end = round_up(addr + size, PAGE_BYTES);
    alloc_slot s = alloc_tree_find_slot(v, start);
    allocation *a = s.rec;
    if (!a || !a->placeholder || alloc_base(a) != start || a->end != end)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.10.replace (G421) */
    uint64_t pages = (end - start) / PAGE_BYTES;
    int commit = (type & VAS_MEM_COMMIT) != 0;
    if (commit && !charge_allowed(v, pages))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);  /* semantics: 12.10.replace (X428) */
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (commit && !runs_set(&v->run_nodes, a, start, end, VAS_MEM_COMMIT, protect))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    a->protect = protect;
    a->placeholder = 0;
    a->replaced = 1;
    watch_init(a, (type & VAS_MEM_WRITE_WATCH) != 0);  /* semantics: 12.10.replace (G423) */
    alloc_tree_sync_entry(s);
    if (commit)
        v->committed_pages += pages;
    space_sync_host(v, start, end);
    return start;  /* semantics: 12.10.replace (G420) */
}

static uint64_t alloc_checked(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                              uint32_t accepted, const addr_reqs *reqs)
{
    if (!alloc_arguments_valid(v, addr, size, type, protect, accepted, reqs))
        return 0;
    if (is_reset(type))
        return reset_at(v, addr, size);
    if (type & VAS_MEM_REPLACE_PLACEHOLDER)
        return replace_placeholder(v, addr, size, type, protect);
    if (addr == 0)
        return reserve_anywhere(v, size, type | VAS_MEM_RESERVE, protect, reqs);
    if (type & VAS_MEM_RESERVE)
        return reserve_at(v, addr, size, type, protect);
    return commit_at(v, addr, size, protect);
}

uint64_t vas_alloc(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return alloc_checked(v, addr, size, type, protect, TYPE_ACCEPTED, &NO_REQS);
}

uint64_t space_alloc2(vas_t *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                      const vas_ext_param *params, uint32_t count)
{
    addr_reqs reqs;
    if (!addr_reqs_read(v, params, count, &reqs))
        return 0;  /* semantics: 12.10.2 */
    return alloc_checked(v, addr, size, type, protect, TYPE_ACCEPTED2, &reqs);
}
