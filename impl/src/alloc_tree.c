/*
 * alloc_tree.c - the index of allocations (a B+tree, layout in
 * alloc_tree.h) and the search for free space.
 *
 * Each leaf entry stores gap_before: how many bytes a new allocation could
 * use between the end of the previous allocation (or MIN) and this base,
 * measured from the first granule boundary after that end:
 *
 *     gap_before = base - up(prev_end, granule)
 *
 * and each inner node the largest gap_before under each child. The space
 * above the last allocation (the "tail", up to MAX + 1) is computed when
 * needed.
 *
 * A new allocation placed by a search starts at a granule; bases already
 * in the index start at a page (placeholder pieces, 12.9), MAX + 1 at a
 * granule. Since B - g is a granule boundary, a gap of g bytes below a
 * base B holds a new allocation of s bytes (s a page multiple):
 *   - bottom-up at B - g                   iff g >= s,
 *   - top-down  at down(B - s, granule)    iff g >= s
 * (for a granule-aligned B that is B - up(s, granule)).
 * So first fit is: descend towards the leftmost (or rightmost) entry whose
 * gap passes the test, steered by the children's largest gaps. One
 * descent, O(log n).
 *
 * Shape: nodes hold 1..16 items; a non-root node that falls below
 * MIN_ITEMS after a removal is merged with a sibling or shares its items
 * with it. A node split while appending at the right edge (or prepending at
 * the left edge) keeps the full node whole, so addresses handed out in
 * order fill nodes completely. Summaries (largest gaps) are recomputed
 * along the paths a change touched, bottom-up.
 */
#include "vas_internal.h"

#include <stddef.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif


/* A lookup prefetches the entries as whole lines right after the keys. */
_Static_assert(offsetof(bt_leaf, entry) == 128 && sizeof(alloc_entry) == 8, "leaf layout");

#define MIN_ITEMS (BT_FANOUT / 4)
#define ALL_ITEMS (BT_FANOUT + 1)   /* a full node plus the one being added */

enum split_kind { SPLIT_HALF, SPLIT_APPEND, SPLIT_PREPEND };

typedef struct bt_path {
    bt_inner *node[BT_MAX_HEIGHT];  /* node[0] is the root */
    unsigned idx[BT_MAX_HEIGHT];    /* the child taken at each level */
    bt_leaf *leaf;
    unsigned pos;                   /* entries [0, pos) of leaf have key <= q */
} bt_path;

/* Bases are page-aligned (a placeholder splits at any page, 12.9), so
 * comparing page numbers compares bases. */
static bt_key key_of(uint64_t addr)
{
    return addr / PAGE_BYTES;
}

static uint64_t base_of(bt_key key)
{
    return key * PAGE_BYTES;
}

/* How many of the 16 slots hold a key <= q (unused slots never do). A
 * fixed-length count, not a branchy search: a few vector instructions over
 * two cache lines, with no chain of dependent flags between the keys. */
#if defined(__SSE2__)
static inline unsigned count_le(const bt_key keys[BT_FANOUT], bt_key q)
{
    /* SSE2 subtracts 64-bit lanes but has no 64-bit compare. Keys and q
     * are page numbers below 2^52 and BT_NO_KEY is INT64_MAX, so q - key
     * has its sign bit set exactly when key > q. Keys are ascending: the
     * keys above q are a suffix, and the count is where the first is. */
    const __m128i qv = _mm_set1_epi64x((long long)q);
    unsigned above = 1u << BT_FANOUT;
    for (unsigned i = 0; i < BT_FANOUT / 2; i++) {
        __m128i d = _mm_sub_epi64(qv, _mm_loadu_si128((const __m128i *)(const void *)&keys[2 * i]));
        above |= (unsigned)_mm_movemask_pd(_mm_castsi128_pd(d)) << (2 * i);
    }
    return (unsigned)__builtin_ctz(above);
}
#else
/* fuzz-unreached: sse-fallback - compiled only where SSE2 is missing */
static inline unsigned count_le(const bt_key keys[BT_FANOUT], bt_key q)
{
    unsigned c = 0;
    for (unsigned i = 0; i < BT_FANOUT; i++)
        c += keys[i] <= q;
    return c;
}
#endif

/* One past the last byte of entry i of l. */
static uint64_t end_at(const bt_leaf *l, unsigned i)
{
    uint64_t pages = entry_pages(l->entry[i]);
    return pages ? base_of(l->keys[i]) + pages * PAGE_BYTES : l->rec[i]->end;
}

static uint64_t gap_between(uint64_t prev_end, uint64_t base)
{
    uint64_t from = round_up(prev_end, GRANULE_BYTES);
    return base > from ? base - from : 0;
}

static uint64_t max_of(const uint64_t *v, unsigned n)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

static uint64_t leaf_max_gap(const bt_leaf *l)
{
    return max_of(l->gap_before, l->count);
}

