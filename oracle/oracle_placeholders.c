/*
 * oracle_placeholders.c - placeholders, written from docs/semantics.md
 * 12.9-12.14 alone: VirtualAlloc2, MapViewOfFile3, VirtualFree's
 * MEM_PRESERVE_PLACEHOLDER and MEM_COALESCE_PLACEHOLDERS, UnmapViewOfFile2,
 * and the address requirements of MEM_EXTENDED_PARAMETER.
 *
 * A placeholder is an allocation of the sorted list (oracle_space.h) marked
 * `placeholder`: one reserved run, allocation protection NOACCESS, never
 * charged. Splitting, coalescing and freeing back remove allocations and
 * insert new ones over the same addresses; nothing is changed before every
 * check has passed. The steps of each call follow its section, numbered
 * as there.
 */
#include "oracle_space.h"

#include <stdlib.h>

#define CURRENT_PROCESS UINT64_MAX

/* ---- 12.14: extended parameters ----------------------------------------- */

/* What the parameter array asks for: at most one address requirement. */
typedef struct requirements {
    uint64_t lo, hi, al;
    int given;   /* an address-requirements parameter with a nonzero field */
} requirements;

/* The parameter checks; *r is what they ask for. 0 with fail(87). */
static int ext_params_read(oracle_t *o, const vas_ext_param *params, uint32_t count, requirements *r)
{
    int seen = 0;
    r->lo = r->hi = r->al = 0;
    r->given = 0;
    if (count > 0 && !params)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    for (uint32_t i = 0; i < count; i++) {
        if (params[i].type != VAS_MEM_EXT_ADDRESS_REQUIREMENTS || seen++)
            return fail(o, VAS_ERROR_INVALID_PARAMETER);   /* invalid, max, not modelled, twice */
        r->lo = params[i].lowest;
        r->hi = params[i].highest;
        r->al = params[i].alignment;
    }
    r->given = r->lo != 0 || r->hi != 0 || r->al != 0;   /* all zero are as none */
    return 1;
}

/* The value checks, 1-5, for a call at addr; for_view: MapViewOfFile3's
 * (any alignment fails). 0 with fail(87). */
