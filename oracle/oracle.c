/*
 * oracle.c - the oracle model: docs/semantics.md written out as plainly as
 * possible, so that impl/ can be checked against it.
 *
 * The whole state (struct oracle, in oracle_space.h, which the files that
 * extend this one share) is a list of allocations sorted by base address; free
 * memory is everything no allocation covers. An allocation describes its
 * pages with an array of runs in page order: each run is a stretch of pages
 * with one state (reserved or committed) and one protection (0 while
 * reserved). This is one record per page, compressed: a reservation of
 * terabytes is one run, not billions of records, because the fuzzer makes
 * such reservations and must be able to compare them. Every change first
 * splits runs so that the changed range starts and ends on a run boundary,
 * changes the runs inside, and then joins neighbours that became equal.
 * The bytes of a page live apart, in a list of written pages; a page not in
 * the list reads as zeros.
 *
 * Each public function follows its section of docs/semantics.md step by step,
 * in the same order, with the section's numbering in the comments. Nothing
 * is changed until every check has passed, which is how "a failed call
 * changes nothing" is kept: the checks only read, the last step only writes.
 */
#include "oracle_space.h"
#include "oracle_node.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_BITS (VAS_PAGE_NOCACHE | VAS_PAGE_WRITECOMBINE)
#define MODIFIER_BITS (VAS_PAGE_GUARD | CACHE_BITS)

/* ---- Section 1: protection values ------------------------------------- */

/* view: the protection is for a view (section 12), where copy-on-write
 * protections are valid. */
static int protect_is_valid(uint32_t protect, int view)
{
    uint32_t base = protect & 0xFFu;
    uint32_t modifiers = protect & MODIFIER_BITS;
    if (protect & ~(0xFFu | MODIFIER_BITS))
        return 0;
    if (base == 0 || (base & (base - 1)) != 0)  /* exactly one base bit */
        return 0;
    if (modifiers & (modifiers - 1))            /* at most one modifier */
        return 0;
    if (base == VAS_PAGE_NOACCESS && modifiers != 0)
        return 0;
    if (!view && (base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY))
        return 0;  /* private memory */
    return 1;
}

/* What a page with protection `had` becomes when given `wanted`: the page
 * keeps the cache bit it had and never takes a requested one, unless the
 * result would be invalid (then the bit goes). */
static uint32_t protect_merge(uint32_t had, uint32_t wanted)
{
    if ((wanted & 0xFFu) == VAS_PAGE_NOACCESS || (wanted & VAS_PAGE_GUARD))
        return wanted;
    return (wanted & ~CACHE_BITS) | (had & CACHE_BITS);
}

enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXECUTE };

static int protect_allows(uint32_t protect, enum access_kind kind)
{
    switch (protect & 0xFFu) {
    case VAS_PAGE_READONLY:          return kind == ACCESS_READ;
    case VAS_PAGE_READWRITE:         return kind != ACCESS_EXECUTE;
    case VAS_PAGE_EXECUTE:           return kind != ACCESS_WRITE;
    case VAS_PAGE_EXECUTE_READ:      return kind != ACCESS_WRITE;
    case VAS_PAGE_EXECUTE_READWRITE: return 1;
    case VAS_PAGE_WRITECOPY:         return kind != ACCESS_EXECUTE;  /* image pages (11.2), views (12): writing copies */
    case VAS_PAGE_EXECUTE_WRITECOPY: return 1;
    default:                         return 0;  /* NOACCESS */
    }
}

/* ---- Looking things up -------------------------------------------------- */

/* Where a search of the sorted list for addr may start: the allocation
 * the last query saw when it lies at or below addr (a walk of the map
 * queries upward, and with hundreds of allocations a search from the
 * lowest makes every walk quadratic), else the lowest. */
static allocation *search_start(const oracle_t *o, uint64_t addr)
{
    return o->hint && o->hint->base <= addr ? o->hint : o->first;
}

/* The allocation containing address addr, or NULL if addr is free. */
allocation *allocation_at(const oracle_t *o, uint64_t addr)
{
    for (allocation *a = search_start(o, addr); a && a->base <= addr; a = a->next)
        if (addr < alloc_end(a))
            return a;
    return NULL;
}

/* The index in a of the page holding addr, which must lie in a. */
static uint64_t page_index(const allocation *a, uint64_t addr) { return (addr - a->base) / PAGE; }

/* The run holding page index i of a. */
static page_run *run_of(const allocation *a, uint64_t i)
{
    for (size_t r = 0; r < a->run_count; r++)
        if (i >= a->runs[r].first && i - a->runs[r].first < a->runs[r].count)
            return &a->runs[r];
    abort();  /* the runs cover every page: unreachable */
}

/* The written bytes of page index i of a, or NULL (the page reads as zeros). */
static page_bytes *bytes_of(const allocation *a, uint64_t i)
{
    for (page_bytes *b = a->written; b; b = b->next)
        if (b->index == i)
            return b;
    return NULL;
}

/* 1 when some allocation covers part of [start, end). */
int range_touches_allocation(const oracle_t *o, uint64_t start, uint64_t end)
{
    for (allocation *a = o->first; a; a = a->next)
        if (a->base < end && start < alloc_end(a))
            return 1;
    return 0;
}

/* The allocation holding every page of [start, end), or NULL. */
static allocation *allocation_holding(const oracle_t *o, uint64_t start, uint64_t end)
{
    allocation *a = allocation_at(o, start);
    return (a && end <= alloc_end(a)) ? a : NULL;
}

/* How many pages of run r lie in the page indices [first, end). */
static uint64_t run_overlap(const page_run *r, uint64_t first, uint64_t end)
{
    uint64_t lo = r->first > first ? r->first : first;
    uint64_t hi = r->first + r->count < end ? r->first + r->count : end;
    return hi > lo ? hi - lo : 0;
}

/* Pages of the indices [first, end) of a that are not committed. */
static uint64_t count_uncommitted(const allocation *a, uint64_t first, uint64_t end)
{
    uint64_t n = 0;
    for (size_t r = 0; r < a->run_count; r++)
        if (a->runs[r].state != VAS_MEM_COMMIT)
            n += run_overlap(&a->runs[r], first, end);
    return n;
}

int is_writecopy(uint32_t protect)
{
    return (protect & 0xFFu) == VAS_PAGE_WRITECOPY || (protect & 0xFFu) == VAS_PAGE_EXECUTE_WRITECOPY;
}

/* Pages the process is charged for (sections 7, 12.8): committed private
 * pages and every page of a copy-on-write view; an image is no such view
 * (11.2 step 7). */
static uint64_t process_charge_pages(const oracle_t *o)
{
    uint64_t n = o->committed_pages;
    for (const allocation *a = o->first; a; a = a->next)
        if (a->section && !a->section->image && is_writecopy(a->protect))
            n += a->page_count;
    return n;
}

/* 1 when committing new_pages more pages would pass the commit limit,
 * which counts the process's charge and every section's committed pages. */
int over_commit_limit(const oracle_t *o, uint64_t new_pages)
{
    if (o->cfg.commit_limit == 0)
        return 0;
    uint64_t pages = process_charge_pages(o) + new_pages;
    for (const oracle_section *s = o->sections.first; s; s = s->next)
        if (!s->image)   /* 11.2 step 7: images are not charged */
            pages += section_committed_in(s, 0, s->page_count);
    return pages * PAGE > o->cfg.commit_limit;
}

/* ---- Free-space search ---------------------------------------------------
 *
 * The free gaps are the spaces between consecutive allocations of the sorted
 * list, plus the space below the first and above the last. Inside a gap
 * [lo, hi) the lowest usable base is up(max(lo, MIN), granule) and the
 * highest is down(hi - size, granule); a gap fits when that base is inside
 * the gap and at least MIN. Bottom-up takes the first gap that fits,
 * top-down the last. Returns 0 when no gap fits.
 */
/* Within [from, to) (bottom-up bases >= from, top-down bases + size <= to),
 * bases multiples of align. */
