/*
 * oracle_space.h - the oracle's state (struct oracle: the sorted list of
 * allocations, their page runs and written pages) and the steps of oracle.c
 * that the files extending it reuse (oracle_placeholders.c). Private to
 * oracle/: the public calls are oracle.h's.
 */
#ifndef VAS_ORACLE_SPACE_H
#define VAS_ORACLE_SPACE_H

#include "oracle.h"
#include "oracle_locks.h"
#include "oracle_process.h"
#include "oracle_sections.h"
#include "oracle_watch.h"

#define PAGE VAS_PAGE_SIZE
#define GRANULE VAS_ALLOCATION_GRANULARITY

/* Pages [first, first + count) of an allocation (indices from its base). */
typedef struct page_run {
    uint64_t first, count;
    uint32_t state;    /* VAS_MEM_RESERVE or VAS_MEM_COMMIT */
    uint32_t protect;  /* the full protection when committed; 0 when reserved */
} page_run;

/* The bytes of one written, committed page. */
typedef struct page_bytes {
    uint64_t index;
    uint8_t bytes[PAGE];
    struct page_bytes *next;
} page_bytes;

typedef struct allocation {
    uint64_t base;        /* a multiple of 64 KiB, or of a page for a split placeholder piece (12.9) */
    uint64_t page_count;  /* the allocation is [base, base + page_count * PAGE) */
    uint32_t protect;     /* allocation protection, as given to the reserving call */
    page_run *runs;       /* in page order, covering every page exactly once */
    size_t run_count;
    page_bytes *written;  /* unordered; a view: the pages copy-on-write made its own */
    int is_stack;         /* a thread's stack (section 11) */
    uint64_t guarantee;   /* that thread's SetThreadStackGuarantee bytes */
    struct allocation *next; /* the allocation with the next higher base */
    uint32_t type;        /* VAS_MEM_PRIVATE, or VAS_MEM_IMAGE (section 11.2) */
    int system;           /* section 11.2: made by the system, the trace cannot change it */
    int charged;          /* its committed pages count in the commit charge (section 7) */
    oracle_section *section; /* a view (section 12): its section, else NULL */
    uint64_t section_first;  /* a view: the section page index of its first page */
    int placeholder;      /* a placeholder (12.9): one reserved run, NOACCESS, no contents */
    int replaced;         /* made with MEM_REPLACE_PLACEHOLDER: may go back to one (12.9) */
} allocation;

struct oracle {
    vas_config cfg;
    size_t mbi_size;
    allocation *first;  /* lowest base first */
    allocation *hint;   /* the allocation the last query saw, or NULL (search_start) */
    uint32_t last_error;
    uint64_t committed_pages;
    oracle_watches watches;  /* MEM_WRITE_WATCH regions (section 8) */
    oracle_locks locks;      /* locked pages (section 9) */
    oracle_processes processes;  /* processes it created (section 13.2) */
    oracle_sections sections; /* section 12 */
    uint64_t ws_min_pages, ws_max_pages;
    uint64_t aslr_start, aslr_end;  /* section 11.1: search bounds from the seed; 0 = none */
};

/* ---- Small arithmetic ------------------------------------------------- */

static inline uint64_t round_down(uint64_t x, uint64_t n) { return x - x % n; }

/* Rounds up to a multiple of n; the callers only pass x <= MAX + 1, which
 * is page-aligned, so this cannot wrap for n == PAGE. */
static inline uint64_t round_up(uint64_t x, uint64_t n) { return round_down(x + (n - 1), n); }

static inline uint64_t alloc_end(const allocation *a) { return a->base + a->page_count * PAGE; }

/* 1 when [addr, addr + size) (size > 0) reaches past MAX or wraps. */
static inline int range_exceeds_max(const oracle_t *o, uint64_t addr, uint64_t size)
{
    uint64_t last = addr + (size - 1);
    return last < addr || last > o->cfg.max_address;
}

/* Records a failed call's error; returns 0, the failure value of every call. */
static inline int fail(oracle_t *o, uint32_t error)
{
    o->last_error = error;
    return 0;
}

/* ---- Steps of oracle.c ---------------------------------------------------- */

/* The allocation containing address addr, or NULL if addr is free. */
allocation *allocation_at(const oracle_t *o, uint64_t addr);
/* 1 when some allocation covers part of [start, end). */
int range_touches_allocation(const oracle_t *o, uint64_t start, uint64_t end);
/* Links a new, wholly reserved private allocation into the list; NULL when
 * host memory is short (nothing changed). */
allocation *allocation_insert(oracle_t *o, uint64_t base, uint64_t size, uint32_t protect);
/* Unlinks and frees a: its pages uncharged, its watch and locks gone; a
 * view leaves its section. */
void allocation_remove(oracle_t *o, allocation *a);
/* 1 when committing new_pages more pages would pass the commit limit. */
int over_commit_limit(const oracle_t *o, uint64_t new_pages);
int is_writecopy(uint32_t protect);

/* Where a system-chosen base may go: bases multiples of align in [from,
 * to) with the whole range below to (12.14's window; section 2's search is
 * the whole space at the granule). */
typedef struct oracle_window {
    uint64_t from, to, align;
} oracle_window;
/* The lowest (top_down: highest) free base for size bytes in window w, or
 * with w NULL section 2's (and 11.1's seeded) search; 0 when none fits. */
uint64_t find_free_base_in(const oracle_t *o, uint64_t size, int top_down, const oracle_window *w);

/* VirtualAlloc's checks 1-5 (section 2) with fail(87); version2: those of
 * VirtualAlloc2 (12.10 step 3: the placeholder bits and their rules). */
int alloc_check_args(oracle_t *o, uint64_t size, uint32_t type, uint32_t protect, int version2);
/* Checks 6 and 7 (the address range; RESET needs an address), fail(87). */
int alloc_check_range(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type);
/* Section 2's reserve once the range is chosen: a new allocation [base,
 * end) (base a page: a replaced placeholder piece may start at any, 12.9),
 * committed with COMMIT in type, watched with WRITE_WATCH; returns base,
 * or 0 with fail (1455 over the commit limit). */
uint64_t reserve_range(oracle_t *o, uint64_t base, uint64_t end, uint32_t type, uint32_t protect);
/* Section 2's "then by kind" on checked arguments; a system-chosen address
 * in window w (NULL: section 2's search). */
uint64_t alloc_by_kind(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                       const oracle_window *w);

/* 12.3 step 2: may a section of protection sect be mapped with view? */
int view_protection_allowed(uint32_t sect, uint32_t view);
/* 12.3 steps 4-5 for s from offset: *bytes the view's size; 0 with fail. */
int view_size(oracle_t *o, const oracle_section *s, uint64_t offset, uint64_t size, uint64_t *bytes);
/* 12.3 step 6 for *addr (0: chosen, top-down or in window w, and stored);
 * 0 with fail. */
int view_place(oracle_t *o, uint64_t *addr, uint64_t bytes, int top_down, const oracle_window *w);
/* 12.3 steps 7-8: the view of s at addr with view protection protect from
 * section page first_page; returns addr, or 0 with fail. */
uint64_t view_make(oracle_t *o, oracle_section *s, uint32_t protect, uint64_t first_page,
                   uint64_t bytes, uint64_t addr);

/* ---- oracle_placeholders.c ------------------------------------------------ */

/* VirtualFree with MEM_PRESERVE_PLACEHOLDER or MEM_COALESCE_PLACEHOLDERS
 * (12.12) once section 3's steps found a, the allocation holding start. */
int placeholder_free(oracle_t *o, allocation *a, uint64_t start, uint64_t end, uint32_t type);

#endif
