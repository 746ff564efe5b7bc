/*
 * win32_watch_lock.c - GetWriteWatch, ResetWriteWatch, VirtualLock,
 * VirtualUnlock and the working-set sizes (vas/win32.h) over the model's
 * calls. Out-parameters are host memory; they are converted from and to
 * the model's 64-bit fields.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc-style wrapper
 */
#include "win32_shim.h"

#include <stdlib.h>

/* The model lists addresses as uint64_t; the caller's array holds PVOIDs.
 * At most one entry per page of the range can come back, so the scratch
 * array is no longer than that. */
UINT WINAPI GetWriteWatch(DWORD dwFlags, PVOID lpBaseAddress, SIZE_T dwRegionSize,
                          PVOID *lpAddresses, ULONG_PTR *lpdwCount, LPDWORD lpdwGranularity)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return (UINT)-1;
    uint64_t count = lpdwCount ? *lpdwCount : 0;
    uint64_t pages = dwRegionSize / VAS_PAGE_SIZE + 2;
    size_t room = (size_t)(count < pages ? count : pages);
    uint64_t *found = NULL;
    if (lpAddresses && room > 0 && !(found = calloc(room, sizeof *found))) {
        /* fuzz-unreached: alloc-failure - a scratch array of at most one entry per page */
        vas_set_last_error(v, ERROR_NOT_ENOUGH_MEMORY);
        return (UINT)-1;
    }
    uint64_t n = room;
    uint32_t granularity = 0;
    UINT r = vas_get_write_watch(v, dwFlags, shim_address(lpBaseAddress), dwRegionSize,
                                 lpAddresses ? found : NULL, lpdwCount ? &n : NULL,
                                 lpdwGranularity ? &granularity : NULL);
    if (r == 0) {
        for (uint64_t i = 0; i < n; i++)
            lpAddresses[i] = shim_pointer(found[i]);
        *lpdwCount = (ULONG_PTR)n;
        *lpdwGranularity = granularity;
    }
    free(found);
    return r;
}

UINT WINAPI ResetWriteWatch(LPVOID lpBaseAddress, SIZE_T dwRegionSize)
{
    vas_t *v = vas_win32_space();
    return v ? vas_reset_write_watch(v, shim_address(lpBaseAddress), dwRegionSize) : (UINT)-1;
}

BOOL WINAPI VirtualLock(LPVOID lpAddress, SIZE_T dwSize)
{
    vas_t *v = vas_win32_space();
    return v ? vas_lock(v, shim_address(lpAddress), dwSize) : FALSE;
}

BOOL WINAPI VirtualUnlock(LPVOID lpAddress, SIZE_T dwSize)
{
    vas_t *v = vas_win32_space();
    return v ? vas_unlock(v, shim_address(lpAddress), dwSize) : FALSE;
}

BOOL WINAPI GetProcessWorkingSetSize(HANDLE hProcess, PSIZE_T lpMinimumWorkingSetSize,
                                     PSIZE_T lpMaximumWorkingSetSize)
{
    vas_t *v = shim_process(hProcess);
    uint64_t lo, hi;
    if (!v || !vas_get_working_set(v, lpMinimumWorkingSetSize ? &lo : NULL,
                                   lpMaximumWorkingSetSize ? &hi : NULL))
        return FALSE;
    *lpMinimumWorkingSetSize = (SIZE_T)lo;
    *lpMaximumWorkingSetSize = (SIZE_T)hi;
    return TRUE;
}

/* (SIZE_T)-1 is "empty the working set" at any host width. */
static uint64_t working_set_bytes(SIZE_T s)
{
    return s == (SIZE_T)-1 ? UINT64_MAX : (uint64_t)s;
}

BOOL WINAPI SetProcessWorkingSetSize(HANDLE hProcess, SIZE_T dwMinimumWorkingSetSize,
                                     SIZE_T dwMaximumWorkingSetSize)
{
    vas_t *v = shim_process(hProcess);
    return v ? vas_set_working_set(v, working_set_bytes(dwMinimumWorkingSetSize),
                                   working_set_bytes(dwMaximumWorkingSetSize)) : FALSE;
}
