/*
 * test_win32_placeholders.c - what vas/win32.h's placeholder calls add to
 * the model's (whose rules the conformance cases under
 * conformance/cases/placeholders pin): Windows' names, values and layouts,
 * the MEM_EXTENDED_PARAMETER array read from host memory, NULL as the
 * process, and a ring-buffer style program (two views of one section side
 * by side in a split placeholder) compiling and working unchanged.
 */
#include "vas/win32.h"   /* on Windows: #include <windows.h> */

#include <string.h>

#include "check.h"

static void test_values(void)
{
    CHECK_EQ(MEM_RESERVE_PLACEHOLDER, 0x40000);
    CHECK_EQ(MEM_REPLACE_PLACEHOLDER, 0x4000);
    CHECK_EQ(MEM_COALESCE_PLACEHOLDERS, 1);
    CHECK_EQ(MEM_PRESERVE_PLACEHOLDER, 2);
    CHECK_EQ(MEM_UNMAP_WITH_TRANSIENT_BOOST, 1);
    CHECK_EQ(MemExtendedParameterAddressRequirements, 1);
    CHECK_EQ(MemExtendedParameterMax, 7);
    CHECK_EQ(sizeof(MEM_EXTENDED_PARAMETER), 16);
    CHECK_EQ(sizeof(MEM_ADDRESS_REQUIREMENTS), 3 * sizeof(void *));
}

/* The classic ring buffer: a placeholder of twice the buffer, split in
 * two, each half replaced by a view of the same section, so that bytes
 * written past the first half's end show at the buffer's start. */
static void test_ring_buffer(void)
{
    const SIZE_T size = 0x10000;
    HANDLE s = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, (DWORD)size, NULL);
    char *p = VirtualAlloc2(NULL, NULL, 2 * size, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER, PAGE_NOACCESS,
                            NULL, 0);
    CHECK(s != NULL && p != NULL);
    CHECK(VirtualFree(p, size, MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER));
    void *v1 = MapViewOfFile3(s, GetCurrentProcess(), p, 0, size, MEM_REPLACE_PLACEHOLDER, PAGE_READWRITE,
                              NULL, 0);
    void *v2 = MapViewOfFile3(s, NULL, p + size, 0, size, MEM_REPLACE_PLACEHOLDER, PAGE_READWRITE, NULL, 0);
    CHECK(v1 == p && v2 == p + size);
    char out[4] = {0};
    CHECK_EQ(vas_write(vas_win32_space(), (uint64_t)(uintptr_t)(p + size - 2), "ring", 4, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_read(vas_win32_space(), (uint64_t)(uintptr_t)p, out, 2, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(out, "ng", 2) == 0);
    MEMORY_BASIC_INFORMATION mbi;
    CHECK(UnmapViewOfFile2(GetCurrentProcess(), v2, MEM_PRESERVE_PLACEHOLDER));
    CHECK_EQ(VirtualQuery(p + size, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.State, MEM_RESERVE);
    CHECK_EQ(mbi.Type, MEM_PRIVATE);
    CHECK_EQ(mbi.AllocationProtect, PAGE_NOACCESS);
    CHECK(UnmapViewOfFileEx(v1, MEM_PRESERVE_PLACEHOLDER));
    CHECK(VirtualFree(p, 2 * size, MEM_RELEASE | MEM_COALESCE_PLACEHOLDERS));
    CHECK_EQ(VirtualQuery(p, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.RegionSize, 2 * size);
    CHECK(VirtualFree(p, 0, MEM_RELEASE));
    CHECK(CloseHandle(s));
}

/* The array and the structure it points to are read from host memory; a
 * requirements parameter without its structure, and NULL as the process
 * of UnmapViewOfFile2, fail as Windows fails them. */
static void test_extended_parameters(void)
{
    MEM_ADDRESS_REQUIREMENTS req = {(PVOID)(ULONG_PTR)0x20000000, (PVOID)(ULONG_PTR)0x2003FFFF, 0};
    MEM_EXTENDED_PARAMETER ext[2];
    memset(ext, 0, sizeof ext);
    ext[0].Type = MemExtendedParameterAddressRequirements;
    ext[0].Pointer = &req;
    void *a = VirtualAlloc2(NULL, NULL, 0x40000, MEM_RESERVE, PAGE_READWRITE, ext, 1);
    CHECK(a == (void *)(ULONG_PTR)0x20000000);
    SetLastError(0);
    CHECK(VirtualAlloc2(NULL, NULL, 0x1000, MEM_RESERVE, PAGE_READWRITE, ext, 1) == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
    ext[1] = ext[0];
    CHECK(VirtualAlloc2(NULL, NULL, 0x1000, MEM_RESERVE, PAGE_READWRITE, ext, 2) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    ext[0].Pointer = NULL;
    SetLastError(0);
    CHECK(VirtualAlloc2(NULL, NULL, 0x1000, MEM_RESERVE, PAGE_READWRITE, ext, 1) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0);
    CHECK(VirtualAlloc2(NULL, NULL, 0x1000, MEM_RESERVE, PAGE_READWRITE, NULL, 1) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0);
    CHECK(!UnmapViewOfFile2(NULL, a, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(VirtualFree(a, 0, MEM_RELEASE));
}

int main(void)
{
    test_values();
    test_ring_buffer();
    test_extended_parameters();
    return check_report("impl_win32_placeholders");
}
