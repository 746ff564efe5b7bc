/*
 * space_map.h - the address space as a person reads it, the way Sysinternals
 * VMMap shows a process: each allocation with its kind (image, mapped,
 * private, stack, heap), size, committed bytes and protections, the free
 * stretches between them and the unusable tails of 64 KiB granules, then
 * totals per kind, the largest free block and a fragmentation figure.
 *
 * Built from one region walk (region_map_walk, compare.h): the kinds that
 * query can tell come from its Type field (MEM_IMAGE, MEM_MAPPED,
 * MEM_PRIVATE); the ones it cannot (a thread's stack, a heap) from what the
 * trace knows, handed in as labels. Printed as a table (`vastrace map`, the
 * divergence reports) or drawn as an SVG picture. The definitions of every
 * figure are in docs/trace-format.md, "The map".
 *
 * Portable C (stdio only): also built with mingw-w64 for the Windows runner.
 */
#ifndef HARNESS_SPACE_MAP_H
#define HARNESS_SPACE_MAP_H

#include <stdio.h>
#include "harness/compare.h"

/* What a stretch of the address space is. */
typedef enum space_kind {
    SPACE_FREE,      /* free and allocatable */
    SPACE_UNUSABLE,  /* free, but in the granule of an allocation that ends inside it */
    SPACE_IMAGE,     /* Type MEM_IMAGE: an executable or DLL */
    SPACE_MAPPED,    /* Type MEM_MAPPED: a view of a section */
    SPACE_PRIVATE,   /* Type MEM_PRIVATE: VirtualAlloc */
    SPACE_STACK,     /* private memory the trace made as a thread's stack */
    SPACE_HEAP,      /* private memory the trace knows as a heap */
    SPACE_GUARD,     /* a block of committed PAGE_GUARD pages inside an allocation */
    SPACE_KINDS
} space_kind;

/* "free", "unusable", "image", ... */
const char *space_kind_name(space_kind kind);

/* What the trace knows of one allocation that query cannot tell. */
typedef struct space_label {
    uint64_t base;     /* the allocation base */
    space_kind kind;   /* SPACE_STACK, SPACE_HEAP; SPACE_KINDS: the kind query tells */
    const char *name;  /* shown in the details column ("main thread"), may be NULL */
} space_label;

/* One region of an allocation (or one free or unusable stretch). */
typedef struct space_block {
    uint64_t base, size;
    uint32_t state, protect;  /* as query reported them */
    space_kind kind;          /* SPACE_GUARD for guard pages, else its row's kind */
} space_block;

/* One line of the map: an allocation, or one free or unusable stretch. */
typedef struct space_row {
    uint64_t base, size;
    uint64_t committed;       /* bytes in MEM_COMMIT blocks */
    uint32_t alloc_protect;   /* AllocationProtect; 0 for free stretches */
    space_kind kind;
    const char *label;        /* from a space_label, or NULL (not owned) */
    size_t first_block, n_blocks;  /* its blocks in space_map.blocks */
} space_row;

/* Bytes of one kind. Every byte of the walked space counts once: guard
 * blocks under SPACE_GUARD, every other byte under its row's kind. */
typedef struct space_total {
    uint64_t size, committed;
    size_t blocks;
} space_total;

typedef struct space_map {
    space_row *rows;       size_t n_rows;
    space_block *blocks;   size_t n_blocks;
    space_total totals[SPACE_KINDS];
    uint64_t span;         /* bytes walked: the sum of every row */
    uint64_t free_bytes;   /* allocatable free bytes (SPACE_FREE, from min_address up) */
    uint64_t largest_free, largest_free_at;  /* the largest allocatable free block */
    double fragmentation;  /* 1 - largest_free / free_bytes; 0 with no free bytes */
    int broken;            /* the walk stopped early (region_map.broken) */
    uint64_t broken_at;
} space_map;

/* Builds the map of m. min_address is the profile's lowest allocatable
 * address (free bytes below it are shown but not allocatable); labels (n
 * of them, may be NULL) name allocations by base. Returns 0, -1 out of
 * memory (out is then empty). */
int space_map_build(const region_map *m, uint64_t min_address, const space_label *labels,
                    size_t n_labels, space_map *out);
void space_map_free(space_map *s);

/* "64 KiB", "1.5 MiB", "128.0 TiB": a size as a person reads it, into buf.
 * Returns buf. */
const char *space_size_readable(uint64_t bytes, char *buf, size_t len);

/* The table: one line per row, the blocks of a row with several indented
 * under it, then the totals, the largest free block and fragmentation. */
void space_map_print(const space_map *s, FILE *out, const char *indent);

/* An SVG picture (space_map_svg.c): one bar per row, its length growing
 * with the logarithm of its size so that a page and a terabyte both show,
 * coloured by kind, with a legend and the totals. title may be NULL. */
void space_map_svg(const space_map *s, FILE *out, const char *title);

/* The map of t's address space on b after its first n_ops operations (0:
 * the fresh space), with the labels the trace gives (space_map_at.c).
 * Returns 0; -1 out of memory; -2 when b cannot run t, with the reason in
 * err. */
int space_map_at(const backend *b, const trace *t, size_t n_ops, space_map *out, char *err,
                 size_t err_len);

#endif
