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
    /* The program's own record size in every profile, with 32-bit values
     * (docs/semantics.md section 13). */
    MEMORY_BASIC_INFORMATION mbi;
    CHECK_EQ(VirtualQuery(p, &mbi, sizeof mbi), sizeof mbi);
    CHECK(mbi.BaseAddress == p);
    CHECK_EQ(mbi.RegionSize, 0x1000);
    CHECK_EQ(VirtualQueryEx(GetCurrentProcess(), (char *)p - 1, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.State, MEM_FREE);
    CHECK((ULONG_PTR)mbi.BaseAddress + mbi.RegionSize == 0x7FFE0000);
    CHECK_EQ(VirtualQuery(p, &mbi, sizeof mbi - 1), 0);
    CHECK_EQ(GetLastError(), ERROR_BAD_LENGTH);
    vas_win32_use(NULL);
    vas_destroy(x86);
    GetSystemInfo(&si);
    CHECK((ULONG_PTR)si.lpMaximumApplicationAddress == 0x7FFFFFFEFFFFull);
}

/* The types a program declares its variables with have Windows' widths. */
static void test_types(void)
{
    CHECK_EQ(sizeof(LONG), 4);
    CHECK_EQ(sizeof(ULONG), 4);
    CHECK_EQ(sizeof(DWORD), 4);
    CHECK_EQ(sizeof(UINT), 4);
    CHECK_EQ(sizeof(WORD), 2);
    CHECK_EQ(sizeof(WCHAR), 2);
    CHECK_EQ(sizeof(CHAR), 1);
    CHECK_EQ(sizeof(SIZE_T), sizeof(void *));
    CHECK_EQ(sizeof(ULONG_PTR), sizeof(void *));
    CHECK_EQ(sizeof(MEMORY_BASIC_INFORMATION), sizeof(void *) == 8 ? 48 : 28);
    CHECK_EQ(sizeof(MEMORY_BASIC_INFORMATION32), 28);
    CHECK_EQ(sizeof(MEMORY_BASIC_INFORMATION64), 48);
    CHECK((LONG)-1 < 0);
    CHECK(INVALID_HANDLE_VALUE == (HANDLE)(LONG_PTR)-1);
    CHECK(GetCurrentProcess() == INVALID_HANDLE_VALUE);
    CHECK_EQ(MEM_REPLACE_PLACEHOLDER, 0x4000);
    CHECK_EQ(MEM_RESERVE_PLACEHOLDER, 0x40000);
    CHECK_EQ(AT_ROUND_TO_PAGE, 0x40000000);
    CHECK_EQ(ERROR_PARTIAL_COPY, 299);
    CHECK_EQ(ERROR_NOT_LOCKED, 158);
    CHECK_EQ(ERROR_WORKING_SET_QUOTA, 1453);
    CHECK_EQ(ERROR_INVALID_HANDLE, 6);
}

