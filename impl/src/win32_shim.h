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

/* A handle as the model takes it: GetCurrentProcess's (HANDLE)-1 is
 * VAS_CURRENT_PROCESS at any pointer width. */
static inline uint64_t shim_handle(HANDLE h)
{
    return h == INVALID_HANDLE_VALUE ? VAS_CURRENT_PROCESS : (uint64_t)(uintptr_t)h;
}

/* The space hProcess names, or NULL with last-error set on the current
 * space (ERROR_INVALID_HANDLE; nothing to set when there is no current
 * space). */
vas_t *shim_process(HANDLE hProcess);

/* Closes hObject when it is a thread handle (win32_threads.c): 1, else 0
 * and nothing happens. */
int shim_close_thread(HANDLE hObject);

#endif