static uint64_t find_free_base_within(const oracle_t *o, uint64_t size, int top_down,
                                      uint64_t from, uint64_t to, uint64_t align)
{
    const uint64_t min = o->cfg.min_address > from ? o->cfg.min_address : from;
    const uint64_t limit = o->cfg.max_address + 1 < to ? o->cfg.max_address + 1 : to;
    uint64_t found = 0;
    uint64_t lo = 0;
    const allocation *a = o->first;
    for (;;) {
        uint64_t hi = a ? a->base : limit;
        if (hi > limit)
            hi = limit;
        if (hi > lo && hi - lo >= size) {
            uint64_t low_base = round_up(lo > min ? lo : min, align);
            uint64_t high_base = round_down(hi - size, align);
            if (low_base >= lo && low_base <= high_base && low_base >= min) {
                if (!top_down)
                    return low_base;
                found = high_base;  /* keep looking for a higher gap */
            }
        }
        if (!a)
            break;
        lo = alloc_end(a);
        a = a->next;
    }
    return found;
}

/* Section 2's search; with a seed (section 11.1) first inside the random
 * bounds, then, when nothing fits there, over the whole space. */
static uint64_t find_free_base(const oracle_t *o, uint64_t size, int top_down)
{
    uint64_t base = 0;
    if (o->aslr_end)
        base = top_down ? find_free_base_within(o, size, 1, 0, o->aslr_end, GRANULE)
                        : find_free_base_within(o, size, 0, o->aslr_start, UINT64_MAX, GRANULE);
    return base ? base : find_free_base_within(o, size, top_down, 0, UINT64_MAX, GRANULE);
}

uint64_t find_free_base_in(const oracle_t *o, uint64_t size, int top_down, const oracle_window *w)
{
    return w ? find_free_base_within(o, size, top_down, w->from, w->to, w->align)
             : find_free_base(o, size, top_down);
}

/* ---- Changing pages -------------------------------------------------------
 *
 * pages_change(a, first, end, ...) applies one kind of change to the page
 * indices [first, end) of a: split the runs at first and at end, change
 * every run between, join equal neighbours again.
 */

/* Makes page index i (0 < i < page_count) the first page of a run. */
static void runs_split(allocation *a, uint64_t i)
{
    if (i == 0 || i >= a->page_count)
        return;
    page_run *r = run_of(a, i);
    if (r->first == i)
        return;
    size_t at = (size_t)(r - a->runs);
    page_run *grown = realloc(a->runs, (a->run_count + 1) * sizeof *grown);
    if (!grown)
        abort();  /* the model cannot continue without its memory */
    a->runs = grown;
    memmove(&a->runs[at + 2], &a->runs[at + 1], (a->run_count - at - 1) * sizeof *grown);
    a->run_count++;
    page_run *left = &a->runs[at], *right = &a->runs[at + 1];
    *right = *left;
    right->first = i;
    right->count = left->first + left->count - i;
    left->count = i - left->first;
}

/* Joins neighbouring runs with the same state and protection. */
static void runs_join(allocation *a)
{
    size_t kept = 0;
    for (size_t r = 1; r < a->run_count; r++) {
        page_run *last = &a->runs[kept];
        if (a->runs[r].state == last->state && a->runs[r].protect == last->protect)
            last->count += a->runs[r].count;
        else
            a->runs[++kept] = a->runs[r];
    }
    a->run_count = kept + 1;
}

/* Forgets the bytes of the page indices [first, end): they read as zeros. */
static void bytes_drop(allocation *a, uint64_t first, uint64_t end)
{
    page_bytes **link = &a->written;
    while (*link) {
        page_bytes *b = *link;
        if (b->index >= first && b->index < end) {
            *link = b->next;
            free(b);
        } else {
            link = &b->next;
        }
    }
}

enum page_change {
    CHANGE_COMMIT,      /* committed with the given protection; contents kept if committed */
    CHANGE_DECOMMIT,    /* reserved again, contents gone */
    CHANGE_PROTECT,     /* VirtualProtect's new protection (see protect_merge) */
    CHANGE_CLEAR_GUARD  /* the guard bit fired */
};

static void pages_change(oracle_t *o, allocation *a, uint64_t first, uint64_t end,
                         enum page_change change, uint32_t protect)
{
    runs_split(a, first);
    runs_split(a, end);
    for (size_t i = 0; i < a->run_count; i++) {
        page_run *r = &a->runs[i];
        if (r->first < first || r->first >= end)
            continue;
        switch (change) {
        case CHANGE_COMMIT:
            if (r->state != VAS_MEM_COMMIT) {
                if (a->charged)
                    o->committed_pages += r->count;
                bytes_drop(a, r->first, r->first + r->count);  /* new pages read as zeros */
            }
            r->state = VAS_MEM_COMMIT;
            r->protect = protect;
            break;
        case CHANGE_DECOMMIT:
            if (r->state == VAS_MEM_COMMIT && a->charged)
                o->committed_pages -= r->count;
            bytes_drop(a, r->first, r->first + r->count);
            r->state = VAS_MEM_RESERVE;
            r->protect = 0;
            break;
        case CHANGE_PROTECT:
            r->protect = protect_merge(r->protect, protect);
            break;
        case CHANGE_CLEAR_GUARD:
            r->protect &= ~VAS_PAGE_GUARD;
            break;
        }
    }
    runs_join(a);
}

/* Links a new, wholly reserved allocation into the sorted list. Returns
 * NULL when host memory is short; nothing is changed then. */
allocation *allocation_insert(oracle_t *o, uint64_t base, uint64_t size, uint32_t protect)
{
    allocation *a = calloc(1, sizeof *a);
    page_run *run = malloc(sizeof *run);
    if (!a || !run) {
        free(a);
        free(run);
        return NULL;
    }
    a->base = base;
    a->page_count = size / PAGE;
    a->protect = protect;
    a->type = VAS_MEM_PRIVATE;
    a->charged = 1;
    run->first = 0;
    run->count = a->page_count;
    run->state = VAS_MEM_RESERVE;
    run->protect = 0;
    a->runs = run;
    a->run_count = 1;

    allocation **link = &o->first;
    while (*link && (*link)->base < base)
        link = &(*link)->next;
    a->next = *link;
    *link = a;
    return a;
}

void allocation_remove(oracle_t *o, allocation *a)
{
    allocation **link = &o->first;
    while (*link != a)
        link = &(*link)->next;
    *link = a->next;
    o->hint = NULL;
    pages_change(o, a, 0, a->page_count, CHANGE_DECOMMIT, 0);  /* uncharge, drop bytes */
    watches_released(&o->watches, a->base);
    lockset_unlock(&o->locks, a->base, alloc_end(a));
    if (a->section) {
        a->section->views--;
        sectionlist_forget_unused(&o->sections, a->section);
    }
    free(a->runs);
    free(a);
}

/* ---- Section 12: what views do to their pages ---------------------------- */

/* The bytes page index i of a holds, made (zeros) on first use. */
static page_bytes *own_page_at(allocation *a, uint64_t i)
{
    page_bytes *b = bytes_of(a, i);
    if (!b) {
        ORACLE_PUSH(b, a->written);
        b->index = i;
    }
    return b;
}

static page_bytes *own_page(allocation *a, uint64_t addr)
{
    return own_page_at(a, page_index(a, addr));
}

/* The bytes a write to addr in view a lands in (12.4): a copy-on-write
 * page gets its own copy of the section's page first and turns writable;
 * a page with its own copy keeps using it; any other page is the
 * section's, seen by every view. */
static uint8_t *view_page_for_write(oracle_t *o, allocation *a, uint64_t addr)
{
    uint64_t i = page_index(a, addr);
    const page_run *r = run_of(a, i);
    if (is_writecopy(r->protect)) {
        int had = bytes_of(a, i) != NULL;
        page_bytes *b = own_page_at(a, i);
        const uint8_t *shared = section_page_bytes(a->section, a->section_first + i, 0);
        if (!had && shared)
            memcpy(b->bytes, shared, PAGE);
        uint32_t now = (r->protect & 0xFFu) == VAS_PAGE_WRITECOPY ? VAS_PAGE_READWRITE
                                                                  : VAS_PAGE_EXECUTE_READWRITE;
        pages_change(o, a, i, i + 1, CHANGE_COMMIT, (r->protect & ~0xFFu) | now);
        return b->bytes;
    }
    page_bytes *b = bytes_of(a, i);
    return b ? b->bytes : section_page_bytes(a->section, a->section_first + i, 1);
}

/* What a page with protection p may do, for 12.5's comparison. */
typedef struct page_rights {
    int read, write, copy, execute;
} page_rights;

