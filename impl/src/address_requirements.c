/*
 * address_requirements.c - VirtualAlloc2 / MapViewOfFile3's extended
 * parameters (docs/semantics.md 12.14): which arrays are valid, which
 * MEM_ADDRESS_REQUIREMENTS values are, and where a system-chosen address
 * goes inside the window they describe.
 */
#include "vas_internal.h"

int addr_reqs_read(vas_t *v, const vas_ext_param *params, uint32_t count, addr_reqs *out)
{
    out->given = 0;
    out->lowest = out->highest = out->alignment = 0;
    if (count > 0 && params == NULL)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14 */
    for (uint32_t i = 0; i < count; i++) {
        /* Only address requirements are modelled, and only once. */
        if (params[i].type != VAS_MEM_EXT_ADDRESS_REQUIREMENTS || out->given)
            return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14 */
        out->given = 1;
        out->lowest = params[i].lowest;
        out->highest = params[i].highest;
        out->alignment = params[i].alignment;
    }
    return 1;
}

int addr_reqs_valid(vas_t *v, const addr_reqs *r, uint64_t addr, int for_view)
{
    uint64_t max = space_max(v);
    int any = r->lowest != 0 || r->highest != 0 || r->alignment != 0;
    if (addr != 0 && any)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14.1 */
    if (r->lowest % GRANULE_BYTES)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14.2 */
    if (r->highest != 0 && ((r->highest + 1) % PAGE_BYTES || r->highest > max))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14.3 */
    if (r->alignment != 0 && (for_view || (r->alignment & (r->alignment - 1)) != 0 ||
                              r->alignment < GRANULE_BYTES))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14.4 */
    if (r->lowest > max || (r->highest != 0 && r->lowest > r->highest))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.14.5 */
    return 1;
}

int addr_reqs_active(const addr_reqs *r)
{
    return r->lowest != 0 || r->highest != 0 || r->alignment != 0;
}

/* Bottom-up: the lowest base >= lo, a multiple of align, whose size bytes
 * are free and end by end. Each gap the alignment rules out costs one
 * more search. */
static uint64_t place_bottom_up(const vas_t *v, uint64_t size, uint64_t lo, uint64_t end, uint64_t align)
{
    for (uint64_t from = lo;;) {
        uint64_t b = alloc_tree_find_gap_bounded(v, size, 0, from, UINT64_MAX);
        if (b == 0)
            return 0;
        uint64_t a = round_up(b, align);
        if (a < b || a > end || end - a < size)
            return 0;
        if (a == b || !alloc_tree_overlaps(v, a, a + size))
            return a;
        from = a;   /* that gap holds no aligned base: search on from a */
    }
}

/* Top-down: the highest such base. The bounded search's top-down rule
 * takes a base b when b + up(size, granule) <= its bound. */
static uint64_t place_top_down(const vas_t *v, uint64_t size, uint64_t lo, uint64_t end, uint64_t align)
{
    uint64_t need = round_up(size, GRANULE_BYTES);
    uint64_t top = round_down(end - size, GRANULE_BYTES);   /* the highest base allowed */
    for (;;) {
        uint64_t b = alloc_tree_find_gap_bounded(v, size, 1, lo, top + need);
        if (b == 0 || b < lo)
            return 0;
        uint64_t a = round_down(b, align);
        if (a < lo)
            return 0;
        if (a == b || !alloc_tree_overlaps(v, a, a + size))
            return a;
        top = a - GRANULE_BYTES;   /* a itself does not fit: below it */
    }
}

uint64_t addr_reqs_place(const vas_t *v, const addr_reqs *r, uint64_t size, int top_down)
{
    uint64_t min = space_min(v), max = space_max(v);
    uint64_t lo = r->lowest > min ? r->lowest : min;
    uint64_t end = (r->highest ? r->highest : max) + 1;   /* exclusive, page-aligned */
    uint64_t align = r->alignment > GRANULE_BYTES ? r->alignment : GRANULE_BYTES;
    lo = round_up(lo, align);
    if (lo >= end || end - lo < size)
        return 0;
    return top_down ? place_top_down(v, size, lo, end, align) : place_bottom_up(v, size, lo, end, align);
}