static uint64_t inner_max_gap(const bt_inner *n)
{
    return max_of(n->max_gap, n->count);
}

static uint64_t node_max_gap(const void *node, int is_leaf)
{
    return is_leaf ? leaf_max_gap(node) : inner_max_gap(node);
}

/* ---- Lookups ------------------------------------------------------------ */

/* Asks for a cache line ahead of its use, where the compiler can. */
#if defined(__GNUC__)
#define PREFETCH(addr) __builtin_prefetch(addr)
#else
#define PREFETCH(addr) ((void)(addr))
#endif

/* A node's lines a lookup may read after its keys are requested together
 * with them, so their misses overlap instead of following each other. */
static void prefetch_inner(const bt_inner *in)
{
    PREFETCH(&in->child[0]);
    PREFETCH(&in->child[BT_FANOUT / 2]);
}

static void prefetch_leaf(const bt_leaf *l)
{
    for (unsigned i = 0; i < BT_FANOUT; i += 64 / sizeof l->entry[0])
        PREFETCH(&l->entry[i]);
}

/* The leaf where key q belongs, and how many of its keys are <= q, for
 * lookups that need no path back up. */
static inline bt_leaf *find_leaf(const alloc_index *t, bt_key q, unsigned *pos)
{
    void *n = t->root;
    for (unsigned level = 0; level < t->height; level++) {
        const bt_inner *in = n;
        prefetch_inner(in);
        n = in->child[count_le(in->keys, q) - 1];   /* keys[0] == 0 <= q */
    }
    bt_leaf *l = n;
    prefetch_leaf(l);
    *pos = count_le(l->keys, q);
    return l;
}

static void descend(const alloc_index *t, bt_key q, bt_path *p)
{
    void *n = t->root;
    for (unsigned level = 0; level < t->height; level++) {
        bt_inner *in = n;
        prefetch_inner(in);
        unsigned i = count_le(in->keys, q) - 1;   /* keys[0] == 0 <= q */
        p->node[level] = in;
        p->idx[level] = i;
        n = in->child[i];
    }
    p->leaf = n;
    prefetch_leaf(p->leaf);
    p->pos = count_le(p->leaf->keys, q);
}

/* The entry with the greatest key <= q; 0 if there is none. A separator
 * may be below its child's smallest key (removals do not raise it), so
 * the answer can be the previous leaf's last entry. */
static int locate_le(const alloc_index *t, bt_key q, bt_leaf **leaf, unsigned *idx)
{
    if (!t->root)
        return 0;
    unsigned pos;
    bt_leaf *l = find_leaf(t, q, &pos);
    if (pos == 0) {
        l = PLANT(35) && t->height >= 2 ? NULL : l->prev;   /* a stale separator sent q here */
        if (!l)
            return 0;
        pos = l->count;
    }
    *leaf = l;
    *idx = pos - 1;
    return 1;
}

/* The entry with the least key > q; 0 if there is none. */
static int locate_gt(const alloc_index *t, bt_key q, bt_leaf **leaf, unsigned *idx)
{
    /* fuzz-unreached: debug-check - only the invariant walk calls it, on a non-empty tree */
    if (!t->root)
        return 0;
    unsigned pos;
    bt_leaf *l = find_leaf(t, q, &pos);
    if (pos == l->count) {
        l = l->next;
        if (!l)
            return 0;
        pos = 0;
    }
    *leaf = l;
    *idx = pos;
    return 1;
}

alloc_slot alloc_tree_find_slot(const struct vas *v, uint64_t addr)
{
    alloc_slot s = {NULL, NULL};
    bt_leaf *l;
    unsigned i;
    if (locate_le(&v->allocs, key_of(addr), &l, &i) && addr < end_at(l, i)) {
        s.rec = l->rec[i];
        s.entry = &l->entry[i];
    }
    return s;
}

allocation *alloc_tree_find(const struct vas *v, uint64_t addr)
{
    return alloc_tree_find_slot(v, addr).rec;
}

void alloc_tree_probe(const struct vas *v, uint64_t addr, alloc_probe *out)
{
    const alloc_index *t = &v->allocs;
    out->rec_ref = NULL;
    out->next_base = 0;
    if (!t->root)
        return;
    unsigned pos;
    const bt_leaf *l = find_leaf(t, key_of(addr), &pos);
    if (pos == 0 && l->prev) {
        l = l->prev;
        pos = l->count;
    }
    if (pos > 0 && addr < end_at(l, pos - 1)) {
        out->rec_ref = &l->rec[pos - 1];
        out->entry = l->entry[pos - 1];
        out->base = base_of(l->keys[pos - 1]);
        return;
    }
    if (pos < l->count)
        out->next_base = base_of(l->keys[pos]);
    else if (l->next)
        out->next_base = base_of(l->next->keys[0]);
}

