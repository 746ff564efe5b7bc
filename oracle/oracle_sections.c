/*
 * oracle_sections.c - the oracle's sections, kept as plainly as possible:
 * a list of sections, each with a list of committed page spans and a list
 * of written pages, searched from the front every time.
 */
#include "oracle_sections.h"
#include "oracle_node.h"
#include "vas/vas.h"

#include <stdlib.h>

struct oracle_section_span {
    uint64_t first, end;   /* page indices [first, end) */
    oracle_section_span *next;
};

struct oracle_section_page {
    uint64_t index;
    uint8_t bytes[VAS_PAGE_SIZE];
    oracle_section_page *next;
};

oracle_section *sectionlist_add(oracle_sections *l, uint64_t page_count, uint32_t protect, int reserve)
{
    oracle_section *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->page_count = page_count;
    s->protect = protect;
    s->reserve = reserve;
    s->open = 1;
    if (!reserve)
        section_commit(s, 0, page_count);
    /* Any nonzero value that names one section and no process works: 4
     * apart as Windows', far above the processes' 4, 8, ... */
    l->last_handle = l->last_handle ? l->last_handle + 4 : 0x10000000;
    s->handle = l->last_handle;
    s->next = l->first;
    l->first = s;
    return s;
}

oracle_section *sectionlist_add_image(oracle_sections *l, uint64_t page_count)
{
    oracle_section *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->page_count = page_count;
    s->protect = VAS_PAGE_EXECUTE_WRITECOPY;
    s->image = 1;
    section_commit(s, 0, page_count);
    s->next = l->first;
    l->first = s;
    return s;
}

oracle_section *sectionlist_find(const oracle_sections *l, uint64_t handle)
{
    for (oracle_section *s = l->first; s; s = s->next)
        if (s->open && s->handle == handle)
            return s;
    return NULL;
}

static void section_free(oracle_section *s)
{
    while (s->committed) {
        oracle_section_span *next = s->committed->next;
        free(s->committed);
        s->committed = next;
    }
    while (s->pages) {
        oracle_section_page *next = s->pages->next;
        free(s->pages);
        s->pages = next;
    }
    free(s);
}

void sectionlist_forget_unused(oracle_sections *l, oracle_section *s)
{
    if (s->open || s->views)
        return;
    oracle_section **link = &l->first;
    while (*link != s)
        link = &(*link)->next;
    *link = s->next;
    section_free(s);
}

void sectionlist_free_all(oracle_sections *l)
{
    while (l->first) {
        oracle_section *next = l->first->next;
        section_free(l->first);
        l->first = next;
    }
}


uint64_t section_committed_in(const oracle_section *s, uint64_t first, uint64_t end)
{
    /* Spans never overlap (section_commit adds only what is missing). */
    uint64_t n = 0;
    for (const oracle_section_span *p = s->committed; p; p = p->next) {
        uint64_t lo = p->first > first ? p->first : first;
        uint64_t hi = p->end < end ? p->end : end;
        if (hi > lo)
            n += hi - lo;
    }
    return n;
}

/* The span holding page index i, or NULL. */
static const oracle_section_span *span_at(const oracle_section *s, uint64_t i)
{
    for (const oracle_section_span *p = s->committed; p; p = p->next)
        if (i >= p->first && i < p->end)
            return p;
    return NULL;
}

void section_commit(oracle_section *s, uint64_t first, uint64_t end)
{
    /* One new span per stretch of pages not yet committed. */
    uint64_t i = first;
    while (i < end) {
        const oracle_section_span *in = span_at(s, i);
        if (in) {
            i = in->end;
            continue;
        }
        uint64_t j = end;
        for (const oracle_section_span *p = s->committed; p; p = p->next)
            if (p->first > i && p->first < j)
                j = p->first;
        oracle_section_span *p;
        ORACLE_PUSH(p, s->committed);
        p->first = i;
        p->end = j;
        i = j;
    }
}

int section_committed_stretch(const oracle_section *s, uint64_t from, uint64_t to,
                              uint64_t *lo, uint64_t *hi)
{
    int found = 0;
    for (const oracle_section_span *p = s->committed; p; p = p->next) {
        uint64_t a = p->first > from ? p->first : from;
        uint64_t b = p->end < to ? p->end : to;
        if (a < b && (!found || a < *lo)) {
            *lo = a;
            *hi = b;
            found = 1;
        }
    }
    return found;
}

int section_page_committed(const oracle_section *s, uint64_t index)
{
    return span_at(s, index) != NULL;
}

uint8_t *section_page_bytes(oracle_section *s, uint64_t index, int create)
{
    for (oracle_section_page *p = s->pages; p; p = p->next)
        if (p->index == index)
            return p->bytes;
    if (!create)
        return NULL;
    oracle_section_page *p;
    ORACLE_PUSH(p, s->pages);
    p->index = index;
    return p->bytes;
}
