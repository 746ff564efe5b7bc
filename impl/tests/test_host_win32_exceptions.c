/*
 * test_host_win32_exceptions.c - Windows-style programs (vas/win32.h) on a
 * host-backed x86 space whose own fault handling runs unchanged: their
 * vectored exception handlers receive Windows' exception record for real
 * faults and resume the access (docs/semantics.md section 15.2; K32
 * test_guard_page and execute_fault_vec_handler are the model):
 *  - a buffer that grows behind a guard page, one page per
 *    STATUS_GUARD_PAGE_VIOLATION;
 *  - a sparse array whose reserved pages are committed on first touch,
 *    from STATUS_ACCESS_VIOLATION;
 *  - a JIT that writes code into read-write memory, calls it, and makes it
 *    executable in the handler of the DEP fault (ExceptionInformation[0] 8);
 *  - handler order (First), CONTINUE_SEARCH, removal, and an access
 *    violation no handler takes ending the process;
 *  - a guard page on write-watched memory, whose handler stores into the
 *    page (K32 test_guard_page);
 *  - STATUS_STACK_OVERFLOW from a thread's stack.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "host_check.h"
#include "vas/win32.h"

#define PAGE 0x1000

/* What the handlers saw. Volatile, as are the pointers the faulting accesses
 * go through: a handler runs inside the access (a signal), which the
 * compiler cannot see; without it a release build moved the reads of
 * `seen` before the store that faults, or forwarded the stored value. */
static volatile struct {
    int calls;
    DWORD code;
    DWORD parameters;
    ULONG_PTR access, address;
    PVOID instruction;
} seen;

static void note(const EXCEPTION_RECORD *r)
{
    seen.calls++;
    seen.code = r->ExceptionCode;
    seen.parameters = r->NumberParameters;
    seen.access = r->ExceptionInformation[0];
    seen.address = r->ExceptionInformation[1];
    seen.instruction = r->ExceptionAddress;
}

/* ---- A buffer grown behind a guard page ------------------------------- */

static volatile char *buffer, *buffer_end;   /* reserved [buffer, buffer_end) */

static LONG WINAPI grow_buffer(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_GUARD_PAGE_VIOLATION)
        return EXCEPTION_CONTINUE_SEARCH;
    note(r);
    /* The guard page is an ordinary page now; the next one becomes the guard. */
    volatile char *next = (char *)(r->ExceptionInformation[1] & ~(ULONG_PTR)(PAGE - 1)) + PAGE;
    if (next < buffer_end && !VirtualAlloc((void *)next, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD))
        return EXCEPTION_CONTINUE_SEARCH;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void test_guard_buffer(void)
{
    buffer = VirtualAlloc(NULL, 16 * PAGE, MEM_RESERVE, PAGE_NOACCESS);
    buffer_end = buffer + 16 * PAGE;
    CHECK(VirtualAlloc((void *)buffer, PAGE, MEM_COMMIT, PAGE_READWRITE) == (void *)buffer);
    CHECK(VirtualAlloc((void *)(buffer + PAGE), PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) != NULL);
    PVOID h = AddVectoredExceptionHandler(1, grow_buffer);
    CHECK(h != NULL);
    memset((void *)&seen, 0, sizeof seen);
    for (int i = 0; i < 5 * PAGE; i++)
        buffer[i] = (char)i;
    CHECK_EQ(seen.calls, 4);   /* pages 1, 2, 3 and 4 were guard pages in turn */
    CHECK_EQ(seen.code, STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(seen.parameters, 2);
    CHECK_EQ(seen.access, EXCEPTION_WRITE_FAULT);
    CHECK_EQ(seen.address, (ULONG_PTR)(buffer + 4 * PAGE));
    CHECK(seen.instruction != NULL);
    CHECK_EQ(buffer[4 * PAGE + 7], (char)(4 * PAGE + 7));
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery((void *)(buffer + 5 * PAGE), &mbi, sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_READWRITE | PAGE_GUARD);   /* the next guard is in place */
    /* A read of the guard page is a read fault. */
    CHECK_EQ(buffer[5 * PAGE], 0);
    CHECK_EQ(seen.access, EXCEPTION_READ_FAULT);
    CHECK(RemoveVectoredExceptionHandler(h));
    CHECK(VirtualFree((void *)buffer, 0, MEM_RELEASE));
}

/* ---- Commit on first touch --------------------------------------------- */

static volatile char *sparse;

static LONG WINAPI commit_on_touch(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    char *at = (char *)r->ExceptionInformation[1];
    if (r->ExceptionCode != STATUS_ACCESS_VIOLATION || at < sparse || at >= sparse + 0x100000)
        return EXCEPTION_CONTINUE_SEARCH;
    note(r);
    return VirtualAlloc(at, 1, MEM_COMMIT, PAGE_READWRITE) ? EXCEPTION_CONTINUE_EXECUTION
                                                            : EXCEPTION_CONTINUE_SEARCH;
}

static void test_sparse_array(void)
{
    sparse = VirtualAlloc(NULL, 0x100000, MEM_RESERVE, PAGE_NOACCESS);
    PVOID h = AddVectoredExceptionHandler(0, commit_on_touch);
    memset((void *)&seen, 0, sizeof seen);
    CHECK_EQ(sparse[0x52345], 0);          /* a read commits the page */
    CHECK_EQ(seen.calls, 1);
    CHECK_EQ(seen.code, STATUS_ACCESS_VIOLATION);
    CHECK_EQ(seen.parameters, 2);
    CHECK_EQ(seen.access, EXCEPTION_READ_FAULT);
    CHECK_EQ(seen.address, (ULONG_PTR)(sparse + 0x52345));
    sparse[0xF0001] = 9;                   /* a write does too */
    CHECK_EQ(seen.calls, 2);
    CHECK_EQ(seen.access, EXCEPTION_WRITE_FAULT);
    CHECK_EQ(sparse[0xF0001], 9);
    sparse[0xF0002] = 10;                  /* the page is committed now: no exception */
    CHECK_EQ(seen.calls, 2);
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery((void *)(sparse + 0xF0000), &mbi, sizeof mbi);
    CHECK_EQ(mbi.State, MEM_COMMIT);
    CHECK_EQ(mbi.RegionSize, PAGE);
    CHECK(RemoveVectoredExceptionHandler(h));
    CHECK_EQ(RemoveVectoredExceptionHandler(h), 0);   /* already removed */
    CHECK(VirtualFree((void *)sparse, 0, MEM_RELEASE));
}

/* ---- A JIT made executable by its DEP handler --------------------------- */

#if defined(__x86_64__) || defined(__i386__)
static LONG WINAPI make_executable(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_ACCESS_VIOLATION || r->ExceptionInformation[0] != EXCEPTION_EXECUTE_FAULT)
        return EXCEPTION_CONTINUE_SEARCH;
    note(r);
    DWORD old;
    return VirtualProtect((LPVOID)r->ExceptionInformation[1], 1, PAGE_EXECUTE_READ, &old)
               ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_CONTINUE_SEARCH;
}

