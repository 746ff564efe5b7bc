/*
 * test_host_win32.c - a Windows-style program (vas/win32.h) on a
 * host-backed x86 space gets pointers it can really dereference: memory
 * VirtualAlloc commits is usable, VirtualProtect's changes are enforced by
 * the MMU, and a PAGE_GUARD page fires once.
 */
#include <string.h>

#include "check.h"
#include "host_check.h"
#include "vas/win32.h"
#include "vas/vas_host.h"

int main(void)
{
    vas_t *v = host_space_at_same_addresses("host_win32");
    if (!v)
        return 1;
    vas_win32_use(v);

    char *p = VirtualAlloc(NULL, 0x20000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(p != NULL);
    CHECK((void *)p == vas_host_pointer(v, (uint64_t)(uintptr_t)p));
    strcpy(p, "hello, real memory");
    p[0x1FFFF] = 'z';
    CHECK(strcmp(p, "hello, real memory") == 0);
    CHECK_EQ(p[0x10000], 0);   /* committed and never written: zeros */

    /* VirtualProtect is enforced by the MMU. */
    DWORD old;
    CHECK(VirtualProtect(p, 0x1000, PAGE_READONLY, &old));
    CHECK_EQ(old, PAGE_READWRITE);
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_write(p + 3, 1, &fault), 0);
    CHECK_EQ(fault, (uintptr_t)(p + 3));
    CHECK_EQ(p[0], 'h');   /* still readable */

    /* A guard page: the first touch is recorded once, the access completes. */
    uint64_t at;
    while (host_take_fault(v, &at))
        ;
    CHECK(VirtualProtect(p + 0x4000, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old));
    p[0x4008] = 1;
    CHECK_EQ(host_take_fault(v, &at), STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(at, (uint64_t)(uintptr_t)(p + 0x4008));
    p[0x4009] = 2;
    CHECK_EQ(host_take_fault(v, &at), 0);
    MEMORY_BASIC_INFORMATION mbi;
    CHECK_EQ(VirtualQuery(p + 0x4000, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_READWRITE);

    /* Decommit really drops the data; release really unmaps it. */
    CHECK(VirtualFree(p + 0x10000, 0x10000, MEM_DECOMMIT));
    CHECK_EQ(host_probe_read(p + 0x1FFFF, 1, &fault), 0);
    CHECK(VirtualAlloc(p + 0x10000, 0x10000, MEM_COMMIT, PAGE_READWRITE) == p + 0x10000);
    CHECK_EQ(p[0x1FFFF], 0);
    CHECK(VirtualFree(p, 0, MEM_RELEASE));
    CHECK_EQ(host_probe_read(p, 1, &fault), 0);

    char msg[256];
    CHECK_EQ(host_verify(v, msg, sizeof msg), 0);
    vas_win32_use(NULL);
    vas_destroy(v);
    return check_report("host_win32");
}
