/*
 * test_win32_compat.c - a Windows program, unchanged but for the include,
 * built against the model through vas/win32.h: it reserves, commits,
 * queries, protects and frees the way Win32 code does and checks what
 * Windows would answer.
 */
#include "vas/win32.h"   /* on Windows: #include <windows.h> */

#include <stdio.h>

static int failures;

#define EXPECT(cond)                                                       \
    do {                                                                   \
        if (!(cond)) {                                                     \
            printf("%s:%d: expected %s\n", __FILE__, __LINE__, #cond);     \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static void test_system_info(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    EXPECT(si.dwPageSize == 0x1000);
    EXPECT(si.dwAllocationGranularity == 0x10000);
    EXPECT(si.lpMinimumApplicationAddress == (LPVOID)0x10000);
    EXPECT((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFFFFFEFFFFull);
    EXPECT(si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64);
}

static void test_reserve_commit_query(void)
{
    SYSTEM_INFO si;
    MEMORY_BASIC_INFORMATION mbi;
    DWORD old;
    GetSystemInfo(&si);

    LPVOID base = VirtualAlloc(NULL, 16 * si.dwPageSize, MEM_RESERVE, PAGE_NOACCESS);
    EXPECT(base != NULL);
    char *page2 = (char *)base + 2 * si.dwPageSize;
    LPVOID p = VirtualAlloc(page2, si.dwPageSize, MEM_COMMIT, PAGE_READWRITE);
    EXPECT(p == page2);

    EXPECT(VirtualQuery(page2 + 100, &mbi, sizeof mbi) == sizeof mbi);
    EXPECT(mbi.BaseAddress == page2);
    EXPECT(mbi.AllocationBase == base);
    EXPECT(mbi.AllocationProtect == PAGE_NOACCESS);
    EXPECT(mbi.RegionSize == si.dwPageSize);
    EXPECT(mbi.State == MEM_COMMIT);
    EXPECT(mbi.Protect == PAGE_READWRITE);
    EXPECT(mbi.Type == MEM_PRIVATE);

    EXPECT(VirtualProtect(page2, 1, PAGE_READONLY | PAGE_GUARD, &old));
    EXPECT(old == PAGE_READWRITE);
    SetLastError(0);
    EXPECT(!VirtualProtect(base, si.dwPageSize, PAGE_READONLY, &old));
    EXPECT(GetLastError() == ERROR_INVALID_ADDRESS);
    EXPECT(old == PAGE_NOACCESS);

    EXPECT(!VirtualFree(base, 16 * si.dwPageSize, MEM_RELEASE));
    EXPECT(GetLastError() == ERROR_INVALID_PARAMETER);
    EXPECT(VirtualFree(page2, si.dwPageSize, MEM_DECOMMIT));
    EXPECT(VirtualFree(base, 0, MEM_RELEASE));
    EXPECT(VirtualQuery(base, &mbi, sizeof mbi) == sizeof mbi);
    EXPECT(mbi.State == MEM_FREE);
    EXPECT(mbi.Protect == PAGE_NOACCESS);
    EXPECT(mbi.AllocationBase == NULL);
}

static void test_errors(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    SetLastError(0);
    EXPECT(VirtualAlloc(NULL, 0, MEM_COMMIT, PAGE_READWRITE) == NULL);
    EXPECT(GetLastError() == ERROR_INVALID_PARAMETER);
    EXPECT(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_WRITECOPY) == NULL);
    EXPECT(GetLastError() == ERROR_INVALID_PARAMETER);
    EXPECT(!VirtualProtect((LPVOID)0x50000000, 0x1000, PAGE_READONLY, NULL));
    EXPECT(GetLastError() == ERROR_NOACCESS);
    EXPECT(VirtualQuery((LPCVOID)0x50000000, &mbi, sizeof mbi - 1) == 0);
    EXPECT(GetLastError() == ERROR_BAD_LENGTH);
    /* a success leaves last-error alone */
    SetLastError(1234);
    LPVOID p = VirtualAlloc(NULL, 1, MEM_COMMIT | MEM_TOP_DOWN, PAGE_EXECUTE_READ);
    EXPECT(p != NULL);
    EXPECT(GetLastError() == 1234);
    EXPECT(VirtualFree(p, 0, MEM_RELEASE));
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
    EXPECT((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFEFFFF);
    LPVOID p = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    EXPECT(p == (LPVOID)0x7FFE0000);
    MEMORY_BASIC_INFORMATION mbi;
    EXPECT(VirtualQuery(p, &mbi, sizeof mbi) == 28);   /* the 32-bit structure size */
    vas_win32_use(NULL);
    vas_destroy(x86);
    GetSystemInfo(&si);
    EXPECT((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFFFFFEFFFFull);
}

int main(void)
{
    test_system_info();
    test_reserve_commit_query();
    test_errors();
    test_other_space();
    if (failures)
        printf("impl_win32_compat: %d failure(s)\n", failures);
    else
        printf("impl_win32_compat: all checks passed\n");
    return failures != 0;
}
