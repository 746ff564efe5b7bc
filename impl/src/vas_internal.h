/*
 * vas_internal.h - the model's data structures, shared by impl/src only.
 *
 * A space (struct vas) holds its allocations in a B+tree keyed by base
 * address (alloc_tree.h). Each leaf entry also records the free gap just
 * below its allocation, and every inner node the largest gap under each
 * child, so a first-fit search, bottom-up or top-down, is one descent
 * (alloc_tree.c). A leaf entry carries a summary of the allocation's first
 * run, so most queries never read the allocation record.
 *
 * Inside an allocation, pages are described by runs: maximal ranges of
 * consecutive pages with the same state and protection, in a per-allocation
 * AVL tree keyed by first address (page_runs.c). Two neighbouring runs never
 * have equal attributes, so a run is exactly what VirtualQuery reports.
 *
 * Contents are sparse: a page has a 4 KiB buffer only once something was
 * written to it, kept in a third tree per allocation (page_store.c).
 * Committed pages without a buffer read as zeros.
 */
#ifndef VAS_INTERNAL_H
#define VAS_INTERNAL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc_tree.h"
#include "avl_tree.h"
#include "host/host.h"
#include "common/pages.h"
#include "plants.h"
#include "vas/vas.h"

/* ---- Page runs (page_runs.c) ------------------------------------------ */

typedef struct page_run {
    avl_node node;     /* key: address of the run's first page */
    uint64_t end;      /* one past the run's last byte */
    uint32_t state;    /* VAS_MEM_RESERVE or VAS_MEM_COMMIT */
    uint32_t protect;  /* 0 when reserved */
} page_run;

static inline uint64_t run_base(const page_run *r) { return r->node.key; }

/* ---- Allocations (alloc_tree.c) --------------------------------------- */

typedef struct allocation {
    uint64_t base;        /* page-aligned; granule-aligned unless a placeholder split made it (12.9) */
    uint64_t end;         /* one past the last byte (page-aligned) */
    uint32_t protect;     /* allocation protection, as given */
    avl_tree runs;        /* page_run by first address, covering [base, end) */
    avl_tree pages;       /* stored_page by address: written contents */
    avl_tree dirty;       /* watched_page by address (write_watch.c) */
    avl_tree locked;      /* locked_range by first page (locked_ranges.c) */
    uint8_t write_watch;  /* reserved with MEM_WRITE_WATCH */
    uint8_t is_stack;     /* a thread's stack: the thread lives while it does */
    uint32_t stack_guarantee;  /* its SetThreadStackGuarantee bytes (thread_stack.c) */
    uint8_t system;       /* made by the system (a layout's PEB, TEB, shared data):
                           * cannot be freed, reprotected or allocated over */
    uint8_t uncharged;    /* its pages are not in the commit charge (views, images, shared data) */
    uint32_t type;        /* VAS_MEM_PRIVATE, VAS_MEM_MAPPED or VAS_MEM_IMAGE */
    uint8_t mapped;       /* a view or a section's body: WRITECOPY protections are valid */
    uint8_t placeholder;  /* a placeholder (docs/semantics.md 12.9): reserved, NOACCESS */
    uint8_t replaced;     /* made by MEM_REPLACE_PLACEHOLDER: may go back to a placeholder */
    /* A view (MEM_MAPPED, or MEM_IMAGE: a view of an image section;
     * section.c): its section, the section offset of its base, and its
     * neighbours in the section's list of views. Pages hold a private copy
     * in `pages`; others read the section's body. */
    struct section *section;
    uint64_t offset;
    struct allocation *view_prev, *view_next;
} allocation;

static inline uint64_t alloc_base(const allocation *a) { return a->base; }

/* ---- The space -------------------------------------------------------- */

