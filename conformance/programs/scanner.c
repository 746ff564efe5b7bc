/*
 * scanner.c - a memory scanner: walks the whole user address space of a
 * process region by region with VirtualQueryEx, from the lowest to the
 * highest application address GetSystemInfo gives, checks that the regions
 * tile it, and searches the readable committed memory of the allocations
 * it made itself for a marker (the way a cheat finder or a forensic tool
 * walks another process, here on its own process through the
 * GetCurrentProcess pseudo-handle).
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands: what lies
 * outside its own allocations (the loader's, the heap's, Wine's) is
 * counted, never printed.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#define MARKER "VASSCAN!"
#define OWN_MAX 2

static char *own[OWN_MAX];

static int own_index(const void *allocation_base)
{
    for (int i = 0; i < OWN_MAX; i++)
        if (own[i] && own[i] == allocation_base)
            return i;
    return -1;
}

static BOOL readable(const MEMORY_BASIC_INFORMATION *m)
{
    DWORD base = m->Protect & 0xFF;
    return m->State == MEM_COMMIT && !(m->Protect & PAGE_GUARD) &&
           (base == PAGE_READONLY || base == PAGE_READWRITE || base == PAGE_EXECUTE_READ ||
            base == PAGE_EXECUTE_READWRITE);
}

/* Where MARKER starts in a readable region, or -1. */
static long find_marker(const char *p, SIZE_T size)
{
    SIZE_T n = strlen(MARKER);
    for (SIZE_T i = 0; i + n <= size; i++)
        if (p[i] == MARKER[0] && memcmp(p + i, MARKER, n) == 0)
            return (long)i;
    return -1;
}

static void set_up(SIZE_T page)
{
    DWORD old;
    own[0] = VirtualAlloc(NULL, 16 * page, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(own[0], 2 * page, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(own[0] + 4 * page, page, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(own[0] + 5 * page, page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    VirtualAlloc(own[0] + 6 * page, 2 * page, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(own[0] + 9 * page, page, MEM_COMMIT, PAGE_NOACCESS);
    memcpy(own[0] + page + 0x10, MARKER, strlen(MARKER));
    memcpy(own[0] + 4 * page + 0x20, MARKER, strlen(MARKER));
    VirtualProtect(own[0] + 4 * page, page, PAGE_READONLY, &old);
    memcpy(own[0] + 7 * page + 0x30, MARKER, strlen(MARKER));
    VirtualProtect(own[0] + 6 * page, 2 * page, PAGE_EXECUTE_READ, &old);

    own[1] = VirtualAlloc(NULL, page, MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN, PAGE_READWRITE);
    memcpy(own[1] + page - 8, MARKER, strlen(MARKER));
    VirtualProtect(own[1], page, PAGE_NOACCESS, &old);   /* unreadable: not found */
}

int main(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    set_up(si.dwPageSize);
    printf("setup: own0=%d own1=%d\n", own[0] != NULL, own[1] != NULL);

    HANDLE self = GetCurrentProcess();
    char *at = si.lpMinimumApplicationAddress;
    char *max = si.lpMaximumApplicationAddress;
    unsigned long regions = 0, others = 0, gaps = 0, found = 0;
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T got = 0;
    while (at <= max) {
        got = VirtualQueryEx(self, at, &mbi, sizeof mbi);
        if (got != sizeof mbi)
            break;
        if ((char *)mbi.BaseAddress != at)
            gaps++;
        regions++;
        int i = own_index(mbi.AllocationBase);
        if (i < 0) {
            others++;
        } else {
            unsigned long off = (unsigned long)((char *)mbi.BaseAddress - own[i]);
            printf("region: own%d +0x%lx size=0x%lx state=0x%lx protect=0x%lx alloc_protect=0x%lx type=0x%lx\n",
                   i, off, (unsigned long)mbi.RegionSize, (unsigned long)mbi.State,
                   (unsigned long)mbi.Protect, (unsigned long)mbi.AllocationProtect,
                   (unsigned long)mbi.Type);
            long hit = readable(&mbi) ? find_marker(mbi.BaseAddress, mbi.RegionSize) : -1;
            if (hit >= 0) {
                found++;
                printf("marker: own%d +0x%lx\n", i, off + (unsigned long)hit);
            }
        }
        if (mbi.RegionSize == 0 || (char *)mbi.BaseAddress + mbi.RegionSize <= at)
            break;   /* a region that does not advance would loop forever */
        at = (char *)mbi.BaseAddress + mbi.RegionSize;
    }
    printf("walk: regions>2=%d others>0=%d gaps=%lu markers=%lu ended_past_max=%d\n",
           regions > 2, others > 0, gaps, found, at == max + 1);

    /* Past the highest application address there is nothing to query. */
    SetLastError(0);
    got = VirtualQueryEx(self, max + 1, &mbi, sizeof mbi);
    printf("past-max: ret=%lu error=%lu\n", (unsigned long)got, (unsigned long)GetLastError());
    SetLastError(0);
    got = VirtualQueryEx(self, own[0], &mbi, sizeof mbi - 1);
    printf("short-buffer: ret=%lu error=%lu\n", (unsigned long)got, (unsigned long)GetLastError());
    SetLastError(0);
    got = VirtualQueryEx(NULL, own[0], &mbi, sizeof mbi);
    printf("null-handle: ret=%lu error=%lu\n", (unsigned long)got, (unsigned long)GetLastError());

    /* The guard page is still armed: VirtualQuery does not touch memory. */
    VirtualQuery(own[0] + 5 * si.dwPageSize, &mbi, sizeof mbi);
    printf("guard-kept: protect=0x%lx\n", (unsigned long)mbi.Protect);
    printf("free: %d %d\n", VirtualFree(own[0], 0, MEM_RELEASE), VirtualFree(own[1], 0, MEM_RELEASE));
    printf("done\n");
    return 0;
}
