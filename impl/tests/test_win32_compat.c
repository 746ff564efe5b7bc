/*
 * test_win32_compat.c - a Windows program, unchanged but for the include,
 * built against the model through vas/win32.h: it reserves, commits,
 * queries, protects and frees the way Win32 code does and checks what
 * Windows would answer.
 */
#include "vas/win32.h"   /* on Windows: #include <windows.h> */

#include "check.h"

static void test_system_info(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    CHECK(si.dwPageSize == 0x1000);
    CHECK(si.dwAllocationGranularity == 0x10000);
    CHECK(si.lpMinimumApplicationAddress == (LPVOID)0x10000);
    CHECK((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFFFFFEFFFFull);
    CHECK(si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64);
}

static void test_reserve_commit_query(void)
{
    SYSTEM_INFO si;
    MEMORY_BASIC_INFORMATION mbi;
    DWORD old;
    GetSystemInfo(&si);

    LPVOID base = VirtualAlloc(NULL, 16 * si.dwPageSize, MEM_RESERVE, PAGE_NOACCESS);
    CHECK(base != NULL);
    char *page2 = (char *)base + 2 * si.dwPageSize;
    LPVOID p = VirtualAlloc(page2, si.dwPageSize, MEM_COMMIT, PAGE_READWRITE);
    CHECK(p == page2);

    CHECK(VirtualQuery(page2 + 100, &mbi, sizeof mbi) == sizeof mbi);
    CHECK(mbi.BaseAddress == page2);
    CHECK(mbi.AllocationBase == base);
    CHECK(mbi.AllocationProtect == PAGE_NOACCESS);
    CHECK(mbi.RegionSize == si.dwPageSize);
    CHECK(mbi.State == MEM_COMMIT);
    CHECK(mbi.Protect == PAGE_READWRITE);
    CHECK(mbi.Type == MEM_PRIVATE);

    CHECK(VirtualProtect(page2, 1, PAGE_READONLY | PAGE_GUARD, &old));
    CHECK(old == PAGE_READWRITE);
    SetLastError(0);
    CHECK(!VirtualProtect(base, si.dwPageSize, PAGE_READONLY, &old));
    CHECK(GetLastError() == ERROR_INVALID_ADDRESS);
    CHECK(old == PAGE_NOACCESS);

    CHECK(!VirtualFree(base, 16 * si.dwPageSize, MEM_RELEASE));
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(VirtualFree(page2, si.dwPageSize, MEM_DECOMMIT));
    CHECK(VirtualFree(base, 0, MEM_RELEASE));
    CHECK(VirtualQuery(base, &mbi, sizeof mbi) == sizeof mbi);
    CHECK(mbi.State == MEM_FREE);
    CHECK(mbi.Protect == PAGE_NOACCESS);
    CHECK(mbi.AllocationBase == NULL);
}

static void test_errors(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    SetLastError(0);
    CHECK(VirtualAlloc(NULL, 0, MEM_COMMIT, PAGE_READWRITE) == NULL);
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_WRITECOPY) == NULL);
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!VirtualProtect((LPVOID)0x50000000, 0x1000, PAGE_READONLY, NULL));
    CHECK(GetLastError() == ERROR_NOACCESS);
    CHECK(VirtualQuery((LPCVOID)0x50000000, &mbi, sizeof mbi - 1) == 0);
    CHECK(GetLastError() == ERROR_BAD_LENGTH);
    /* a success leaves last-error alone */
    SetLastError(1234);
    LPVOID p = VirtualAlloc(NULL, 1, MEM_COMMIT | MEM_TOP_DOWN, PAGE_EXECUTE_READ);
    CHECK(p != NULL);
    CHECK(GetLastError() == 1234);
    CHECK(VirtualFree(p, 0, MEM_RELEASE));
}

static void test_other_space(void)
{
    /* A program can be pointed at a 32-bit space. */
    vas_config cfg;
    vas_config_default(&cfg, VAS_PROFILE_X86);
    vas_t *x86 = vas_create(&cfg);
    vas_win32_use(x86);
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    CHECK((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFEFFFF);
    LPVOID p = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    CHECK(p == (LPVOID)0x7FFE0000);
    MEMORY_BASIC_INFORMATION mbi;
    CHECK(VirtualQuery(p, &mbi, sizeof mbi) == 28);   /* the 32-bit structure size */
    vas_win32_use(NULL);
    vas_destroy(x86);
    GetSystemInfo(&si);
    CHECK((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFFFFFEFFFFull);
}

int main(void)
{
    test_system_info();
    test_reserve_commit_query();
    test_errors();
    test_other_space();
    return check_report("impl_win32_compat");
}