allocation *alloc_tree_next(const struct vas *v, uint64_t addr)
{
    bt_leaf *l;
    unsigned i;
    if (addr == 0) {
        l = v->allocs.first;
        return l ? l->rec[0] : NULL;
    }
    /* base >= addr  <=>  key > (addr - 1) / page */
    return locate_gt(&v->allocs, key_of(addr - 1), &l, &i) ? l->rec[i] : NULL;
}

int alloc_tree_overlaps(const struct vas *v, uint64_t lo, uint64_t hi)
{
    /* Allocations are disjoint and sorted: only the last one starting
     * before hi can reach into [lo, hi). */
    assert(lo < hi);
    bt_leaf *l;
    unsigned i;
    return locate_le(&v->allocs, key_of(hi - 1), &l, &i) && end_at(l, i) > lo;
}

/* The summary of a, as its entry must hold it. */
static alloc_entry entry_of(const allocation *a)
{
    const avl_node *n = avl_first(&a->runs);
    const page_run *r = (const page_run *)(const void *)((const char *)n - offsetof(page_run, node));
    uint64_t pages = (a->end - alloc_base(a)) / PAGE_BYTES;
    uint64_t run_pages = (r->end - alloc_base(a)) / PAGE_BYTES;
    alloc_entry e = {0};
    if (pages >> ENTRY_PAGES_BITS || (a->protect & ~ENTRY_PROT_MASK) || a->mapped)
        return e;                       /* the record answers everything (a view: its type) */
    if (run_pages >> ENTRY_RUN_PAGES_BITS || (r->protect & ~ENTRY_PROT_MASK))
        run_pages = 0;                  /* the runs answer past the start */
    e.bits = pages | run_pages << ENTRY_RUN_PAGES_SHIFT
           | (uint64_t)a->protect << ENTRY_ALLOC_PROT_SHIFT;
    if (run_pages)
        e.bits |= (uint64_t)r->protect << ENTRY_RUN_PROT_SHIFT
                | (uint64_t)(r->state == VAS_MEM_COMMIT) << ENTRY_COMMITTED_BIT;
    return e;
}

void alloc_tree_sync_entry(alloc_slot s)
{
    *s.entry = entry_of(s.rec);
}

/* ---- Keeping the largest-gap summaries -------------------------------- */

static void refresh_known_path(alloc_index *t, const bt_path *p);

/* Recomputes the summaries on the path to key q, bottom-up. */
static void refresh_path(alloc_index *t, bt_key q)
{
    /* fuzz-unreached: defensive - called after an insert or a removal that leaves entries */
    if (!t->root)
        return;
    bt_path p;
    descend(t, q, &p);
    refresh_known_path(t, &p);
}

/* Every summary held by a node on the path to key q matches its child.
 * alloc_tree_check sees the whole index, but only when a caller asks
 * (between trace operations); a bulk operation is hundreds of inserts or
 * removals, and a summary one of them leaves wrong and a later one
 * recomputes would go unseen. This check is local to one change: the path
 * and the siblings along it (where splits and merges write), in O(log n)
 * per change, in builds with assertions. */
static void assert_path_summaries(const alloc_index *t, bt_key q)
{
#ifdef NDEBUG
    (void)t;
    (void)q;
#else
    bt_path p;   /* both callers leave a root: a removal that empties the index returns before */
    descend(t, q, &p);
    for (unsigned level = 0; level < t->height; level++)
        for (unsigned k = 0; k < p.node[level]->count; k++)
            assert(p.node[level]->max_gap[k] == node_max_gap(p.node[level]->child[k], level + 1 == t->height));
    assert(t->root_max_gap == node_max_gap(t->root, t->height == 0));
#endif
}

/* ---- Node items moved as a whole ---------------------------------------- */

/* A leaf's or an inner node's items laid out flat, to split or to share
 * between two siblings. For inner items, key[0] of the first child is the
 * separator that stood in the parent (or 0). */
typedef struct item_buffer {
    bt_key key[2 * BT_FANOUT];
    alloc_entry entry[2 * BT_FANOUT];
    allocation *rec[2 * BT_FANOUT];
    void *child[2 * BT_FANOUT];
    uint64_t gap[2 * BT_FANOUT];
    unsigned count;
} item_buffer;

static void leaf_clear(bt_leaf *l)
{
    for (unsigned i = 0; i < BT_FANOUT; i++)
        l->keys[i] = BT_NO_KEY;
    l->count = 0;
}

static void inner_clear(bt_inner *n)
{
    for (unsigned i = 0; i < BT_FANOUT; i++)
        n->keys[i] = BT_NO_KEY;
    n->count = 0;
}

static void leaf_to_buffer(const bt_leaf *l, item_buffer *b)
{
    for (unsigned i = 0; i < l->count; i++, b->count++) {
        b->key[b->count] = l->keys[i];
        b->entry[b->count] = l->entry[i];
        b->rec[b->count] = l->rec[i];
        b->gap[b->count] = l->gap_before[i];
    }
}