static page_rights rights(uint32_t p)
{
    page_rights r = {0, 0, 0, 0};
    switch (p & 0xFFu) {
    case VAS_PAGE_READONLY: case VAS_PAGE_WRITECOPY:
        r.read = 1; break;
    case VAS_PAGE_READWRITE:
        r.read = r.write = 1; break;
    case VAS_PAGE_EXECUTE: case VAS_PAGE_EXECUTE_READ:
        r.read = r.execute = 1; break;
    case VAS_PAGE_EXECUTE_READWRITE:
        r.read = r.write = r.copy = r.execute = 1; break;
    case VAS_PAGE_EXECUTE_WRITECOPY:
        r.read = r.copy = r.execute = 1; break;
    default:
        break;
    }
    return r;
}

static int rights_equal(page_rights a, page_rights b)
{
    return a.read == b.read && a.write == b.write && a.copy == b.copy && a.execute == b.execute;
}

/* Every right of a is one of b's too. */
static int rights_within(page_rights a, page_rights b)
{
    return (!a.read || b.read) && (!a.write || b.write) && (!a.copy || b.copy)
        && (!a.execute || b.execute);
}

/* 12.5: may a page of view a take protection p? */
static int view_may_take(const allocation *a, uint32_t p)
{
    page_rights want = rights(p), view = rights(a->protect), sec = rights(a->section->protect);
    page_rights none = {0, 0, 0, 0};
    if (rights_equal(want, view))
        return 1;
    if (rights_equal(view, none))
        return 0;
    return rights_within(want, view) && rights_within(want, sec);
}

/* 12.6: MEM_COMMIT of [start, end) inside view a. */
static uint64_t view_commit(oracle_t *o, allocation *a, uint64_t start, uint64_t end, uint32_t protect)
{
    oracle_section *s = a->section;
    uint64_t first = page_index(a, start), last = page_index(a, end - 1) + 1;
    uint64_t s_first = a->section_first + first, s_end = a->section_first + last;
    if (over_commit_limit(o, (s_end - s_first) - section_committed_in(s, s_first, s_end)))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    section_commit(s, s_first, s_end);
    pages_change(o, a, first, last, CHANGE_COMMIT, protect);
    /* Every other view of the section shows those pages committed, with
     * its own protection where they were reserved. */
    for (allocation *b = o->first; b; b = b->next) {
        if (b == a || b->section != s)
            continue;
        uint64_t lo = s_first > b->section_first ? s_first : b->section_first;
        uint64_t hi = s_end < b->section_first + b->page_count ? s_end : b->section_first + b->page_count;
        for (uint64_t i = lo; i < hi;) {
            const page_run *r = run_of(b, i - b->section_first);
            uint64_t run_end = b->section_first + r->first + r->count;
            if (run_end > hi)
                run_end = hi;
            if (r->state != VAS_MEM_COMMIT)
                pages_change(o, b, i - b->section_first, run_end - b->section_first, CHANGE_COMMIT,
                             b->protect);
            i = run_end;
        }
    }
    return start;
}

/* ---- Creation ----------------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014), the generator section 11.1 names. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Each profile's MIN and MAX as docs/semantics.md states them (its Terms),
 * written here and not taken from impl's vas_config_default: a wrong limit
 * there must show as a difference, not change both models alike. */
static const struct { vas_profile profile; uint64_t min, max; } profile_limits[] = {
    {VAS_PROFILE_X64, 0x10000, 0x7FFFFFFEFFFFull},
    {VAS_PROFILE_X86, 0x10000, 0x7FFEFFFFull},
    {VAS_PROFILE_X86_LAA, 0x10000, 0xFFFEFFFFull},
};

/* ---- Section 11.2: the layout of a fresh process ----------------------------- */

/* One row of section 11.2's table: an allocation and its pages from the base
 * up, as (bytes, state, protection) stretches; a zero size ends the list. */
typedef struct layout_stretch {
    uint64_t bytes;
    uint32_t state, protect;
} layout_stretch;

typedef struct layout_row {
    uint64_t base;
    uint32_t type, alloc_protect;
    int system, charged, is_stack;
    layout_stretch pages[6];
} layout_row;

#define C VAS_MEM_COMMIT
#define RES VAS_MEM_RESERVE
#define IMG VAS_MEM_IMAGE
#define PRV VAS_MEM_PRIVATE
static const layout_row layout_rows[] = {
    /* process parameters and environment */
    {0x10000, PRV, VAS_PAGE_READWRITE, 0, 1, 0, {{0x2000, C, VAS_PAGE_READWRITE}}},
    /* PEB */
    {0x20000, PRV, VAS_PAGE_READWRITE, 1, 1, 0, {{0x1000, C, VAS_PAGE_READWRITE}}},
    /* TEB of the main thread */
    {0x30000, PRV, VAS_PAGE_READWRITE, 1, 1, 0, {{0x2000, C, VAS_PAGE_READWRITE}}},
    /* the main thread's stack: a thread's stack (section 11) */
    {0x40000, PRV, VAS_PAGE_READWRITE, 0, 1, 1,
     {{0xFB000, RES, 0}, {0x3000, C, VAS_PAGE_READWRITE | VAS_PAGE_GUARD}, {0x2000, C, VAS_PAGE_READWRITE}}},
    /* the default process heap */
    {0x140000, PRV, VAS_PAGE_READWRITE, 0, 1, 0, {{0x1000, C, VAS_PAGE_READWRITE}, {0xFF000, RES, 0}}},
    /* KUSER_SHARED_DATA */
    {0x7FFE0000, PRV, VAS_PAGE_READONLY, 1, 0, 0, {{0x1000, C, VAS_PAGE_READONLY}}},
    /* app.exe: headers, .text, .rdata, .data, the rest */
    {0x140000000ull, IMG, VAS_PAGE_EXECUTE_WRITECOPY, 0, 0, 0,
     {{0x1000, C, VAS_PAGE_READONLY}, {0x3000, C, VAS_PAGE_EXECUTE_READ}, {0x2000, C, VAS_PAGE_READONLY},
      {0x1000, C, VAS_PAGE_WRITECOPY}, {0x1000, C, VAS_PAGE_READONLY}}},
    /* KernelBase.dll */
    {0x7FFB9D0A0000ull, IMG, VAS_PAGE_EXECUTE_WRITECOPY, 0, 0, 0,
     {{0x1000, C, VAS_PAGE_READONLY}, {0x1A5000, C, VAS_PAGE_EXECUTE_READ}, {0xF2000, C, VAS_PAGE_READONLY},
      {0x6000, C, VAS_PAGE_WRITECOPY}, {0x2A000, C, VAS_PAGE_READONLY}}},
    /* kernel32.dll */
    {0x7FFB9E5B0000ull, IMG, VAS_PAGE_EXECUTE_WRITECOPY, 0, 0, 0,
     {{0x1000, C, VAS_PAGE_READONLY}, {0x7F000, C, VAS_PAGE_EXECUTE_READ}, {0x33000, C, VAS_PAGE_READONLY},
      {0x2000, C, VAS_PAGE_WRITECOPY}, {0x8000, C, VAS_PAGE_READONLY}}},
    /* ntdll.dll */
    {0x7FFB9F6F0000ull, IMG, VAS_PAGE_EXECUTE_WRITECOPY, 0, 0, 0,
     {{0x1000, C, VAS_PAGE_READONLY}, {0x12E000, C, VAS_PAGE_EXECUTE_READ}, {0x4F000, C, VAS_PAGE_READONLY},
      {0xC000, C, VAS_PAGE_WRITECOPY}, {0x6E000, C, VAS_PAGE_READONLY}}},
};
#undef C
#undef RES
#undef IMG
#undef PRV

/* Places every row (x64 only, 11.2). 0 when the profile has no layout or
 * host memory is short. */
static int layout_build(oracle_t *o)
{
    if (o->cfg.layout != VAS_LAYOUT_PROCESS || o->cfg.profile != VAS_PROFILE_X64)
        return 0;
    for (size_t i = 0; i < sizeof layout_rows / sizeof layout_rows[0]; i++) {
        const layout_row *row = &layout_rows[i];
        uint64_t size = 0, page = 0;
        for (size_t k = 0; k < 6 && row->pages[k].bytes; k++)
            size += row->pages[k].bytes;
        allocation *a = allocation_insert(o, row->base, size, row->alloc_protect);
        if (!a)
            return 0;
        a->type = row->type;
        a->system = row->system;
        a->charged = row->charged;
        a->is_stack = row->is_stack;
        for (size_t k = 0; k < 6 && row->pages[k].bytes; k++) {
            uint64_t n = row->pages[k].bytes / PAGE;
            if (row->pages[k].state == VAS_MEM_COMMIT)
                pages_change(o, a, page, page + n, CHANGE_COMMIT, row->pages[k].protect);
            page += n;
        }
        if (row->type == VAS_MEM_IMAGE) {   /* 11.2 step 1: the one view of its image section */
            if (!(a->section = sectionlist_add_image(&o->sections, a->page_count)))
                return 0;
            a->section->views = 1;
        }
    }
    /* 11.2.7: a commit limit below the layout's charge leaves no such process. */
    return o->cfg.commit_limit == 0 || o->committed_pages * PAGE <= o->cfg.commit_limit;
}

