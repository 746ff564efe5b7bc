/*
 * layout_table.h - the allocations of each layout (docs/semantics.md 11.2),
 * as data: layout_table.c holds them, process_layout.c places them. Portable
 * C with no other model code, so the Windows runner (which links no model)
 * can name them too (vas_layout_entries).
 */
#ifndef LAYOUT_TABLE_H
#define LAYOUT_TABLE_H

#include "vas/vas.h"

/* One run of pages from an allocation's base upward. */
typedef struct layout_piece {
    uint64_t size;
    uint32_t state, protect;
} layout_piece;

typedef struct layout_alloc {
    vas_layout_entry entry;
    uint32_t type, alloc_protect;
    uint8_t system;     /* made by the system: the trace cannot free or reprotect it
                         * (images are views instead: section 11.2.6) */
    uint8_t charged;    /* its committed pages count in the commit charge */
    layout_piece pieces[5];  /* up to the allocation's size; the rest unused */
} layout_alloc;

/* The allocations of layout, ascending by base; *n their count. */
const layout_alloc *layout_table(vas_layout layout, size_t *n);

#endif
