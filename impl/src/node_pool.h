/*
 * node_pool.h - fixed-size blocks carved from a few large chunks.
 *
 * The allocation index allocates its nodes here rather than one malloc
 * each, so neighbouring nodes share cache lines' pages and TLB entries and
 * the whole index stays compact. Blocks are 64-byte aligned. Chunks grow
 * geometrically (a small space costs one small chunk) and are returned to
 * the system only when the pool is freed as a whole.
 */
#ifndef VAS_NODE_POOL_H
#define VAS_NODE_POOL_H

#include <stddef.h>

typedef struct node_pool {
    size_t block;          /* bytes per block, a multiple of 64 */
    void *free_list;       /* released blocks, linked through their first word */
    size_t free_count;     /* blocks on free_list */
    char *fresh;           /* never-used blocks of the newest chunk... */
    size_t fresh_count;    /* ...and how many there are */
    void *chunks;          /* every chunk, linked through its header */
    size_t next_chunk;     /* bytes of the next chunk to get */
} node_pool;

void node_pool_init(node_pool *p, size_t block);
/* Makes sure `count` blocks can be taken without failing; 0 if out of memory. */
int node_pool_reserve(node_pool *p, size_t count);
/* A block (contents undefined); NULL only when nothing was reserved and
 * memory ran out. */
void *node_pool_take(node_pool *p);
void node_pool_give(node_pool *p, void *block);
/* Frees every chunk: all blocks become invalid. */
void node_pool_free_all(node_pool *p);

#endif