/* The *Ex calls take the pseudo-handle; anything else names no process. */
static void test_process_handles(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    DWORD old;
    HANDLE self = GetCurrentProcess();
    LPVOID p = VirtualAllocEx(self, NULL, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(p != NULL);
    CHECK(VirtualProtectEx(self, p, 0x1000, PAGE_EXECUTE_READ, &old));
    CHECK_EQ(old, PAGE_READWRITE);
    CHECK(FlushInstructionCache(self, p, 0x1000));
    CHECK_EQ(VirtualQueryEx(self, p, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_EXECUTE_READ);

    SetLastError(0);
    CHECK(VirtualAllocEx(NULL, NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK(!VirtualFreeEx(NULL, p, 0, MEM_RELEASE));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK(!VirtualProtectEx((HANDLE)(ULONG_PTR)0x1234, p, 0x1000, PAGE_READONLY, &old));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK_EQ(VirtualQueryEx(NULL, p, &mbi, sizeof mbi), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK(!FlushInstructionCache(NULL, p, 1));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(CloseHandle(self));   /* the pseudo-handle closes and stays valid */

    /* Another process: both buffers are simulated, the counts host memory. */
    HANDLE child = vas_win32_create_process(NULL);
    CHECK(child != NULL && child != self);
    char *remote = VirtualAllocEx(child, NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK(remote != NULL);
    CHECK(VirtualProtectEx(child, remote + 0x1000, 0x1000, PAGE_READONLY, &old));
    SIZE_T n = 77;
    CHECK(WriteProcessMemory(child, remote + 0xFF0, p, 0x10, &n));
    CHECK_EQ(n, 0x10);
    n = 77;
    CHECK(!WriteProcessMemory(child, remote + 0xFF0, p, 0x20, &n));   /* stops at the read-only page */
    CHECK_EQ(GetLastError(), ERROR_PARTIAL_COPY);
    CHECK_EQ(n, 0x10);
    n = 77;
    CHECK(!WriteProcessMemory(child, remote + 0x1000, p, 1, &n));     /* read-only region: count untouched */
    CHECK_EQ(GetLastError(), ERROR_NOACCESS);
    CHECK_EQ(n, 77);
    CHECK(ReadProcessMemory(child, remote, (char *)p + 0x1000, 0x2000, &n));
    CHECK_EQ(n, 0x2000);
    CHECK(CloseHandle(child));
    CHECK(!CloseHandle(child));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!ReadProcessMemory(child, remote, p, 1, &n));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK_EQ(n, 0);
    CHECK(VirtualFreeEx(self, p, 0, MEM_RELEASE));
}

/* Write watch, locking and the probes through their Windows names. */
static void test_watch_lock_probes(void)
{
    char *p = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    CHECK(p != NULL);
    char byte = 7;
    CHECK_EQ(vas_write(vas_win32_space(), (uint64_t)(uintptr_t)(p + 0x2010), &byte, 1, NULL), 0);
    PVOID found[4];
    ULONG_PTR count = 4;
    DWORD gran = 0;
    CHECK_EQ(GetWriteWatch(WRITE_WATCH_FLAG_RESET, p, 0x4000, found, &count, &gran), 0);
    CHECK_EQ(count, 1);
    CHECK(found[0] == p + 0x2000);
    CHECK_EQ(gran, 0x1000);
    count = 4;
    CHECK_EQ(GetWriteWatch(0, p, 0x4000, found, &count, &gran), 0);
    CHECK_EQ(count, 0);
    count = 4;
    CHECK_EQ(GetWriteWatch(0, p, 0x4000, NULL, &count, &gran), (UINT)-1);
    CHECK_EQ(GetLastError(), ERROR_NOACCESS);
    CHECK_EQ(ResetWriteWatch(p, 0x4000), 0);

    SIZE_T lo = 0, hi = 0;
    CHECK(GetProcessWorkingSetSize(GetCurrentProcess(), &lo, &hi));
    CHECK_EQ(lo, 50 * 0x1000);
    CHECK_EQ(hi, 345 * 0x1000);
    CHECK(!GetProcessWorkingSetSize(GetCurrentProcess(), NULL, &hi));
    CHECK_EQ(GetLastError(), ERROR_NOACCESS);
    CHECK(SetProcessWorkingSetSize(GetCurrentProcess(), (SIZE_T)-1, (SIZE_T)-1));
    CHECK(VirtualLock(p + 0xFFF, 2));   /* straddles two pages */
    CHECK(VirtualUnlock(p, 0x2000));
    CHECK(!VirtualUnlock(p, 0x1000));
    CHECK_EQ(GetLastError(), ERROR_NOT_LOCKED);

    DWORD old;
    CHECK(VirtualProtect(p + 0x3000, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old));
    CHECK(!IsBadReadPtr(p, 0x3000));
    CHECK(IsBadWritePtr(p + 0x2000, 0x2000));   /* the guard fires */
    CHECK(!IsBadWritePtr(p + 0x2000, 0x2000));  /* and is gone */
    CHECK(IsBadCodePtr((FARPROC)(uintptr_t)0x1000));
    CHECK(!IsBadStringPtrA(p, 10));
    CHECK(!IsBadStringPtrW((LPCWSTR)(p + 0x3FFE), 5));   /* one NUL character */
    CHECK(IsBadStringPtr((LPCSTR)(uintptr_t)0x1000, 1));
    CHECK(VirtualFree(p, 0, MEM_RELEASE));
}

int main(void)
{
    test_types();
    test_process_handles();
    test_watch_lock_probes();
    test_system_info();
    test_reserve_commit_query();
    test_errors();
    test_other_space();
    return check_report("impl_win32_compat");
}