oracle_t *oracle_create(const vas_config *cfg)
{
    vas_config c;
    size_t i;
    if (cfg) {
        c = *cfg;
    } else {
        memset(&c, 0, sizeof c);
        c.profile = VAS_PROFILE_X64;
    }
    for (i = 0; i < sizeof profile_limits / sizeof profile_limits[0]; i++)
        if (profile_limits[i].profile == c.profile)
            break;
    if (i == sizeof profile_limits / sizeof profile_limits[0])
        return NULL;
    if (c.min_address == 0 && c.max_address == 0) {  /* no limits given: the profile's own */
        c.min_address = profile_limits[i].min;
        c.max_address = profile_limits[i].max;
    }
    /* min 0 would make base 0, the failure value, a valid placement. */
    if (c.min_address == 0 || c.min_address > c.max_address || c.max_address == UINT64_MAX
        || c.min_address % PAGE != 0 || (c.max_address + 1) % PAGE != 0)
        return NULL;

    oracle_t *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = c;
    o->cfg.host_backed = 0;
    o->ws_min_pages = 50;   /* section 9: the default working set */
    o->ws_max_pages = 345;
    if (c.aslr_seed != 0) {   /* section 11.1: two draws of splitmix64, in granules */
        uint64_t state = c.aslr_seed;
        o->aslr_start = c.min_address + splitmix64(&state) % 256 * GRANULE;
        o->aslr_end = c.max_address + 1 - splitmix64(&state) % 256 * GRANULE;
    }
    o->mbi_size = c.profile == VAS_PROFILE_X64 ? VAS_MBI_SIZE_X64 : VAS_MBI_SIZE_X86;
    if (c.layout != VAS_LAYOUT_EMPTY && !layout_build(o)) {
        oracle_destroy(o);
        return NULL;
    }
    return o;
}

void oracle_destroy(oracle_t *o)
{
    if (!o)
        return;
    processes_free_all(&o->processes);
    while (o->first)
        allocation_remove(o, o->first);
    sectionlist_free_all(&o->sections);
    free(o);
}

oracle_processes *oracle_processes_of(oracle_t *o)
{
    return &o->processes;
}

const vas_config *oracle_config(const oracle_t *o)
{
    return &o->cfg;
}

/* ---- Section 2: VirtualAlloc ---------------------------------------------- */

static uint64_t alloc_reserve(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type,
                              uint32_t protect, const oracle_window *w)
{
    uint64_t base, end;
    if (addr != 0) {
        base = round_down(addr, GRANULE);
        end = round_up(addr + size, PAGE);
        if (range_touches_allocation(o, base, end))
            return fail(o, VAS_ERROR_INVALID_ADDRESS);
    } else {
        uint64_t rounded = round_up(size, PAGE);
        base = find_free_base_in(o, rounded, (type & VAS_MEM_TOP_DOWN) != 0, w);
        if (base == 0)
            return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
        end = base + rounded;
    }
    return reserve_range(o, base, end, type, protect);
}

uint64_t reserve_range(oracle_t *o, uint64_t base, uint64_t end, uint32_t type, uint32_t protect)
{
    int commit = (type & VAS_MEM_COMMIT) != 0;
    if (commit && over_commit_limit(o, (end - base) / PAGE))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);

    allocation *a = allocation_insert(o, base, end - base, protect);
    if (!a)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    watches_reserved(&o->watches, base, end, (type & VAS_MEM_WRITE_WATCH) != 0);
    if (commit)
        pages_change(o, a, 0, a->page_count, CHANGE_COMMIT, protect);
    return base;
}

static uint64_t alloc_commit(oracle_t *o, uint64_t addr, uint64_t size, uint32_t protect)
{
    uint64_t start = round_down(addr, PAGE);
    uint64_t end = round_up(addr + size, PAGE);
    allocation *a = allocation_holding(o, start, end);
    if (!a || a->system                           /* 11.2 step 6: nothing commits into the system's */
        || a->placeholder)                        /* 12.10: nor into a placeholder */
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    if (a->type == VAS_MEM_IMAGE)                 /* 11.2 step 6: its pages are all committed */
        return fail(o, VAS_ERROR_ACCESS_DENIED);
    if (a->section)
        return view_commit(o, a, start, end, protect);
    uint64_t first = page_index(a, start), last = page_index(a, end - 1) + 1;
    if (over_commit_limit(o, count_uncommitted(a, first, last)))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    pages_change(o, a, first, last, CHANGE_COMMIT, protect);
    return start;
}

/* RESET and RESET_UNDO change nothing the model can observe. */
static uint64_t alloc_reset(oracle_t *o, uint64_t addr, uint64_t size)
{
    uint64_t start = round_down(addr, PAGE);
    uint64_t end = round_up(addr + size, PAGE);
    const allocation *a = allocation_holding(o, start, end);
    if (!a || a->system || a->placeholder)        /* 12.10: a placeholder has no pages to reset */
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    return start;
}

int alloc_check_args(oracle_t *o, uint64_t size, uint32_t type, uint32_t protect, int version2)
{
    const uint32_t placeholder_bits = VAS_MEM_RESERVE_PLACEHOLDER | VAS_MEM_REPLACE_PLACEHOLDER;
    const uint32_t known = VAS_MEM_COMMIT | VAS_MEM_RESERVE | VAS_MEM_RESET | VAS_MEM_RESET_UNDO
                           | VAS_MEM_TOP_DOWN | VAS_MEM_WRITE_WATCH | (version2 ? placeholder_bits : 0);
    int reset = (type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO)) != 0;

    if (size == 0)                                                  /* 1 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (type & ~known)                                              /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (reset) {                                                    /* 3 */
        if (type != VAS_MEM_RESET && type != VAS_MEM_RESET_UNDO)
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
    } else {                                                        /* 4 */
        if (!(type & (VAS_MEM_COMMIT | VAS_MEM_RESERVE)))
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
        if ((type & VAS_MEM_WRITE_WATCH) && !(type & VAS_MEM_RESERVE))
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
    }
    if ((type & VAS_MEM_RESERVE_PLACEHOLDER)                        /* 12.10 step 3 */
        && (type & ~(VAS_MEM_RESERVE_PLACEHOLDER | VAS_MEM_TOP_DOWN)) != VAS_MEM_RESERVE)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if ((type & VAS_MEM_REPLACE_PLACEHOLDER) && !(type & VAS_MEM_RESERVE))
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (!protect_is_valid(protect, 0))                              /* 5 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if ((type & VAS_MEM_RESERVE_PLACEHOLDER) && protect != VAS_PAGE_NOACCESS)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    return 1;
}

int alloc_check_range(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type)
{
    const uint64_t min = o->cfg.min_address, max = o->cfg.max_address;
    if ((addr != 0 && addr < min) || addr > max || size > max + 1 - min
        || (addr != 0 && range_exceeds_max(o, addr, size)))         /* 6 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if ((type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO)) && addr == 0) /* 7 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    return 1;
}

uint64_t alloc_by_kind(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect,
                       const oracle_window *w)
{
    if (type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO))
        return alloc_reset(o, addr, size);
    if ((type & VAS_MEM_RESERVE) || addr == 0)  /* COMMIT at 0 is RESERVE|COMMIT */
        return alloc_reserve(o, addr, size, type, protect, w);
    return alloc_commit(o, addr, size, protect);
}

uint64_t oracle_alloc(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    if (!alloc_check_args(o, size, type, protect, 0) || !alloc_check_range(o, addr, size, type))
        return 0;
    return alloc_by_kind(o, addr, size, type, protect, NULL);
}

/* ---- Section 3: VirtualFree ------------------------------------------------- */