static void buffer_to_leaf(const item_buffer *b, unsigned from, unsigned to, bt_leaf *l)
{
    leaf_clear(l);
    for (unsigned i = from; i < to; i++, l->count++) {
        l->keys[l->count] = b->key[i];
        l->entry[l->count] = b->entry[i];
        l->rec[l->count] = b->rec[i];
        l->gap_before[l->count] = b->gap[i];
    }
}

static void inner_to_buffer(const bt_inner *n, bt_key first_key, item_buffer *b)
{
    for (unsigned i = 0; i < n->count; i++, b->count++) {
        b->key[b->count] = i == 0 ? first_key : n->keys[i];
        b->child[b->count] = n->child[i];
        b->gap[b->count] = n->max_gap[i];
    }
}

static void buffer_to_inner(const item_buffer *b, unsigned from, unsigned to, bt_inner *n)
{
    inner_clear(n);
    for (unsigned i = from; i < to; i++, n->count++) {
        n->keys[n->count] = n->count == 0 ? 0 : b->key[i];
        n->child[n->count] = b->child[i];
        n->max_gap[n->count] = b->gap[i];
    }
}

/* Items kept by the left node. At an edge the outer node gets the fewest
 * allowed: one entry for a leaf, two children for an inner node (so a
 * parent always has a sibling to rebalance a child with). */
static unsigned split_point(unsigned total, enum split_kind kind, unsigned fewest)
{
    if (kind == SPLIT_APPEND)
        return total - fewest;
    if (kind == SPLIT_PREPEND)
        return fewest;
    return total / 2;
}

/* One array of a node's (or buffer's) items: keys, entries, records,
 * children or gaps. The arrays of one node move together. */
typedef struct item_column {
    void *base;
    size_t size;
} item_column;

#define COLUMN(array) ((item_column){(array), sizeof (array)[0]})
#define COLUMNS(...) (const item_column[]){__VA_ARGS__}, \
    sizeof((const item_column[]){__VA_ARGS__}) / sizeof(item_column)

/* Moves items [from, count) of every column one slot: up (to from + 1,
 * opening slot from) or down (to from - 1, over the item there). Adding or
 * removing the last item moves nothing: that common case makes no call. */
static inline void shift_items(const item_column *cols, size_t ncols, unsigned from, unsigned count, int up)
{
    if (from >= count)
        return;
    unsigned to = up ? from + 1 : from - 1;
    for (size_t k = 0; k < ncols; k++) {
        char *b = cols[k].base;
        memmove(b + to * cols[k].size, b + from * cols[k].size, (count - from) * cols[k].size);
    }
}

enum { SHIFT_DOWN, SHIFT_UP };

/* A new root above the two halves of the old one, which just split. */
static void new_root(alloc_index *t, void *left, void *right, bt_key sep, int leaves)
{
    bt_inner *root = node_pool_take(&t->inners);   /* reserved by the caller */
    inner_clear(root);
    root->keys[0] = 0;
    root->child[0] = left;
    root->max_gap[0] = node_max_gap(left, leaves);
    root->keys[1] = sep;
    root->child[1] = right;
    root->max_gap[1] = node_max_gap(right, leaves);
    root->count = 2;
    t->root = root;
    t->height++;
}

/* ---- Insert ------------------------------------------------------------- */

/* Adds (key, child) as item `at` of the inner node at path level `level`,
 * splitting upwards as needed. `kind` says whether the split below happened
 * at an edge of the whole tree. */
static void inner_insert(alloc_index *t, bt_path *p, unsigned level, unsigned at,
                         bt_key key, void *child, uint64_t child_gap, enum split_kind kind)
{
    bt_inner *n = p->node[level];
    if (n->count < BT_FANOUT) {
        shift_items(COLUMNS(COLUMN(n->keys), COLUMN(n->child), COLUMN(n->max_gap)), at, n->count, SHIFT_UP);
        n->keys[at] = key;
        n->child[at] = child;
        n->max_gap[at] = child_gap;
        n->count++;
        return;
    }
    item_buffer b;
    b.count = 0;
    inner_to_buffer(n, 0, &b);
    shift_items(COLUMNS(COLUMN(b.key), COLUMN(b.child), COLUMN(b.gap)), at, b.count, SHIFT_UP);
    b.key[at] = key;
    b.child[at] = child;
    b.gap[at] = child_gap;
    b.count++;
    if (kind == SPLIT_APPEND && at != b.count - 1)
        kind = SPLIT_HALF;  /* fuzz-unreached: defensive - an edge split below lands at this node's edge */
    if (kind == SPLIT_PREPEND && at != 1)
        kind = SPLIT_HALF;  /* fuzz-unreached: defensive - an edge split below lands at this node's edge */
    unsigned left = split_point(b.count, kind, 2);
    bt_inner *r = node_pool_take(&t->inners);   /* reserved by the caller */
    buffer_to_inner(&b, 0, left, n);
    buffer_to_inner(&b, left, b.count, r);
    bt_key sep = b.key[left];
    if (level == 0) {
        new_root(t, n, r, sep, 0);
        return;
    }
    p->node[level - 1]->max_gap[p->idx[level - 1]] = inner_max_gap(n);
    inner_insert(t, p, level - 1, p->idx[level - 1] + 1, sep, r, PLANT(33) ? 0 : inner_max_gap(r), kind);
}

