/*
 * region_map.c - a backend's whole memory map, as query reports it: walked
 * from address 0 to the profile's last usable byte, one region at a time,
 * and printed as a table for divergence reports.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

/* A constant's name (trace_const_format) into the local array buf. */
#define CONST_NAME(kind, value, buf) trace_const_format(kind, value, buf, sizeof buf)

static int region_map_push(region_map *m, const vas_mbi *mbi)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        vas_mbi *grown = realloc(m->regions, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        m->regions = grown;
        m->cap = cap;
    }
    m->regions[m->n++] = *mbi;
    return 0;
}

int region_map_walk(backend_run *r, region_map *m)
{
    const backend *b = r->b;
    uint64_t addr = 0, max = r->cfg.max_address;
    size_t len = profile_mbi_size(r->cfg.profile);
    /* A query that fails sets last-error; the walk must leave the trace's
     * state exactly as it found it. */
    uint32_t saved = b->last_error(r->self);
    int rc = 0;

    if (b->run_whole != NULL)
        return remote_replay_map(r->self, m);
    m->n = 0;
    m->broken = 0;
    m->broken_at = 0;
    for (;;) {
        vas_mbi mbi;
        uint64_t next;
        memset(&mbi, 0, sizeof mbi);
        if (b->query(r->self, addr, &mbi, len) == 0 || mbi.region_size == 0
            || mbi.base_address > addr || mbi.base_address + mbi.region_size <= addr) {
            m->broken = 1;
            m->broken_at = addr;
            break;
        }
        if (region_map_push(m, &mbi) != 0) {
            rc = -1;
            break;
        }
        next = mbi.base_address + mbi.region_size;
        if (next == 0 || next - 1 >= max)  /* wrapped, or reached the end */
            break;
        addr = next;
    }
    b->set_last_error(r->self, saved);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Pushes onto m the regions of the allocation at base, from its first
 * region (first, when the caller has it from a query at base) up to the
 * first region of another allocation or free space, which goes to *after
 * (*have_after 1). *end: where the walk stopped. Returns 0, -1 out of
 * memory. */
static int walk_allocation(backend_run *r, uint64_t base, const vas_mbi *first, region_map *m,
                           uint64_t *end, vas_mbi *after, int *have_after)
{
    const backend *b = r->b;
    size_t len = profile_mbi_size(r->cfg.profile);
    uint64_t addr = base;
    vas_mbi mbi;
    int have = first != NULL;

    if (have)
        mbi = *first;
    *have_after = 0;
    for (;;) {
        if (!have) {
            memset(&mbi, 0, sizeof mbi);
            if (b->query(r->self, addr, &mbi, len) == 0 || mbi.region_size == 0)
                break;
        }
        have = 0;
        if (mbi.allocation_base != base || mbi.state == VAS_MEM_FREE) {
            *after = mbi;
            *have_after = 1;
            break;
        }
        if (region_map_push(m, &mbi) != 0)
            return -1;
        addr = mbi.base_address + mbi.region_size;
        if (addr == 0 || addr - 1 >= r->cfg.max_address)
            break;
    }
    *end = addr;
    return 0;
}

/* The allocations that hold a bound name, each walked from its base until
 * the first region of another allocation: what a comparison by shape reads,
 * without walking a real process's every DLL. One ascending sweep over the
 * names' values: a name inside an allocation already walked, or inside the
 * region that ended the last walk, costs no query (under Wine a query costs
 * about a microsecond, and this runs after every op the server answers). */
static int walk_named(backend_run *r, region_map *m)
{
    const backend *b = r->b;
    size_t len = profile_mbi_size(r->cfg.profile), n_values = 0, i;
    uint64_t *values = malloc((r->n_names + 1) * sizeof *values);
    uint32_t saved = b->last_error(r->self);
    uint64_t walked_base = 0, walked_end = 0;  /* the last allocation walked */
    vas_mbi next;                               /* the region that ended that walk */
    int have_next = 0, walked = 0, rc = 0;

    m->n = 0;
    m->broken = 0;
    if (values == NULL)
        return -1;
    for (i = 0; i < r->n_names; i++)
        if (backend_run_local(r, i))
            values[n_values++] = r->values[i];
    qsort(values, n_values, sizeof *values, cmp_u64);
    for (i = 0; i < n_values && rc == 0; i++) {
        uint64_t v = values[i], end;
        vas_mbi mbi;
        if (walked && v >= walked_base && v < walked_end)
            continue;
        if (have_next && v >= next.base_address && v - next.base_address < next.region_size) {
            mbi = next;
        } else {
            memset(&mbi, 0, sizeof mbi);
            if (b->query(r->self, v, &mbi, len) == 0)
                continue;
        }
        if (mbi.state == VAS_MEM_FREE || mbi.allocation_base == 0
            || (walked && mbi.allocation_base == walked_base))
            continue;
        walked = 1;
        walked_base = mbi.allocation_base;
        /* A query made at the base gave the allocation's first region. */
        rc = walk_allocation(r, walked_base, mbi.base_address == walked_base && mbi.region_size != 0 ? &mbi : NULL,
                             m, &end, &next, &have_next);
        walked_end = end > walked_base ? end : UINT64_MAX;
    }
    free(values);
    b->set_last_error(r->self, saved);
    return rc;
}

static int by_base_address(const void *a, const void *b)
{
    const vas_mbi *x = a, *y = b;
    return x->base_address < y->base_address ? -1 : x->base_address > y->base_address;
}

int proto_walk_named_window(backend_run *r, const region_map *prev, const uint64_t w[2], region_map *m)
{
    const backend *b = r->b;
    size_t len = profile_mbi_size(r->cfg.profile), n_bases = 0, i;
    uint64_t *bases = malloc((prev->n + r->n_names + 1) * sizeof *bases);
    uint32_t saved = b->last_error(r->self);
    int rc = 0;

    m->n = 0;
    m->broken = 0;
    if (bases == NULL)
        return -1;
    /* The allocations the window meets: those of the map before the op,
     * and those the names inside it lie in now (an alloc's new one). */
    for (i = 0; i < prev->n; i++) {
        const vas_mbi *reg = &prev->regions[i];
        if (reg->base_address < w[1] && reg->base_address + reg->region_size > w[0])
            bases[n_bases++] = reg->allocation_base;
    }
    for (i = 0; i < r->n_names; i++) {
        vas_mbi mbi;
        if (!backend_run_local(r, i) || r->values[i] < w[0] || r->values[i] >= w[1])
            continue;
        memset(&mbi, 0, sizeof mbi);
        if (b->query(r->self, r->values[i], &mbi, len) != 0 && mbi.state != VAS_MEM_FREE
            && mbi.allocation_base != 0)
            bases[n_bases++] = mbi.allocation_base;
    }
    qsort(bases, n_bases, sizeof *bases, cmp_u64);
    /* The others as they were; these walked again. */
    for (i = 0; i < prev->n && rc == 0; i++)
        if (bsearch(&prev->regions[i].allocation_base, bases, n_bases, sizeof *bases, cmp_u64) == NULL)
            rc = region_map_push(m, &prev->regions[i]);
    for (i = 0; i < n_bases && rc == 0; i++) {
        uint64_t end;
        vas_mbi after;
        int have_after;
        if (i == 0 || bases[i] != bases[i - 1])
            rc = walk_allocation(r, bases[i], NULL, m, &end, &after, &have_after);
    }
    if (m->n > 1)
        qsort(m->regions, m->n, sizeof *m->regions, by_base_address);
    free(bases);
    b->set_last_error(r->self, saved);
    return rc;
}

/* A read, fetch or read probe that met no guard page: it changed no page
 * (docs/semantics.md 6: only a guard page's first access changes one). A
 * read or fetch reports the guard page it met; a probe that met one
 * returns nonzero. Writes are walked: a write to a copy-on-write page may
 * make it private (Wine shows it READWRITE after). */
static int access_met_no_guard(const trace_op *op, const op_result *res)
{
    switch (op->code) {
    case TRACE_READ: case TRACE_EXEC:
        return res->status != VAS_STATUS_GUARD_PAGE_VIOLATION;
    case TRACE_ISBADREAD: case TRACE_ISBADCODE: case TRACE_ISBADSTR:
        return res->value == 0;
    default:
        return 0;
    }
}

int proto_walk_named_after(backend_run *r, const trace_op *op, const op_result *res,
                           const region_map *prev, region_map *m)
{
    uint64_t addr = backend_run_eval(r, op->addr), size = backend_run_eval(r, op->size);
    /* A free of size 0: the window meets the allocation at addr, which the
     * window walk walks whole. */
    uint64_t whole[2] = {addr, addr + 1}, w[2];
    /* Operands that read the name the op has just bound again are not the
     * ones it ran with. */
    if ((op->result >= 0 && (op->addr.name == op->result || op->size.name == op->result))
        || op_window(op, addr, size, whole, res, w) != 1)
        return walk_named(r, m);
    if (access_met_no_guard(op, res))
        return region_map_copy(m, prev);
    return proto_walk_named_window(r, prev, w, m);
}

int proto_walk_map(backend_run *r, unsigned mode, region_map *m)
{
    if (mode == PROTO_MAP_NAMED)
        return walk_named(r, m);
    if (mode == PROTO_MAP_FULL)
        return region_map_walk(r, m);
    m->n = 0;
    return 0;
}

int region_map_copy(region_map *m, const region_map *from)
{
    if (m->cap < from->n) {
        vas_mbi *grown = realloc(m->regions, from->n * sizeof *grown);
        if (grown == NULL)
            return -1;
        m->regions = grown;
        m->cap = from->n;
    }
    if (from->n > 0)
        memcpy(m->regions, from->regions, from->n * sizeof *from->regions);
    m->n = from->n;
    m->broken = from->broken;
    m->broken_at = from->broken_at;
    return 0;
}

void region_map_free(region_map *m)
{
    free(m->regions);
    memset(m, 0, sizeof *m);
}

const vas_mbi *region_map_find(const region_map *m, uint64_t addr)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {  /* regions are ascending and do not overlap */
        size_t mid = lo + (hi - lo) / 2;
        const vas_mbi *reg = &m->regions[mid];
        if (addr < reg->base_address)
            hi = mid;
        else if (addr - reg->base_address >= reg->region_size)
            lo = mid + 1;
        else
            return reg;
    }
    return NULL;
}

void region_map_print(const region_map *m, FILE *out, const char *indent)
{
    size_t i;
    fprintf(out, "%s%-18s %-18s %-8s %-22s %-18s %s\n", indent, "base", "size", "state",
            "protect", "alloc_base", "alloc_protect");
    for (i = 0; i < m->n; i++) {
        const vas_mbi *reg = &m->regions[i];
        char s[16], p[64], ap[64], base[24], size[24], ab[24];
        snprintf(base, sizeof base, "0x%" PRIX64, reg->base_address);
        snprintf(size, sizeof size, "0x%" PRIX64, reg->region_size);
        snprintf(ab, sizeof ab, "0x%" PRIX64, reg->allocation_base);
        fprintf(out, "%s%-18s %-18s %-8s %-22s %-18s %s\n", indent, base, size,
                CONST_NAME(CONST_MEM_STATE, reg->state, s), CONST_NAME(CONST_PROTECT, reg->protect, p),
                ab, CONST_NAME(CONST_PROTECT, reg->allocation_protect, ap));
    }
    if (m->broken)
        fprintf(out, "%s(walk stopped: query failed or did not advance at 0x%" PRIX64 ")\n",
                indent, m->broken_at);
}
