/*
 * alloc_tree.h - the layout of the allocation index (a B+tree), shared by
 * vas_internal.h; the operations are declared there and live in
 * alloc_tree.c.
 *
 * The index is built for VirtualQuery at a random address: a lookup reads
 * one line of keys per level and, at the bottom, one 32-byte entry that
 * answers the query by itself when the address lies in the allocation's
 * first run. Keys are allocation bases in granules (32 bits: every profile
 * ends below 2^47), sixteen to a 64-byte line, searched by counting.
 * Nodes come from two pools of contiguous chunks (node_pool.h).
 */
#ifndef VAS_ALLOC_TREE_H
#define VAS_ALLOC_TREE_H

#include <stdint.h>

#include "node_pool.h"

#define BT_FANOUT 16
#define BT_NO_KEY UINT32_MAX   /* unused key slots: above every real key */
#define BT_MAX_HEIGHT 24

struct allocation;

/* What a query needs of one allocation, in 16 bytes (four to a cache
 * line). The first-run summary mirrors the allocation's lowest page run
 * (alloc_tree_sync_entry keeps it current). Protections fit in 11 bits and
 * the two run states are 0x1000 and 0x2000, so state | protect is one
 * 16-bit field. */
typedef struct alloc_entry {
    uint64_t end;                 /* one past the allocation's last byte */
    uint32_t first_run_pages;     /* pages in the first run; 0: ask the runs */
    uint16_t alloc_protect;
    uint16_t first_run;           /* the first run's state | protect */
} alloc_entry;

#define ENTRY_PROTECT_MASK 0x0FFFu
#define ENTRY_STATE_MASK   0xF000u

typedef struct bt_leaf {
    uint32_t keys[BT_FANOUT];     /* base >> 16, ascending; BT_NO_KEY unused */
    alloc_entry entry[BT_FANOUT];
    struct allocation *rec[BT_FANOUT];
    uint64_t gap_before[BT_FANOUT]; /* see alloc_tree.c */
    struct bt_leaf *prev, *next;
    uint32_t count;
} bt_leaf;

typedef struct bt_inner {
    /* keys[0] is 0; keys[i] (i >= 1) is the smallest key under child[i]. */
    uint32_t keys[BT_FANOUT];
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
