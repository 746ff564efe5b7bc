/*
 * oracle_watch.c - write-watch bits for the oracle, as plainly as possible:
 * each watched region keeps an unsorted list of the pages that have a bit
 * set; a report picks the lowest remaining page again and again.
 */
#include "oracle_watch.h"
#include "oracle_node.h"

#include <stdlib.h>

#define PAGE 0x1000u

typedef struct page_bits {
    uint64_t page;       /* address */
    int written, latched;
    struct page_bits *next;
} page_bits;

struct watched_region {
    uint64_t base, end;
    page_bits *pages;
    struct watched_region *next;
};

static watched_region *region_at(const oracle_watches *w, uint64_t addr)
{
    for (watched_region *r = w->first; r; r = r->next)
        if (addr >= r->base && addr < r->end)
            return r;
    return NULL;
}

static void forget_page(watched_region *r, page_bits *p)
{
    page_bits **link = &r->pages;
    while (*link != p)
        link = &(*link)->next;
    *link = p->next;
    free(p);
}

void watches_reserved(oracle_watches *w, uint64_t base, uint64_t end, int watched)
{
    if (!watched)
        return;
    watched_region *r;
    ORACLE_PUSH(r, w->first);
    r->base = base;
    r->end = end;
}

void watches_released(oracle_watches *w, uint64_t base)
{
    for (watched_region **link = &w->first; *link; link = &(*link)->next) {
        watched_region *r = *link;
        if (r->base != base)
            continue;
        while (r->pages)
            forget_page(r, r->pages);
        *link = r->next;
        free(r);
        return;
    }
}

void watches_free_all(oracle_watches *w)
{
    while (w->first)
        watches_released(w, w->first->base);
}

static page_bits *bits_of(watched_region *r, uint64_t page)
{
    for (page_bits *p = r->pages; p; p = p->next)
        if (p->page == page)
            return p;
    return NULL;
}

void watches_written(oracle_watches *w, uint64_t lo, uint64_t hi)
{
    for (uint64_t page = lo - lo % PAGE; page < hi; page += PAGE) {
        watched_region *r = region_at(w, page);
        if (!r)
            continue;
        page_bits *p = bits_of(r, page);
        if (!p) {
            ORACLE_PUSH(p, r->pages);
            p->page = page;
        }
        p->written = 1;
    }
}

void watches_protected(oracle_watches *w, uint64_t lo, uint64_t hi)
{
    watched_region *r = region_at(w, lo);
    if (!r)
        return;
    for (page_bits *p = r->pages; p; p = p->next)
        if (p->page >= lo && p->page < hi && p->written)
            p->latched = 1;
}

/* Forgets the writes to the pages of [lo, hi) in the region at lo; a page a
 * VirtualProtect latched stays reported when keep_latched. */
static void forget_range(oracle_watches *w, uint64_t lo, uint64_t hi, int keep_latched)
{
    watched_region *r = region_at(w, lo);
    for (page_bits *p = r ? r->pages : NULL, *next; p; p = next) {
        next = p->next;
        if (p->page < lo || p->page >= hi)
            continue;
        p->written = 0;
        if (!(keep_latched && p->latched))
            forget_page(r, p);
    }
}

void watches_decommitted(oracle_watches *w, uint64_t lo, uint64_t hi)
{
    forget_range(w, lo, hi, 1);
}

int watches_cover(const oracle_watches *w, uint64_t lo, uint64_t hi)
{
    const watched_region *r = region_at(w, lo);
    return r && hi <= r->end;
}

uint64_t watches_report(oracle_watches *w, uint64_t lo, uint64_t hi, uint64_t *out, uint64_t max, int reset)
{
    watched_region *r = region_at(w, lo);
    uint64_t n = 0;
    uint64_t from = lo;  /* the next page must be at or above this */
    while (r && n < max) {
        page_bits *lowest = NULL;
        for (page_bits *p = r->pages; p; p = p->next)
            if (p->page >= from && p->page < hi && (!lowest || p->page < lowest->page))
                lowest = p;
        if (!lowest)
            break;
        out[n++] = lowest->page;
        from = lowest->page + PAGE;
        if (reset)
            forget_page(r, lowest);
    }
    return n;
}

void watches_reset(oracle_watches *w, uint64_t lo, uint64_t hi)
{
    forget_range(w, lo, hi, 0);
}
