/*
 * oracle_sections.h - the oracle's sections (docs/semantics.md section 12):
 * each one's handle, size, protection, which of its pages are committed
 * and the bytes its views share. oracle.c decides what a call may do and
 * keeps the views (allocations); this only remembers the sections.
 */
#ifndef VAS_ORACLE_SECTIONS_H
#define VAS_ORACLE_SECTIONS_H

#include <stdint.h>

typedef struct oracle_section_span oracle_section_span;
typedef struct oracle_section_page oracle_section_page;

typedef struct oracle_section {
    uint64_t handle;
    uint64_t page_count;
    uint32_t protect;        /* the page protection given */
    int reserve;             /* SEC_RESERVE (else SEC_COMMIT) */
    int open;                /* the handle is not closed */
    int image;               /* an image's section (11.2): no handle, never charged */
    unsigned views;          /* views mapped */
    oracle_section_span *committed;  /* committed page indices, unordered */
    oracle_section_page *pages;      /* written pages, unordered */
    struct oracle_section *next;
} oracle_section;

typedef struct oracle_sections {
    oracle_section *first;
    uint64_t last_handle;
} oracle_sections;

/* A new section with every page committed (or none, reserve); NULL when
 * host memory is short. */
oracle_section *sectionlist_add(oracle_sections *l, uint64_t page_count, uint32_t protect, int reserve);
/* The section of an image (section 11.2): every page committed, no
 * handle (it lives while its image is mapped); NULL when host memory is
 * short. */
oracle_section *sectionlist_add_image(oracle_sections *l, uint64_t page_count);
/* The section whose handle is open and equals handle, or NULL. */
oracle_section *sectionlist_find(const oracle_sections *l, uint64_t handle);
/* Forgets s when it has neither an open handle nor a view. */
void sectionlist_forget_unused(oracle_sections *l, oracle_section *s);
void sectionlist_free_all(oracle_sections *l);

/* Committed pages among the page indices [first, end) of s. */
uint64_t section_committed_in(const oracle_section *s, uint64_t first, uint64_t end);
int section_page_committed(const oracle_section *s, uint64_t index);
void section_commit(oracle_section *s, uint64_t first, uint64_t end);
/* The lowest stretch [*lo, *hi) of committed pages inside [from, to);
 * 0 when there is none. */
int section_committed_stretch(const oracle_section *s, uint64_t from, uint64_t to,
                              uint64_t *lo, uint64_t *hi);
/* The bytes of page index i (NULL: zeros), or with create a zeroed page
 * made on first use. */
uint8_t *section_page_bytes(oracle_section *s, uint64_t index, int create);

#endif
