/*
 * guard_buffer.c - a log buffer laid out the way a thread stack is: a large
 * reservation, the committed part followed by one PAGE_GUARD page, and a
 * last page never committed. The guard is a tripwire: stray code that runs
 * into it faults once. The buffer itself, before writing into a new page,
 * finds the guard with VirtualQuery, disarms it and arms the next page;
 * running into the never-committed last page is an overflow, not a crash.
 * At the end it shows what a guard page does to a lock and to a probe
 * (the guard fires once, then is gone).
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

typedef struct guarded_buffer {
    char *base;
    SIZE_T reserved;    /* bytes reserved */
    SIZE_T committed;   /* bytes usable, below the guard page */
    SIZE_T used;
    SIZE_T page;
    unsigned guard_moves;
} guarded_buffer;

static void show(const guarded_buffer *b, SIZE_T offset)
{
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(b->base + offset, &mbi, sizeof mbi) != sizeof mbi) {
        printf("  +0x%lx: query failed error=%lu\n", (unsigned long)offset, (unsigned long)GetLastError());
        return;
    }
    printf("  +0x%lx: state=0x%lx protect=0x%lx size=0x%lx\n", (unsigned long)offset,
           (unsigned long)mbi.State, (unsigned long)mbi.Protect, (unsigned long)mbi.RegionSize);
}

static BOOL buffer_open(guarded_buffer *b, SIZE_T pages)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    memset(b, 0, sizeof *b);
    b->page = si.dwPageSize;
    b->reserved = pages * b->page;
    b->base = VirtualAlloc(NULL, b->reserved, MEM_RESERVE, PAGE_NOACCESS);
    if (!b->base)
        return FALSE;
    if (!VirtualAlloc(b->base, b->page, MEM_COMMIT, PAGE_READWRITE) ||
        !VirtualAlloc(b->base + b->page, b->page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD))
        return FALSE;
    b->committed = b->page;
    return TRUE;
}

/* Makes [0, end) usable by touching the guard page until it lies past end. */
static BOOL buffer_reserve(guarded_buffer *b, SIZE_T end)
{
    while (b->committed < end) {
        char *next = b->base + b->committed;
        MEMORY_BASIC_INFORMATION mbi;
        VirtualQuery(next, &mbi, sizeof mbi);
        if (mbi.State != MEM_COMMIT || !(mbi.Protect & PAGE_GUARD)) {
            printf("overflow: at=+0x%lx state=0x%lx probe=%d\n", (unsigned long)b->committed,
                   (unsigned long)mbi.State, IsBadWritePtr(next, 1));
            return FALSE;
        }
        DWORD old = 0;
        BOOL disarmed = VirtualProtect(next, b->page, PAGE_READWRITE, &old);
        b->guard_moves++;
        b->committed += b->page;
        BOOL armed = b->committed + b->page < b->reserved &&
                     VirtualAlloc(next + b->page, b->page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
        printf("grow: page=+0x%lx disarmed=%d old=0x%lx next_armed=%d\n", (unsigned long)(next - b->base),
               disarmed, (unsigned long)old, armed);
    }
    return TRUE;
}

static BOOL buffer_append(guarded_buffer *b, const char *text, SIZE_T len)
{
    if (!buffer_reserve(b, b->used + len))
        return FALSE;
    memcpy(b->base + b->used, text, len);
    b->used += len;
    return TRUE;
}

int main(void)
{
    guarded_buffer b;
    if (!buffer_open(&b, 8)) {
        printf("open failed: error=%lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("open:\n");
    show(&b, 0);
    show(&b, b.page);
    show(&b, 2 * b.page);

    char line[200];
    unsigned n = 0;
    for (;;) {
        int len = snprintf(line, sizeof line, "entry %04u: the quick brown fox jumps over the lazy dog\n", n);
        if (!buffer_append(&b, line, (SIZE_T)len))
            break;
        n++;
    }
    printf("entries=%u used=0x%lx committed=0x%lx guard_moves=%u\n", n, (unsigned long)b.used,
           (unsigned long)b.committed, b.guard_moves);
    printf("content: first=%.10s check=%d\n", b.base, memcmp(b.base + b.used - 4, "dog\n", 4) == 0);
    printf("final:\n");
    for (SIZE_T off = 0; off < b.reserved; off += b.page)
        show(&b, off);
    printf("probe-reserved: read=%d write=%d\n", IsBadReadPtr(b.base + b.reserved - b.page, 1),
           IsBadWritePtr(b.base + b.reserved - b.page, 1));
    printf("release=%d\n", VirtualFree(b.base, 0, MEM_RELEASE));

    /* A guard page cannot be locked: the attempt fires it (G098), and the
     * page is then plain read-write and locks (G099). */
    char *g = VirtualAlloc(NULL, 2 * b.page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    DWORD old;
    VirtualProtect(g, b.page, PAGE_READWRITE | PAGE_GUARD, &old);
    SetLastError(0);
    BOOL locked = VirtualLock(g, 1);
    printf("lock-guard: ok=%d error=0x%lx\n", locked, (unsigned long)GetLastError());
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(g, &mbi, sizeof mbi);
    printf("lock-guard-after: protect=0x%lx\n", (unsigned long)mbi.Protect);
    printf("lock-again: ok=%d\n", VirtualLock(g, 1));
    VirtualUnlock(g, 1);

    /* A probe meets a guard page: TRUE once, and the guard is gone (MS
     * IsBadReadPtr). Last, because Wine 8 lets the guard-page exception
     * out of IsBadReadPtr, which ends the program there. */
    VirtualProtect(g, b.page, PAGE_READWRITE | PAGE_GUARD, &old);
    int first = IsBadReadPtr(g, 1);
    int second = IsBadReadPtr(g, 1);
    VirtualQuery(g, &mbi, sizeof mbi);
    printf("probe-guard: first=%d second=%d protect=0x%lx\n", first, second, (unsigned long)mbi.Protect);
    printf("free=%d\n", VirtualFree(g, 0, MEM_RELEASE));
    printf("done\n");
    return 0;
}
