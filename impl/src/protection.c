/*
 * protection.c - what a protection value means: validity, access rights,
 * and how VirtualProtect combines a new value with a page's old one
 * (docs/semantics.md sections 1 and 4).
 */
#include "vas_internal.h"

int protection_is_valid(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    uint32_t modifiers = protect & (VAS_PAGE_GUARD | PROT_CACHE_MASK);
    if (protect & ~(PROT_BASE_MASK | VAS_PAGE_GUARD | PROT_CACHE_MASK))
        return 0;                               /* semantics: 1 */
    if (base == 0 || (base & (base - 1)))
        return 0;                               /* exactly one base bit; semantics: 1 */
    if (modifiers & (modifiers - 1))
        return 0;                               /* at most one modifier; semantics: 1 */
    if (base == VAS_PAGE_NOACCESS && modifiers && !PLANT(19))
        return 0;                               /* semantics: 1 */
    /* Copy-on-write makes no sense for private memory. */
    return base != VAS_PAGE_WRITECOPY && base != VAS_PAGE_EXECUTE_WRITECOPY;
}

int protection_is_valid_for(uint32_t protect, int mapped)
{
    uint32_t base = protect & PROT_BASE_MASK;
    if (mapped && (base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY))
        return protection_is_valid((protect & ~PROT_BASE_MASK) | VAS_PAGE_READWRITE);
    return protection_is_valid(protect);
}

int protection_allows(uint32_t protect, access_kind kind)
{
    switch (protect & PROT_BASE_MASK) {
    case VAS_PAGE_READONLY:
        return kind == ACCESS_READ;
    case VAS_PAGE_READWRITE:
        return kind != ACCESS_EXECUTE;
    case VAS_PAGE_EXECUTE:          /* readable too: x86 MMUs cannot forbid it */
        return PLANT(21) ? kind == ACCESS_EXECUTE : kind != ACCESS_WRITE;
    case VAS_PAGE_EXECUTE_READ:
        return kind != ACCESS_WRITE;
    case VAS_PAGE_EXECUTE_READWRITE:
    case VAS_PAGE_EXECUTE_WRITECOPY:  /* image pages: a write copies (section 11.2) */
        return 1;
    case VAS_PAGE_WRITECOPY:
        return kind != ACCESS_EXECUTE;
    default:
        return 0;
    }
}

uint32_t protection_after_change(uint32_t current, uint32_t requested)
{
    /* The cache attribute belongs to the commit: current Windows neither
     * adds nor replaces it through VirtualProtect, and drops it only where
     * keeping it would make an invalid value (NOACCESS or GUARD). */
    if ((requested & PROT_BASE_MASK) == VAS_PAGE_NOACCESS || (!PLANT(20) && (requested & VAS_PAGE_GUARD)))
        return requested;
    return (requested & ~PROT_CACHE_MASK) | (current & PROT_CACHE_MASK);
}

int protection_is_copy_on_write(uint32_t protect)
{
    uint32_t base = protect & PROT_BASE_MASK;
    return base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY;
}
