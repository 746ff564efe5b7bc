/*
 * page_runs.c - the pages of one allocation as runs of equal attributes.
 *
 * An allocation's pages are partitioned into runs [base, end) with one state
 * and one protection. Runs tile the allocation with no hole, and two
 * neighbouring runs always differ (the list is kept merged), so the run
 * containing a page is exactly the region VirtualQuery reports from it.
 *
 * Changing a range works in three steps: split the runs at the range's two
 * ends, rewrite the runs inside, then merge equal neighbours from just
 * before the range to just after it. Splitting needs at most two new nodes;
 * they are allocated before anything changes so that running out of memory
 * leaves the allocation as it was.
 */
#include "vas_internal.h"

#define RUN_OF(n) ((page_run *)(void *)((char *)(n) - offsetof(page_run, node)))

static page_run *run_new(node_pool *pool, uint64_t base, uint64_t end, uint32_t state, uint32_t protect)
{
    page_run *r = node_pool_take(pool);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!r)
        return NULL;
    r->node.key = base;
    r->end = end;
    r->state = state;
    r->protect = protect;
    return r;
}

int runs_init(node_pool *pool, allocation *a, uint32_t state, uint32_t protect)
{
    avl_init(&a->runs);
    page_run *r = run_new(pool, alloc_base(a), a->end, state, protect);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!r)
        return 0;
    avl_insert(&a->runs, &r->node);
    return 1;
}

static void free_below(node_pool *pool, avl_node *n)
{
    while (n) {
        free_below(pool, n->left);
        avl_node *right = n->right;
        node_pool_give(pool, RUN_OF(n));
        n = right;
    }
}

void runs_free_all(node_pool *pool, allocation *a)
{
    free_below(pool, a->runs.root);
    avl_init(&a->runs);
}

page_run *runs_find(const allocation *a, uint64_t addr)
{
    assert(addr >= alloc_base(a) && addr < a->end);
    avl_node *n = avl_find_le(&a->runs, addr);
    assert(n && addr < RUN_OF(n)->end);
    return RUN_OF(n);
}

page_run *runs_next(const allocation *a, const page_run *r)
{
    if (r->end >= a->end)
        return NULL;
    avl_node *n = avl_find(&a->runs, r->end);
    assert(n);
    return RUN_OF(n);
}

uint64_t runs_count_committed(const allocation *a, uint64_t lo, uint64_t hi)
{
    uint64_t bytes = 0;
    for (page_run *r = runs_find(a, lo); r && run_base(r) < hi; r = runs_next(a, r)) {
        if (r->state != VAS_MEM_COMMIT)
            continue;
        uint64_t from = run_base(r) > lo ? run_base(r) : lo;
        uint64_t to = r->end < hi ? r->end : hi;
        bytes += to - from;
    }
    return bytes / PAGE_BYTES;
}

int runs_all_committed(const allocation *a, uint64_t lo, uint64_t hi)
{
    for (page_run *r = runs_find(a, lo); r && run_base(r) < hi; r = runs_next(a, r))
        if (r->state != VAS_MEM_COMMIT)
            return 0;
    return 1;
}

/* Makes addr a run boundary, using *spare for the new run if a split is
 * needed (then *spare becomes NULL). */
static void split_at(allocation *a, uint64_t addr, page_run **spare)
{
    if (addr <= alloc_base(a) || addr >= a->end)
        return;
    page_run *r = runs_find(a, addr);
    if (run_base(r) == addr)
        return;
    page_run *right = *spare;
    *spare = NULL;
    right->node.key = addr;
    right->end = r->end;
    right->state = r->state;
    right->protect = r->protect;
    r->end = addr;
    avl_insert(&a->runs, &right->node);
}

static int same_attributes(const page_run *x, const page_run *y)
{
    return x->state == y->state && x->protect == y->protect;
}

/* Merges equal neighbours among the runs touching [lo - 1, hi]. */
static void merge_around(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi)
{
    page_run *r = runs_find(a, lo > alloc_base(a) ? lo - 1 : lo);
    for (;;) {
        page_run *next = runs_next(a, r);
        if (!next || run_base(next) > hi)
            return;
        if (same_attributes(r, next)) {
            r->end = next->end;
            avl_remove(&a->runs, run_base(next));
            node_pool_give(pool, next);
        } else {
            r = next;
        }
    }
}

/* Allocates the (at most two) runs a split of [lo, hi) needs. */
static int prepare_split(node_pool *pool, page_run *spare[2])
{
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!node_pool_reserve(pool, 2))
        return 0;
    spare[0] = node_pool_take(pool);
    spare[1] = node_pool_take(pool);
    return 1;
}

static void split_range(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi, page_run *spare[2])
{
    split_at(a, lo, &spare[0]);
    split_at(a, hi, &spare[1]);
    for (int i = 0; i < 2; i++)
        if (spare[i])
            node_pool_give(pool, spare[i]);
}

int runs_set(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi, uint32_t state, uint32_t protect)
{
    assert(lo < hi && lo >= alloc_base(a) && hi <= a->end);
    assert(lo % PAGE_BYTES == 0 && hi % PAGE_BYTES == 0);
    page_run *spare[2];
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!prepare_split(pool, spare))
        return 0;
    split_range(pool, a, lo, hi, spare);
    page_run *first = runs_find(a, lo);
    assert(run_base(first) == lo);
    /* Absorb every other run of the range into the first one. */
    for (;;) {
        page_run *r = runs_next(a, first);
        if (!r || run_base(r) >= hi)
            break;
        first->end = r->end;
        avl_remove(&a->runs, run_base(r));
        node_pool_give(pool, r);
    }
    assert(first->end == hi);
    first->state = state;
    first->protect = protect;
    merge_around(pool, a, lo, hi);
    return 1;
}

int runs_protect(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi, uint32_t protect)
{
    assert(lo < hi && lo >= alloc_base(a) && hi <= a->end);
    page_run *spare[2];
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!prepare_split(pool, spare))
        return 0;
    split_range(pool, a, lo, hi, spare);
    for (page_run *r = runs_find(a, lo); r && run_base(r) < hi; r = runs_next(a, r)) {
        assert(r->state == VAS_MEM_COMMIT);
        r->protect = protection_after_change(r->protect, protect);
    }
    merge_around(pool, a, lo, hi);
    return 1;
}

/* fuzz-unreached: debug-check - its failure returns: the runs of a correct model pass */
int runs_check(const allocation *a)
{
    if (!avl_check(&a->runs))
        return 0;
    avl_node *n = avl_first(&a->runs);
    if (!n || n->key != alloc_base(a))
        return 0;
    const page_run *prev = NULL;
    uint64_t at = alloc_base(a);
    for (; n; n = avl_find_gt(&a->runs, n->key)) {
        const page_run *r = RUN_OF(n);
        if (run_base(r) != at || r->end <= run_base(r) || r->end % PAGE_BYTES)
            return 0;
        if (r->state == VAS_MEM_RESERVE ? r->protect != 0
                                        : r->state != VAS_MEM_COMMIT
                                              || !protection_is_valid_for(r->protect, a->type == VAS_MEM_IMAGE || a->mapped))
            return 0;
        if (prev && same_attributes(prev, r))
            return 0;
        prev = r;
        at = r->end;
    }
    return at == a->end;
}
