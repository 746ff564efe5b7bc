/*
 * node_pool.c - fixed-size blocks from large chunks (node_pool.h).
 *
 * A chunk starts with a 64-byte header holding the malloc'd pointer and the
 * link to the previous chunk, then its blocks. Chunks double from 16 KiB up
 * to 128 KiB, then are 2 MiB each, 2 MiB aligned and (on Linux) advised
 * for transparent huge pages, which cuts TLB misses when a lookup lands on
 * a random part of a large index.
 */
#include "node_pool.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Under AddressSanitizer, blocks not handed out are poisoned, so a use
 * after node_pool_give is caught as it would be after free(). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#endif
#if defined(POOL_ASAN)
#include <sanitizer/asan_interface.h>
#define POISON(addr, size)   ASAN_POISON_MEMORY_REGION(addr, size)
#define UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION(addr, size)
#else
#define POISON(addr, size)   ((void)(addr), (void)(size))
#define UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

#define CHUNK_HEADER 64u
#define FIRST_CHUNK  (16u << 10)
#define LAST_SMALL_CHUNK (128u << 10)
#define HUGE_CHUNK   (2u << 20)

typedef struct chunk_header {
    void *raw;                 /* what malloc returned */
    struct chunk_header *prev; /* the chunk got before this one */
} chunk_header;

void node_pool_init(node_pool *p, size_t block, size_t align)
{
    /* fuzz-unreached: defensive - every pooled type is larger than a pointer */
    if (block < sizeof(void *))
        block = sizeof(void *);             /* room for the free-list link */
    p->block = (block + align - 1) & ~(align - 1);
    p->free_list = NULL;
    p->free_count = 0;
    p->fresh = NULL;
    p->fresh_count = 0;
    p->chunks = NULL;
    p->next_chunk = FIRST_CHUNK;
    p->in_use = 0;
}

/* fuzz-unreached: pool-growth - 32 operations never outgrow the first chunk */
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
        p->in_use++;                 /* never taken: keep the count even */
        node_pool_give(p, p->fresh);
        p->fresh += p->block;
        p->fresh_count--;
    }
    p->fresh = start + CHUNK_HEADER;
    p->fresh_count = (bytes - CHUNK_HEADER) / p->block;
    POISON(p->fresh, p->fresh_count * p->block);
    /* Past a few small chunks, go straight to huge ones: a node on a small
     * page costs a page walk per random lookup once the index outgrows
     * the TLB, and the small chunks are what a small space needs anyway. */
    if (p->next_chunk < LAST_SMALL_CHUNK)
        p->next_chunk *= 2;
    else
        p->next_chunk = HUGE_CHUNK;
    return 1;
}

int node_pool_reserve(node_pool *p, size_t count)
{
    while (p->free_count + p->fresh_count < count)
        /* fuzz-unreached: alloc-failure - malloc never fails while fuzzing */
        if (!add_chunk(p))
            return 0;
    return 1;
}

void *node_pool_take(node_pool *p)
{
    if (p->free_list) {
        void *b = p->free_list;
        UNPOISON(b, p->block);
        p->free_list = *(void **)b;
        p->free_count--;
        p->in_use++;
        return b;
    }
    /* fuzz-unreached: alloc-failure - malloc never fails while fuzzing */
    if (p->fresh_count == 0 && !add_chunk(p))
        return NULL;
    void *b = p->fresh;
    p->fresh += p->block;
    p->fresh_count--;
    UNPOISON(b, p->block);
    p->in_use++;
    return b;
}

void node_pool_give(node_pool *p, void *block)
{
    UNPOISON(block, p->block);   /* a fresh block moved here may be poisoned */
    *(void **)block = p->free_list;
    p->free_list = block;
    p->free_count++;
    p->in_use--;
    POISON(block, p->block);
}

void node_pool_free_all(node_pool *p)
{
    chunk_header *h = p->chunks;
    while (h) {
        chunk_header *prev = h->prev;
        free(h->raw);
        h = prev;
    }
    node_pool_init(p, p->block, 1);   /* already a multiple of its alignment */
}