/* Returns 1 if the leaf had to split (the path no longer describes the
 * tree), 0 if the entry fitted. */
static int leaf_insert(alloc_index *t, bt_path *p, bt_key key, const alloc_entry *e,
                       allocation *rec, uint64_t gap)
{
    bt_leaf *l = p->leaf;
    unsigned at = p->pos;
    if (l->count < BT_FANOUT) {
        shift_items(COLUMNS(COLUMN(l->keys), COLUMN(l->entry), COLUMN(l->rec), COLUMN(l->gap_before)),
                    at, l->count, SHIFT_UP);
        l->keys[at] = key;
        l->entry[at] = *e;
        l->rec[at] = rec;
        l->gap_before[at] = gap;
        l->count++;
        return 0;
    }
    item_buffer b;
    b.count = 0;
    leaf_to_buffer(l, &b);
    shift_items(COLUMNS(COLUMN(b.key), COLUMN(b.entry), COLUMN(b.rec), COLUMN(b.gap)), at, b.count, SHIFT_UP);
    b.key[at] = key;
    b.entry[at] = *e;
    b.rec[at] = rec;
    b.gap[at] = gap;
    b.count++;
    enum split_kind kind = SPLIT_HALF;
    if (!l->next && at == b.count - 1)
        kind = SPLIT_APPEND;
    else if (!l->prev && at == 0)
        kind = SPLIT_PREPEND;
    unsigned left = split_point(b.count, kind, 1);
    bt_leaf *r = node_pool_take(&t->leaves);   /* reserved by the caller */
    buffer_to_leaf(&b, 0, left, l);
    buffer_to_leaf(&b, left, b.count, r);
    r->prev = l;
    r->next = l->next;
    if (l->next)
        l->next->prev = r;
    else
        t->last = r;
    l->next = r;
    if (t->height == 0) {
        new_root(t, l, r, r->keys[0], 1);
        return 1;
    }
    unsigned up = t->height - 1;
    /* A prepend split leaves the new entry alone in l, at the left edge:
     * its parent then grows on the left, which is what SPLIT_PREPEND
     * expects of the item added at position 1. */
    p->node[up]->max_gap[p->idx[up]] = leaf_max_gap(l);
    inner_insert(t, p, up, p->idx[up] + 1, r->keys[0], r, leaf_max_gap(r), kind);
    return 1;
}

/* Recomputes the summaries on a path that still describes the tree. */
static void refresh_known_path(alloc_index *t, const bt_path *p)
{
    uint64_t m = leaf_max_gap(p->leaf);
    for (unsigned level = t->height; level-- > 0;) {
        p->node[level]->max_gap[p->idx[level]] = m;
        m = inner_max_gap(p->node[level]);
    }
    t->root_max_gap = m;
}

int alloc_tree_insert(struct vas *v, allocation *a)
{
    alloc_index *t = &v->allocs;
    /* Every node a split chain may need, before anything changes. */
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!node_pool_reserve(&t->leaves, 1) || !node_pool_reserve(&t->inners, t->height + 2))
        return 0;
    assert(!alloc_tree_overlaps(v, alloc_base(a), a->end));
    if (!t->root) {
        bt_leaf *l = node_pool_take(&t->leaves);
        leaf_clear(l);
        l->prev = l->next = NULL;
        t->root = t->first = t->last = l;
        t->height = 0;
    }
    bt_key key = key_of(alloc_base(a));
    bt_path p;
    descend(t, key, &p);
    bt_leaf *l = p.leaf;
    uint64_t prev_end = space_min(v);
    if (p.pos > 0)
        prev_end = end_at(l, p.pos - 1);
    else if (l->prev)
        prev_end = end_at(l->prev, l->prev->count - 1);

    /* The successor's gap shrinks to what lies between a and it. */
    int successor_elsewhere = 0;
    bt_key successor_key = 0;
    if (p.pos < l->count) {
        l->gap_before[p.pos] = gap_between(a->end, base_of(l->keys[p.pos]));
    } else if (l->next) {
        l->next->gap_before[0] = gap_between(a->end, base_of(l->next->keys[0]));
        successor_elsewhere = 1;
        successor_key = l->next->keys[0];
    }

    alloc_entry e = entry_of(a);
    int split = leaf_insert(t, &p, key, &e, a, gap_between(prev_end, alloc_base(a)));
    t->count++;
    if (split)
        refresh_path(t, key);
    else
        refresh_known_path(t, &p);
    if (successor_elsewhere)
        refresh_path(t, successor_key);
    assert_path_summaries(t, key);
    return 1;
}

