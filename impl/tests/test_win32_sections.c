/*
 * test_win32_sections.c - what vas/win32.h's section calls add to the
 * model's (whose rules the conformance cases under conformance/cases/mapped
 * pin): the Win32 parameters. A file handle or a name is refused, the
 * 32-bit halves of sizes and offsets are joined, the generic name is the A
 * form, CloseHandle closes a section handle and the view outlives it, and
 * the values are Windows'. conformance/programs/shared_views.c is the
 * realistic program.
 */
#include "vas/win32.h"   /* on Windows: #include <windows.h> */

#include <string.h>

#include "check.h"

static void test_values(void)
{
    CHECK_EQ(SEC_COMMIT, 0x8000000);
    CHECK_EQ(SEC_RESERVE, 0x4000000);
    CHECK_EQ(SEC_IMAGE_NO_EXECUTE, 0x11000000);
    CHECK_EQ(SEC_LARGE_PAGES, 0x80000000u);
    CHECK_EQ(FILE_MAP_COPY, 1);
    CHECK_EQ(FILE_MAP_WRITE, SECTION_MAP_WRITE);
    CHECK_EQ(FILE_MAP_READ, SECTION_MAP_READ);
    CHECK_EQ(FILE_MAP_EXECUTE, SECTION_MAP_EXECUTE_EXPLICIT);
    CHECK_EQ(FILE_MAP_ALL_ACCESS, SECTION_ALL_ACCESS);
    CHECK_EQ(SECTION_ALL_ACCESS, 0xF0000 | SECTION_QUERY | SECTION_MAP_WRITE | SECTION_MAP_READ |
                                 SECTION_MAP_EXECUTE | SECTION_EXTEND_SIZE);
    CHECK_EQ(ERROR_MAPPED_ALIGNMENT, 1132);
    CHECK_EQ(ERROR_NOT_SUPPORTED, 50);
}

/* Only pagefile-backed, unnamed sections exist in the model. */
static void test_create_refuses_files_and_names(void)
{
    static const WCHAR wide_name[] = {'m', 'a', 'p', 0};
    SetLastError(0);
    CHECK(CreateFileMappingA(NULL, NULL, PAGE_READWRITE, 0, 0x1000, NULL) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(CreateFileMappingA((HANDLE)(ULONG_PTR)0x44, NULL, PAGE_READWRITE, 0, 0x1000, NULL) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHECK(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, "map") == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_SUPPORTED);
    SetLastError(0);
    CHECK(CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, wide_name) == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_SUPPORTED);
    /* The model's own checks come after the shim's: size 0 is 87 (X411). */
    CHECK(CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* dwMaximumSizeHigh and dwFileOffsetHigh are the high halves: a section
 * of 4 GiB + 128 KiB (SEC_RESERVE, so nothing is charged) mapped at offset
 * 4 GiB + 64 KiB is a 64 KiB view. */
static void test_high_halves(void)
{
    HANDLE s = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 1, 0x20000,
                                  NULL);
    CHECK(s != NULL);
    LPVOID v = MapViewOfFile(s, FILE_MAP_WRITE, 1, 0x10000, 0);
    CHECK(v != NULL);
    MEMORY_BASIC_INFORMATION mbi;
    CHECK_EQ(VirtualQuery(v, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.RegionSize, 0x10000);
    CHECK_EQ(mbi.State, MEM_RESERVE);
    CHECK_EQ(mbi.Type, MEM_MAPPED);
    /* Past the end of the section from 4 GiB + 128 KiB: 87 (X401). */
    SetLastError(0);
    CHECK(MapViewOfFile(s, FILE_MAP_READ, 1, 0x20000, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(UnmapViewOfFile(v));
    CHECK(CloseHandle(s));
}

/* A view at a chosen address, contents through the simulated space, and a
 * view that outlives its handle. */
static void test_views_share_and_outlive_the_handle(void)
{
    HANDLE s = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x2000, NULL);
    CHECK(s != NULL);
    LPVOID a = MapViewOfFileEx(s, FILE_MAP_ALL_ACCESS, 0, 0, 0, (LPVOID)0x40000000);
    CHECK(a == (LPVOID)0x40000000);
    LPVOID b = MapViewOfFile(s, FILE_MAP_READ, 0, 0, 0x1000);
    CHECK(b != NULL && b != a);
    CHECK(CloseHandle(s));
    SetLastError(0);
    CHECK(!CloseHandle(s));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(MapViewOfFile(s, FILE_MAP_READ, 0, 0, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    vas_t *vas = vas_win32_space();
    char got[6] = "";
    CHECK_EQ(vas_write(vas, (uint64_t)(uintptr_t)a + 8, "shared", 6, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_read(vas, (uint64_t)(uintptr_t)b + 8, got, 6, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(got, "shared", 6) == 0);
    CHECK_EQ(vas_write(vas, (uint64_t)(uintptr_t)b, "x", 1, NULL), VAS_STATUS_ACCESS_VIOLATION);

    /* Inside the view unmaps it; a second time there is nothing to unmap. */
    CHECK(UnmapViewOfFile((char *)a + 0x1234));
    SetLastError(0);
    CHECK(!UnmapViewOfFile(a));
    CHECK_EQ(GetLastError(), ERROR_INVALID_ADDRESS);
    CHECK(UnmapViewOfFile(b));
}

int main(void)
{
    test_values();
    test_create_refuses_files_and_names();
    test_high_halves();
    test_views_share_and_outlive_the_handle();
    return check_report("impl_win32_sections");
}
