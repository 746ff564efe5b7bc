/*
 * alloc_tree.c - the index of allocations and the search for free space.
 *
 * Allocations are kept in an AVL tree keyed by base. Each node stores
 * gap_before: how many bytes a new allocation could use between the end of
 * the previous allocation (or MIN) and this base, measured from the first
 * granule boundary after that end:
 *
 *     gap_before = base - up(prev_end, granule)
 *
 * and max_gap, the largest gap_before in its subtree. The space above the
 * last allocation (the "tail", up to MAX + 1) is computed when needed.
 *
 * Because every base and MAX + 1 are granule-aligned, a gap of g bytes
 * below a base B holds a new allocation of s bytes (s a page multiple):
 *   - bottom-up at B - g       iff g >= s,
 *   - top-down  at B - up(s, granule)  iff g >= up(s, granule).
 * So first fit is: descend towards the leftmost (or rightmost) node whose
 * gap passes the test, steered by max_gap. One descent, O(log n).
 */
#include "vas_internal.h"

#include <stddef.h>

#define ALLOC_OF(n) ((allocation *)(void *)((char *)(n) - offsetof(allocation, node)))

static uint64_t subtree_max_gap(const avl_node *n)
{
    return n ? ALLOC_OF(n)->max_gap : 0;
}

static void update_max_gap(avl_node *n)
{
    allocation *a = ALLOC_OF(n);
    uint64_t m = a->gap_before, l = subtree_max_gap(n->left), r = subtree_max_gap(n->right);
    if (l > m)
        m = l;
    if (r > m)
        m = r;
    a->max_gap = m;
}

void alloc_tree_init(struct vas *v)
{
    avl_init(&v->allocs, update_max_gap);
}

allocation *alloc_tree_find(const struct vas *v, uint64_t addr)
{
    avl_node *n = avl_find_le(&v->allocs, addr);
    if (!n)
        return NULL;
    allocation *a = ALLOC_OF(n);
    return addr < a->end ? a : NULL;
}

allocation *alloc_tree_next(const struct vas *v, uint64_t addr)
{
    avl_node *n = avl_find_ge(&v->allocs, addr);
    return n ? ALLOC_OF(n) : NULL;
}

int alloc_tree_overlaps(const struct vas *v, uint64_t lo, uint64_t hi)
{
    /* Allocations are disjoint and sorted: only the last one starting
     * before hi can reach into [lo, hi). */
    assert(lo < hi);
    avl_node *n = avl_find_lt(&v->allocs, hi);
    return n && ALLOC_OF(n)->end > lo;
}

/* The gap below `base` when the allocation before it ends at prev_end. */
static uint64_t gap_between(uint64_t prev_end, uint64_t base)
{
    uint64_t from = round_up(prev_end, GRANULE_BYTES);
    return base > from ? base - from : 0;
}

static uint64_t end_before(const struct vas *v, uint64_t base)
{
    avl_node *p = avl_find_lt(&v->allocs, base);
    return p ? ALLOC_OF(p)->end : space_min(v);
}

void alloc_tree_insert(struct vas *v, allocation *a)
{
    assert(!alloc_tree_overlaps(v, alloc_base(a), a->end));
    a->gap_before = gap_between(end_before(v, alloc_base(a)), alloc_base(a));
    avl_insert(&v->allocs, &a->node);
    avl_node *s = avl_find_gt(&v->allocs, alloc_base(a));
    if (s) {
        ALLOC_OF(s)->gap_before = gap_between(a->end, s->key);
        avl_refresh_path(&v->allocs, s->key);
    }
}

void alloc_tree_remove(struct vas *v, allocation *a)
{
    uint64_t base = alloc_base(a);
    avl_node *removed = avl_remove(&v->allocs, base);
    assert(removed == &a->node);
    (void)removed;
    avl_node *s = avl_find_gt(&v->allocs, base);
    if (s) {
        ALLOC_OF(s)->gap_before = gap_between(end_before(v, s->key), s->key);
        avl_refresh_path(&v->allocs, s->key);
    }
}

/* Leftmost node (bottom-up) or rightmost (top-down) with gap_before >= need. */
static allocation *find_fitting(const avl_node *n, uint64_t need, int top_down)
{
    if (subtree_max_gap(n) < need)
        return NULL;
    while (n) {
        const avl_node *first = top_down ? n->right : n->left;
        const avl_node *second = top_down ? n->left : n->right;
        if (subtree_max_gap(first) >= need) {
            n = first;
        } else if (ALLOC_OF(n)->gap_before >= need) {
            return ALLOC_OF(n);
        } else {
            assert(subtree_max_gap(second) >= need);
            n = second;
        }
    }
    return NULL;
}

uint64_t alloc_tree_find_gap(const struct vas *v, uint64_t size, int top_down)
{
    assert(size > 0 && size % PAGE_BYTES == 0);
    uint64_t limit = space_max(v) + 1;
    avl_node *last = avl_last(&v->allocs);
    uint64_t tail_from = round_up(last ? ALLOC_OF(last)->end : space_min(v), GRANULE_BYTES);
    uint64_t tail = limit > tail_from ? limit - tail_from : 0;

    if (top_down) {
        uint64_t need = round_up(size, GRANULE_BYTES);
        if (tail >= need)
            return limit - need;
        allocation *a = find_fitting(v->allocs.root, need, 1);
        return a ? alloc_base(a) - need : 0;
    }
    allocation *a = find_fitting(v->allocs.root, size, 0);
    if (a)
        return alloc_base(a) - a->gap_before;
    return tail >= size ? tail_from : 0;
}

static int check_gaps(const avl_node *n, const struct vas *v)
{
    if (!n)
        return 1;
    allocation *a = ALLOC_OF(n);
    uint64_t m = a->gap_before;
    if (subtree_max_gap(n->left) > m)
        m = subtree_max_gap(n->left);
    if (subtree_max_gap(n->right) > m)
        m = subtree_max_gap(n->right);
    if (m != a->max_gap)
        return 0;
    if (a->gap_before != gap_between(end_before(v, n->key), n->key))
        return 0;
    return check_gaps(n->left, v) && check_gaps(n->right, v);
}

int alloc_tree_check(const struct vas *v)
{
    if (!avl_check(&v->allocs))
        return 0;
    uint64_t prev_end = space_min(v);
    for (avl_node *n = avl_first(&v->allocs); n; n = avl_find_gt(&v->allocs, n->key)) {
        allocation *a = ALLOC_OF(n);
        if (n->key % GRANULE_BYTES || a->end % PAGE_BYTES || a->end <= n->key)
            return 0;
        if (n->key < prev_end || a->end - 1 > space_max(v))
            return 0;
        prev_end = a->end;
    }
    return check_gaps(v->allocs.root, v);
}
