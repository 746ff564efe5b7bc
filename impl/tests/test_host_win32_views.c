/*
 * test_host_win32_views.c - a Windows-style program (vas/win32.h) on a
 * host-backed x86 space builds the classic "magic ring buffer": one
 * pagefile-backed section mapped twice, back to back, so that a record
 * running off the end of the first view continues at the start of the
 * buffer. It only works if the two views are the same physical pages
 * (docs/semantics.md section 15.3). A FILE_MAP_COPY view of the same
 * section then takes a private snapshot on its first write.
 */
#include <string.h>

#include "check.h"
#include "host_check.h"
#include "vas/win32.h"

#define RING 0x10000   /* one allocation granule: views are granule-aligned */

int main(void)
{
    vas_t *v = host_space_at_same_addresses("host_win32_views");
    if (!v)
        return 1;
    vas_win32_use(v);

    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, RING, NULL);
    CHECK(section != NULL);
    /* Find room for two granules, then map the section into both halves. */
    char *place = VirtualAlloc(NULL, 2 * RING, MEM_RESERVE, PAGE_NOACCESS);
    CHECK(place != NULL);
    CHECK(VirtualFree(place, 0, MEM_RELEASE));
    char *ring = MapViewOfFileEx(section, FILE_MAP_ALL_ACCESS, 0, 0, RING, place);
    char *mirror = MapViewOfFileEx(section, FILE_MAP_ALL_ACCESS, 0, 0, RING, place + RING);
    CHECK(ring == place);
    CHECK(mirror == place + RING);

    /* A record written across the end wraps to the start. */
    const char record[] = "wrapped-around record";
    size_t head = RING - 7;
    memcpy(ring + head, record, sizeof record);
    CHECK(memcmp(ring, record + 7, sizeof record - 7) == 0);
    CHECK(memcmp(ring + head, record, sizeof record) == 0);   /* read back contiguously */

    /* A snapshot: FILE_MAP_COPY sees the buffer, and its own writes stay its own. */
    char *snap = MapViewOfFile(section, FILE_MAP_COPY, 0, 0, 0);
    CHECK(snap != NULL);
    CHECK(memcmp(snap, record + 7, sizeof record - 7) == 0);
    snap[0] = '#';
    CHECK_EQ(ring[0], record[7]);
    ring[1] = '!';
    CHECK_EQ(snap[1], record[8]);   /* the copied page no longer follows the ring */
    MEMORY_BASIC_INFORMATION mbi;
    CHECK_EQ(VirtualQuery(snap, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_READWRITE);
    CHECK_EQ(mbi.Type, MEM_MAPPED);
    CHECK_EQ(VirtualQuery(snap + 0x1000, &mbi, sizeof mbi), sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_WRITECOPY);

    /* The ring outlives its handle. */
    CHECK(CloseHandle(section));
    ring[2] = '?';
    CHECK_EQ(mirror[2], '?');
    CHECK(UnmapViewOfFile(snap));
    CHECK(UnmapViewOfFile(mirror));
    CHECK(UnmapViewOfFile(ring));
    CHECK_VERIFIED(v);
    vas_win32_use(NULL);
    vas_destroy(v);
    return check_report("host_win32_views");
}
