/*
 * fault_handlers.c - a program whose own fault handling is a set of
 * vectored exception handlers, as allocators, garbage collectors and JITs
 * write them: a buffer that grows one page per guard-page exception, a
 * sparse table whose reserved pages are committed on first touch, a JIT
 * whose code pages are made executable by the handler of the DEP fault,
 * and handlers chained by AddVectoredExceptionHandler's First argument.
 * Every exception record is printed (code, parameter count, access kind,
 * offset of the address from the program's own allocation).
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands. On the model
 * the handlers run from the host-backed mode's SIGSEGV handler
 * (docs/semantics.md 15.2).
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#define PAGE 0x1000

static char *region;        /* the allocation the handlers look after */
static SIZE_T region_size;
static volatile unsigned calls;   /* changed by the handlers, behind the compiler's back */

static void print_record(const char *who, const EXCEPTION_RECORD *r)
{
    ULONG_PTR at = r->ExceptionInformation[1];
    long offset = at >= (ULONG_PTR)region && at < (ULONG_PTR)region + region_size
                      ? (long)(at - (ULONG_PTR)region) : -1;
    printf("%s: code=0x%lx flags=0x%lx params=%lu access=%lu offset=0x%lx\n", who,
           (unsigned long)r->ExceptionCode, (unsigned long)r->ExceptionFlags,
           (unsigned long)r->NumberParameters, (unsigned long)r->ExceptionInformation[0],
           (unsigned long)offset);
}

static int ours(const EXCEPTION_RECORD *r)
{
    ULONG_PTR at = r->ExceptionInformation[1];
    return r->NumberParameters >= 2 && at >= (ULONG_PTR)region && at < (ULONG_PTR)region + region_size;
}

/* ---- A buffer grown behind a guard page -------------------------------- */

static LONG WINAPI grow(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_GUARD_PAGE_VIOLATION || !ours(r))
        return EXCEPTION_CONTINUE_SEARCH;
    calls++;
    print_record("grow", r);
    char *next = (char *)(r->ExceptionInformation[1] & ~(ULONG_PTR)(PAGE - 1)) + PAGE;
    if (next < region + region_size && !VirtualAlloc(next, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD))
        return EXCEPTION_CONTINUE_SEARCH;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void guard_buffer(void)
{
    region_size = 8 * PAGE;
    region = VirtualAlloc(NULL, region_size, MEM_RESERVE, PAGE_NOACCESS);
    VirtualAlloc(region, PAGE, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(region + PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    PVOID h = AddVectoredExceptionHandler(1, grow);
    printf("grow-add: handle=%d\n", h != NULL);
    calls = 0;
    for (SIZE_T i = 0; i < 4 * PAGE; i += 64)
        region[i] = (char)(i / 64);
    printf("grow-filled: calls=%u last=%d\n", calls, region[4 * PAGE - 64]);
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(region + 4 * PAGE, &mbi, sizeof mbi);
    printf("grow-next-guard: state=0x%lx protect=0x%lx\n", (unsigned long)mbi.State, (unsigned long)mbi.Protect);
    volatile char c = region[4 * PAGE + 5];   /* a read trips the guard too */
    printf("grow-read: value=%d calls=%u\n", c, calls);
    ULONG removed = RemoveVectoredExceptionHandler(h);
    ULONG again = RemoveVectoredExceptionHandler(h);
    printf("grow-remove: %d again=%lu\n", removed != 0, (unsigned long)again);
    VirtualFree(region, 0, MEM_RELEASE);
}

/* ---- A sparse table committed on first touch --------------------------- */

static LONG WINAPI commit_on_touch(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_ACCESS_VIOLATION || !ours(r))
        return EXCEPTION_CONTINUE_SEARCH;
    calls++;
    print_record("sparse", r);
    return VirtualAlloc((LPVOID)r->ExceptionInformation[1], 1, MEM_COMMIT, PAGE_READWRITE)
               ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_CONTINUE_SEARCH;
}

static void sparse_table(void)
{
    region_size = 0x100000;
    region = VirtualAlloc(NULL, region_size, MEM_RESERVE, PAGE_NOACCESS);
    PVOID h = AddVectoredExceptionHandler(0, commit_on_touch);
    calls = 0;
    volatile int *table = (volatile int *)region;
    int first = table[0x12345];     /* read: a page of zeros appears */
    table[0x30000] = 7;             /* write */
    table[0x30001] = 8;             /* same page: no exception */
    printf("sparse-values: first=%d stored=%d,%d calls=%u\n", first, table[0x30000], table[0x30001], calls);
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery((const void *)&table[0x30000], &mbi, sizeof mbi);
    printf("sparse-page: state=0x%lx protect=0x%lx size=0x%lx\n", (unsigned long)mbi.State,
           (unsigned long)mbi.Protect, (unsigned long)mbi.RegionSize);
    RemoveVectoredExceptionHandler(h);
    VirtualFree(region, 0, MEM_RELEASE);
}

/* ---- A JIT made executable by its DEP handler -------------------------- */

static LONG WINAPI make_executable(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_ACCESS_VIOLATION || !ours(r))
        return EXCEPTION_CONTINUE_SEARCH;
    calls++;
    print_record("jit", r);
    DWORD old = 0;
    BOOL ok = VirtualProtect((LPVOID)r->ExceptionInformation[1], 1, PAGE_EXECUTE_READ, &old);
    printf("jit-protect: ok=%d old=0x%lx\n", ok, (unsigned long)old);
    FlushInstructionCache(GetCurrentProcess(), region, PAGE);
    return ok ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_CONTINUE_SEARCH;
}