/* ---- Remove ------------------------------------------------------------- */

/* Children j and j + 1 of parent: merged into j when they fit in one node,
 * otherwise their items shared evenly. Returns 1 if j + 1 was merged away. */
static int rebalance_pair(alloc_index *t, bt_inner *parent, unsigned j, int leaves)
{
    item_buffer b;
    b.count = 0;
    void *a = parent->child[j], *c = parent->child[j + 1];
    if (leaves) {
        leaf_to_buffer(a, &b);
        leaf_to_buffer(c, &b);
    } else {
        inner_to_buffer(a, 0, &b);
        inner_to_buffer(c, parent->keys[j + 1], &b);
    }
    if (b.count <= BT_FANOUT) {
        if (leaves) {
            bt_leaf *la = a, *lc = c;
            buffer_to_leaf(&b, 0, b.count, la);
            la->next = lc->next;
            if (lc->next)
                lc->next->prev = la;
            else
                t->last = la;
            node_pool_give(&t->leaves, lc);
        } else {
            buffer_to_inner(&b, 0, b.count, a);
            node_pool_give(&t->inners, c);
        }
        if (!(PLANT(34) && !leaves))
            parent->max_gap[j] = node_max_gap(a, leaves);
        shift_items(COLUMNS(COLUMN(parent->keys), COLUMN(parent->child), COLUMN(parent->max_gap)),
                    j + 2, parent->count, SHIFT_DOWN);
        parent->count--;
        parent->keys[parent->count] = BT_NO_KEY;
        return 1;
    }
    unsigned left = b.count / 2;
    if (leaves) {
        buffer_to_leaf(&b, 0, left, a);
        buffer_to_leaf(&b, left, b.count, c);
    } else {
        buffer_to_inner(&b, 0, left, a);
        buffer_to_inner(&b, left, b.count, c);
    }
    parent->keys[j + 1] = b.key[left + (PLANT(36) && !leaves)];
    parent->max_gap[j] = node_max_gap(a, leaves);
    parent->max_gap[j + 1] = node_max_gap(c, leaves);
    return 0;
}

void alloc_tree_remove(struct vas *v, allocation *a)
{
    alloc_index *t = &v->allocs;
    bt_key key = key_of(alloc_base(a));
    bt_path p;
    descend(t, key, &p);
    bt_leaf *l = p.leaf;
    assert(p.pos > 0 && l->keys[p.pos - 1] == key && l->rec[p.pos - 1] == a);
    unsigned at = p.pos - 1;
    uint64_t prev_end = space_min(v);
    if (at > 0)
        prev_end = end_at(l, at - 1);
    else if (l->prev)
        prev_end = end_at(l->prev, l->prev->count - 1);
    shift_items(COLUMNS(COLUMN(l->keys), COLUMN(l->entry), COLUMN(l->rec), COLUMN(l->gap_before)),
                at + 1, l->count, SHIFT_DOWN);
    l->count--;
    l->keys[l->count] = BT_NO_KEY;
    t->count--;

    /* The successor's gap grows to reach back to a's predecessor. */
    int successor_elsewhere = 0;
    bt_key successor_key = 0;
    if (at < l->count) {
        l->gap_before[at] = gap_between(prev_end, base_of(l->keys[at]));
    } else if (l->next) {
        l->next->gap_before[0] = gap_between(prev_end, base_of(l->next->keys[0]));
        successor_elsewhere = 1;
        successor_key = l->next->keys[0];
    }

    /* Walk up: refresh each node's summary in its parent, then fix it if
     * it became too small. */
    void *node = l;
    for (unsigned level = t->height; level-- > 0;) {
        bt_inner *parent = p.node[level];
        unsigned i = p.idx[level];
        int leaves = level + 1 == t->height;
        unsigned count = leaves ? ((bt_leaf *)node)->count : ((bt_inner *)node)->count;
        parent->max_gap[i] = node_max_gap(node, leaves);
        if (count < MIN_ITEMS)
            rebalance_pair(t, parent, i > 0 ? i - 1 : i, leaves);
        node = parent;
    }
    /* A root with one child gives way to it; an empty root leaf goes. */
    while (t->height > 0 && ((bt_inner *)t->root)->count == 1) {
        bt_inner *old = t->root;
        t->root = old->child[0];
        t->height--;
        node_pool_give(&t->inners, old);
    }
    if (t->height == 0 && ((bt_leaf *)t->root)->count == 0) {
        node_pool_give(&t->leaves, t->root);
        t->root = t->first = t->last = NULL;
        t->root_max_gap = 0;
        return;
    }
    /* The walk above refreshed every summary on the removal's path. */
    t->root_max_gap = node_max_gap(t->root, t->height == 0);
    if (successor_elsewhere)
        refresh_path(t, successor_key);
    assert_path_summaries(t, key);
}

/* ---- Free-space search --------------------------------------------------- */