struct vas {
    vas_config cfg;
    size_t mbi_size;           /* 48 or 28 */
    alloc_index allocs;        /* allocations by base */
    node_pool records;         /* every allocation record (vas_create) */
    node_pool run_nodes;       /* every page_run of every allocation */
    uint64_t committed_pages;  /* the commit charge, in pages */
    uint32_t last_error;
    uint64_t ws_min_pages, ws_max_pages;  /* working-set sizes (vas_lock.c) */
    uint64_t locked_pages;     /* pages locked by VirtualLock, all allocations */
    host_window *host;         /* NULL unless host-backed */
    struct vas **handles;      /* handles[i]: the process of handle 4 * (i + 1); NULL once closed */
    size_t n_handles;
    struct vas **children;     /* every process this space created (vas_process.c) */
    size_t n_children;
    uint64_t current_thread;   /* vas_set_current_thread: whose accesses vas_read & co. are */
    uint64_t aslr_bottom;      /* with an aslr_seed: where bottom-up searches start */
    uint64_t aslr_top;         /* ...and where top-down searches end (exclusive); else 0 */
    avl_tree sections;         /* section by id (its handle value), open or mapped */
    uint64_t next_handle;      /* the handle value the next section gets */
    uint64_t section_pages;    /* committed section pages: charged to the system */
    uint64_t cow_pages;        /* pages of copy-on-write views: the process's charge */
};

static inline uint64_t space_min(const struct vas *v) { return v->cfg.min_address; }
static inline uint64_t space_max(const struct vas *v) { return v->cfg.max_address; }

/* Sets last-error and returns 0, for `return fail(v, code);`. */
static inline int fail(struct vas *v, uint32_t error)
{
    v->last_error = error;
    return 0;
}

/* ---- vas_process.c ------------------------------------------------------ */

/* Destroys the processes v created (vas_destroy). */
void processes_destroy(struct vas *v);

/* ---- alloc_tree.c: the allocation index and free-space search --------- */

/* The index and its node pools only: the records it points to belong to
 * the space (vas_create, vas_destroy). */
void alloc_tree_init(alloc_index *t);
void alloc_tree_destroy(alloc_index *t);
allocation *alloc_tree_find(const struct vas *v, uint64_t addr);   /* containing addr */
/* The allocation containing addr (rec NULL if none) with its index entry,
 * which stays valid until the next insert or remove. */
typedef struct alloc_slot {
    allocation *rec;
    alloc_entry *entry;
} alloc_slot;
alloc_slot alloc_tree_find_slot(const struct vas *v, uint64_t addr);
allocation *alloc_tree_next(const struct vas *v, uint64_t addr);   /* lowest base >= addr */

/* What VirtualQuery needs about addr, in one descent. The record is not
 * read (its pointer sits on a line the common case never needs): ask
 * *rec_ref for it. */
typedef struct alloc_probe {
    allocation *const *rec_ref; /* the allocation containing addr, or NULL */
    alloc_entry entry;         /* ...its index entry, when rec_ref */
    uint64_t base;             /* ...its base, when rec_ref */
    uint64_t next_base;        /* when !rec_ref: lowest base above addr, 0 if none */
} alloc_probe;
void alloc_tree_probe(const struct vas *v, uint64_t addr, alloc_probe *out);

int alloc_tree_overlaps(const struct vas *v, uint64_t lo, uint64_t hi);
/* 0 if out of memory (nothing changed). */
int alloc_tree_insert(struct vas *v, allocation *a);
void alloc_tree_remove(struct vas *v, allocation *a);
/* Re-reads the first-run summary after the allocation's runs changed. */
void alloc_tree_sync_entry(alloc_slot s);
/* Base for a new allocation of `size` bytes (page multiple), first fit
 * bottom-up or top-down; 0 when no gap is large enough. */
uint64_t alloc_tree_find_gap(const struct vas *v, uint64_t size, int top_down);
/* The same with the search bounded: bottom-up the lowest base >= lo,
 * top-down the highest with base + size <= hi (lo, hi granule-aligned);
 * 0 when nothing fits there. */
uint64_t alloc_tree_find_gap_bounded(const struct vas *v, uint64_t size, int top_down, uint64_t lo,
                                     uint64_t hi);
/* aslr.c: the randomised start (bottom-up) and end (top-down) of the
 * space's searches for system-chosen addresses (section 11.1). */
void aslr_init(struct vas *v);
int alloc_tree_check(const struct vas *v);

/* ---- allocation.c: making and destroying an allocation --------------- */

/* A new allocation covering [base, end) with one run of the given state. */
allocation *allocation_new(struct vas *v, uint64_t base, uint64_t end, uint32_t alloc_protect,
                           uint32_t state, uint32_t protect);
