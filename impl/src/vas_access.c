/*
 * vas_access.c - simulated CPU reads, writes and instruction fetches
 * (docs/semantics.md section 6).
 *
 * The whole range is checked before a byte moves, run by run rather than
 * page by page (a run's pages share their rights), so a check costs
 * O(log n + runs crossed). The first refusing page decides: a guard page
 * loses its guard and reports GUARD_PAGE_VIOLATION, anything else reports
 * ACCESS_VIOLATION. Last-error is never touched here.
 */
#include "vas_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The guard bit of one page goes; the page keeps its base protection. */
void space_clear_guard(vas_t *v, alloc_slot s, uint64_t page, uint32_t protect)
{
    /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
    if (!runs_set(&v->run_nodes, s.rec, page, page + PAGE_BYTES, VAS_MEM_COMMIT, protect & ~VAS_PAGE_GUARD)) {
        /* The model can no longer represent its state faithfully. */
        fprintf(stderr, "vas: out of memory while clearing a guard page\n");
        abort();
    }
    alloc_tree_sync_entry(s);
    space_sync_host(v, page, page + PAGE_BYTES);
}

uint32_t space_check_access_by(vas_t *v, allocation *stack, uint64_t addr, uint64_t len,
                               access_kind kind, uint64_t *fault)
{
    uint64_t last = addr + (len - 1);
    if (last < addr)
        last = UINT64_MAX;   /* runs past the top: some page beyond MAX faults first */
    uint64_t page = round_down(addr, PAGE_BYTES);
    for (;;) {
        uint32_t status = VAS_STATUS_ACCESS_VIOLATION;
        alloc_slot s = {NULL, NULL};
        if (page <= space_max(v))
            s = alloc_tree_find_slot(v, page);
        const page_run *r = s.rec ? runs_find(s.rec, page) : NULL;
        if (r && r->state == VAS_MEM_COMMIT) {
            if ((r->protect & VAS_PAGE_GUARD) && s.rec == stack) {
                /* The owner's own guard page: the system grows the stack and
                 * the access starts over (section 11). */
                status = stack_grow(v, s, page);
                if (status == VAS_STATUS_SUCCESS) {
                    page = round_down(addr, PAGE_BYTES);
                    continue;
                }
            } else if (r->protect & VAS_PAGE_GUARD) {
                if (!PLANT(26))
                    space_clear_guard(v, s, page, r->protect);  /* semantics: 6 */
                status = PLANT(30) && page != round_down(addr, PAGE_BYTES) ? VAS_STATUS_ACCESS_VIOLATION
                                                                           : VAS_STATUS_GUARD_PAGE_VIOLATION;
            } else if (protection_allows(r->protect, kind)) {
                if (PLANT(29) ? r->end - 1 > last : r->end - 1 >= last)
                    return VAS_STATUS_SUCCESS;  /* semantics: 6 */
                page = r->end;
                continue;
            }
        }
        if (fault)
            *fault = addr > page && !PLANT(27) ? addr : page;
        return status;
    }
}

uint32_t space_report_fault(const vas_t *v, uint32_t status, uint64_t *fault)
{
    /* x64: an address outside the canonical halves raises #GP, which carries
     * no address; Windows reports 0xFFFFFFFFFFFFFFFF (docs/semantics.md section 6). */
    uint64_t at = fault ? *fault : 0;
    int canonical = at < 0x0000800000000000ull || at >= 0xFFFF800000000000ull;
    if (status != VAS_STATUS_SUCCESS && fault && v->cfg.profile == VAS_PROFILE_X64 && !canonical)
        *fault = UINT64_MAX;
    return status;
}

uint32_t space_check_access(vas_t *v, uint64_t addr, uint64_t len, access_kind kind, uint64_t *fault)
{
    allocation *stack = v->current_thread ? stack_find(v, v->current_thread) : NULL;
    return space_check_access_by(v, stack, addr, len, kind, fault);
}

/* Walks [at, at + left) one page piece at a time, keeping the allocation of
 * the last piece so a range inside one allocation costs one lookup. */
typedef struct page_piece {
    vas_t *v;
    allocation *a;
    uint64_t at, left;   /* what is still to walk */
    uint64_t page, len;  /* the current piece: its page and its length */
} page_piece;

static int page_piece_next(page_piece *p)
{
    if (p->left == 0)
        return 0;
    p->at += p->len;
    p->page = round_down(p->at, PAGE_BYTES);
    p->len = p->page + PAGE_BYTES - p->at;
    if (p->len > p->left)
        p->len = p->left;
    p->left -= p->len;
    if (!p->a || p->page >= p->a->end)
        p->a = alloc_tree_find(p->v, p->page);
    assert(p->a);  /* check_access passed: every page is committed */
    return 1;
}

void space_copy_out(vas_t *v, uint64_t addr, void *buf, size_t len)
{
    uint8_t *out = buf;
    for (page_piece p = {v, NULL, addr, len, 0, 0}; page_piece_next(&p); out += p.len) {
        const uint8_t *bytes = p.a->section ? view_page_peek(p.a, p.page) : page_store_peek(p.a, p.page);
        if (bytes)
            memcpy(out, bytes + (p.at - p.page), p.len);
        else
            memset(out, 0, p.len);
    }
}

void space_copy_in(vas_t *v, uint64_t addr, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    for (page_piece p = {v, NULL, addr, len, 0, 0}; page_piece_next(&p); in += p.len) {
        /* A view's or an image's page: copy-on-write may copy it (12.6). */
        uint8_t *bytes = p.a->section ? view_page_for_write(v, p.a, p.page) : page_store_get(p.a, p.page);
        /* fuzz-unreached: alloc-failure - calloc never fails while fuzzing */
        if (!bytes || !watch_mark_written(p.a, p.page, p.page + PAGE_BYTES)) {
            fprintf(stderr, "vas: out of memory storing page contents\n");
            abort();
        }
        memcpy(bytes + (p.at - p.page), in, p.len - (PLANT(28) && p.len > 1 && p.at + p.len == p.page + PAGE_BYTES));
    }
    if (v->host)
        host_window_write(v->host, addr, buf, len);
}

uint32_t vas_read(vas_t *v, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint32_t status = space_check_access(v, addr, len, ACCESS_READ, fault);
    if (status == VAS_STATUS_SUCCESS)
        space_copy_out(v, addr, buf, len);
    return space_report_fault(v, status, fault);
}

uint32_t vas_write(vas_t *v, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint32_t status = space_check_access(v, addr, len, ACCESS_WRITE, fault);
    if (status == VAS_STATUS_SUCCESS)
        space_copy_in(v, addr, buf, len);
    return space_report_fault(v, status, fault);
}

uint32_t vas_exec(vas_t *v, uint64_t addr, uint64_t *fault)
{
    return space_report_fault(v, space_check_access(v, addr, 1, ACCESS_EXECUTE, fault), fault);
}