/* The leftmost (bottom-up) or rightmost (top-down) entry whose gap_before
 * is at least need; 0 if there is none.
 * fuzz-unreached: defensive - the summary never promises a gap the leaf lacks */
static int find_fitting(const alloc_index *t, uint64_t need, int top_down, uint64_t *base, uint64_t *gap)
{
    if (!t->root || t->root_max_gap < need)
        return 0;
    void *n = t->root;
    for (unsigned level = 0; level < t->height; level++) {
        const bt_inner *in = n;
        unsigned pick = in->count;
        for (unsigned k = 0; k < in->count; k++) {
            unsigned i = top_down ? in->count - 1 - k : k;
            if (in->max_gap[i] >= need) {
                pick = i;
                break;
            }
        }
        assert(pick < in->count);
        n = in->child[pick];
    }
    const bt_leaf *l = n;
    for (unsigned k = 0; k < l->count; k++) {
        unsigned i = top_down ? l->count - 1 - k : k;
        if (l->gap_before[i] >= need) {
            *base = base_of(l->keys[i]);
            *gap = l->gap_before[i];
            return 1;
        }
    }
    assert(0 && "summary promised a gap the leaf does not have");
    return 0;
}

uint64_t alloc_tree_find_gap(const struct vas *v, uint64_t size, int top_down)
{
    assert(size > 0 && size % PAGE_BYTES == 0);
    const alloc_index *t = &v->allocs;
    uint64_t limit = space_max(v) + 1;
    uint64_t last_end = t->last ? end_at(t->last, t->last->count - 1) : space_min(v);
    uint64_t tail_from = round_up(last_end, GRANULE_BYTES);
    uint64_t tail = limit > tail_from ? limit - tail_from : 0;
    uint64_t base, gap;

    if (top_down) {
        uint64_t need = round_up(size, GRANULE_BYTES);
        if (tail >= need)
            return limit - need;
        return find_fitting(t, size, 1, &base, &gap) ? round_down(base - size, GRANULE_BYTES) : 0;
    }
    if (find_fitting(t, size, 0, &base, &gap))
        return base - gap;
    return tail >= size ? tail_from : 0;
}

/* The leftmost (bottom-up) or rightmost (top-down) entry of subtree n with
 * lo <= base <= hi and gap_before >= need. A child wholly inside the range
 * whose summary promises the gap always yields one, so only the two edge
 * paths are walked beside the one that succeeds: O(log n).
 * fuzz-unreached: defensive - the summary never promises a gap the leaf lacks */
static int find_fitting_in(const alloc_index *t, const void *n, unsigned level, uint64_t need,
                           uint64_t lo, uint64_t hi, int top_down, uint64_t *base, uint64_t *gap)
{
    if (level == t->height) {
        const bt_leaf *l = n;
        for (unsigned k = 0; k < l->count; k++) {
            unsigned i = top_down ? l->count - 1 - k : k;
            uint64_t b = base_of(l->keys[i]);
            if (b >= lo && b <= hi && l->gap_before[i] >= need) {
                *base = b;
                *gap = l->gap_before[i];
                return 1;
            }
        }
        return 0;
    }
    const bt_inner *in = n;
    for (unsigned k = 0; k < in->count; k++) {
        unsigned i = top_down ? in->count - 1 - k : k;
        uint64_t first = base_of(in->keys[i]);
        int below = i + 1 < in->count && base_of(in->keys[i + 1]) <= lo;  /* all keys < lo */
        if (in->max_gap[i] < need || below || first > hi)
            continue;
        if (find_fitting_in(t, in->child[i], level + 1, need, lo, hi, top_down, base, gap))
            return 1;
    }
    return 0;
}

uint64_t alloc_tree_find_gap_bounded(const struct vas *v, uint64_t size, int top_down, uint64_t lo,
                                     uint64_t hi)
{
    assert(size > 0 && size % PAGE_BYTES == 0);
    const alloc_index *t = &v->allocs;
    uint64_t limit = space_max(v) + 1, min = space_min(v);
    uint64_t last_end = t->last ? end_at(t->last, t->last->count - 1) : min;
    uint64_t tail_from = round_up(last_end, GRANULE_BYTES);
    uint64_t base = 0, gap = 0, from;
    int straddler;   /* an entry whose gap holds the bound */

    if (!top_down) {
        uint64_t start = lo > min ? lo : min;
        /* The gap that holds start: before the first entry above it, or the tail. */
        straddler = t->root && find_fitting_in(t, t->root, 0, 0, start + 1, UINT64_MAX, 0, &base, &gap);
        if (straddler) {
            from = gap ? base - gap : base;
            from = from > start ? from : start;
            if (base > from && base - from >= size)
                return from;
            if (find_fitting_in(t, t->root, 0, size, base + 1, UINT64_MAX, 0, &base, &gap))
                return base - gap;
            start = tail_from;
        }
        from = tail_from > start ? tail_from : start;
        return limit > from && limit - from >= size ? from : 0;
    }
    uint64_t end = hi < limit ? hi : limit, need = round_up(size, GRANULE_BYTES);
    /* The gap that holds end: before the first entry at or above it, or the tail. */
    straddler = t->root && find_fitting_in(t, t->root, 0, 0, end, UINT64_MAX, 0, &base, &gap);
    from = straddler ? (gap ? base - gap : base) : tail_from;
    if (end > from && end - from >= need)
        return end - need;
    if (t->root && end > 0 && find_fitting_in(t, t->root, 0, size, 0, end - 1, 1, &base, &gap))
        return round_down(base - size, GRANULE_BYTES);
    return 0;
}

