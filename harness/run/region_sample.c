/*
 * region_sample.c - what query reports at chosen addresses: the cheap check
 * of the memory map the lockstep runner makes between full walks, and the
 * check that a region looks the same from inside as from its start.
 *
 * A full walk queries only region starts and costs one query per region; at
 * a few thousand regions, walking after every operation is what a long
 * trace spends its time on. A sample queries the pages around what an
 * operation touched and a few random interior pages, so it costs about the
 * same whatever the map's size, and it queries addresses inside regions,
 * which a walk never does (a lookup that fails only inside a region).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"

#define PAGE 0x1000u

void region_sample_free(region_sample *s)
{
    free(s->entries);
    memset(s, 0, sizeof *s);
}

static int sample_push(region_sample *s, uint64_t addr, size_t ret, const vas_mbi *mbi)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        region_probe *grown = realloc(s->entries, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        s->entries = grown;
        s->cap = cap;
    }
    s->entries[s->n].addr = addr;
    s->entries[s->n].ret = ret;
    s->entries[s->n].mbi = *mbi;
    s->n++;
    return 0;
}

static size_t probe_query(backend_run *r, uint64_t addr, vas_mbi *mbi)
{
    memset(mbi, 0, sizeof *mbi);
    return r->b->query(r->self, addr, mbi, profile_mbi_size(r->cfg.profile));
}

/* Every region overlapping [lo, hi), and the last page of each: the page
 * before each boundary, as the start of the next is the page after it. */
static int sample_window(backend_run *r, region_sample *s, uint64_t lo, uint64_t hi)
{
    uint64_t addr = lo, max = r->cfg.max_address;
    while (addr <= max && addr < hi) {
        vas_mbi mbi, last;
        size_t ret = probe_query(r, addr, &mbi);
        uint64_t end = mbi.base_address + mbi.region_size;
        if (sample_push(s, addr, ret, &mbi) != 0)
            return -1;
        /* Progress guard: a wrong size must stop the walk, not loop. */
        if (ret == 0 || mbi.region_size == 0 || end <= addr)
            return 0;
        if (mbi.region_size > PAGE && end - 1 <= max) {
            size_t ret_last = probe_query(r, end - PAGE, &last);
            if (sample_push(s, end - PAGE, ret_last, &last) != 0)
                return -1;
        }
        addr = end;
    }
    return 0;
}

int region_sample_take(backend_run *r, const uint64_t window[2], const uint64_t *addrs, size_t n,
                       region_sample *s)
{
    const backend *b = r->b;
    uint32_t saved = b->last_error(r->self);  /* a failing query sets it */
    size_t i;
    int rc = 0;

    s->n = 0;
    if (window != NULL && window[0] < window[1])
        rc = sample_window(r, s, window[0], window[1]);
    for (i = 0; i < n && rc == 0; i++) {
        vas_mbi mbi;
        size_t ret;
        if (addrs[i] > r->cfg.max_address)
            continue;
        ret = probe_query(r, addrs[i], &mbi);
        rc = sample_push(s, addrs[i], ret, &mbi);
    }
    b->set_last_error(r->self, saved);
    return rc;
}

int region_allocation_extent(backend_run *r, uint64_t addr, uint64_t extent[2])
{
    const backend *b = r->b;
    uint32_t saved = b->last_error(r->self);
    uint64_t base = 0, at = addr & ~(uint64_t)(PAGE - 1);
    vas_mbi mbi;
    int found = 0;

    extent[0] = extent[1] = at;
    while (at <= r->cfg.max_address && probe_query(r, at, &mbi) != 0 && mbi.state != VAS_MEM_FREE
           && mbi.region_size != 0 && (!found || mbi.allocation_base == base)) {
        uint64_t end = mbi.base_address + mbi.region_size;
        if (end <= at)
            break;  /* progress guard */
        if (!found)
            extent[0] = base = mbi.allocation_base;
        found = 1;
        extent[1] = at = end;
    }
    b->set_last_error(r->self, saved);
    return found;
}

uint64_t region_sample_random(uint64_t *state)
{
    uint64_t x = *state;  /* xorshift64: a fixed stream per trace, so a rerun probes alike */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

size_t region_sample_pick(const region_map *m, uint64_t *state, uint64_t *out, size_t max)
{
    const vas_mbi *reg;
    uint64_t pages;
    size_t n = 0;
    if (m->n == 0 || max < 3)
        return 0;
    reg = &m->regions[region_sample_random(state) % m->n];
    pages = reg->region_size / PAGE;
    if (reg->base_address >= PAGE)
        out[n++] = reg->base_address - PAGE;                   /* the page before its start */
    if (pages > 0)
        out[n++] = reg->base_address + (region_sample_random(state) % pages) * PAGE
                   + (region_sample_random(state) & (PAGE - 1));   /* any byte inside it */
    if (pages > 1)
        out[n++] = reg->base_address + reg->region_size - PAGE; /* its last page */
    return n;
}

/* What query must report at addr inside reg: the same region, seen from
 * addr's page. */
static int seen_from_inside(const vas_mbi *reg, uint64_t addr, const vas_mbi *got)
{
    uint64_t page = addr & ~(uint64_t)(PAGE - 1);
    return got->base_address == page
        && got->region_size == reg->base_address + reg->region_size - page
        && got->allocation_base == reg->allocation_base
        && got->allocation_protect == reg->allocation_protect
        && got->state == reg->state && got->protect == reg->protect && got->type == reg->type;
}

int region_map_check_interior(backend_run *r, const region_map *m, uint64_t *state,
                              char *desc, size_t len)
{
    const backend *b = r->b;
    uint32_t saved = b->last_error(r->self);
    size_t i;
    int rc = 0;

    for (i = 0; i < m->n && rc == 0; i++) {
        const vas_mbi *reg = &m->regions[i];
        uint64_t pages = reg->region_size / PAGE, addrs[2];
        size_t k, n = 0;
        if (pages < 2)
            continue;
        addrs[n++] = reg->base_address + reg->region_size - PAGE;
        addrs[n++] = reg->base_address + (1 + region_sample_random(state) % (pages - 1)) * PAGE;
        for (k = 0; k < n && rc == 0; k++) {
            vas_mbi got;
            char want_text[160], got_text[160];
            if (probe_query(r, addrs[k], &got) != 0 && seen_from_inside(reg, addrs[k], &got))
                continue;
            snprintf(desc, len, "query inside a region differs from the walk on %s: at 0x%" PRIX64
                     " it reports %s; the region is %s", b->name, addrs[k], describe_region(&got, 0, got_text, sizeof got_text),
                     describe_region(reg, 0, want_text, sizeof want_text));
            rc = 1;
        }
    }
    b->set_last_error(r->self, saved);
    return rc;
}
