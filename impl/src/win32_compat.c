/*
 * win32_compat.c - VirtualAlloc & co. (vas/win32.h) over a current model
 * space. Pointers and simulated addresses convert numerically.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc-style wrapper
 */
#include "vas/win32.h"

#include <string.h>

static vas_t *default_space;   /* created on first use, never destroyed */
static vas_t *chosen_space;    /* set by vas_win32_use, owned by the caller */

void vas_win32_use(vas_t *vas)
{
    chosen_space = vas;
}

vas_t *vas_win32_space(void)
{
    if (chosen_space)
        return chosen_space;
    if (!default_space)
        default_space = vas_create(NULL);
    return default_space;
}

static uint64_t address_of(LPCVOID p)
{
    return (uint64_t)(uintptr_t)p;
}

static LPVOID pointer_to(uint64_t a)
{
    return (LPVOID)(uintptr_t)a;
}

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect)
{
    vas_t *v = vas_win32_space();
    return v ? pointer_to(vas_alloc(v, address_of(lpAddress), dwSize, flAllocationType, flProtect)) : NULL;
}

BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
    vas_t *v = vas_win32_space();
    return v ? vas_free(v, address_of(lpAddress), dwSize, dwFreeType) : FALSE;
}

BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect)
{
    vas_t *v = vas_win32_space();
    return v ? vas_protect(v, address_of(lpAddress), dwSize, flNewProtect, lpflOldProtect) : FALSE;
}

SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return 0;
    vas_mbi mbi;
    /* The model checks dwLength against the profile's structure size. */
    size_t written = vas_query(v, address_of(lpAddress), &mbi, dwLength);
    if (written == 0)
        return 0;
    memset(lpBuffer, 0, sizeof *lpBuffer);
    lpBuffer->BaseAddress = pointer_to(mbi.base_address);
    lpBuffer->AllocationBase = pointer_to(mbi.allocation_base);
    lpBuffer->AllocationProtect = mbi.allocation_protect;
    lpBuffer->PartitionId = mbi.partition_id;
    lpBuffer->RegionSize = (SIZE_T)mbi.region_size;
    lpBuffer->State = mbi.state;
    lpBuffer->Protect = mbi.protect;
    lpBuffer->Type = mbi.type;
    return written;
}

DWORD WINAPI GetLastError(void)
{
    vas_t *v = vas_win32_space();
    return v ? vas_last_error(v) : ERROR_NOT_ENOUGH_MEMORY;
}

void WINAPI SetLastError(DWORD dwErrCode)
{
    vas_t *v = vas_win32_space();
    if (v)
        vas_set_last_error(v, dwErrCode);
}

void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo)
{
    vas_t *v = vas_win32_space();
    vas_config def;
    const vas_config *cfg = v ? vas_get_config(v) : (vas_config_default(&def, VAS_PROFILE_X64), &def);
    memset(lpSystemInfo, 0, sizeof *lpSystemInfo);
    lpSystemInfo->wProcessorArchitecture =
        cfg->profile == VAS_PROFILE_X64 ? PROCESSOR_ARCHITECTURE_AMD64 : PROCESSOR_ARCHITECTURE_INTEL;
    lpSystemInfo->dwPageSize = VAS_PAGE_SIZE;
    lpSystemInfo->lpMinimumApplicationAddress = pointer_to(cfg->min_address);
    lpSystemInfo->lpMaximumApplicationAddress = pointer_to(cfg->max_address);
    lpSystemInfo->dwActiveProcessorMask = 1;
    lpSystemInfo->dwNumberOfProcessors = 1;
    lpSystemInfo->dwProcessorType = cfg->profile == VAS_PROFILE_X64 ? 8664 : 586;
    lpSystemInfo->dwAllocationGranularity = VAS_ALLOCATION_GRANULARITY;
    lpSystemInfo->wProcessorLevel = 6;
}