void allocation_delete(struct vas *v, allocation *a);

/* ---- process_layout.c: what a fresh space holds (section 11.2) --------- */

/* Places the configured layout's allocations (nothing for
 * VAS_LAYOUT_EMPTY). 0 when the layout does not exist for the profile or
 * memory ran out. */
int space_build_layout(struct vas *v);

/* ---- page_runs.c ------------------------------------------------------ */

/* Run nodes come from and go back to `pool` (the space's run_nodes). */
int runs_init(node_pool *pool, allocation *a, uint32_t state, uint32_t protect);
void runs_free_all(node_pool *pool, allocation *a);
page_run *runs_find(const allocation *a, uint64_t addr);   /* run containing addr */
page_run *runs_next(const allocation *a, const page_run *r); /* following run or NULL */
/* Pages of [lo, hi) that are committed. */
uint64_t runs_count_committed(const allocation *a, uint64_t lo, uint64_t hi);
int runs_all_committed(const allocation *a, uint64_t lo, uint64_t hi);
/* Sets every page of [lo, hi) to (state, protect). 0 if out of memory
 * (nothing changed). */
int runs_set(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi, uint32_t state, uint32_t protect);
/* VirtualProtect's per-page update of committed [lo, hi). 0 if out of memory. */
int runs_protect(node_pool *pool, allocation *a, uint64_t lo, uint64_t hi, uint32_t protect);
int runs_check(const allocation *a);

/* ---- page_store.c ----------------------------------------------------- */

void page_store_init(allocation *a);
const uint8_t *page_store_peek(const allocation *a, uint64_t page); /* NULL: zeros */
uint8_t *page_store_get(allocation *a, uint64_t page);   /* created zeroed; NULL if OOM */
void page_store_drop(allocation *a, uint64_t lo, uint64_t hi);
void page_store_free_all(allocation *a);
int page_store_check(const allocation *a);

/* ---- write_watch.c: pages written in a MEM_WRITE_WATCH allocation ---- */

void watch_init(allocation *a, int enabled);
/* Records a write to the pages of [lo, hi) (no-op unless watched); 0 if
 * out of memory. */
int watch_mark_written(allocation *a, uint64_t lo, uint64_t hi);
/* VirtualProtect over [lo, hi): written pages stay reported across a later decommit. */
void watch_latch(allocation *a, uint64_t lo, uint64_t hi);
/* Decommit of [lo, hi): forgets writes that were not latched. */
void watch_decommit(allocation *a, uint64_t lo, uint64_t hi);
void watch_reset(allocation *a, uint64_t lo, uint64_t hi);
/* Up to max reported pages of [lo, hi), ascending, into out; with reset
 * those pages (only those) are cleared. Returns how many. */
uint64_t watch_collect(allocation *a, uint64_t lo, uint64_t hi, uint64_t *out, uint64_t max, int reset);
void watch_free_all(allocation *a);
int watch_check(const allocation *a);

/* ---- locked_ranges.c, vas_lock.c: VirtualLock state ------------------ */

void locks_init(allocation *a);
int locks_cover(const allocation *a, uint64_t lo, uint64_t hi);     /* every page locked */
uint64_t locks_count(const allocation *a, uint64_t lo, uint64_t hi); /* locked pages */
int locks_add(allocation *a, uint64_t lo, uint64_t hi);            /* 0 if out of memory */
int locks_remove(allocation *a, uint64_t lo, uint64_t hi);         /* 0 if out of memory */
void locks_free_all(allocation *a);
int locks_check(const allocation *a);
void locks_space_init(struct vas *v);
/* Decommit or release of [lo, hi): its pages are no longer locked. */
int locks_forget(struct vas *v, allocation *a, uint64_t lo, uint64_t hi);

/* ---- Sections (section.c) -------------------------------------------- */

/* A pagefile-backed section (CreateFileMapping with INVALID_HANDLE_VALUE).
 * Its body is an allocation record outside the index, covering [0, size):
 * the runs say which pages are committed (all of them for SEC_COMMIT), the
 * page store holds the shared contents by section offset. */
