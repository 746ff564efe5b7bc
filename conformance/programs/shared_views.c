/*
 * shared_views.c - a producer and a consumer sharing a pagefile-backed
 * section, the way two components of a program (or two processes) pass
 * data without copying: the producer writes through a read-write view, the
 * consumer reads through a read-only one and sees every write. A scratch
 * copy (FILE_MAP_COPY) lets the consumer edit what it got without the
 * producer or anybody else seeing it: the first write to a page gives the
 * copy its own page, and VirtualQuery shows it. Then the handle is closed
 * (the views live on), the mistakes the calls refuse, and a SEC_RESERVE
 * section grown one page at a time through one view.
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#define SECTION_SIZE 0x20000

static void put(void *view, SIZE_T offset, const char *text)
{
    memcpy((char *)view + offset, text, strlen(text) + 1);
}

static void get(const void *view, SIZE_T offset, char *out, SIZE_T size)
{
    memcpy(out, (const char *)view + offset, size);
    out[size - 1] = 0;
}

static void show(const char *what, const void *view, SIZE_T offset)
{
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T got = VirtualQuery((const char *)view + offset, &mbi, sizeof mbi);
    printf("%s: query=%s state=0x%lx protect=0x%lx alloc_protect=0x%lx type=0x%lx size=0x%lx "
           "base_is_view=%d\n", what, got == sizeof mbi ? "ok" : "bad", (unsigned long)mbi.State,
           (unsigned long)mbi.Protect, (unsigned long)mbi.AllocationProtect, (unsigned long)mbi.Type,
           mbi.State == MEM_FREE ? 0ul : (unsigned long)mbi.RegionSize, mbi.AllocationBase == view);
}

static void show_text(const char *what, const void *view, SIZE_T offset)
{
    char text[16];
    get(view, offset, text, sizeof text);
    printf("%s: \"%s\"\n", what, text);
}

static void show_failure(const char *what, BOOL failed)
{
    printf("%s: failed=%d error=%lu\n", what, failed, (unsigned long)GetLastError());
}

/* The scratch copy: it starts as the shared bytes and keeps its edits. */
static void scratch_copy(HANDLE section, char *producer, const char *consumer)
{
    char *scratch = MapViewOfFile(section, FILE_MAP_COPY, 0, 0, 0);
    printf("scratch: mapped=%d\n", scratch != NULL);
    show("scratch-view", scratch, 0);
    show_text("scratch-before", scratch, 0x1000);
    put(scratch, 0x1000, "edited");
    show("scratch-edited-page", scratch, 0x1000);
    show("scratch-page-before", scratch, 0);
    show("scratch-page-after", scratch, 0x2000);
    show_text("scratch-after", scratch, 0x1000);
    show_text("consumer-after-edit", consumer, 0x1000);
    /* The producer goes on: the copied page no longer follows, the others do. */
    put(producer, 0x1000, "tick 2");
    put(producer, 0x3000, "tock 2");
    show_text("scratch-copied-page", scratch, 0x1000);
    show_text("scratch-shared-page", scratch, 0x3000);
    show_text("consumer-tick", consumer, 0x1000);
    printf("scratch-unmap: ok=%d\n", UnmapViewOfFile(scratch + 0x1234));
}

/* A section that grows: reserved, committed a page at a time through the
 * producer's view; the consumer's view sees each page committed too. */
static void growing_section(void)
{
    HANDLE section = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                       0x40000, NULL);
    char *producer = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
    char *consumer = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0);
    printf("grow-open: section=%d views=%d\n", section != NULL, producer != NULL && consumer != NULL);
    show("grow-reserved", consumer, 0);
    LPVOID page = VirtualAlloc(producer, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    printf("grow-commit: same=%d\n", page == producer);
    show("grow-producer", producer, 0);
    show("grow-consumer", consumer, 0);
    put(producer, 0, "grown");
    show_text("grow-read", consumer, 0);
    printf("grow-close: handle=%d unmap=%d unmap=%d\n", CloseHandle(section),
           UnmapViewOfFile(producer), UnmapViewOfFile(consumer));
}

int main(void)
{
    HANDLE section = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SECTION_SIZE, NULL);
    printf("section: created=%d\n", section != NULL);
    if (!section)
        return 1;
    char *producer = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
    const char *consumer = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0);
    printf("views: producer=%d consumer=%d distinct=%d\n", producer != NULL, consumer != NULL,
           producer != consumer);
    show("producer-view", producer, 0);
    show("consumer-view", consumer, 0);

    show_text("fresh", consumer, 0x1000);
    put(producer, 0x1000, "tick 1");
    put(producer, 0x3000, "tock 1");
    show_text("consumer-tick", consumer, 0x1000);
    show_text("consumer-tock", consumer, 0x3000);

    scratch_copy(section, producer, consumer);

    /* A window on the second 64 KiB: offsets are in granules. */
    put(producer, 0x10000, "second half");
    const char *window = MapViewOfFile(section, FILE_MAP_READ, 0, 0x10000, 0x1000);
    show("window", window, 0);
    show_text("window-text", window, 0);

    /* The view keeps the section alive after its handle is closed. */
    printf("close: ok=%d\n", CloseHandle(section));
    put(producer, 0x1000, "tick 3");
    show_text("after-close", consumer, 0x1000);

    /* What the calls refuse. */
    SetLastError(0);
    show_failure("map-closed-handle", MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0) == NULL);
    HANDLE readonly = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 0x10000, NULL);
    SetLastError(0);
    show_failure("map-write-of-readonly", MapViewOfFile(readonly, FILE_MAP_WRITE, 0, 0, 0) == NULL);
    SetLastError(0);
    show_failure("map-misaligned-offset", MapViewOfFile(readonly, FILE_MAP_READ, 0, 0x1000, 0) == NULL);
    SetLastError(0);
    show_failure("map-too-large", MapViewOfFile(readonly, FILE_MAP_READ, 0, 0, 0x20000) == NULL);
    printf("close-readonly: ok=%d\n", CloseHandle(readonly));
    DWORD old = 0;
    SetLastError(0);
    show_failure("protect-consumer-writable",
                 !VirtualProtect((LPVOID)consumer, 0x1000, PAGE_READWRITE, &old));
    SetLastError(0);
    show_failure("free-view", !VirtualFree(producer, 0, MEM_RELEASE));

    printf("unmap: window=%d consumer=%d\n", UnmapViewOfFile(window), UnmapViewOfFile(consumer));
    printf("unmap-inside: producer=%d\n", UnmapViewOfFile(producer + 0x5000));
    show("producer-gone", producer, 0);
    SetLastError(0);
    show_failure("unmap-again", !UnmapViewOfFile(producer));

    growing_section();
    printf("done\n");
    return 0;
}