int oracle_free(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type)
{
    int placeholder_flag = type == (VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER)
                           || type == (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS);
    if (type != VAS_MEM_DECOMMIT && type != VAS_MEM_RELEASE
        && !placeholder_flag)                                       /* 1, 12.12 step 1 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (addr > o->cfg.max_address || addr < o->cfg.min_address
        || (size != 0 && range_exceeds_max(o, addr, size)))         /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (type == VAS_MEM_RELEASE && size != 0)                       /* 3 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (placeholder_flag && size == 0)                              /* 12.12 step 4 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    uint64_t start = round_down(addr, PAGE);                        /* 4 */
    allocation *a = allocation_at(o, start);
    if (!a)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    if (a->system)                                                  /* 11.2 step 6 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (a->section)                                                 /* 12.5 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (placeholder_flag)
        return placeholder_free(o, a, start, round_up(addr + size, PAGE), type);
    if (type == VAS_MEM_DECOMMIT && a->placeholder)                 /* 12.12 */
        return fail(o, VAS_ERROR_INVALID_ADDRESS);

    if (type == VAS_MEM_RELEASE) {
        if (start != a->base)
            return fail(o, VAS_ERROR_INVALID_ADDRESS);
        allocation_remove(o, a);
        return 1;
    }
    uint64_t end;
    if (size == 0) {
        if (start != a->base)
            return fail(o, VAS_ERROR_INVALID_ADDRESS);
        end = alloc_end(a);
    } else {
        end = round_up(addr + size, PAGE);
        if (end > alloc_end(a))
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
    }
    pages_change(o, a, page_index(a, start), page_index(a, end - 1) + 1, CHANGE_DECOMMIT, 0);
    watches_decommitted(&o->watches, start, end);
    lockset_unlock(&o->locks, start, end);
    return 1;
}

/* ---- Section 4: VirtualProtect ---------------------------------------------- */

int oracle_protect(oracle_t *o, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    if (!old)                                                       /* 1 */
        return fail(o, VAS_ERROR_NOACCESS);
    if (!protect_is_valid(protect, 1))                              /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (size == 0 || addr > o->cfg.max_address
        || range_exceeds_max(o, addr, size))                        /* 3 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);

    uint64_t start = round_down(addr, PAGE);                        /* 4 */
    uint64_t end = round_up(addr + size, PAGE);
    const allocation *at_start = allocation_at(o, start);
    if (at_start && at_start->system)                               /* 11.2 step 6: *old untouched */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    allocation *at = allocation_at(o, start);
    if (at && at->type == VAS_MEM_IMAGE) {                          /* 11.2 step 6 */
        if ((protect & 0xFFu) == VAS_PAGE_READWRITE)
            protect = (protect & ~0xFFu) | VAS_PAGE_WRITECOPY;
        else if ((protect & 0xFFu) == VAS_PAGE_EXECUTE_READWRITE)
            protect = (protect & ~0xFFu) | VAS_PAGE_EXECUTE_WRITECOPY;
    }
    if (!at || !at->section) {
        if (is_writecopy(protect))                                  /* private: section 1 */
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
    } else {
        if (!view_may_take(at, protect))                            /* 12.5 */
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
        if ((protect & 0xFFu) == VAS_PAGE_EXECUTE_WRITECOPY && !is_writecopy(at->protect))
            protect = (protect & ~0xFFu) | VAS_PAGE_EXECUTE_READWRITE;
    }
    allocation *a = allocation_holding(o, start, end);
    uint64_t first = a ? page_index(a, start) : 0, last = a ? page_index(a, end - 1) + 1 : 0;
    if (!a || count_uncommitted(a, first, last) != 0) {
        *old = VAS_PAGE_NOACCESS;
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    }

    *old = run_of(a, first)->protect;                               /* 5 */
    pages_change(o, a, first, last, CHANGE_PROTECT, protect);
    watches_protected(&o->watches, start, end);
    return 1;
}

/* ---- Section 5: VirtualQuery ------------------------------------------------ */

size_t oracle_query(oracle_t *o, uint64_t addr, vas_mbi *out, size_t len)
{
    if (len < o->mbi_size)                                          /* 1 */
        return fail(o, VAS_ERROR_BAD_LENGTH);
    if (addr > o->cfg.max_address)                                  /* 2 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);

    uint64_t page = round_down(addr, PAGE);                         /* 3 */
    vas_mbi m;
    memset(&m, 0, sizeof m);
    m.base_address = page;
    allocation *a = allocation_at(o, page);
    if (!a) {
        allocation *b = search_start(o, page);
        while (b && b->base <= page) {
            o->hint = b;
            b = b->next;
        }
        m.region_size = (b ? b->base : o->cfg.max_address + 1) - page;
        m.state = VAS_MEM_FREE;
        m.protect = VAS_PAGE_NOACCESS;
    } else {
        /* Runs are joined after every change, so the run holding the page
         * ends where the pages stop being alike. */
        const page_run *first = run_of(a, page_index(a, page));
        o->hint = a;
        m.allocation_base = a->base;
        m.allocation_protect = a->protect;
        m.region_size = a->base + (first->first + first->count) * PAGE - page;
        m.state = first->state;
        m.protect = first->protect;  /* 0 for reserved pages */
        m.type = a->type;
    }
    *out = m;
    return o->mbi_size;                                             /* 4 */
}

/* ---- Section 6: simulated accesses ------------------------------------------ */

/* Checks the pages under [addr, addr + len) in ascending order. Returns
 * STATUS_SUCCESS, or the fault status with *fault_at set (and the guard bit
 * of the faulting page cleared when it was a guard page). */
static uint32_t stack_guard_page_touched(oracle_t *o, allocation *a, uint64_t page);

/* stack: the stack of the thread making the access, or NULL for another
 * thread (section 11: only its own guard pages grow a stack). */
static uint32_t access_check(oracle_t *o, allocation *stack, uint64_t addr, size_t len,
                             enum access_kind kind, uint64_t *fault_at)
{
    uint64_t last_byte = addr + (len - 1);
    if (last_byte < addr)
        last_byte = UINT64_MAX;  /* wraps: a page beyond MAX faults first */
    uint64_t last_page = round_down(last_byte, PAGE);
    for (uint64_t page = round_down(addr, PAGE);; page += PAGE) {
        allocation *a = page > o->cfg.max_address ? NULL : allocation_at(o, page);
        const page_run *r = a ? run_of(a, page_index(a, page)) : NULL;
        uint32_t status = VAS_STATUS_SUCCESS;
        if (r && r->state == VAS_MEM_COMMIT && (r->protect & VAS_PAGE_GUARD) && a == stack) {
            status = stack_guard_page_touched(o, a, page);
            if (status == VAS_STATUS_SUCCESS) {
                page = round_down(addr, PAGE) - PAGE;   /* section 11: the access starts over */
                continue;
            }
        } else if (r && r->state == VAS_MEM_COMMIT && (r->protect & VAS_PAGE_GUARD)) {
            uint64_t i = page_index(a, page);
            pages_change(o, a, i, i + 1, CHANGE_CLEAR_GUARD, 0);  /* one shot */
            status = VAS_STATUS_GUARD_PAGE_VIOLATION;
        } else if (!r || r->state != VAS_MEM_COMMIT || !protect_allows(r->protect, kind)) {
            status = VAS_STATUS_ACCESS_VIOLATION;
        }
        if (status != VAS_STATUS_SUCCESS) {
            *fault_at = page > addr ? page : addr;
            return status;
        }
        if (page == last_page)
            return VAS_STATUS_SUCCESS;
    }
}

/* The fault address an access reports (section 6): on x64 an address whose
 * bits 63..47 are not all equal is a #GP, whose record says all ones. */
static uint64_t reported_fault(const oracle_t *o, uint64_t at)
{
    uint64_t top = at >> 47;
    return o->cfg.profile == VAS_PROFILE_X64 && top != 0 && top != 0x1FFFF ? UINT64_MAX : at;
}

