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
        uint64_t v = values[i], addr;
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
        /* The walk of mbi's allocation; its first region is mbi when the
         * query was made at the base. */
        walked = 1;
        walked_base = addr = mbi.allocation_base;
        have_next = mbi.base_address == addr && mbi.region_size != 0;
        for (;;) {
            if (!have_next) {
                memset(&mbi, 0, sizeof mbi);
                if (b->query(r->self, addr, &mbi, len) == 0 || mbi.region_size == 0)
                    break;
            }
            have_next = 0;
            if (mbi.allocation_base != walked_base || mbi.state == VAS_MEM_FREE) {
                next = mbi;
                have_next = 1;
                break;
            }
            if (region_map_push(m, &mbi) != 0) {
                rc = -1;
                break;
            }
            addr = mbi.base_address + mbi.region_size;
            if (addr == 0 || addr - 1 >= r->cfg.max_address)
                break;
        }
        walked_end = addr > walked_base ? addr : UINT64_MAX;
    }
    free(values);
    b->set_last_error(r->self, saved);
    return rc;
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
