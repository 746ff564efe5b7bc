/*
 * win32_sections.c - CreateFileMappingA/W, MapViewOfFile(Ex) and
 * UnmapViewOfFile (vas/win32.h) over the model's sections: the Win32
 * parameters (a file handle, a name, 32-bit halves of 64-bit numbers)
 * become vas_create_section, vas_map_view and vas_unmap_view's.
 * CloseHandle (win32_space.c) closes section handles.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the CreateFileMapping-style wrapper
 */
#include "win32_shim.h"

/* What the A and W forms share once the name is known to be absent or not. */
static HANDLE create_mapping(HANDLE hFile, int named, DWORD flProtect, DWORD dwMaximumSizeHigh,
                             DWORD dwMaximumSizeLow)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return NULL;
    /* Only pagefile-backed sections exist: the model has no files, so no
     * other handle names one (docs/semantics.md 13.1). */
    if (hFile != INVALID_HANDLE_VALUE) {
        vas_set_last_error(v, ERROR_INVALID_HANDLE);
        return NULL;
    }
    if (named) {
        vas_set_last_error(v, ERROR_NOT_SUPPORTED);
        return NULL;
    }
    uint64_t size = (uint64_t)dwMaximumSizeHigh << 32 | dwMaximumSizeLow;
    return shim_pointer(vas_create_section(v, size, flProtect));
}

HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                 DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow,
                                 LPCSTR lpName)
{
    (void)lpFileMappingAttributes;
    return create_mapping(hFile, lpName != NULL, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow);
}

HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                 DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow,
                                 LPCWSTR lpName)
{
    (void)lpFileMappingAttributes;
    return create_mapping(hFile, lpName != NULL, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow);
}

LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
                              DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
                              SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return NULL;
    uint64_t offset = (uint64_t)dwFileOffsetHigh << 32 | dwFileOffsetLow;
    /* A section handle is a plain number: not shim_handle, which would turn
     * (HANDLE)-1 into the current process. */
    return shim_pointer(vas_map_view(v, (uint64_t)(uintptr_t)hFileMappingObject, dwDesiredAccess,
                                     offset, dwNumberOfBytesToMap, shim_address(lpBaseAddress)));
}

LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh,
                            DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap)
{
    return MapViewOfFileEx(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow,
                           dwNumberOfBytesToMap, NULL);
}

BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress)
{
    vas_t *v = vas_win32_space();
    return v ? vas_unmap_view(v, shim_address(lpBaseAddress)) : FALSE;
}
