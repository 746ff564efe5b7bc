/*
 * test_host_win32_stack.c - a thread of a Windows-style program (vas/win32.h)
 * on a host-backed x86 space writes into its own stack through real
 * pointers: the real guard fault grows the stack as Windows does (nothing
 * reported, the write lands), and at the bottom the overflow is reported as
 * STATUS_STACK_OVERFLOW (docs/semantics.md section 11).
 */
#include <string.h>

#include "check.h"
#include "host_check.h"
#include "vas/win32.h"
#include "vas/vas_host.h"

typedef struct seen {
    uint32_t grew, overflow;   /* host_take_fault after each write */
    DWORD grown_protect, below_state, below_protect;
    unsigned char readback;
} seen;

static DWORD WINAPI thread_body(LPVOID arg)
{
    seen *s = arg;
    ULONG_PTR low, high;
    uint64_t at;
    MEMORY_BASIC_INFORMATION mbi;
    GetCurrentThreadStackLimits(&low, &high);
    volatile unsigned char *guard = (unsigned char *)(high - 0x3000);   /* the top guard page */
    guard[8] = 0x5A;                            /* a real fault the system handles */
    s->grew = host_take_fault(vas_win32_space(), &at);
    s->readback = guard[8];
    VirtualQuery((LPCVOID)(high - 0x3000), &mbi, sizeof mbi);
    s->grown_protect = mbi.Protect;
    VirtualQuery((LPCVOID)(high - 0x4000), &mbi, sizeof mbi);
    s->below_state = mbi.State;                 /* the new guard page (x86: one) */
    s->below_protect = mbi.Protect;
    /* Walk down as __chkstk would until the stack cannot grow. */
    s->overflow = 0;
    for (ULONG_PTR page = high - 0x4000; page > low && s->overflow == 0; page -= 0x1000) {
        ((volatile unsigned char *)page)[0] = 1;
        s->overflow = host_take_fault(vas_win32_space(), &at);
    }
    return 0;
}

int main(void)
{
    vas_t *v = host_space_at_same_addresses("host_win32_stack");
    if (!v)
        return 1;
    vas_win32_use(v);
    seen s;
    memset(&s, 0, sizeof s);
    HANDLE h = CreateThread(NULL, 0x10000, thread_body, &s, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    CHECK(h != NULL);
    CHECK_EQ(s.grew, 0);                          /* G302: the program sees nothing */
    CHECK_EQ(s.readback, 0x5A);
    CHECK_EQ(s.grown_protect, PAGE_READWRITE);
    CHECK_EQ(s.below_state, MEM_COMMIT);
    CHECK_EQ(s.below_protect, PAGE_READWRITE | PAGE_GUARD);
    CHECK_EQ(s.overflow, VAS_STATUS_STACK_OVERFLOW);  /* G303 */
    CHECK(CloseHandle(h));
    vas_win32_use(NULL);
    vas_destroy(v);
    return check_report("host_win32_stack");
}
