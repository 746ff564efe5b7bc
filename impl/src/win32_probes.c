/*
 * win32_probes.c - IsBadReadPtr, IsBadWritePtr, IsBadCodePtr and
 * IsBadStringPtrA/W (vas/win32.h) over the model's probes: simulated
 * accesses, so a guard page on the way fires.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc-style wrapper
 */
#include "win32_shim.h"

/* Without a space nothing is readable: every probe answers TRUE. */
BOOL WINAPI IsBadReadPtr(const void *lp, UINT_PTR ucb)
{
    vas_t *v = vas_win32_space();
    return v ? vas_is_bad_read_ptr(v, shim_address(lp), ucb) : TRUE;
}

BOOL WINAPI IsBadWritePtr(LPVOID lp, UINT_PTR ucb)
{
    vas_t *v = vas_win32_space();
    return v ? vas_is_bad_write_ptr(v, shim_address(lp), ucb) : TRUE;
}

BOOL WINAPI IsBadCodePtr(FARPROC lpfn)
{
    vas_t *v = vas_win32_space();
    return v ? vas_is_bad_code_ptr(v, (uint64_t)(uintptr_t)lpfn) : TRUE;
}

BOOL WINAPI IsBadStringPtrA(LPCSTR lpsz, UINT_PTR ucchMax)
{
    vas_t *v = vas_win32_space();
    return v ? vas_is_bad_string_ptr(v, shim_address(lpsz), ucchMax, sizeof(CHAR)) : TRUE;
}

BOOL WINAPI IsBadStringPtrW(LPCWSTR lpsz, UINT_PTR ucchMax)
{
    vas_t *v = vas_win32_space();
    return v ? vas_is_bad_string_ptr(v, shim_address(lpsz), ucchMax, sizeof(WCHAR)) : TRUE;
}