/* A read made by the thread whose stack is `stack` (NULL: any other). */
static uint32_t read_by(oracle_t *o, allocation *stack, uint64_t addr, void *buf, size_t len,
                        uint64_t *fault)
{
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint64_t at;
    uint32_t status = access_check(o, stack, addr, len, ACCESS_READ, &at);
    if (status != VAS_STATUS_SUCCESS) {
        if (fault)
            *fault = reported_fault(o, at);
        return status;
    }
    uint8_t *dst = buf;
    for (size_t done = 0; done < len;) {
        uint64_t here = addr + done;
        const allocation *a = allocation_at(o, here);
        const page_bytes *b = bytes_of(a, page_index(a, here));
        const uint8_t *shown = b ? b->bytes : NULL;
        if (!b && a->section)   /* a view's page it has not copied: the section's */
            shown = section_page_bytes(a->section, a->section_first + page_index(a, here), 0);
        size_t offset = (size_t)(here % PAGE);
        size_t chunk = PAGE - offset < len - done ? PAGE - offset : len - done;
        if (shown)
            memcpy(dst + done, shown + offset, chunk);
        else
            memset(dst + done, 0, chunk);
        done += chunk;
    }
    return VAS_STATUS_SUCCESS;
}

static uint32_t write_by(oracle_t *o, allocation *stack, uint64_t addr, const void *buf,
                         size_t len, uint64_t *fault)
{
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint64_t at;
    uint32_t status = access_check(o, stack, addr, len, ACCESS_WRITE, &at);
    if (status != VAS_STATUS_SUCCESS) {
        if (fault)
            *fault = reported_fault(o, at);
        return status;
    }
    const uint8_t *src = buf;
    for (size_t done = 0; done < len;) {
        uint64_t here = addr + done;
        allocation *a = allocation_at(o, here);
        /* a view or an image (11.2 step 6): a WRITECOPY page is copied first */
        uint8_t *target = a->section ? view_page_for_write(o, a, here) : own_page(a, here)->bytes;
        size_t offset = (size_t)(here % PAGE);
        size_t chunk = PAGE - offset < len - done ? PAGE - offset : len - done;
        memcpy(target + offset, src + done, chunk);
        done += chunk;
    }
    watches_written(&o->watches, addr, addr + len);   /* section 8 */
    return VAS_STATUS_SUCCESS;
}

uint32_t oracle_read(oracle_t *o, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return read_by(o, NULL, addr, buf, len, fault);
}

uint32_t oracle_write(oracle_t *o, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    return write_by(o, NULL, addr, buf, len, fault);
}

uint32_t oracle_exec(oracle_t *o, uint64_t addr, uint64_t *fault)
{
    uint64_t at;
    uint32_t status = access_check(o, NULL, addr, 1, ACCESS_EXECUTE, &at);
    if (status != VAS_STATUS_SUCCESS && fault)
        *fault = reported_fault(o, at);
    return status;
}

/* ---- Last error and commit charge (section 7) ----------------------------- */

uint32_t oracle_last_error(const oracle_t *o) { return o->last_error; }

void oracle_set_last_error(oracle_t *o, uint32_t error) { o->last_error = error; }

uint64_t oracle_commit_charge(const oracle_t *o) { return process_charge_pages(o) * PAGE; }

/* ---- Section 8: write watch ------------------------------------------------- */

/* Records a failed call's error; returns the failure value of the two calls. */
static uint32_t watch_fail(oracle_t *o, uint32_t error)
{
    o->last_error = error;
    return VAS_WATCH_FAILED;
}

/* Step 5: [addr, addr + size) as pages inside one watched allocation. */
static int watch_range(oracle_t *o, uint64_t addr, uint64_t size, uint64_t *start, uint64_t *end)
{
    if (addr > o->cfg.max_address || range_exceeds_max(o, addr, size))
        return 0;
    *start = round_down(addr, PAGE);
    *end = round_up(addr + size, PAGE);
    return watches_cover(&o->watches, *start, *end);
}

uint32_t oracle_get_write_watch(oracle_t *o, uint32_t flags, uint64_t addr, uint64_t size,
                                uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    uint64_t start, end;
    if (flags & ~VAS_WRITE_WATCH_FLAG_RESET)                        /* 1 */
        return watch_fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (size == 0)                                                  /* 2 */
        return watch_fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (!count || !granularity || (!addresses && *count > 0))       /* 3 */
        return watch_fail(o, VAS_ERROR_NOACCESS);
    if (*count == 0)                                                /* 4 */
        return watch_fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (!watch_range(o, addr, size, &start, &end))                  /* 5 */
        return watch_fail(o, VAS_ERROR_INVALID_PARAMETER);
    *count = watches_report(&o->watches, start, end, addresses, *count,   /* 6 */
                            (flags & VAS_WRITE_WATCH_FLAG_RESET) != 0);
    *granularity = PAGE;
    return 0;
}

uint32_t oracle_reset_write_watch(oracle_t *o, uint64_t addr, uint64_t size)
{
    uint64_t start, end;
    if (size == 0 || !watch_range(o, addr, size, &start, &end))
        return watch_fail(o, VAS_ERROR_INVALID_PARAMETER);
    watches_reset(&o->watches, start, end);
    return 0;
}

/* ---- Section 9: locking -------------------------------------------------------- */

/* Step 1 of VirtualLock and VirtualUnlock. */
static int lock_range_valid(const oracle_t *o, uint64_t addr, uint64_t size)
{
    return size != 0 && addr <= o->cfg.max_address && !range_exceeds_max(o, addr, size);
}

int oracle_lock(oracle_t *o, uint64_t addr, uint64_t size)
{
    if (!lock_range_valid(o, addr, size))                           /* 1 */
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    uint64_t start = round_down(addr, PAGE);                        /* 2 */
    uint64_t end = round_up(addr + size, PAGE);
    for (uint64_t page = start; page < end; page += PAGE) {         /* 3 */
        allocation *a = allocation_at(o, page);
        page_run *r = a ? run_of(a, page_index(a, page)) : NULL;
        if (!r || r->state != VAS_MEM_COMMIT)
            return fail(o, VAS_ERROR_INVALID_ADDRESS);
        if (r->protect & VAS_PAGE_GUARD) {
            uint64_t i = page_index(a, page);
            pages_change(o, a, i, i + 1, CHANGE_CLEAR_GUARD, 0);
            return fail(o, VAS_STATUS_GUARD_PAGE_VIOLATION);
        }
        if ((r->protect & 0xFFu) == VAS_PAGE_NOACCESS)
            return fail(o, VAS_ERROR_NOACCESS);
        /* Skip to the end of this run: its pages are alike. */
        page = a->base + (r->first + r->count) * PAGE - PAGE;
        if (page + PAGE > end)
            break;
    }
    uint64_t quota = o->ws_min_pages > 8 ? o->ws_min_pages - 8 : 0; /* 4 */
    uint64_t locked = lockset_pages_in(&o->locks, 0, UINT64_MAX);
    uint64_t fresh = (end - start) / PAGE - lockset_pages_in(&o->locks, start, end);
    if (locked + fresh > quota)
        return fail(o, VAS_ERROR_WORKING_SET_QUOTA);
    lockset_lock(&o->locks, start, end);                            /* 5 */
    for (uint64_t page = start; page < end;) {  /* run by run: writable ones are written */
        allocation *a = allocation_at(o, page);
        const page_run *r = run_of(a, page_index(a, page));
        uint64_t run_end = a->base + (r->first + r->count) * PAGE;
        if (run_end > end)
            run_end = end;
        uint32_t base = r->protect & 0xFFu;
        if (base == VAS_PAGE_READWRITE || base == VAS_PAGE_EXECUTE_READWRITE)
            watches_written(&o->watches, page, run_end);
        page = run_end;
    }
    return 1;
}

int oracle_unlock(oracle_t *o, uint64_t addr, uint64_t size)
{
    if (!lock_range_valid(o, addr, size))
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    uint64_t start = round_down(addr, PAGE);
    uint64_t end = round_up(addr + size, PAGE);
    if (lockset_pages_in(&o->locks, start, end) != (end - start) / PAGE)
        return fail(o, VAS_ERROR_NOT_LOCKED);
    lockset_unlock(&o->locks, start, end);
    return 1;
}

uint64_t oracle_locked_bytes(const oracle_t *o)
{
    return lockset_pages_in(&o->locks, 0, UINT64_MAX) * PAGE;
}

int oracle_get_working_set(oracle_t *o, uint64_t *min_bytes, uint64_t *max_bytes)
{
    if (!min_bytes || !max_bytes)
        return fail(o, VAS_ERROR_NOACCESS);
    *min_bytes = o->ws_min_pages * PAGE;
    *max_bytes = o->ws_max_pages * PAGE;
    return 1;
}

