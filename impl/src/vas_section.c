/*
 * vas_section.c - CreateFileMapping for pagefile-backed sections and
 * CloseHandle's part for sections (docs/semantics.md 12.1, 12.2).
 */
#include "vas_internal.h"


#define SEC_FLAGS_MASK 0xFFFF0000u
#define FIRST_HANDLE 0x10000000u  /* multiples of 4, as Windows', above the processes' (vas_process.c) */
#define HANDLE_STEP 4u
#define SECTION_MAX_BYTES 0x7FFFFFFFF000ull   /* 128 TiB is too big (12.1) */

/* The six protections a section may have (12.1). */
static int section_protection_valid(uint32_t protect)
{
    switch (protect) {
    case VAS_PAGE_READONLY:
    case VAS_PAGE_READWRITE:
    case VAS_PAGE_WRITECOPY:
    case VAS_PAGE_EXECUTE_READ:
    case VAS_PAGE_EXECUTE_READWRITE:
    case VAS_PAGE_EXECUTE_WRITECOPY:
        return 1;
    default:
        return 0;
    }
}

uint64_t vas_create_section(vas_t *v, uint64_t size, uint32_t protect_and_flags)
{
    uint32_t protect = protect_and_flags & ~SEC_FLAGS_MASK;
    uint32_t flags = protect_and_flags & SEC_FLAGS_MASK;
    if (!section_protection_valid(protect))
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (flags != 0 && flags != VAS_SEC_COMMIT && flags != VAS_SEC_RESERVE)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (size == 0)
        return fail(v, VAS_ERROR_INVALID_PARAMETER);
    if (size > SECTION_MAX_BYTES)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    if (flags == 0)
        flags = VAS_SEC_COMMIT;
    uint64_t pages = round_up(size, PAGE_BYTES) / PAGE_BYTES;
    int commit = flags == VAS_SEC_COMMIT;
    if (commit && !space_charge_allowed(v, pages))
        return fail(v, VAS_ERROR_COMMITMENT_LIMIT);
    section *s = section_new(v, pages * PAGE_BYTES, protect, commit);
    /* fuzz-unreached: alloc-failure - the node pools never run dry while fuzzing */
    if (!s)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    s->flags = flags;
    s->handle_open = 1;
    if (v->next_handle == 0)
        v->next_handle = FIRST_HANDLE;
    s->node.key = v->next_handle;
    v->next_handle += HANDLE_STEP;
    avl_insert(&v->sections, &s->node);
    if (commit)
        v->section_pages += pages;
    v->last_error = VAS_ERROR_SUCCESS;   /* semantics: 12.1.6 (a new section clears it) */
    return s->node.key;
}

int section_close_handle(vas_t *v, uint64_t handle)
{
    section *s = section_of_handle(v, handle);
    if (!s)
        return 0;
    s->handle_open = 0;
    section_drop_if_unused(v, s);
    return 1;
}
