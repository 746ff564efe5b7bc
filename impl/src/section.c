/*
 * section.c - pagefile-backed sections and what their views share
 * (docs/semantics.md section 12): the section objects by handle, each
 * section's list of views, whose bytes a view's page shows, committing
 * pages of a SEC_RESERVE section through one view, and copy-on-write.
 *
 * A section's body is an allocation record that is not in the index: its
 * runs cover [0, size) and say which pages are committed, its page store
 * holds the shared contents by section offset. A view is an allocation in
 * the index with mapped = 1; its own page store holds only the pages
 * copy-on-write made private. An image (docs/semantics.md 11.2) is the one
 * view of an image section, which has no handle: its key in v->sections is
 * the image's base + 1, odd, so never a handle value.
 */
#include "vas_internal.h"

#include <stdlib.h>
#include <string.h>

#define SECTION_OF(n) ((section *)(void *)((char *)(n) - offsetof(section, node)))

section *section_of_handle(vas_t *v, uint64_t h)
{
    avl_node *n = avl_find(&v->sections, h);
    if (!n || !SECTION_OF(n)->handle_open)
        return NULL;
    return SECTION_OF(n);
}

void section_add_view(section *s, allocation *view)
{
    view->section = s;
    view->view_prev = NULL;
    view->view_next = s->views;
    if (s->views)
        s->views->view_prev = view;
    s->views = view;
}

section *section_new(vas_t *v, uint64_t bytes, uint32_t protect, int commit)
{
    section *s = calloc(1, sizeof *s);
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (!s)
        return NULL;
    /* Host-backed: the pages every view shares (docs/semantics.md 15.3). */
    if (v->host)
        s->host = host_section_create(bytes);
    s->body = allocation_new(v, 0, bytes, protect, commit ? VAS_MEM_COMMIT : VAS_MEM_RESERVE,
                             commit ? protect : 0);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!s->body || (v->host && !s->host)) {
        if (s->body)
            allocation_delete(v, s->body);
        host_section_destroy(s->host);
        free(s);
        return NULL;
    }
    s->body->mapped = 1;
    s->protect = protect;
    return s;
}

int section_add_image(vas_t *v, allocation *a)
{
    /* An image section's pages are all committed; their protections are
     * the view's runs (the PE sections'). Not charged (11.2.7). */
    section *s = section_new(v, a->end - alloc_base(a), VAS_PAGE_EXECUTE_WRITECOPY, 1);
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (!s)
        return 0;
    s->image = 1;
    s->node.key = alloc_base(a) + 1;
    avl_insert(&v->sections, &s->node);
    a->offset = 0;
    section_add_view(s, a);
    if (v->host)
        host_window_map_view(v->host, s->host, 0, alloc_base(a), a->end);
    return 1;
}

uint64_t view_charged_pages(const allocation *view)
{
    if (view->section->image || !protection_is_copy_on_write(view->protect))
        return 0;
    return (view->end - alloc_base(view)) / PAGE_BYTES;
}

static void section_delete(vas_t *v, section *s)
{
    if (!s->image)
        v->section_pages -= runs_count_committed(s->body, 0, section_size(s));
    allocation_delete(v, s->body);
    if (s->host)   /* only the host-backed mode enters host code */
        host_section_destroy(s->host);
    free(s);
}

void section_drop_if_unused(vas_t *v, section *s)
{
    if (s->handle_open || s->views)
        return;
    avl_remove(&v->sections, s->node.key);
    section_delete(v, s);
}

void section_remove_view(vas_t *v, allocation *view)
{
    section *s = view->section;
    if (view->view_prev)
        view->view_prev->view_next = view->view_next;
    else
        s->views = view->view_next;
    if (view->view_next)
        view->view_next->view_prev = view->view_prev;
    view->section = NULL;
    section_drop_if_unused(v, s);
}

void sections_free_all(vas_t *v)
{
    avl_node *n;
    while ((n = avl_first(&v->sections))) {
        avl_remove(&v->sections, n->key);
        section_delete(v, SECTION_OF(n));
    }
}

/* The section offset of a view's page. */
static uint64_t offset_of(const allocation *view, uint64_t page)
{
    return view->offset + (page - alloc_base(view));
}

const uint8_t *view_page_peek(const allocation *view, uint64_t page)
{
    const uint8_t *own = page_store_peek(view, page);
    return own ? own : page_store_peek(view->section->body, offset_of(view, page));
}

/* WRITECOPY -> READWRITE, EXECUTE_WRITECOPY -> EXECUTE_READWRITE, the
 * modifiers kept: what a page shows once it holds its own copy. */
static uint32_t written_protection(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    uint32_t now = base == VAS_PAGE_WRITECOPY ? VAS_PAGE_READWRITE : VAS_PAGE_EXECUTE_READWRITE;
    return (protect & ~PROT_BASE_MASK) | now;
}

