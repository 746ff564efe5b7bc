/*
 * vas_map.c - MapViewOfFileEx and UnmapViewOfFile (docs/semantics.md
 * 12.3, 12.4), MapViewOfFile3 and UnmapViewOfFile2 (12.11, 12.13). The
 * checks run in the documented order; the first failing
 * one decides last-error and nothing changes.
 */
#include "vas_internal.h"

/* The protection a view mapped with access gets (12.3). */
static uint32_t view_protection(uint32_t access)
{
    int exec = (access & VAS_FILE_MAP_EXECUTE) != 0;
    uint32_t rest = access & ~VAS_FILE_MAP_EXECUTE;
    if (rest == VAS_FILE_MAP_COPY)
        return exec ? VAS_PAGE_EXECUTE_WRITECOPY : VAS_PAGE_WRITECOPY;
    if ((rest & VAS_FILE_MAP_WRITE) && !PLANT(47))
        return exec ? VAS_PAGE_EXECUTE_READWRITE : VAS_PAGE_READWRITE;
    if (rest & VAS_FILE_MAP_READ)
        return exec ? VAS_PAGE_EXECUTE_READ : VAS_PAGE_READONLY;
    return VAS_PAGE_NOACCESS;
}

/* A view of protection view_protect may be made of a section of
 * section_protect (12.3): writing needs a writable section, executing an
 * executable one; reading, copy-on-write and no access need nothing. */
static int view_allowed(uint32_t section_protect, uint32_t view_protect)
{
    int writable = section_protect == VAS_PAGE_READWRITE || section_protect == VAS_PAGE_EXECUTE_READWRITE;
    int executable = section_protect == VAS_PAGE_EXECUTE_READ || section_protect == VAS_PAGE_EXECUTE_READWRITE ||
                     section_protect == VAS_PAGE_EXECUTE_WRITECOPY;
    switch (view_protect) {
    case VAS_PAGE_READWRITE: return writable;
    case VAS_PAGE_EXECUTE_READ:
    case VAS_PAGE_EXECUTE_WRITECOPY: return executable;
    case VAS_PAGE_EXECUTE_READWRITE: return section_protect == VAS_PAGE_EXECUTE_READWRITE;
    default: return 1;
    }
}

/* A view [base, base + bytes) of s from offset: its pages show the
 * section's commit state (12.3). 0 if out of memory. */
static allocation *view_new(vas_t *v, section *s, uint64_t base, uint64_t bytes, uint64_t offset,
                            uint32_t protect)
{
    allocation *a = allocation_new(v, base, base + bytes, protect, VAS_MEM_RESERVE, 0);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!a)
        return NULL;
    a->mapped = 1;
    a->uncharged = 1;   /* the section's pages are the system's (12.8) */
    a->type = VAS_MEM_MAPPED;
    a->offset = offset;
    for (uint64_t at = offset; at < offset + bytes;) {
        const page_run *r = runs_find(s->body, at);
        uint64_t to = r->end < offset + bytes ? r->end : offset + bytes;
        /* fuzz-unreached: alloc-failure - the run pool never runs dry while fuzzing */
        if (r->state == VAS_MEM_COMMIT &&
            !runs_set(&v->run_nodes, a, base + (at - offset), base + (to - offset), VAS_MEM_COMMIT, protect)) {
            allocation_delete(v, a);
            return NULL;
        }
        at = to;
    }
    return a;
}

/* What a map call asks for once its own checks passed (12.3 from step 3,
 * 12.11 from step 8). */
typedef struct view_request {
    section *s;
    uint32_t protect;        /* the view protection */
    uint64_t offset, size, addr;
    uint64_t align;          /* of offset and addr: 64 KiB, a page with replace */
    int replace;             /* MEM_REPLACE_PLACEHOLDER */
    int top_down;
    const addr_reqs *reqs;   /* NULL: none */
} view_request;

/* Where the view goes: the placeholder it replaces, a fixed address or a
 * system-chosen one; 0 with last-error. */
static uint64_t view_place(vas_t *v, const view_request *q, uint64_t bytes)
{
    uint64_t addr = q->addr;
    if (q->replace) {
        if (addr == 0)
            return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.11.10 (X417) */
        const allocation *p = alloc_tree_find(v, addr);
        if (!p || !p->placeholder || alloc_base(p) != addr || p->end - addr != bytes)
            return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.11.10 (X423) */
        return addr;
    }
    if (addr != 0) {
        if (addr < space_min(v) || addr > space_max(v) || bytes - 1 > space_max(v) - addr)
            return fail(v, VAS_ERROR_INVALID_PARAMETER);
        if (alloc_tree_overlaps(v, addr, addr + bytes))
            return fail(v, VAS_ERROR_INVALID_ADDRESS);
        return addr;
    }
    if (q->reqs && addr_reqs_active(q->reqs))
        addr = addr_reqs_place(v, q->reqs, bytes, q->top_down);  /* semantics: 12.14 */
    else {
        /* Placed as a reservation is (section 2; 11.1: from the seed's
         * bound first, then the whole space). */
        addr = v->aslr_top ? alloc_tree_find_gap_bounded(v, bytes, q->top_down, v->aslr_bottom, v->aslr_top) : 0;
        if (addr == 0)
            addr = alloc_tree_find_gap(v, bytes, q->top_down);
    }
    if (addr == 0)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    return addr;
}