typedef struct section {
    avl_node node;          /* key: id, which is also its handle value */
    allocation *body;
    uint32_t protect;       /* the page protection given */
    uint32_t flags;         /* VAS_SEC_COMMIT or VAS_SEC_RESERVE */
    int handle_open;        /* CloseHandle not yet called */
    int image;              /* an image section (11.2): no handle, one view, not charged */
    allocation *views;      /* first of its views (allocation.view_next) */
    host_section *host;     /* its real memory in a host-backed space, else NULL */
} section;

static inline uint64_t section_size(const section *s) { return s->body->end; }

/* A new section of `bytes` (a page multiple), every page committed with
 * protect or none (commit 0), not yet in v->sections; NULL if out of
 * memory. */
section *section_new(struct vas *v, uint64_t bytes, uint32_t protect, int commit);
/* Makes a (an image the layout placed, mapped, in the index; 11.2) the
 * one view of a new image section. 0 if out of memory. */
int section_add_image(struct vas *v, allocation *a);
/* Pages of view that count in the process's commit charge (12.8): all of
 * a copy-on-write view's, none of an image's or a shared view's. */
uint64_t view_charged_pages(const allocation *view);
/* CloseHandle of a section handle (vas_close_handle asks first): 1 when
 * handle was an open section's, else 0 with nothing changed. */
int section_close_handle(struct vas *v, uint64_t handle);
/* The open section of handle h, or NULL. */
section *section_of_handle(struct vas *v, uint64_t h);
void section_add_view(section *s, allocation *view);
/* Frees s when neither its handle nor a view keeps it. */
void section_drop_if_unused(struct vas *v, section *s);
/* Takes the view off its section's list, then section_drop_if_unused. */
void section_remove_view(struct vas *v, allocation *view);
void sections_free_all(struct vas *v);
/* Invariants of every section (vas_debug_check_invariants): adds each
 * body to *records and its runs to *runs, its committed pages to *pages,
 * and checks the copy-on-write charge. 0 when something is broken. */
int sections_check(const struct vas *v, uint64_t *records, uint64_t *runs, uint64_t *pages);
/* The bytes a view's page shows: its private copy, the section's, or NULL
 * (zeros). */
const uint8_t *view_page_peek(const allocation *view, uint64_t page);
/* Commits [lo, hi) of a view: the section's pages too, and every other
 * view shows them committed with its own protection. 0 if out of memory. */
int view_commit(struct vas *v, alloc_slot s, uint64_t lo, uint64_t hi, uint32_t protect);
/* Makes page of a view writable for a write that is about to happen:
 * copy-on-write gives it a private copy. Returns its bytes, NULL on OOM. */
uint8_t *view_page_for_write(struct vas *v, allocation *view, uint64_t page);
/* VirtualProtect's rule for views (docs/semantics.md 12.5): may a page
 * of a view mapped with view_protect of a section of section_protect take
 * protect? */
int view_protection_compatible(uint32_t section_protect, uint32_t view_protect, uint32_t protect);

/* ---- address_requirements.c: MEM_EXTENDED_PARAMETER (12.14) ---------- */

typedef struct addr_reqs {
    int given;                  /* an address-requirements parameter was passed */
    uint64_t lowest, highest, alignment;
} addr_reqs;

/* The parameter array's shape; 0 with ERROR_INVALID_PARAMETER. */
int addr_reqs_read(struct vas *v, const vas_ext_param *params, uint32_t count, addr_reqs *out);
/* The values against addr (0: system-chosen); views take no alignment. 0
 * with ERROR_INVALID_PARAMETER. */
int addr_reqs_valid(struct vas *v, const addr_reqs *r, uint64_t addr, int for_view);
/* Not all zero: placement follows the window. */
int addr_reqs_active(const addr_reqs *r);
/* First fit (top_down: last fit) of size bytes (a page multiple) in the
 * window; 0 when nothing fits. */
uint64_t addr_reqs_place(const struct vas *v, const addr_reqs *r, uint64_t size, int top_down);

/* ---- placeholders.c: splitting, merging, making placeholders (12.12) --- */

/* A new placeholder [base, end) in the index; 0 if out of memory. */
allocation *placeholder_insert(struct vas *v, uint64_t base, uint64_t end);
/* VirtualFree's RELEASE|PRESERVE_PLACEHOLDER and RELEASE|COALESCE_PLACEHOLDERS
 * on [start, end) (page-aligned) whose first page is in s: 1, or 0 with
 * last-error. */