int oracle_set_working_set(oracle_t *o, uint64_t min_bytes, uint64_t max_bytes)
{
    if (min_bytes == UINT64_MAX && max_bytes == UINT64_MAX)
        return 1;
    uint64_t min_pages = min_bytes / PAGE, max_pages = max_bytes / PAGE;
    if (min_bytes != 0 && min_pages < 20)
        min_pages = 20;
    if (min_bytes == 0 || min_pages > max_pages || max_pages < 13)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    o->ws_min_pages = min_pages;
    o->ws_max_pages = max_pages;
    return 1;
}

/* ---- Section 10: pointer probes ------------------------------------------------ */

int oracle_is_bad_read_ptr(oracle_t *o, uint64_t addr, uint64_t size)
{
    uint64_t at;
    if (size == 0)
        return 0;
    return access_check(o, NULL, addr, size, ACCESS_READ, &at) != VAS_STATUS_SUCCESS;
}

int oracle_is_bad_code_ptr(oracle_t *o, uint64_t addr)
{
    return oracle_is_bad_read_ptr(o, addr, 1);
}

int oracle_is_bad_write_ptr(oracle_t *o, uint64_t addr, uint64_t size)
{
    uint64_t at = 0;
    if (size == 0)
        return 0;
    int bad = access_check(o, NULL, addr, size, ACCESS_WRITE, &at) != VAS_STATUS_SUCCESS;
    /* The probe wrote back a byte of every page up to the refusing one. */
    uint64_t last = addr + (size - 1) < addr ? UINT64_MAX : addr + (size - 1);
    uint64_t end = bad ? round_down(at, PAGE) : round_down(last, PAGE) + PAGE;
    uint64_t start = round_down(addr, PAGE);
    if (end > start)
        watches_written(&o->watches, start, end);
    return bad;
}

int oracle_is_bad_string_ptr(oracle_t *o, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    for (uint64_t i = 0; i < max_chars; i++) {
        uint64_t at = addr + i * char_size;
        uint8_t c[2] = {0, 0};
        if (at < addr || oracle_read(o, at, c, char_size, NULL) != VAS_STATUS_SUCCESS)
            return 1;
        if (c[0] == 0 && (char_size == 1 || c[1] == 0))
            return 0;
    }
    return 0;
}

/* ---- Section 11: thread stacks -------------------------------------------- */

#define ONE_MIB 0x100000u

/* The stack whose base is `stack`, or NULL when no thread has it. */
static allocation *thread_stack(const oracle_t *o, uint64_t stack)
{
    allocation *a = stack >= o->cfg.min_address && stack <= o->cfg.max_address
                    ? allocation_at(o, stack) : NULL;
    return a && a->is_stack && a->base == stack ? a : NULL;
}

/* Guard bytes: the guarantee (at least two pages on x64) plus one page. */
static uint64_t guard_bytes(const oracle_t *o, uint64_t guarantee)
{
    if (o->cfg.profile == VAS_PROFILE_X64 && guarantee < 2 * PAGE)
        guarantee = 2 * PAGE;
    return guarantee + PAGE;
}

uint64_t oracle_create_thread(oracle_t *o, uint64_t stack_size, int size_is_reservation)
{
    uint64_t reserve = VAS_STACK_DEFAULT_RESERVE, commit = VAS_STACK_DEFAULT_COMMIT;
    if (stack_size != 0 && size_is_reservation)                      /* 1 */
        reserve = stack_size;
    else if (stack_size != 0)
        commit = stack_size;
    if (reserve > UINT64_MAX - ONE_MIB || commit > UINT64_MAX - ONE_MIB)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    commit = round_up(commit, PAGE);                                 /* 2 */
    if (commit >= reserve)
        reserve = round_up(commit, ONE_MIB);
    reserve = round_up(reserve, GRANULE);
    if (commit < 2 * PAGE)                                           /* 3 */
        commit = 2 * PAGE;
    if (commit > reserve)
        commit = reserve;
    uint64_t guard = guard_bytes(o, 0);                              /* 4 */
    if (commit + guard + PAGE > reserve)
        guard = 0;
    if (reserve > o->cfg.max_address + 1 - o->cfg.min_address)       /* 5 */
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    uint64_t base = find_free_base(o, reserve, 0);
    if (base == 0)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    if (over_commit_limit(o, (commit + guard) / PAGE))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    allocation *a = allocation_insert(o, base, reserve, VAS_PAGE_READWRITE);  /* 6 */
    if (!a)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    watches_reserved(&o->watches, base, base + reserve, 0);
    a->is_stack = 1;
    uint64_t top = a->page_count;
    pages_change(o, a, top - commit / PAGE, top, CHANGE_COMMIT, VAS_PAGE_READWRITE);
    if (guard)
        pages_change(o, a, top - (commit + guard) / PAGE, top - commit / PAGE, CHANGE_COMMIT,
                     VAS_PAGE_READWRITE | VAS_PAGE_GUARD);
    return base;
}

int oracle_exit_thread(oracle_t *o, uint64_t stack)
{
    allocation *a = thread_stack(o, stack);
    if (!a)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    allocation_remove(o, a);
    return 1;
}

int oracle_set_thread_stack_guarantee(oracle_t *o, uint64_t stack, uint32_t *size)
{
    allocation *a = thread_stack(o, stack);
    if (!a)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    if (!size)
        return fail(o, VAS_ERROR_NOACCESS);
    uint64_t wanted = round_up((uint64_t)*size, PAGE);
    if (o->cfg.profile == VAS_PROFILE_X64 && wanted != 0 && wanted < 2 * PAGE)
        wanted = 2 * PAGE;
    *size = (uint32_t)a->guarantee;
    if (wanted >= a->page_count * PAGE)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (wanted > a->guarantee)
        a->guarantee = wanted;
    return 1;
}

int oracle_thread_stack_limits(oracle_t *o, uint64_t stack, uint64_t *low, uint64_t *high)
{
    allocation *a = thread_stack(o, stack);
    if (!a)
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    if (low)
        *low = a->base;
    if (high)
        *high = alloc_end(a);
    return 1;
}

/* The thread owning stack a touched its guard page `page`: the guard goes;
 * a new guard below it, or the overflow. */
static uint32_t stack_guard_page_touched(oracle_t *o, allocation *a, uint64_t page)
{
    uint64_t i = page_index(a, page);
    pages_change(o, a, i, i + 1, CHANGE_CLEAR_GUARD, 0);
    uint64_t guard_pages = guard_bytes(o, a->guarantee) / PAGE;
    if (i < 1 + guard_pages) {          /* the new guard would reach the bottom page */
        if (i > 1 && !over_commit_limit(o, count_uncommitted(a, 1, i)))
            pages_change(o, a, 1, i, CHANGE_COMMIT, VAS_PAGE_READWRITE);
        return VAS_STATUS_STACK_OVERFLOW;
    }
    if (over_commit_limit(o, count_uncommitted(a, i - guard_pages, i)))
        return VAS_STATUS_STACK_OVERFLOW;
    pages_change(o, a, i - guard_pages, i, CHANGE_COMMIT, VAS_PAGE_READWRITE | VAS_PAGE_GUARD);
    return VAS_STATUS_SUCCESS;
}

uint32_t oracle_thread_read(oracle_t *o, uint64_t stack, uint64_t addr, void *buf, size_t len,
                            uint64_t *fault)
{
    allocation *a = thread_stack(o, stack);
    return a ? read_by(o, a, addr, buf, len, fault) : VAS_STATUS_INVALID_HANDLE;
}

uint32_t oracle_thread_write(oracle_t *o, uint64_t stack, uint64_t addr, const void *buf,
                             size_t len, uint64_t *fault)
{
    allocation *a = thread_stack(o, stack);
    return a ? write_by(o, a, addr, buf, len, fault) : VAS_STATUS_INVALID_HANDLE;
}

/* After a growth at page index g, the walk would grow at g - 1, g - 2, ...
 * down to some page x ("a probe computed at once", fact 2). Makes the state
 * those growths leave and returns the page index the walk visits next. */