static uint64_t map_checked(vas_t *v, const view_request *q)
{
    section *s = q->s;
    if (q->offset % q->align || q->addr % q->align)
        return fail(v, VAS_ERROR_MAPPED_ALIGNMENT);
    uint64_t total = section_size(s);
    if (q->size > space_max(v) + 1 - space_min(v) || q->offset >= total)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (q->size > total - q->offset)
        return fail(v, VAS_ERROR_ACCESS_DENIED);
    uint64_t bytes = q->size ? round_up(q->size, PAGE_BYTES) : total - q->offset;
    uint64_t addr = view_place(v, q, bytes);
    if (addr == 0)
        return 0;
    uint64_t charge = protection_is_copy_on_write(q->protect) ? bytes / PAGE_BYTES : 0;
    if (!space_charge_allowed(v, charge))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);
    allocation *a = view_new(v, s, addr, bytes, q->offset, q->protect);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!a)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    if (q->replace) {   /* the view takes the placeholder's place (12.11.12) */
        allocation *p = alloc_tree_find(v, addr);
        alloc_tree_remove(v, p);
        allocation_delete(v, p);
        a->replaced = 1;
    }
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!alloc_tree_insert(v, a)) {
        allocation_delete(v, a);
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    section_add_view(s, a);
    v->cow_pages += charge;
    if (v->host)
        host_window_map_view(v->host, s->host, q->offset, addr, addr + bytes);
    space_sync_host(v, addr, addr + bytes);
    return addr;
}

uint64_t vas_map_view(vas_t *v, uint64_t handle, uint32_t access, uint64_t offset, uint64_t size,
                      uint64_t addr)
{
    section *s = section_of_handle(v, handle);
    if (!s)
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    uint32_t protect = view_protection(access);
    if (!view_allowed(s->protect, protect))
        return fail(v, VAS_ERROR_ACCESS_DENIED);
    view_request q = {s, protect, offset, size, addr, GRANULE_BYTES, 0, 0, NULL};
    return map_checked(v, &q);
}

/* MapViewOfFile3's PageProtection: the seven view protections (12.11.5). */
static int view3_protection_valid(uint32_t protect)
{
    switch (protect) {
    case VAS_PAGE_NOACCESS: case VAS_PAGE_READONLY: case VAS_PAGE_READWRITE: case VAS_PAGE_WRITECOPY:
    case VAS_PAGE_EXECUTE_READ: case VAS_PAGE_EXECUTE_READWRITE: case VAS_PAGE_EXECUTE_WRITECOPY:
        return 1;
    default:
        return 0;
    }
}

uint64_t space_map_view3(vas_t *v, uint64_t handle, uint64_t addr, uint64_t offset, uint64_t size,
                         uint32_t type, uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    addr_reqs reqs;
    section *s = section_of_handle(v, handle);
    if (!s)
        return fail(v, VAS_ERROR_INVALID_HANDLE);  /* semantics: 12.11.2 */
    if (!addr_reqs_read(v, params, count, &reqs))
        return 0;  /* semantics: 12.11.3 */
    if (type & ~(VAS_MEM_REPLACE_PLACEHOLDER | VAS_MEM_TOP_DOWN))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.11.4 (X422) */
    if (!view3_protection_valid(protect))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.11.5 (X422) */
    if (!addr_reqs_valid(v, &reqs, addr, 1))
        return 0;  /* semantics: 12.11.6 (G433) */
    if (!view_allowed(s->protect, protect))
        return fail(v, VAS_ERROR_ACCESS_DENIED);  /* semantics: 12.11.7 */
    int replace = (type & VAS_MEM_REPLACE_PLACEHOLDER) != 0;
    view_request q = {s, protect, offset, size, addr, replace ? PAGE_BYTES : GRANULE_BYTES, replace,
                      (type & VAS_MEM_TOP_DOWN) != 0, &reqs};
    return map_checked(v, &q);  /* semantics: 12.11.8 12.11.12 (G426, G427) */
}

/* Unmaps view a (12.4); its range becomes free. */
static void view_unmap(vas_t *v, allocation *a)
{
    uint64_t base = alloc_base(a), end = a->end;
    v->cow_pages -= view_charged_pages(a);   /* an image: nothing (11.2.7) */
    locks_forget(v, a, base, end);
    alloc_tree_remove(v, a);
    section_remove_view(v, a);
    allocation_delete(v, a);
    space_sync_host(v, base, end);
}

int vas_unmap_view(vas_t *v, uint64_t addr)
{
    allocation *a = addr <= space_max(v) ? alloc_tree_find(v, addr) : NULL;
    if (!a || !a->section)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);
    view_unmap(v, a);
    return 1;
}

int space_unmap_view2(vas_t *v, uint64_t addr, uint32_t flags)
{
    if (flags & ~(VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST | VAS_MEM_PRESERVE_PLACEHOLDER))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 12.13.2 (G429) */
    allocation *a = addr <= space_max(v) ? alloc_tree_find(v, addr) : NULL;
    if (!a || !a->section)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.13.3 (G428) */
    if (!(flags & VAS_MEM_PRESERVE_PLACEHOLDER)) {
        view_unmap(v, a);  /* semantics: 12.13.4 (X427) */
        return 1;
    }
    if (!a->replaced)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);  /* semantics: 12.13.4 (G429) */
    uint64_t base = alloc_base(a), end = a->end;
    view_unmap(v, a);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!placeholder_insert(v, base, end))
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    return 1;  /* semantics: 12.13.4 (G428) */
}