static void test_jit(void)
{
    static const unsigned char code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};   /* mov eax, 42; ret */
    unsigned char *mem = VirtualAlloc(NULL, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    memcpy(mem, code, sizeof code);
    PVOID h = AddVectoredExceptionHandler(1, make_executable);
    memset((void *)&seen, 0, sizeof seen);
    int (*fn)(void);
    memcpy(&fn, &mem, sizeof fn);
    CHECK_EQ(fn(), 42);
    CHECK_EQ(seen.calls, 1);
    CHECK_EQ(seen.access, EXCEPTION_EXECUTE_FAULT);
    CHECK_EQ(seen.address, (ULONG_PTR)mem);
    CHECK(seen.instruction == (PVOID)mem);   /* the fault is the fetch itself */
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(mem, &mbi, sizeof mbi);
    CHECK_EQ(mbi.Protect, PAGE_EXECUTE_READ);
    CHECK_EQ(fn(), 42);
    CHECK_EQ(seen.calls, 1);
    RemoveVectoredExceptionHandler(h);
    VirtualFree(mem, 0, MEM_RELEASE);
}
#endif

/* ---- Order, CONTINUE_SEARCH, and no handler left ------------------------ */

static volatile char order[8];
static volatile int order_len;
static volatile char *readonly_page;

