/*
 * test_host_win32_watch.c - a Windows-style program (vas/win32.h) on a
 * host-backed x86 space uses write watch as a garbage collector's card
 * table does: it stores through plain pointers into MEM_WRITE_WATCH memory
 * and asks GetWriteWatch which pages changed (docs/semantics.md sections 8
 * and 15). GetWriteWatch answers what Windows answers: the pages written,
 * ascending; WRITE_WATCH_FLAG_RESET and ResetWriteWatch start over.
 */
#include "check.h"
#include "host_check.h"
#include "vas/win32.h"

#define PAGE 0x1000

static PVOID pages[64];

/* The pages GetWriteWatch reports in [base, base + size). */
static ULONG_PTR changed(DWORD flags, char *base, SIZE_T size)
{
    ULONG_PTR count = 64;
    DWORD granularity = 0;
    CHECK_EQ(GetWriteWatch(flags, base, size, pages, &count, &granularity), 0);
    CHECK_EQ(granularity, PAGE);
    return count;
}

int main(void)
{
    vas_t *v = host_space_at_same_addresses("host_win32_watch");
    if (!v)
        return 1;
    vas_win32_use(v);

    SIZE_T size = 16 * PAGE;
    char *heap = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    CHECK(heap != NULL);
    CHECK_EQ(changed(0, heap, size), 0);

    /* The mutator stores into three objects on pages 1, 4 and 9. */
    heap[1 * PAGE + 16] = 'a';
    heap[4 * PAGE + 100] = 'b';
    *(volatile int *)(heap + 9 * PAGE + 8) = 42;
    heap[4 * PAGE + 101] = 'c';            /* a second store: still one page */
    CHECK_EQ(changed(WRITE_WATCH_FLAG_RESET, heap, size), 3);
    CHECK(pages[0] == heap + 1 * PAGE);
    CHECK(pages[1] == heap + 4 * PAGE);
    CHECK(pages[2] == heap + 9 * PAGE);
    CHECK_EQ(heap[4 * PAGE + 100], 'b');   /* the stores themselves landed */
    CHECK_EQ(*(volatile int *)(heap + 9 * PAGE + 8), 42);

    /* The next cycle sees only what was written since the reset. */
    CHECK_EQ(changed(0, heap, size), 0);
    heap[9 * PAGE] = 1;
    CHECK_EQ(changed(0, heap, size), 1);
    CHECK(pages[0] == heap + 9 * PAGE);

    /* ResetWriteWatch forgets, and the next store is seen again. */
    CHECK_EQ(ResetWriteWatch(heap, size), 0);
    CHECK_EQ(changed(0, heap, size), 0);
    heap[9 * PAGE + 1] = 2;
    heap[15 * PAGE + 4095] = 3;
    CHECK_EQ(changed(0, heap, size), 2);
    CHECK(pages[1] == heap + 15 * PAGE);

    CHECK_VERIFIED(v);   /* protections; the caught pages' contents are the program's */

    /* Memory without MEM_WRITE_WATCH: stores work, GetWriteWatch refuses. */
    char *plain = VirtualAlloc(NULL, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    plain[0] = 1;
    ULONG_PTR count = 64;
    DWORD granularity;
    CHECK_EQ(GetWriteWatch(0, plain, PAGE, pages, &count, &granularity), (UINT)-1);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    vas_win32_use(NULL);
    vas_destroy(v);
    return check_report("host_win32_watch");
}