int placeholder_free_preserve(struct vas *v, alloc_slot s, uint64_t start, uint64_t end);
int placeholder_coalesce(struct vas *v, alloc_slot s, uint64_t start, uint64_t end);

/* ---- The calls of vas_process.c's wrappers, on the target space ------- */

uint64_t space_alloc2(struct vas *v, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                      const vas_ext_param *params, uint32_t count);
uint64_t space_map_view3(struct vas *v, uint64_t handle, uint64_t addr, uint64_t offset, uint64_t size,
                         uint32_t type, uint32_t protect, const vas_ext_param *params, uint32_t count);
int space_unmap_view2(struct vas *v, uint64_t addr, uint32_t flags);

/* ---- protection.c ----------------------------------------------------- */

#define PROT_CACHE_MASK (VAS_PAGE_NOCACHE | VAS_PAGE_WRITECOMBINE)

typedef enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXECUTE } access_kind;

int protection_is_valid(uint32_t protect);
/* As protection_is_valid, with WRITECOPY and EXECUTE_WRITECOPY allowed
 * when mapped (an image's pages). */
int protection_is_valid_for(uint32_t protect, int mapped);
/* Bytes of commit charge the limit counts: private, copy-on-write views
 * and sections; 1 when pages more fit under the limit. */
int space_charge_allowed(const struct vas *v, uint64_t pages);
int protection_allows(uint32_t protect, access_kind kind);
/* WRITECOPY or EXECUTE_WRITECOPY (whatever the modifiers). */
int protection_is_copy_on_write(uint32_t protect);
/* The protection a committed page ends up with when VirtualProtect asks
 * for `requested` and the page had `current`. */
uint32_t protection_after_change(uint32_t current, uint32_t requested);

/* ---- thread_stack.c, stack_growth.c: thread stacks (section 11) ------ */

/* The stack allocation whose base is `stack`, or NULL. */
allocation *stack_find(const struct vas *v, uint64_t stack);
/* Bytes of guard pages kept below a stack's committed part. */
uint64_t stack_guard_bytes(const struct vas *v, const allocation *stack);
/* A guard page `page` of the accessing thread's own stack was touched:
 * commits, moves the guard down. VAS_STATUS_SUCCESS (handled, the access
 * goes on) or VAS_STATUS_STACK_OVERFLOW. */
uint32_t stack_grow(struct vas *v, alloc_slot s, uint64_t page);
/* Commits [lo, hi) of allocation s with protect, charging new pages; 0 when
 * the commit limit refuses (nothing changed). */
int space_commit_pages(struct vas *v, alloc_slot s, uint64_t lo, uint64_t hi, uint32_t protect);

/* ---- host hooks (vas_space.c; space_host is declared in host/host.h) -- */

void space_sync_host(struct vas *v, uint64_t lo, uint64_t hi);
/* Section 6's check of [addr, addr + len) (len > 0) for one access kind:
 * VAS_STATUS_SUCCESS, or the fault status with *fault set and a guard page
 * fired (vas_access.c). */
uint32_t space_check_access(struct vas *v, uint64_t addr, uint64_t len, access_kind kind, uint64_t *fault);
/* The same made by the thread whose stack is `stack` (NULL: another
 * thread): a guard page of that stack grows it (stack_growth.c). */
uint32_t space_check_access_by(struct vas *v, allocation *stack, uint64_t addr, uint64_t len,
                               access_kind kind, uint64_t *fault);
/* What an access returns to the caller: status, with *fault as Windows
 * reports it (x64: a non-canonical address is 0xFFFFFFFFFFFFFFFF, a #GP
 * carries no address; semantics 6). The checks above keep the real one. */
uint32_t space_report_fault(const struct vas *v, uint32_t status, uint64_t *fault);
/* vas_read / vas_write's transfer once the check passed (vas_access.c). */
void space_copy_out(struct vas *v, uint64_t addr, void *buf, size_t len);
void space_copy_in(struct vas *v, uint64_t addr, const void *buf, size_t len);
/* A guard page fired (vas_access.c): the bit goes, the base protection stays. */
void space_clear_guard(struct vas *v, alloc_slot s, uint64_t page, uint32_t protect);

#endif