static LONG WINAPI passes(EXCEPTION_POINTERS *info)
{
    (void)info;
    order[order_len++] = 'p';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI unprotects(EXCEPTION_POINTERS *info)
{
    order[order_len++] = 'u';
    DWORD old;
    VirtualProtect((LPVOID)info->ExceptionRecord->ExceptionInformation[1], 1, PAGE_READWRITE, &old);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void test_order(void)
{
    readonly_page = VirtualAlloc(NULL, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    PVOID last = AddVectoredExceptionHandler(0, unprotects);
    PVOID first = AddVectoredExceptionHandler(1, passes);   /* before unprotects */
    order_len = 0;
    readonly_page[3] = 1;
    CHECK_EQ(order_len, 2);
    CHECK(order[0] == 'p' && order[1] == 'u');
    CHECK_EQ(readonly_page[3], 1);
    CHECK(RemoveVectoredExceptionHandler(last));

    /* Only a handler that searches on is left: the violation is unhandled
     * and ends the process, as on Windows. */
    CHECK(VirtualProtect((void *)readonly_page, PAGE, PAGE_READONLY, (DWORD[1]){0}));
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);   /* the sanitizer's report of the crash is expected */
        readonly_page[5] = 1;
        _exit(3);   /* not reached */
    }
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(!(WIFEXITED(status) && (WEXITSTATUS(status) == 3 || WEXITSTATUS(status) == 0)));
    CHECK(RemoveVectoredExceptionHandler(first));
    VirtualFree((void *)readonly_page, 0, MEM_RELEASE);
}

/* ---- Guard page and write watch together (K32 test_guard_page) ---------- */

static LONG WINAPI bump_guarded(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *r = info->ExceptionRecord;
    if (r->ExceptionCode != STATUS_GUARD_PAGE_VIOLATION)
        return EXCEPTION_CONTINUE_SEARCH;
    note(r);
    /* A store from inside the handler, to the page that just lost its
     * guard: it is armed for write watch, so it faults in here too. */
    *(volatile int *)r->ExceptionInformation[1] += 0x100;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static ULONG_PTR written_pages(char *base)
{
    PVOID pages[4];
    ULONG_PTR count = 4;
    DWORD granularity;
    CHECK_EQ(GetWriteWatch(WRITE_WATCH_FLAG_RESET, base, PAGE, pages, &count, &granularity), 0);
    return count;
}

static void test_guard_and_write_watch(void)
{
    char *base = VirtualAlloc(NULL, PAGE, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE | PAGE_GUARD);
    CHECK(base != NULL);
    volatile int *value = (volatile int *)base;
    PVOID h = AddVectoredExceptionHandler(1, bump_guarded);
    memset((void *)&seen, 0, sizeof seen);
    /* The guard fires first, even with write watch; the write then lands
     * and is reported. */
    value[0] = 1;
    value[1] = 2;
    CHECK_EQ(seen.calls, 1);
    CHECK_EQ(value[0], 1);
    CHECK_EQ(written_pages(base), 1);
    /* A read trips the guard again; the handler's own store is what write
     * watch reports ("write watch is triggered from inside of the guard
     * page handler"). */
    DWORD old;
    CHECK(VirtualProtect(base, PAGE, PAGE_READWRITE | PAGE_GUARD, &old));
    int second = value[1];
    CHECK_EQ(second, 0x102);
    CHECK_EQ(value[0], 1);
    CHECK_EQ(seen.calls, 2);
    CHECK_EQ(seen.access, EXCEPTION_READ_FAULT);
    CHECK_EQ(written_pages(base), 1);
    RemoveVectoredExceptionHandler(h);
    VirtualFree(base, 0, MEM_RELEASE);
}

/* ---- A thread's stack overflow ----------------------------------------- */

static LONG WINAPI overflow_seen(EXCEPTION_POINTERS *info)
{
    if (info->ExceptionRecord->ExceptionCode != STATUS_STACK_OVERFLOW)
        return EXCEPTION_CONTINUE_SEARCH;
    note(info->ExceptionRecord);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static DWORD WINAPI deep_thread(LPVOID arg)
{
    (void)arg;
    ULONG_PTR low, high;
    GetCurrentThreadStackLimits(&low, &high);
    /* Walk down as __chkstk would until the stack cannot grow. */
    for (ULONG_PTR page = high - PAGE; page > low && seen.calls == 0; page -= PAGE)
        ((volatile char *)page)[0] = 1;
    return 0;
}

static void test_stack_overflow(void)
{
    PVOID h = AddVectoredExceptionHandler(1, overflow_seen);
    memset((void *)&seen, 0, sizeof seen);
    HANDLE t = CreateThread(NULL, 0x10000, deep_thread, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    CHECK(t != NULL);
    CHECK_EQ(seen.calls, 1);
    CHECK_EQ(seen.code, STATUS_STACK_OVERFLOW);
    CHECK_EQ(seen.parameters, 2);
    CHECK_EQ(seen.access, EXCEPTION_WRITE_FAULT);
    CloseHandle(t);
    RemoveVectoredExceptionHandler(h);
}

int main(void)
{
    vas_t *v = host_space_at_same_addresses("host_win32_exceptions");
    if (!v)
        return 1;
    vas_win32_use(v);
    test_guard_buffer();
    test_sparse_array();
#if defined(__x86_64__) || defined(__i386__)
    test_jit();
#endif
    test_order();
    test_guard_and_write_watch();
    test_stack_overflow();
    CHECK_VERIFIED(v);
    vas_win32_use(NULL);
    vas_destroy(v);
    return check_report("host_win32_exceptions");
}