static int requirements_valid(oracle_t *o, const requirements *r, uint64_t addr, int for_view)
{
    const uint64_t max = o->cfg.max_address;
    if (!r->given)
        return 1;
    if (addr != 0)                                                  /* 1 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (r->lo % GRANULE != 0)                                       /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (r->hi != 0 && ((r->hi + 1) % PAGE != 0 || r->hi > max))     /* 3 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (r->al != 0 && (for_view || (r->al & (r->al - 1)) != 0 || r->al < GRANULE))   /* 4 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (r->lo > max || (r->hi != 0 && r->lo > r->hi))               /* 5 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    return 1;
}

/* The window a system-chosen address goes in; NULL without requirements
 * (then section 2's search, seed included). */
static const oracle_window *requirements_window(const oracle_t *o, const requirements *r,
                                                oracle_window *w)
{
    if (!r->given)
        return NULL;
    w->from = r->lo > o->cfg.min_address ? r->lo : o->cfg.min_address;
    w->to = (r->hi ? r->hi : o->cfg.max_address) + 1;
    w->align = r->al > GRANULE ? r->al : GRANULE;
    return w;
}

/* ---- Placeholders as allocations ---------------------------------------- */

/* A placeholder over [base, end): 12.9. The model cannot go on without
 * its memory (a failed call must change nothing, and this runs after the
 * checks). */
static void placeholder_insert(oracle_t *o, uint64_t base, uint64_t end)
{
    allocation *a = allocation_insert(o, base, end - base, VAS_PAGE_NOACCESS);
    if (!a)
        abort();
    a->placeholder = 1;
}

/* The placeholder that is exactly [start, end), or NULL. */
static allocation *placeholder_exactly(const oracle_t *o, uint64_t start, uint64_t end)
{
    allocation *a = start <= o->cfg.max_address ? allocation_at(o, start) : NULL;
    return a && a->placeholder && a->base == start && alloc_end(a) == end ? a : NULL;
}

/* The space a process handle of VirtualAlloc2 or MapViewOfFile3 names:
 * NULL (0) and the pseudo-handle are the caller. */
static oracle_t *process_of(oracle_t *o, uint64_t process)
{
    return process == 0 ? o : oracle_process_space(o, process);
}

/* ---- 12.10: VirtualAlloc2 ------------------------------------------------- */

/* Replace (RESERVE|REPLACE_PLACEHOLDER): the placeholder [start, end)
 * becomes a private allocation that replaced it. */
static uint64_t alloc2_replace(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type,
                               uint32_t protect)
{
    uint64_t start = round_down(addr, PAGE), end = round_up(addr + size, PAGE);
    allocation *p = placeholder_exactly(o, start, end);
    if (!p)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    if ((type & VAS_MEM_COMMIT) && over_commit_limit(o, (end - start) / PAGE))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    allocation_remove(o, p);
    uint32_t kind = VAS_MEM_RESERVE | (type & (VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH));
    if (reserve_range(o, start, end, kind, protect) != start)
        abort();   /* the range was just freed: only host memory can fail */
    allocation_at(o, start)->replaced = 1;
    return start;
}

/* VirtualAlloc2 on the space t, once the process is known. */
static uint64_t alloc2_in(oracle_t *t, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                          const vas_ext_param *params, uint32_t count)
{
    requirements r;
    oracle_window w;
    if (!ext_params_read(t, params, count, &r)                      /* 2 */
        || !alloc_check_args(t, size, type, protect, 1)             /* 3 */
        || !requirements_valid(t, &r, addr, 0)                      /* 4 */
        || !alloc_check_range(t, addr, size, type))                 /* 5 */
        return 0;
    if ((type & VAS_MEM_REPLACE_PLACEHOLDER) && addr == 0)
        return fail(t, VAS_ERROR_INVALID_PARAMETER);

    if (type & VAS_MEM_REPLACE_PLACEHOLDER)
        return alloc2_replace(t, addr, size, type, protect);
    uint64_t base = alloc_by_kind(t, addr, size, type & ~VAS_MEM_RESERVE_PLACEHOLDER, protect,
                                  requirements_window(t, &r, &w));
    if (base && (type & VAS_MEM_RESERVE_PLACEHOLDER))
        allocation_at(t, base)->placeholder = 1;   /* reserved NOACCESS, uncharged: a placeholder */
    return base;
}

uint64_t oracle_alloc2(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                       uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    oracle_t *t = process_of(o, process);                           /* 1 */
    if (!t)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    uint32_t kept = t->last_error;
    uint64_t base = alloc2_in(t, addr, size, type, protect, params, count);
    if (t != o) {   /* the caller's last-error, never the target's (13.2) */
        if (!base)
            o->last_error = t->last_error;
        t->last_error = kept;
    }
    return base;
}

/* ---- 12.11: MapViewOfFile3 ------------------------------------------------ */

static int view3_protect_valid(uint32_t protect)
{
    switch (protect) {
    case VAS_PAGE_NOACCESS: case VAS_PAGE_READONLY: case VAS_PAGE_READWRITE:
    case VAS_PAGE_WRITECOPY: case VAS_PAGE_EXECUTE_READ: case VAS_PAGE_EXECUTE_READWRITE:
    case VAS_PAGE_EXECUTE_WRITECOPY:
        return 1;
    default:
        return 0;
    }
}

uint64_t oracle_map_view3(oracle_t *o, uint64_t handle, uint64_t process, uint64_t addr,
                          uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,
                          const vas_ext_param *params, uint32_t count)
{
    oracle_t *t = process_of(o, process);                           /* 1 */
    if (!t)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    if (t != o)
        return fail(o, VAS_ERROR_NOT_SUPPORTED);
    oracle_section *s = sectionlist_find(&o->sections, handle);    /* 2 */
    if (!s)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    requirements r;
    if (!ext_params_read(o, params, count, &r))                     /* 3 */
        return 0;
    int replace = (type & VAS_MEM_REPLACE_PLACEHOLDER) != 0;        /* 4 */
    if (type & ~(VAS_MEM_REPLACE_PLACEHOLDER | VAS_MEM_TOP_DOWN))
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (!view3_protect_valid(protect))                              /* 5 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (!requirements_valid(o, &r, addr, 1))                        /* 6 */
        return 0;
    if (!view_protection_allowed(s->protect, protect))              /* 7 */
        return fail(o, VAS_ERROR_ACCESS_DENIED);
    uint64_t align = replace ? PAGE : GRANULE;                      /* 8 */
    if (addr % align != 0 || offset % align != 0)
        return fail(o, VAS_ERROR_MAPPED_ALIGNMENT);
    uint64_t bytes;                                                 /* 9 */
    if (!view_size(o, s, offset, size, &bytes))
        return 0;
    if (!replace) {                                                 /* 10 */
        oracle_window w;
        if (!view_place(o, &addr, bytes, (type & VAS_MEM_TOP_DOWN) != 0, requirements_window(o, &r, &w)))
            return 0;
        return view_make(o, s, protect, offset / PAGE, bytes, addr);   /* 11, 12 */
    }
    if (addr == 0)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    allocation *p = placeholder_exactly(o, addr, addr + bytes);
    if (!p)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    if (is_writecopy(protect) && over_commit_limit(o, bytes / PAGE))   /* 11 */
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    allocation_remove(o, p);                                        /* 12 */
    if (view_make(o, s, protect, offset / PAGE, bytes, addr) != addr)
        abort();   /* checked above: only host memory can fail */
    allocation_at(o, addr)->replaced = 1;
    return addr;
}

/* ---- 12.12: VirtualFree with placeholder flags ------------------------------ */

/* Split: [start, end) inside placeholder a becomes a placeholder of its own. */
static int placeholder_split(oracle_t *o, allocation *a, uint64_t start, uint64_t end)
{
    uint64_t base = a->base, top = alloc_end(a);
    if (end > top || (start == base && end == top))
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    allocation_remove(o, a);
    if (start > base)
        placeholder_insert(o, base, start);
    placeholder_insert(o, start, end);
    if (end < top)
        placeholder_insert(o, end, top);
    return 1;
}

/* Coalesce: the adjacent placeholders from start's to end's become one. */
static int placeholder_coalesce(oracle_t *o, allocation *a, uint64_t start, uint64_t end)
{
    if (!a->placeholder || a->base != start)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    unsigned n = 1;
    const allocation *last = a;
    while (alloc_end(last) < end) {
        const allocation *next = last->next;
        if (!next || !next->placeholder || next->base != alloc_end(last))
            return fail(o, VAS_ERROR_INVALID_ADDRESS);   /* a hole or something else */
        last = next;
        n++;
    }
    if (alloc_end(last) != end || n < 2)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    while (n--) {
        allocation *next = a->next;
        allocation_remove(o, a);
        a = next;
    }
    placeholder_insert(o, start, end);
    return 1;
}

int placeholder_free(oracle_t *o, allocation *a, uint64_t start, uint64_t end, uint32_t type)
{
    if (type == (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS))
        return placeholder_coalesce(o, a, start, end);
    if (a->placeholder)
        return placeholder_split(o, a, start, end);
    if (!a->replaced || start != a->base || end != alloc_end(a))
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    allocation_remove(o, a);   /* uncharged; contents, watch, locks, guards gone */
    placeholder_insert(o, start, end);
    return 1;
}

/* ---- 12.13: UnmapViewOfFile2 / UnmapViewOfFileEx -------------------------- */

int oracle_unmap_view2(oracle_t *o, uint64_t process, uint64_t addr, uint32_t flags)
{
    oracle_t *t = oracle_process_space(o, process);                /* 1: NULL is no process */
    if (!t)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    if (flags & ~(VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST | VAS_MEM_PRESERVE_PLACEHOLDER))   /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    allocation *a = addr > t->cfg.max_address ? NULL : allocation_at(t, addr);   /* 3 */
    if (!a || !a->section)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    if (!(flags & VAS_MEM_PRESERVE_PLACEHOLDER)) {                  /* 4 */
        allocation_remove(t, a);
        return 1;
    }
    if (!a->replaced)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    uint64_t base = a->base, end = alloc_end(a);
    allocation_remove(t, a);
    placeholder_insert(t, base, end);
    return 1;
}
