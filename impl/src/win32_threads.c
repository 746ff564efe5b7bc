/*
 * win32_threads.c - vas/win32.h's threads: CreateThread makes the stack
 * (vas_create_thread) and runs the thread function at once as that thread
 * (vas_set_current_thread), then the thread exits and its stack goes
 * (vas_exit_thread); the handle lives on for WaitForSingleObject,
 * GetExitCodeThread and CloseHandle. docs/semantics.md section 11.
 */
#include <stdlib.h>
#include "win32_shim.h"

/* Thread handles: THREAD_HANDLE_BASE + 4 * i, far from the small multiples
 * of 4 process handles are (vas_process_create). */
#define THREAD_HANDLE_BASE 0x7F000000u

typedef struct shim_thread {
    int open;
    DWORD exit_code;
} shim_thread;

static shim_thread *threads;
static size_t n_threads;

static shim_thread *thread_of(HANDLE h)
{
    uintptr_t v = (uintptr_t)h;
    if (v < THREAD_HANDLE_BASE || (v - THREAD_HANDLE_BASE) % 4 != 0)
        return NULL;
    size_t i = (v - THREAD_HANDLE_BASE) / 4;
    return i < n_threads && threads[i].open ? &threads[i] : NULL;
}

int shim_close_thread(HANDLE hObject)
{
    shim_thread *t = thread_of(hObject);
    if (!t)
        return 0;
    t->open = 0;
    return 1;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId)
{
    (void)lpThreadAttributes;
    vas_t *v = vas_win32_space();
    if (!v)
        return NULL;
    shim_thread *grown = realloc(threads, (n_threads + 1) * sizeof *grown);
    if (!grown) {
        vas_set_last_error(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    threads = grown;
    uint64_t stack = vas_create_thread(v, dwStackSize,
                                       (dwCreationFlags & STACK_SIZE_PARAM_IS_A_RESERVATION) != 0);
    if (stack == 0)
        return NULL;
    size_t i = n_threads++;
    threads[i].open = 1;
    threads[i].exit_code = STILL_ACTIVE;
    if (lpThreadId)
        *lpThreadId = (DWORD)(THREAD_HANDLE_BASE + 4 * i);
    uint64_t caller = vas_current_thread(v);
    vas_set_current_thread(v, stack);
    threads[i].exit_code = lpStartAddress(lpParameter);
    vas_set_current_thread(v, caller);
    vas_exit_thread(v, stack);   /* the thread ends: its stack is released */
    return (HANDLE)(uintptr_t)(THREAD_HANDLE_BASE + 4 * i);
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    (void)dwMilliseconds;
    if (thread_of(hHandle))
        return WAIT_OBJECT_0;
    SetLastError(VAS_ERROR_INVALID_HANDLE);
    return WAIT_FAILED;
}

BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    shim_thread *t = thread_of(hThread);
    if (!t) {
        SetLastError(VAS_ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (lpExitCode)
        *lpExitCode = t->exit_code;
    return TRUE;
}

/* The running thread's stack: the current thread's, else the layout's main
 * thread's (the stack allocation holding the layout's "stack" entry). */
static uint64_t running_stack(vas_t *v)
{
    if (vas_current_thread(v))
        return vas_current_thread(v);
    size_t n = 0;
    const vas_layout_entry *e = vas_layout_entries(vas_get_config(v)->layout, &n);
    for (size_t i = 0; i < n; i++) {
        uint64_t low;
        if (e[i].role && e[i].role[0] == 's' && e[i].role[1] == 't' &&
            vas_thread_stack_limits(v, e[i].base, &low, NULL))
            return e[i].base;
    }
    return 0;
}

VOID WINAPI GetCurrentThreadStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit)
{
    vas_t *v = vas_win32_space();
    uint64_t low = 0, high = 0, stack = v ? running_stack(v) : 0;
    if (stack)
        vas_thread_stack_limits(v, stack, &low, &high);
    if (LowLimit)
        *LowLimit = (ULONG_PTR)low;
    if (HighLimit)
        *HighLimit = (ULONG_PTR)high;
}

BOOL WINAPI SetThreadStackGuarantee(PULONG StackSizeInBytes)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return FALSE;
    uint32_t size = StackSizeInBytes ? *StackSizeInBytes : 0;
    int ok = vas_set_thread_stack_guarantee(v, running_stack(v), StackSizeInBytes ? &size : NULL);
    if (StackSizeInBytes)
        *StackSizeInBytes = size;
    return ok;
}
