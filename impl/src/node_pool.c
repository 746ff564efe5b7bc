/*
 * node_pool.c - fixed-size blocks from large chunks (node_pool.h).
 *
 * A chunk starts with a 64-byte header holding the malloc'd pointer and the
 * link to the previous chunk, then its blocks. Chunks double from 16 KiB up
 * to 2 MiB; on Linux the big ones are 2 MiB aligned and advised for
 * transparent huge pages, which cuts TLB misses when a lookup lands on a
 * random part of a large index.
 */
#include "node_pool.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define CHUNK_HEADER 64u
#define FIRST_CHUNK  (16u << 10)
#define HUGE_CHUNK   (2u << 20)

typedef struct chunk_header {
    void *raw;                 /* what malloc returned */
    struct chunk_header *prev; /* the chunk got before this one */
} chunk_header;

void node_pool_init(node_pool *p, size_t block)
{
    p->block = (block + 63) & ~(size_t)63;
    p->free_list = NULL;
    p->free_count = 0;
    p->fresh = NULL;
    p->fresh_count = 0;
    p->chunks = NULL;
    p->next_chunk = FIRST_CHUNK;
}

static int add_chunk(node_pool *p)
{
    size_t bytes = p->next_chunk;
    while (bytes < CHUNK_HEADER + p->block)
        bytes *= 2;
    size_t align = bytes >= HUGE_CHUNK ? HUGE_CHUNK : 64;
    void *raw = malloc(bytes + align);
    if (!raw)
        return 0;
    char *start = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == HUGE_CHUNK)
        (void)madvise(start, bytes, MADV_HUGEPAGE);   /* a hint: failure is harmless */
#endif
    chunk_header *h = (chunk_header *)(void *)start;
    h->raw = raw;
    h->prev = p->chunks;
    p->chunks = h;
    /* Blocks left in the previous chunk's fresh area go to the free list. */
    while (p->fresh_count > 0) {
        node_pool_give(p, p->fresh);
        p->fresh += p->block;
        p->fresh_count--;
    }
    p->fresh = start + CHUNK_HEADER;
    p->fresh_count = (bytes - CHUNK_HEADER) / p->block;
    if (p->next_chunk < HUGE_CHUNK)
        p->next_chunk *= 2;
    return 1;
}

int node_pool_reserve(node_pool *p, size_t count)
{
    while (p->free_count + p->fresh_count < count)
        if (!add_chunk(p))
            return 0;
    return 1;
}

void *node_pool_take(node_pool *p)
{
    if (p->free_list) {
        void *b = p->free_list;
        p->free_list = *(void **)b;
        p->free_count--;
        return b;
    }
    if (p->fresh_count == 0 && !add_chunk(p))
        return NULL;
    void *b = p->fresh;
    p->fresh += p->block;
    p->fresh_count--;
    return b;
}

void node_pool_give(node_pool *p, void *block)
{
    *(void **)block = p->free_list;
    p->free_list = block;
    p->free_count++;
}

void node_pool_free_all(node_pool *p)
{
    chunk_header *h = p->chunks;
    while (h) {
        chunk_header *prev = h->prev;
        free(h->raw);
        h = prev;
    }
    node_pool_init(p, p->block);
}