/* ---- Setup, teardown, checking ------------------------------------------ */

void alloc_tree_init(alloc_index *t)
{
    t->root = NULL;
    t->height = 0;
    t->root_max_gap = 0;
    t->count = 0;
    t->first = t->last = NULL;
    node_pool_init(&t->leaves, sizeof(bt_leaf), 64);
    node_pool_init(&t->inners, sizeof(bt_inner), 64);
}

void alloc_tree_destroy(alloc_index *t)
{
    node_pool_free_all(&t->leaves);
    node_pool_free_all(&t->inners);
    alloc_tree_init(t);
}

typedef struct check_state {
    const struct vas *v;
    const bt_leaf *expect_leaf;   /* the next leaf in chain order */
    uint64_t prev_end;
    uint64_t count;
    unsigned leaf_depth;
    size_t leaves, inners;        /* nodes visited */
} check_state;

/* Checks the subtree at n, whose keys must lie in [lo, hi); returns its
 * largest gap through *max, 0 if a rule is broken.
 * fuzz-unreached: debug-check - its failure returns: the index of a correct model passes */
static int check_node(check_state *s, const void *n, unsigned depth,
                      uint64_t lo, uint64_t hi, uint64_t *max)
{
    const alloc_index *t = &s->v->allocs;
    if (depth == t->height) {
        const bt_leaf *l = n;
        if (l != s->expect_leaf || l->count == 0 || l->count > BT_FANOUT)
            return 0;
        for (unsigned i = l->count; i < BT_FANOUT; i++)
            if (l->keys[i] != BT_NO_KEY)
                return 0;
        for (unsigned i = 0; i < l->count; i++) {
            const allocation *a = l->rec[i];
            uint64_t base = base_of(l->keys[i]);
            if (l->keys[i] < lo || l->keys[i] >= hi || a->base != base || end_at(l, i) != a->end)
                return 0;
            if (a->end % PAGE_BYTES || a->end <= base || base < s->prev_end || a->end - 1 > space_max(s->v))
                return 0;
            if (l->gap_before[i] != gap_between(s->prev_end, base))
                return 0;
            alloc_entry fresh = entry_of(a);
            if (fresh.bits != l->entry[i].bits)
                return 0;
            s->prev_end = a->end;
            s->count++;
        }
        if (l->next && l->next->prev != l)
            return 0;
        if (!l->next && t->last != l)
            return 0;
        s->expect_leaf = l->next;
        s->leaves++;
        *max = leaf_max_gap(l);
        return 1;
    }
    const bt_inner *in = n;
    if (in->count > BT_FANOUT || in->count < 2 || in->keys[0] != 0)
        return 0;
    s->inners++;
    for (unsigned i = in->count; i < BT_FANOUT; i++)
        if (in->keys[i] != BT_NO_KEY)
            return 0;
    for (unsigned i = 0; i < in->count; i++) {
        uint64_t clo = i == 0 ? lo : in->keys[i];
        uint64_t chi = i + 1 < in->count ? in->keys[i + 1] : hi;
        uint64_t m;
        if (clo < lo || chi > hi || clo >= chi)
            return 0;
        if (!check_node(s, in->child[i], depth + 1, clo, chi, &m) || m != in->max_gap[i])
            return 0;
    }
    *max = inner_max_gap(in);
    return 1;
}

/* fuzz-unreached: debug-check - its failure returns: the index of a correct model passes */
int alloc_tree_check(const struct vas *v)
{
    const alloc_index *t = &v->allocs;
    if (!t->root)
        return t->count == 0 && !t->first && !t->last && t->height == 0
               && node_pool_in_use(&t->leaves) == 0 && node_pool_in_use(&t->inners) == 0;
    if (t->height >= BT_MAX_HEIGHT || (t->first && t->first->prev))
        return 0;
    check_state s = {v, t->first, space_min(v), 0, 0, 0, 0};
    uint64_t max;
    if (!check_node(&s, t->root, 0, 0, BT_NO_KEY, &max))
        return 0;
    /* Every node taken from the pools is in the tree: none leaked. */
    return s.expect_leaf == NULL && s.count == t->count && max == t->root_max_gap
           && s.leaves == node_pool_in_use(&t->leaves) && s.inners == node_pool_in_use(&t->inners);
}
