/*
 * locked_ranges.c - which pages of one allocation are locked (VirtualLock),
 * as merged, non-overlapping ranges in an AVL tree keyed by start.
 *
 * Lock state cannot live in the page runs: VirtualQuery does not split a
 * region where locking changes, and runs are exactly what it reports. As
 * ranges are kept merged, "every page of [lo, hi) is locked" is one range
 * covering it, and every operation costs O(log n + ranges it removes).
 */
#include "vas_internal.h"

#include <stdlib.h>

typedef struct locked_range {
    avl_node node;   /* key: first locked page */
    uint64_t end;    /* one past the last locked byte */
} locked_range;

#define RANGE_OF(n) ((locked_range *)(void *)((char *)(n) - offsetof(locked_range, node)))

void locks_init(allocation *a)
{
    avl_init(&a->locked);
}

int locks_cover(const allocation *a, uint64_t lo, uint64_t hi)
{
    avl_node *n = avl_find_le(&a->locked, lo);
    return n && RANGE_OF(n)->end >= hi;
}

uint64_t locks_count(const allocation *a, uint64_t lo, uint64_t hi)
{
    uint64_t bytes = 0;
    avl_node *n = avl_find_le(&a->locked, lo);
    if (!n || RANGE_OF(n)->end <= lo)
        n = avl_find_gt(&a->locked, lo);
    for (; n && n->key < hi; n = avl_find_gt(&a->locked, n->key)) {
        uint64_t from = n->key > lo ? n->key : lo;
        uint64_t to = RANGE_OF(n)->end < hi ? RANGE_OF(n)->end : hi;
        bytes += to - from;
    }
    return bytes / PAGE_BYTES;
}

/* Takes every range overlapping or touching [lo, hi) out of the tree and
 * widens [*lo, *hi) to cover them. */
static void absorb(allocation *a, uint64_t *lo, uint64_t *hi)
{
    avl_node *n = avl_find_le(&a->locked, *lo);
    if (!n || RANGE_OF(n)->end < *lo)
        n = avl_find_gt(&a->locked, *lo);
    while (n && n->key <= *hi) {
        locked_range *r = RANGE_OF(n);
        if (r->node.key < *lo)
            *lo = r->node.key;
        if (r->end > *hi)
            *hi = r->end;
        uint64_t key = n->key;
        avl_remove(&a->locked, key);
        free(r);
        n = avl_find_gt(&a->locked, key);
    }
}

int locks_add(allocation *a, uint64_t lo, uint64_t hi)
{
    locked_range *r = malloc(sizeof *r);
    if (!r)
        return 0;
    absorb(a, &lo, &hi);
    r->node.key = lo;
    r->end = hi;
    avl_insert(&a->locked, &r->node);
    return 1;
}

int locks_remove(allocation *a, uint64_t lo, uint64_t hi)
{
    /* A range reaching past hi keeps its part above hi, in this node. */
    locked_range *spare = malloc(sizeof *spare);
    if (!spare)
        return 0;
    uint64_t right_end = 0;
    avl_node *n = avl_find_le(&a->locked, lo);
    if (n && n->key < lo && RANGE_OF(n)->end > lo) {
        if (RANGE_OF(n)->end > hi)
            right_end = RANGE_OF(n)->end;
        RANGE_OF(n)->end = lo;
    }
    while ((n = avl_find_ge(&a->locked, lo)) && n->key < hi) {
        if (RANGE_OF(n)->end > hi)
            right_end = RANGE_OF(n)->end;
        avl_remove(&a->locked, n->key);
        free(RANGE_OF(n));
    }
    if (right_end) {
        spare->node.key = hi;
        spare->end = right_end;
        avl_insert(&a->locked, &spare->node);
    } else {
        free(spare);
    }
    return 1;
}

void locks_free_all(allocation *a)
{
    avl_node *n;
    while ((n = avl_first(&a->locked))) {
        avl_remove(&a->locked, n->key);
        free(RANGE_OF(n));
    }
}

int locks_check(const allocation *a)
{
    if (!avl_check(&a->locked))
        return 0;
    uint64_t prev_end = 0;
    for (avl_node *n = avl_first(&a->locked); n; n = avl_find_gt(&a->locked, n->key)) {
        const locked_range *r = RANGE_OF(n);
        if (n->key % PAGE_BYTES || r->end % PAGE_BYTES || r->end <= n->key)
            return 0;
        if (n->key < alloc_base(a) || r->end > a->end || (prev_end && n->key <= prev_end))
            return 0;   /* inside the allocation, merged: never touching */
        if (!runs_all_committed(a, n->key, r->end))
            return 0;   /* only committed pages are locked */
        prev_end = r->end;
    }
    return 1;
}