static void jit(void)
{
    static const unsigned char code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};   /* mov eax, 42; ret */
    region_size = PAGE;
    region = VirtualAlloc(NULL, region_size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    memcpy(region, code, sizeof code);
    PVOID h = AddVectoredExceptionHandler(1, make_executable);
    calls = 0;
    int (*fn)(void);
    memcpy(&fn, &region, sizeof fn);
    int first = fn();
    int second = fn();
    printf("jit-ran: results=%d,%d calls=%u\n", first, second, calls);
    RemoveVectoredExceptionHandler(h);
    VirtualFree(region, 0, MEM_RELEASE);
}

/* ---- Handlers in order ------------------------------------------------- */

static char order[8];
static volatile unsigned order_len;

static LONG WINAPI looks(EXCEPTION_POINTERS *info)
{
    if (ours(info->ExceptionRecord) && order_len < sizeof order - 1)
        order[order_len++] = 'L';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI fixes(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (!ours(r))
        return EXCEPTION_CONTINUE_SEARCH;
    order[order_len++] = 'F';
    DWORD old;
    VirtualProtect((LPVOID)r->ExceptionInformation[1], 1, PAGE_READWRITE, &old);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static LONG WINAPI never(EXCEPTION_POINTERS *info)
{
    if (ours(info->ExceptionRecord))
        order[order_len++] = 'N';
    return EXCEPTION_CONTINUE_SEARCH;
}

static void chain(void)
{
    region_size = PAGE;
    region = VirtualAlloc(NULL, region_size, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    PVOID last = AddVectoredExceptionHandler(0, never);
    PVOID fixer = AddVectoredExceptionHandler(1, fixes);
    PVOID first = AddVectoredExceptionHandler(1, looks);   /* now before fixes */
    order_len = 0;
    region[10] = 1;
    order[order_len] = 0;
    printf("chain-order: %s value=%d\n", order, region[10]);
    int removed = RemoveVectoredExceptionHandler(first) != 0;
    removed += RemoveVectoredExceptionHandler(fixer) != 0;
    removed += RemoveVectoredExceptionHandler(last) != 0;
    printf("chain-remove: removed=%d\n", removed);
    VirtualFree(region, 0, MEM_RELEASE);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    guard_buffer();
    sparse_table();
    jit();
    chain();
    printf("done\n");
    return 0;
}
