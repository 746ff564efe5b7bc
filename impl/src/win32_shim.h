/*
 * win32_shim.h - what the files of vas/win32.h's implementation share:
 * the current space, handles to processes, and the conversions between
 * pointers and simulated addresses (numeric: a pointer's value is the
 * simulated address).
 */
#ifndef VAS_WIN32_SHIM_H
#define VAS_WIN32_SHIM_H

#include "vas/win32.h"

static inline uint64_t shim_address(LPCVOID p)
{
    return (uint64_t)(uintptr_t)p;
}

static inline LPVOID shim_pointer(uint64_t a)
{
    return (LPVOID)(uintptr_t)a;
}

/* The space hProcess names, or NULL with last-error set on the current
 * space (ERROR_INVALID_HANDLE; ERROR_NOT_ENOUGH_MEMORY when there is no
 * current space). */
vas_t *shim_process(HANDLE hProcess);

#endif
