/*
 * test_win32_threads.c - a Windows program's threads against the model
 * through vas/win32.h: CreateThread with STACK_SIZE_PARAM_IS_A_RESERVATION,
 * a thread function that walks its own stack with VirtualQuery and grows it
 * through its guard page, WaitForSingleObject, GetExitCodeThread,
 * CloseHandle, and the stack gone once the thread has ended
 * (docs/semantics.md section 11).
 */
#include <string.h>
#include "vas/win32.h"   /* on Windows: #include <windows.h> */

#include "check.h"

typedef struct seen {
    ULONG_PTR low, high;
    MEMORY_BASIC_INFORMATION bottom, guard, top, grown;
    uint32_t touch;
    ULONG old_guarantee;
} seen;

static DWORD WINAPI thread_body(LPVOID arg)
{
    seen *s = arg;
    unsigned char byte = 1;
    GetCurrentThreadStackLimits(&s->low, &s->high);
    VirtualQuery((LPCVOID)s->low, &s->bottom, sizeof s->bottom);
    VirtualQuery((LPCVOID)(s->high - 0x3000), &s->guard, sizeof s->guard);
    VirtualQuery((LPCVOID)(s->high - 0x2000), &s->top, sizeof s->top);
    /* The function's frame reaches into the guard page: the system grows
     * the stack, the program sees nothing. */
    s->touch = vas_write(vas_win32_space(), s->high - 0x3000 + 8, &byte, 1, NULL);
    VirtualQuery((LPCVOID)(s->high - 0x3000), &s->grown, sizeof s->grown);
    s->old_guarantee = 0x4000;
    SetThreadStackGuarantee(&s->old_guarantee);
    return 42;
}

static void test_thread_runs_on_its_stack(void)
{
    seen s;
    DWORD id = 0, code = 0;
    memset(&s, 0, sizeof s);
    HANDLE h = CreateThread(NULL, 0x10000, thread_body, &s, STACK_SIZE_PARAM_IS_A_RESERVATION, &id);
    CHECK(h != NULL);
    CHECK(WaitForSingleObject(h, INFINITE) == WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(h, &code) && code == 42);
    CHECK(s.high - s.low == 0x10000);                     /* the reservation, G301 */
    CHECK(s.bottom.State == MEM_RESERVE && s.bottom.AllocationBase == (PVOID)s.low);
    CHECK(s.bottom.AllocationProtect == PAGE_READWRITE && s.bottom.Type == MEM_PRIVATE);
    CHECK(s.guard.State == MEM_COMMIT && s.guard.Protect == (PAGE_READWRITE | PAGE_GUARD));
    CHECK(s.top.State == MEM_COMMIT && s.top.Protect == PAGE_READWRITE);
    CHECK(s.top.RegionSize == 0x2000);                    /* the commit: at least two pages */
    CHECK(s.touch == VAS_STATUS_SUCCESS);                 /* G302: handled inside the system */
    CHECK(s.grown.Protect == PAGE_READWRITE && s.grown.RegionSize == 0x3000);
    CHECK(s.old_guarantee == 0);
    /* The thread has ended: its stack is released (G305). */
    MEMORY_BASIC_INFORMATION after;
    CHECK(VirtualQuery((LPCVOID)s.low, &after, sizeof after) == sizeof after);
    CHECK(after.State == MEM_FREE);
    CHECK(CloseHandle(h));
    CHECK(!CloseHandle(h) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(WaitForSingleObject(h, 0) == WAIT_FAILED);
}

static void test_outside_a_thread(void)
{
    ULONG_PTR low = 1, high = 1;
    ULONG size = 0x2000;
    unsigned char byte;
    GetCurrentThreadStackLimits(&low, &high);
    CHECK(low == 0 && high == 0);                         /* no main stack without a layout */
    CHECK(!SetThreadStackGuarantee(&size) && GetLastError() == ERROR_INVALID_HANDLE);
    /* The main thread touching a thread's guard page takes a plain guard
     * fault (G306): made here on a stack of the model that no function runs on. */
    uint64_t stack = vas_create_thread(vas_win32_space(), 0, 0);
    CHECK(stack != 0);
    CHECK(vas_read(vas_win32_space(), stack + 0xFD000, &byte, 1, NULL) == VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK(vas_exit_thread(vas_win32_space(), stack));
}

static DWORD WINAPI nothing(LPVOID arg)
{
    (void)arg;
    return 0;
}

static void test_huge_stack_fails(void)
{
    SetLastError(0);
    CHECK(CreateThread(NULL, (SIZE_T)-4096, nothing, NULL, 0, NULL) == NULL);
    CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
}

int main(void)
{
    test_thread_runs_on_its_stack();
    test_outside_a_thread();
    test_huge_stack_fails();
    return check_report("impl_win32_threads");
}