uint8_t *view_page_for_write(vas_t *v, allocation *view, uint64_t page)
{
    const page_run *r = runs_find(view, page);
    if (!protection_is_copy_on_write(r->protect)) {
        uint8_t *own = (uint8_t *)page_store_peek(view, page);
        return own ? own : page_store_get(view->section->body, offset_of(view, page));
    }
    uint32_t protect = written_protection(r->protect);
    const uint8_t *shared = page_store_peek(view->section->body, offset_of(view, page));
    int had_copy = page_store_peek(view, page) != NULL;
    uint8_t *own = page_store_get(view, page);
    /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
    if (!own)
        return NULL;
    if (!had_copy && shared)
        memcpy(own, shared, PAGE_BYTES);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_set(&v->run_nodes, view, page, page + PAGE_BYTES, VAS_MEM_COMMIT, protect))
        return NULL;
    if (v->host && !had_copy)
        host_window_privatize(v->host, view->section->host, offset_of(view, page), page);
    space_sync_host(v, page, page + PAGE_BYTES);
    return own;
}

/* Every reserved page of [lo, hi) of view becomes committed with the
 * view's own protection (another view committed the section's pages). */
static int show_committed(vas_t *v, allocation *view, uint64_t lo, uint64_t hi)
{
    uint64_t at = lo;
    while (at < hi) {
        page_run *r = runs_find(view, at);
        uint64_t to = r->end < hi ? r->end : hi;
        if (r->state == VAS_MEM_RESERVE) {
            /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
            if (!runs_set(&v->run_nodes, view, at, to, VAS_MEM_COMMIT, view->protect))
                return 0;
            space_sync_host(v, at, to);
        }
        at = to;
    }
    return 1;
}

int view_commit(vas_t *v, alloc_slot s, uint64_t lo, uint64_t hi, uint32_t protect)
{
    allocation *a = s.rec;
    section *sec = a->section;
    uint64_t off_lo = offset_of(a, lo), off_hi = offset_of(a, hi);
    uint64_t fresh = (off_hi - off_lo) / PAGE_BYTES - runs_count_committed(sec->body, off_lo, off_hi);
    if (!space_charge_allowed(v, fresh))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_set(&v->run_nodes, sec->body, off_lo, off_hi, VAS_MEM_COMMIT, sec->protect) ||
        !runs_set(&v->run_nodes, a, lo, hi, VAS_MEM_COMMIT, protect))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    v->section_pages += fresh;
    alloc_tree_sync_entry(s);
    space_sync_host(v, lo, hi);
    for (allocation *w = sec->views; w; w = w->view_next) {
        uint64_t w_lo = w->offset > off_lo ? w->offset : off_lo;
        uint64_t w_hi = offset_of(w, w->end) < off_hi ? offset_of(w, w->end) : off_hi;
        if (w == a || w_lo >= w_hi)
            continue;
        /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
        if (!show_committed(v, w, alloc_base(w) + (w_lo - w->offset), alloc_base(w) + (w_hi - w->offset)))
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    return 1;
}

/* What a protection lets a page do, as sets of rights: read, write,
 * write-by-copy, execute (docs/semantics.md 12.5). */
enum { RIGHT_READ = 1, RIGHT_WRITE = 2, RIGHT_COPY = 4, RIGHT_EXECUTE = 8 };

static unsigned rights_of(uint32_t protect)
{
    switch (protect & PROT_BASE_MASK) {
    case VAS_PAGE_READONLY:
    case VAS_PAGE_WRITECOPY: return RIGHT_READ;
    case VAS_PAGE_READWRITE: return RIGHT_READ | RIGHT_WRITE;
    case VAS_PAGE_EXECUTE:
    case VAS_PAGE_EXECUTE_READ: return RIGHT_READ | RIGHT_EXECUTE;
    case VAS_PAGE_EXECUTE_READWRITE: return RIGHT_READ | RIGHT_WRITE | RIGHT_COPY | RIGHT_EXECUTE;
    case VAS_PAGE_EXECUTE_WRITECOPY: return RIGHT_READ | RIGHT_COPY | RIGHT_EXECUTE;
    default: return 0;
    }
}

int view_protection_compatible(uint32_t section_protect, uint32_t view_protect, uint32_t protect)
{
    unsigned want = rights_of(protect), view = rights_of(view_protect);
    if (want == view)
        return 1;
    if (view == 0)
        return 0;
    return (want & view) == want && (want & rights_of(section_protect)) == want;
}

/* fuzz-unreached: debug-check - its failure returns: a correct model passes every check */
int sections_check(const vas_t *v, uint64_t *records, uint64_t *runs, uint64_t *pages)
{
    uint64_t cow = 0;
    for (avl_node *n = avl_first(&v->sections); n; n = avl_find_gt(&v->sections, n->key)) {
        const section *s = SECTION_OF(n);
        if (!s->handle_open && !s->views)
            return 0;
        if (!runs_check(s->body) || !page_store_check(s->body))
            return 0;
        *records += 1;
        *runs += s->body->runs.count;
        if (!s->image)
            *pages += runs_count_committed(s->body, 0, section_size(s));
        else if (s->handle_open || !s->views || s->views->view_next || s->node.key != alloc_base(s->views) + 1)
            return 0;
        for (const allocation *w = s->views; w; w = w->view_next) {
            if (w->section != s || alloc_tree_find(v, alloc_base(w)) != w)
                return 0;
            if (w->offset + (w->end - alloc_base(w)) > section_size(s))
                return 0;
            cow += view_charged_pages(w);
        }
    }
    return avl_check(&v->sections) && cow == v->cow_pages;
}
