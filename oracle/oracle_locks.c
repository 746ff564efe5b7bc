/*
 * oracle_locks.c - locked pages as a plain list of ranges.
 */
#include "oracle_locks.h"
#include "oracle_node.h"

#include <stdlib.h>

#define PAGE 0x1000u

struct locked_span {
    uint64_t lo, hi;
    struct locked_span *next;
};

uint64_t lockset_pages_in(const oracle_locks *l, uint64_t lo, uint64_t hi)
{
    uint64_t bytes = 0;
    for (const locked_span *s = l->first; s; s = s->next) {
        uint64_t from = s->lo > lo ? s->lo : lo, to = s->hi < hi ? s->hi : hi;
        if (to > from)
            bytes += to - from;
    }
    return bytes / PAGE;
}

static void add_span(oracle_locks *l, uint64_t lo, uint64_t hi)
{
    locked_span *s;
    ORACLE_PUSH(s, l->first);
    s->lo = lo;
    s->hi = hi;
}

void lockset_unlock(oracle_locks *l, uint64_t lo, uint64_t hi)
{
    locked_span **link = &l->first;
    while (*link) {
        locked_span *s = *link;
        if (s->hi <= lo || s->lo >= hi) {
            link = &s->next;
            continue;
        }
        /* Cut [lo, hi) out of s: keep what lies below lo and above hi. */
        uint64_t below_lo = s->lo, above_hi = s->hi;
        *link = s->next;
        free(s);
        if (below_lo < lo)
            add_span(l, below_lo, lo);
        if (above_hi > hi)
            add_span(l, hi, above_hi);
        link = &l->first;  /* the list changed at its head: start again */
    }
}

void lockset_lock(oracle_locks *l, uint64_t lo, uint64_t hi)
{
    lockset_unlock(l, lo, hi);
    add_span(l, lo, hi);
}

void lockset_free_all(oracle_locks *l)
{
    while (l->first) {
        locked_span *s = l->first;
        l->first = s->next;
        free(s);
    }
}
