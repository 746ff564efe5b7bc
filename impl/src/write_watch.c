/*
 * write_watch.c - which pages of a MEM_WRITE_WATCH allocation were written
 * (docs/semantics.md section 8).
 *
 * Only pages with something to report own a node, in a per-allocation AVL
 * tree keyed by page address, so every operation costs O(log n + pages it
 * reports or clears). A node carries two bits, because Windows keeps the
 * state in two places: `written` (the page-table dirty bit: set by a write,
 * lost when the page is decommitted) and `latched` (copied from `written`
 * by a VirtualProtect over the page, kept across a decommit). A page is
 * reported while either is set; a reset clears both.
 */
#include "vas_internal.h"

#include <stdlib.h>

typedef struct watched_page {
    avl_node node;      /* key: page address */
    uint8_t written;
    uint8_t latched;
} watched_page;

#define WATCHED_OF(n) ((watched_page *)(void *)((char *)(n) - offsetof(watched_page, node)))

void watch_init(allocation *a, int enabled)
{
    avl_init(&a->dirty);
    a->write_watch = enabled != 0;
}

static void drop(allocation *a, watched_page *w)
{
    avl_remove(&a->dirty, w->node.key);
    free(w);
}

int watch_mark_written(allocation *a, uint64_t lo, uint64_t hi)
{
    if (!a->write_watch)
        return 1;
    for (uint64_t page = round_down(lo, PAGE_BYTES); page < hi; page += PAGE_BYTES) {
        avl_node *n = avl_find(&a->dirty, page);
        if (!n) {
            watched_page *w = calloc(1, sizeof *w);
            if (!w)
                return 0;
            w->node.key = page;
            avl_insert(&a->dirty, &w->node);
            n = &w->node;
        }
        WATCHED_OF(n)->written = 1;   /* semantics: 8 */
    }
    return 1;
}

void watch_latch(allocation *a, uint64_t lo, uint64_t hi)
{
    for (avl_node *n = avl_find_ge(&a->dirty, lo); n && n->key < hi; n = avl_find_gt(&a->dirty, n->key))
        WATCHED_OF(n)->latched |= WATCHED_OF(n)->written;   /* semantics: 8 */
}

void watch_decommit(allocation *a, uint64_t lo, uint64_t hi)
{
    avl_node *n = avl_find_ge(&a->dirty, lo);
    while (n && n->key < hi) {
        watched_page *w = WATCHED_OF(n);
        uint64_t key = n->key;
        w->written = 0;   /* semantics: 8 */
        if (!w->latched || PLANT(38))
            drop(a, w);
        n = avl_find_gt(&a->dirty, key);
    }
}

uint64_t watch_collect(allocation *a, uint64_t lo, uint64_t hi, uint64_t *out, uint64_t max, int reset)
{
    uint64_t found = 0;
    avl_node *n = avl_find_ge(&a->dirty, lo);
    while (n && n->key < hi && found < max) {
        uint64_t key = n->key;
        out[found++] = key;
        if (reset && !PLANT(37))
            drop(a, WATCHED_OF(n));
        n = avl_find_gt(&a->dirty, key);
    }
    return found;
}

void watch_reset(allocation *a, uint64_t lo, uint64_t hi)
{
    avl_node *n;
    while ((n = avl_find_ge(&a->dirty, lo)) && n->key < hi)
        drop(a, WATCHED_OF(n));
}

void watch_free_all(allocation *a)
{
    avl_node *n;
    while ((n = avl_first(&a->dirty)))
        drop(a, WATCHED_OF(n));
}

int watch_check(const allocation *a)
{
    if (!avl_check(&a->dirty))
        return 0;
    if (!a->write_watch && a->dirty.count)
        return 0;
    for (avl_node *n = avl_first(&a->dirty); n; n = avl_find_gt(&a->dirty, n->key)) {
        const watched_page *w = WATCHED_OF(n);
        if (n->key % PAGE_BYTES || n->key < alloc_base(a) || n->key >= a->end)
            return 0;
        if (!w->written && !w->latched)
            return 0;
        /* Only committed pages can be written; a decommit keeps latched ones. */
        if (w->written && runs_find(a, n->key)->state != VAS_MEM_COMMIT)
            return 0;
    }
    return 1;
}
