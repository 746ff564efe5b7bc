/*
 * page_store.c - the written contents of one allocation's pages.
 *
 * Only pages something was written to own a buffer; a committed page with
 * no buffer reads as zeros, which is what a freshly committed page holds.
 * Buffers live in a per-allocation AVL tree keyed by page address, so a
 * decommit drops exactly the buffers in its range, in O(log n + dropped).
 */
#include "vas_internal.h"

#include <stdlib.h>

typedef struct stored_page {
    avl_node node;  /* key: page address */
    uint8_t bytes[VAS_PAGE_SIZE];
} stored_page;

#define PAGE_OF(n) ((stored_page *)(void *)((char *)(n) - offsetof(stored_page, node)))

void page_store_init(allocation *a)
{
    avl_init(&a->pages);
}

const uint8_t *page_store_peek(const allocation *a, uint64_t page)
{
    assert(page % PAGE_BYTES == 0);
    avl_node *n = avl_find(&a->pages, page);
    return n ? PAGE_OF(n)->bytes : NULL;
}

uint8_t *page_store_get(allocation *a, uint64_t page)
{
    assert(page % PAGE_BYTES == 0 && page >= alloc_base(a) && page < a->end);
    avl_node *n = avl_find(&a->pages, page);
    if (n)
        return PAGE_OF(n)->bytes;
    stored_page *p = calloc(1, sizeof *p);
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (!p)
        return NULL;
    p->node.key = page;
    avl_insert(&a->pages, &p->node);
    return p->bytes;
}

void page_store_drop(allocation *a, uint64_t lo, uint64_t hi)
{
    avl_node *n;
    while ((n = avl_find_ge(&a->pages, lo)) && n->key < hi) {
        avl_remove(&a->pages, n->key);
        free(PAGE_OF(n));
    }
}

static void free_below(avl_node *n)
{
    while (n) {
        free_below(n->left);
        avl_node *right = n->right;
        free(PAGE_OF(n));
        n = right;
    }
}

void page_store_free_all(allocation *a)
{
    free_below(a->pages.root);
    avl_init(&a->pages);
}

/* fuzz-unreached: debug-check - its failure returns: a correct model's pages pass */
int page_store_check(const allocation *a)
{
    if (!avl_check(&a->pages))
        return 0;
    /* Every buffer belongs to a committed page of the allocation. */
    for (avl_node *n = avl_first(&a->pages); n; n = avl_find_gt(&a->pages, n->key)) {
        if (n->key % PAGE_BYTES || n->key < alloc_base(a) || n->key >= a->end)
            return 0;
        if (runs_find(a, n->key)->state != VAS_MEM_COMMIT)
            return 0;
    }
    return 1;
}
