/*
 * win32_memory.c - VirtualAlloc, VirtualFree, VirtualProtect, VirtualQuery
 * (vas/win32.h): each is its *Ex call on the current process, and each
 * *Ex call is the model's; ReadProcessMemory and WriteProcessMemory.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc-style wrapper
 */
#include "win32_shim.h"

#include <string.h>

LPVOID WINAPI VirtualAllocEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flAllocationType, DWORD flProtect)
{
    vas_t *v = vas_win32_space();
    return v ? shim_pointer(vas_alloc_ex(v, shim_handle(hProcess), shim_address(lpAddress), dwSize,
                                         flAllocationType, flProtect)) : NULL;
}

BOOL WINAPI VirtualFreeEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
    vas_t *v = vas_win32_space();
    return v ? vas_free_ex(v, shim_handle(hProcess), shim_address(lpAddress), dwSize, dwFreeType) : FALSE;
}

BOOL WINAPI VirtualProtectEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flNewProtect, PDWORD lpflOldProtect)
{
    vas_t *v = vas_win32_space();
    return v ? vas_protect_ex(v, shim_handle(hProcess), shim_address(lpAddress), dwSize, flNewProtect,
                              lpflOldProtect) : FALSE;
}

/* The record is the host-width structure in every profile, so the length
 * is checked against its size here, and the model is given room for its
 * widest record (docs/semantics.md section 13). */
SIZE_T WINAPI VirtualQueryEx(HANDLE hProcess, LPCVOID lpAddress,
                             PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return 0;
    if (!vas_process_space(v, shim_handle(hProcess))) {
        vas_set_last_error(v, ERROR_INVALID_HANDLE);
        return 0;
    }
    if (dwLength < sizeof *lpBuffer) {
        vas_set_last_error(v, ERROR_BAD_LENGTH);
        return 0;
    }
    vas_mbi mbi;
    if (vas_query_ex(v, shim_handle(hProcess), shim_address(lpAddress), &mbi, sizeof mbi) == 0)
        return 0;
    memset(lpBuffer, 0, sizeof *lpBuffer);
    lpBuffer->BaseAddress = shim_pointer(mbi.base_address);
    lpBuffer->AllocationBase = shim_pointer(mbi.allocation_base);
    lpBuffer->AllocationProtect = mbi.allocation_protect;
#if UINTPTR_MAX > 0xFFFFFFFFu
    lpBuffer->PartitionId = mbi.partition_id;
#endif
    lpBuffer->RegionSize = (SIZE_T)mbi.region_size;
    lpBuffer->State = mbi.state;
    lpBuffer->Protect = mbi.protect;
    lpBuffer->Type = mbi.type;
    return sizeof *lpBuffer;
}

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect)
{
    return VirtualAllocEx(GetCurrentProcess(), lpAddress, dwSize, flAllocationType, flProtect);
}

BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
    return VirtualFreeEx(GetCurrentProcess(), lpAddress, dwSize, dwFreeType);
}

BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect)
{
    return VirtualProtectEx(GetCurrentProcess(), lpAddress, dwSize, flNewProtect, lpflOldProtect);
}

SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)
{
    return VirtualQueryEx(GetCurrentProcess(), lpAddress, lpBuffer, dwLength);
}

/* The byte counts are host memory; both buffers are simulated addresses. */
BOOL WINAPI ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress, LPVOID lpBuffer, SIZE_T nSize,
                              SIZE_T *lpNumberOfBytesRead)
{
    vas_t *v = vas_win32_space();
    uint64_t done = 0;
    BOOL ok = v && vas_read_process_memory(v, shim_handle(hProcess), shim_address(lpBaseAddress),
                                           shim_address(lpBuffer), nSize, &done);
    if (lpNumberOfBytesRead)
        *lpNumberOfBytesRead = (SIZE_T)done;
    return ok;
}

BOOL WINAPI WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress, LPCVOID lpBuffer, SIZE_T nSize,
                               SIZE_T *lpNumberOfBytesWritten)
{
    vas_t *v = vas_win32_space();
    uint64_t done = UINT64_MAX;   /* stays when the model leaves the count alone */
    BOOL ok = v && vas_write_process_memory(v, shim_handle(hProcess), shim_address(lpBaseAddress),
                                            shim_address(lpBuffer), nSize, &done);
    if (lpNumberOfBytesWritten && done != UINT64_MAX)
        *lpNumberOfBytesWritten = (SIZE_T)done;
    return ok;
}
