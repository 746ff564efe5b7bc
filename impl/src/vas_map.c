/*
 * vas_map.c - MapViewOfFileEx and UnmapViewOfFile (docs/semantics.md
 * 12.3, 12.4). The checks run in the documented order; the first failing
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
    if (rest & VAS_FILE_MAP_WRITE)
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

uint64_t vas_map_view(vas_t *v, uint64_t handle, uint32_t access, uint64_t offset, uint64_t size,
                      uint64_t addr)
{
    section *s = section_of_handle(v, handle);
    if (!s)
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    uint32_t protect = view_protection(access);
    if (!view_allowed(s->protect, protect))
        return fail(v, VAS_ERROR_ACCESS_DENIED);
    if (offset % GRANULE_BYTES || addr % GRANULE_BYTES)
        return fail(v, VAS_ERROR_MAPPED_ALIGNMENT);
    uint64_t total = section_size(s);
    if (size > space_max(v) + 1 - space_min(v) || offset >= total)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (size > total - offset)
        return fail(v, VAS_ERROR_ACCESS_DENIED);
    uint64_t bytes = size ? round_up(size, PAGE_BYTES) : total - offset;
    if (addr != 0) {
        if (addr < space_min(v) || addr > space_max(v) || bytes - 1 > space_max(v) - addr)
            return fail(v, VAS_ERROR_INVALID_PARAMETER);
        if (alloc_tree_overlaps(v, addr, addr + bytes))
            return fail(v, VAS_ERROR_INVALID_ADDRESS);
    } else {
        /* Placed as a bottom-up reservation is (section 2; 11.1: from the
         * seed's bound first, then the whole space). */
        addr = v->aslr_top ? alloc_tree_find_gap_bounded(v, bytes, 0, v->aslr_bottom, v->aslr_top) : 0;
        if (addr == 0)
            addr = alloc_tree_find_gap(v, bytes, 0);
        if (addr == 0)
            return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    uint64_t charge = protection_is_copy_on_write(protect) ? bytes / PAGE_BYTES : 0;
    if (!space_charge_allowed(v, charge))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);
    allocation *a = view_new(v, s, addr, bytes, offset, protect);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!a)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!alloc_tree_insert(v, a)) {
        allocation_delete(v, a);
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    }
    section_add_view(s, a);
    v->cow_pages += charge;
    if (v->host)
        host_window_map_view(v->host, s->host, offset, addr, addr + bytes);
    space_sync_host(v, addr, addr + bytes);
    return addr;
}

int vas_unmap_view(vas_t *v, uint64_t addr)
{
    allocation *a = addr <= space_max(v) ? alloc_tree_find(v, addr) : NULL;
    if (!a || !a->section)
        return fail(v, VAS_ERROR_INVALID_ADDRESS);
    uint64_t base = alloc_base(a), end = a->end;
    if (protection_is_copy_on_write(a->protect))
        v->cow_pages -= (end - base) / PAGE_BYTES;
    locks_forget(v, a, base, end);
    alloc_tree_remove(v, a);
    section_remove_view(v, a);
    allocation_delete(v, a);
    space_sync_host(v, base, end);
    return 1;
}