static uint64_t probe_growths(oracle_t *o, allocation *a, uint64_t g, uint64_t lowest)
{
    uint64_t guard = guard_bytes(o, a->guarantee) / PAGE;
    uint64_t x = lowest + 1 > 1 + guard ? lowest + 1 : 1 + guard;
    if (x >= g)
        return g - 1;
    /* The lowest x whose charge the limit allows; x = g charges nothing. */
    uint64_t hi = g, lo = x;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (over_commit_limit(o, count_uncommitted(a, mid - guard, g - guard)))
            lo = mid + 1;
        else
            hi = mid;
    }
    x = lo;
    if (x < g) {
        pages_change(o, a, x - guard, g, CHANGE_COMMIT, VAS_PAGE_READWRITE | VAS_PAGE_GUARD);
        pages_change(o, a, x, g, CHANGE_COMMIT, VAS_PAGE_READWRITE);
    }
    return x - 1;
}

/* __chkstk: one byte on each page from the stack's top page down to addr's
 * page (not below the base), then addr; the first fault ends the probe.
 * Walked a run at a time ("a probe computed at once"). */
uint32_t oracle_thread_probe(oracle_t *o, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    allocation *a = thread_stack(o, stack);
    if (!a)
        return VAS_STATUS_INVALID_HANDLE;
    uint64_t lowest = page_index(a, addr > a->base ? round_down(addr, PAGE) : a->base);
    uint8_t byte;
    for (uint64_t i = a->page_count - 1; i > lowest;) {
        const page_run *r = run_of(a, i);
        uint64_t run_first = r->first;
        int was_guard = r->state == VAS_MEM_COMMIT && (r->protect & VAS_PAGE_GUARD);
        uint32_t status = read_by(o, a, a->base + i * PAGE, &byte, 1, fault);
        if (status != VAS_STATUS_SUCCESS)
            return status;
        if (was_guard)
            i = probe_growths(o, a, i, lowest);   /* fact 2 */
        else if (run_first > lowest)
            i = run_first - 1;                    /* fact 1: the rest of the run reads alike */
        else
            break;
    }
    return read_by(o, a, addr, &byte, 1, fault);
}
/* ---- Section 12: sections and views ----------------------------------------- */

uint64_t oracle_create_section(oracle_t *o, uint64_t size, uint32_t protect_and_flags)
{
    uint32_t protect = protect_and_flags & 0xFFFFu;                 /* 12.1 */
    uint32_t flags = protect_and_flags & 0xFFFF0000u;
    if (protect != VAS_PAGE_READONLY && protect != VAS_PAGE_READWRITE
        && protect != VAS_PAGE_WRITECOPY && protect != VAS_PAGE_EXECUTE_READ
        && protect != VAS_PAGE_EXECUTE_READWRITE && protect != VAS_PAGE_EXECUTE_WRITECOPY)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (flags != 0 && flags != VAS_SEC_COMMIT && flags != VAS_SEC_RESERVE)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (size == 0)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (size > 0x800000000000ull - PAGE)                            /* 128 TiB: too big */
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    uint64_t pages = round_up(size, PAGE) / PAGE;
    int reserve = flags == VAS_SEC_RESERVE;
    if (!reserve && over_commit_limit(o, pages))
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    oracle_section *s = sectionlist_add(&o->sections, pages, protect, reserve);
    if (!s)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    o->last_error = 0;   /* 12.1 step 6: CreateFileMapping sets ERROR_SUCCESS */
    return s->handle;
}

int oracle_close_section(oracle_t *o, uint64_t handle)
{
    oracle_section *s = sectionlist_find(&o->sections, handle);   /* 12.2 */
    if (!s)
        return 0;
    s->open = 0;
    sectionlist_forget_unused(&o->sections, s);
    return 1;
}

/* 12.3: the view protections a section of protection p may be mapped
 * with. */
int view_protection_allowed(uint32_t p, uint32_t view)
{
    switch (view) {
    case VAS_PAGE_READWRITE:
        return p == VAS_PAGE_READWRITE || p == VAS_PAGE_EXECUTE_READWRITE;
    case VAS_PAGE_EXECUTE_READ:
    case VAS_PAGE_EXECUTE_WRITECOPY:
        return p == VAS_PAGE_EXECUTE_READ || p == VAS_PAGE_EXECUTE_READWRITE
            || p == VAS_PAGE_EXECUTE_WRITECOPY;
    case VAS_PAGE_EXECUTE_READWRITE:
        return p == VAS_PAGE_EXECUTE_READWRITE;
    default:   /* NOACCESS, READONLY, WRITECOPY */
        return 1;
    }
}

/* The view protection of an access mask (12.3). */
static uint32_t protect_of_access(uint32_t access)
{
    uint32_t plain = access & ~VAS_FILE_MAP_EXECUTE;
    int x = (access & VAS_FILE_MAP_EXECUTE) != 0;
    if (plain == VAS_FILE_MAP_COPY)
        return x ? VAS_PAGE_EXECUTE_WRITECOPY : VAS_PAGE_WRITECOPY;
    if (plain & VAS_FILE_MAP_WRITE)
        return x ? VAS_PAGE_EXECUTE_READWRITE : VAS_PAGE_READWRITE;
    if (plain & VAS_FILE_MAP_READ)
        return x ? VAS_PAGE_EXECUTE_READ : VAS_PAGE_READONLY;
    return VAS_PAGE_NOACCESS;
}

int view_size(oracle_t *o, const oracle_section *s, uint64_t offset, uint64_t size, uint64_t *bytes)
{
    uint64_t total = s->page_count * PAGE;                          /* 4 */
    if (size > o->cfg.max_address + 1 - o->cfg.min_address || offset >= total)
        return fail(o, VAS_ERROR_INVALID_PARAMETER);
    if (size > total - offset)                                      /* 5 */
        return fail(o, VAS_ERROR_ACCESS_DENIED);
    *bytes = size == 0 ? total - offset : round_up(size, PAGE);
    return 1;
}

int view_place(oracle_t *o, uint64_t *addr, uint64_t bytes, int top_down, const oracle_window *w)
{
    if (*addr != 0) {                                               /* 6 */
        if (*addr < o->cfg.min_address || *addr > o->cfg.max_address
            || range_exceeds_max(o, *addr, bytes))
            return fail(o, VAS_ERROR_INVALID_PARAMETER);
        if (range_touches_allocation(o, *addr, *addr + bytes))
            return fail(o, VAS_ERROR_INVALID_ADDRESS);
        return 1;
    }
    *addr = find_free_base_in(o, bytes, top_down, w);
    return *addr != 0 || fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
}

uint64_t view_make(oracle_t *o, oracle_section *s, uint32_t protect, uint64_t first_page,
                   uint64_t bytes, uint64_t addr)
{
    if (is_writecopy(protect) && over_commit_limit(o, bytes / PAGE)) /* 7 */
        return fail(o, VAS_ERROR_COMMITMENT_LIMIT);
    allocation *a = allocation_insert(o, addr, bytes, protect);     /* 8 */
    if (!a)
        return fail(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
    a->section = s;
    a->section_first = first_page;
    a->type = VAS_MEM_MAPPED;
    a->charged = 0;   /* the section's pages are the system's (12.8) */
    s->views++;
    uint64_t lo, hi, from = a->section_first, to = a->section_first + a->page_count;
    while (section_committed_stretch(s, from, to, &lo, &hi)) {
        pages_change(o, a, lo - a->section_first, hi - a->section_first, CHANGE_COMMIT, protect);
        from = hi;
    }
    return addr;
}

uint64_t oracle_map_view(oracle_t *o, uint64_t handle, uint32_t access, uint64_t offset,
                         uint64_t size, uint64_t addr)
{
    oracle_section *s = sectionlist_find(&o->sections, handle);   /* 12.3 */
    if (!s)                                                         /* 1 */
        return fail(o, VAS_ERROR_INVALID_HANDLE);
    uint32_t protect = protect_of_access(access);                   /* 2 */
    if (!view_protection_allowed(s->protect, protect))
        return fail(o, VAS_ERROR_ACCESS_DENIED);
    if (offset % GRANULE != 0 || addr % GRANULE != 0)               /* 3 */
        return fail(o, VAS_ERROR_MAPPED_ALIGNMENT);
    uint64_t bytes;
    if (!view_size(o, s, offset, size, &bytes) || !view_place(o, &addr, bytes, 0, NULL))
        return 0;
    return view_make(o, s, protect, offset / PAGE, bytes, addr);
}

int oracle_unmap_view(oracle_t *o, uint64_t addr)
{
    allocation *a = addr > o->cfg.max_address ? NULL : allocation_at(o, addr);  /* 12.4 */
    if (!a || !a->section)
        return fail(o, VAS_ERROR_INVALID_ADDRESS);
    allocation_remove(o, a);
    return 1;
}
