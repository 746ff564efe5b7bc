/*
 * arena.c - an arena (bump) allocator on reserve/commit: one large
 * reservation up front, committed in 64 KiB steps as allocations need it,
 * reset by decommitting all but the first step, and released in one call.
 * It also shows the mistakes VirtualAlloc and VirtualFree refuse.
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#define COMMIT_STEP 0x10000

typedef struct arena {
    char *base;
    SIZE_T reserved, committed, used;
} arena;

static SIZE_T round_up(SIZE_T x, SIZE_T to)
{
    return (x + to - 1) / to * to;
}

static BOOL arena_open(arena *a, SIZE_T size)
{
    memset(a, 0, sizeof *a);
    a->reserved = round_up(size, COMMIT_STEP);
    a->base = VirtualAlloc(NULL, a->reserved, MEM_RESERVE, PAGE_NOACCESS);
    return a->base != NULL;
}

static void *arena_alloc(arena *a, SIZE_T size, SIZE_T align)
{
    SIZE_T start = round_up(a->used, align);
    if (start + size > a->reserved)
        return NULL;
    if (start + size > a->committed) {
        SIZE_T want = round_up(start + size, COMMIT_STEP);
        if (want > a->reserved)
            want = a->reserved;
        if (!VirtualAlloc(a->base + a->committed, want - a->committed, MEM_COMMIT, PAGE_READWRITE)) {
            printf("commit failed: error=%lu\n", (unsigned long)GetLastError());
            return NULL;
        }
        a->committed = want;
    }
    a->used = start + size;
    return a->base + start;
}

static void arena_reset(arena *a)
{
    if (a->committed > COMMIT_STEP) {
        BOOL ok = VirtualFree(a->base + COMMIT_STEP, a->committed - COMMIT_STEP, MEM_DECOMMIT);
        printf("reset: decommit=%d\n", ok);
        a->committed = COMMIT_STEP;
    }
    a->used = 0;
}

/* The arena as VirtualQuery sees it: one line per run of pages. */
static void arena_map(const arena *a)
{
    SIZE_T off = 0;
    while (off < a->reserved) {
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery(a->base + off, &mbi, sizeof mbi) != sizeof mbi)
            break;
        printf("  +0x%lx size=0x%lx state=0x%lx protect=0x%lx\n", (unsigned long)off,
               (unsigned long)mbi.RegionSize, (unsigned long)mbi.State, (unsigned long)mbi.Protect);
        off += mbi.RegionSize;
    }
}

static unsigned long next_random(unsigned long *state)
{
    *state = *state * 1103515245ul + 12345ul;
    return (*state >> 16) & 0x7FFF;
}

int main(void)
{
    arena a;
    if (!arena_open(&a, 0x100000)) {
        printf("open failed: error=%lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("open: reserved=0x%lx\n", (unsigned long)a.reserved);

    unsigned long seed = 1, count = 0, bytes = 0, intact = 0;
    unsigned char *first = NULL;
    for (;;) {
        SIZE_T size = 1 + next_random(&seed) % 3000;
        unsigned char *p = arena_alloc(&a, size, 16);
        if (!p)
            break;
        memset(p, (int)(count & 0xFF), size);
        if (!first)
            first = p;
        count++;
        bytes += (unsigned long)size;
    }
    intact = first && first[0] == 0 && a.base[a.used - 1] == (char)((count - 1) & 0xFF);
    printf("filled: objects=%lu bytes=%lu used=0x%lx committed=0x%lx intact=%lu\n", count, bytes,
           (unsigned long)a.used, (unsigned long)a.committed, intact);
    arena_map(&a);

    arena_reset(&a);
    arena_map(&a);
    unsigned char *again = arena_alloc(&a, 3 * COMMIT_STEP, 16);
    /* The first step kept what was written; the rest was decommitted
     * and comes back as zeros. */
    printf("reuse: ok=%d first_step_last_byte=%d recommitted_zero=%d\n", again != NULL,
           again ? again[COMMIT_STEP - 1] : -1,
           again && again[COMMIT_STEP] == 0 && again[3 * COMMIT_STEP - 1] == 0);

    /* MEM_RESET: the contents may go, the pages stay committed. */
    void *r = VirtualAlloc(a.base, a.committed, MEM_RESET, PAGE_NOACCESS);
    printf("mem-reset: same_base=%d\n", r == a.base);
    arena_map(&a);

    /* Mistakes the API refuses, each with its error. */
    SetLastError(0);
    void *p = VirtualAlloc(a.base + a.reserved - 0x1000, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    printf("commit-past-end: ok=%d error=%lu\n", p != NULL, (unsigned long)GetLastError());
    SetLastError(0);
    p = VirtualAlloc(NULL, 0, MEM_RESERVE, PAGE_READWRITE);
    printf("zero-size: ok=%d error=%lu\n", p != NULL, (unsigned long)GetLastError());
    SetLastError(0);
    BOOL ok = VirtualFree(a.base, a.reserved, MEM_RELEASE);
    printf("release-with-size: ok=%d error=%lu\n", ok, (unsigned long)GetLastError());
    SetLastError(0);
    ok = VirtualFree(a.base + COMMIT_STEP, 0, MEM_RELEASE);
    printf("release-inside: ok=%d error=%lu\n", ok, (unsigned long)GetLastError());
    SetLastError(0);
    ok = VirtualFree(a.base, 0, MEM_DECOMMIT | MEM_RELEASE);
    printf("two-free-types: ok=%d error=%lu\n", ok, (unsigned long)GetLastError());
    SetLastError(0);
    p = VirtualAlloc(a.base, COMMIT_STEP, MEM_RESERVE, PAGE_READWRITE);
    printf("reserve-over-arena: ok=%d error=%lu\n", p != NULL, (unsigned long)GetLastError());

    printf("release: ok=%d\n", VirtualFree(a.base, 0, MEM_RELEASE));
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(a.base, &mbi, sizeof mbi);
    printf("after: state=0x%lx protect=0x%lx alloc_base_null=%d\n", (unsigned long)mbi.State,
           (unsigned long)mbi.Protect, mbi.AllocationBase == NULL);
    printf("done\n");
    return 0;
}
