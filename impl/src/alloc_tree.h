/*
 * alloc_tree.h - the layout of the allocation index (a B+tree), shared by
 * vas_internal.h; the operations are declared there and live in
 * alloc_tree.c.
 *
 * The index is built for VirtualQuery at a random address: a lookup reads
 * two lines of keys per level and, at the bottom, one 8-byte entry that
 * answers the query by itself when the address lies in the allocation's
 * first run. Keys are allocation bases in pages (64 bits: a placeholder
 * piece starts at any page, and every profile's 2^35 pages pass 32 bits),
 * sixteen to two 64-byte lines, searched by counting.
 * Nodes come from two pools of contiguous chunks (node_pool.h).
 */
#ifndef VAS_ALLOC_TREE_H
#define VAS_ALLOC_TREE_H

#include <stdint.h>

#include "node_pool.h"

#define BT_FANOUT 16
typedef uint64_t bt_key;
#define BT_NO_KEY ((bt_key)INT64_MAX)   /* unused key slots: above every real key (count_le) */
#define BT_MAX_HEIGHT 24

struct allocation;

/* What a query needs of one allocation, packed in 8 bytes (eight to a
 * cache line), each field a shift and a mask away:
 *
 *   bits  0..23  pages in the allocation; 0: this entry knows nothing,
 *                ask the record (64 GiB or more, or a protection wider
 *                than 11 bits)
 *   bits 24..40  pages in its first run; 0: ask the runs
 *   bits 41..51  allocation protection
 *   bits 52..62  first run's protection
 *   bit  63      first run committed (else reserved)
 *
 * The first-run part mirrors the allocation's lowest page run
 * (alloc_tree_sync_entry keeps it current). Every protection fits in 11
 * bits (0x7FF: eight base bits, GUARD, NOCACHE, WRITECOMBINE). */
typedef struct alloc_entry {
    uint64_t bits;
} alloc_entry;

#define ENTRY_PAGES_BITS       24
#define ENTRY_RUN_PAGES_SHIFT  24
#define ENTRY_RUN_PAGES_BITS   17
#define ENTRY_ALLOC_PROT_SHIFT 41
#define ENTRY_RUN_PROT_SHIFT   52
#define ENTRY_PROT_MASK        0x7FFu
#define ENTRY_COMMITTED_BIT    63

static inline uint64_t entry_pages(alloc_entry e)
{
    return e.bits & ((1u << ENTRY_PAGES_BITS) - 1);
}

static inline uint64_t entry_first_run_pages(alloc_entry e)
{
    return e.bits >> ENTRY_RUN_PAGES_SHIFT & ((1u << ENTRY_RUN_PAGES_BITS) - 1);
}

static inline uint32_t entry_alloc_protect(alloc_entry e)
{
    return (uint32_t)(e.bits >> ENTRY_ALLOC_PROT_SHIFT) & ENTRY_PROT_MASK;
}

static inline uint32_t entry_first_run_protect(alloc_entry e)
{
    return (uint32_t)(e.bits >> ENTRY_RUN_PROT_SHIFT) & ENTRY_PROT_MASK;
}

static inline int entry_first_run_committed(alloc_entry e)
{
    return (int)(e.bits >> ENTRY_COMMITTED_BIT);
}

/* The lines a lookup reads come first: keys, then entries. Records,
 * gaps and links are read only by updates and slow paths. */
typedef struct bt_leaf {
    bt_key keys[BT_FANOUT];       /* base >> 12, ascending; BT_NO_KEY unused */
    alloc_entry entry[BT_FANOUT];
    struct allocation *rec[BT_FANOUT];
    uint64_t gap_before[BT_FANOUT]; /* see alloc_tree.c */
    struct bt_leaf *prev, *next;
    uint32_t count;
} bt_leaf;

typedef struct bt_inner {
    /* keys[0] is 0; keys[i] (i >= 1) is the smallest key under child[i]. */
    bt_key keys[BT_FANOUT];
    void *child[BT_FANOUT];
    uint64_t max_gap[BT_FANOUT];  /* largest gap_before under child[i] */
    uint32_t count;
} bt_inner;

typedef struct alloc_index {
    void *root;                   /* a bt_leaf when height == 0 */
    uint32_t height;              /* inner levels above the leaves */
    uint64_t root_max_gap;
    uint64_t count;
    bt_leaf *first, *last;
    node_pool leaves, inners;
} alloc_index;

#endif
