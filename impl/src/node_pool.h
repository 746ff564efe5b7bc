/*
 * node_pool.h - fixed-size blocks carved from a few large chunks.
 *
 * The allocation index allocates its nodes here rather than one malloc
 * each, so neighbouring nodes share cache lines' pages and TLB entries and
 * the whole index stays compact; allocation records and page runs come
 * from pools too, which spares a malloc and its header per object. Chunks grow
 * geometrically (a small space costs one small chunk) and are returned to
 * the system only when the pool is freed as a whole.
 */
#ifndef VAS_NODE_POOL_H
#define VAS_NODE_POOL_H

#include <stddef.h>

typedef struct node_pool {
    size_t block;          /* bytes per block, a multiple of its alignment */
    void *free_list;       /* released blocks, linked through their first word */
    size_t free_count;     /* blocks on free_list */
    char *fresh;           /* never-used blocks of the newest chunk... */
    size_t fresh_count;    /* ...and how many there are */
    void *chunks;          /* every chunk, linked through its header */
    size_t next_chunk;     /* bytes of the next chunk to get */
    size_t in_use;         /* blocks taken and not given back */
} node_pool;

/* Blocks of at least `block` bytes (and a pointer), aligned to `align`: a
 * power of two up to 64, 64 for nodes that must start a cache line. */
void node_pool_init(node_pool *p, size_t block, size_t align);
/* Makes sure `count` blocks can be taken without failing; 0 if out of memory. */
int node_pool_reserve(node_pool *p, size_t count);
/* A block (contents undefined); NULL only when nothing was reserved and
 * memory ran out. */
void *node_pool_take(node_pool *p);
void node_pool_give(node_pool *p, void *block);
/* Blocks taken and not given back (for invariant checks). */
static inline size_t node_pool_in_use(const node_pool *p) { return p->in_use; }
/* Frees every chunk: all blocks become invalid. */
void node_pool_free_all(node_pool *p);

#endif
