/*
 * backend_win32.c - the real Windows API behind the backend interface: the
 * golden reference that the models are checked against (on Windows x64, or
 * under Wine as a stand-in).
 *
 * Calls go straight to VirtualAlloc / VirtualFree / VirtualProtect /
 * VirtualQuery. Simulated accesses are real loads, stores and calls on the
 * real addresses; a vectored exception handler turns the access violation or
 * guard-page violation they raise into a status plus the faulting address
 * the system reported (ExceptionInformation[1]), and resumes at a landing
 * stub instead of crashing.
 *
 * The runner shares this process with the trace, so three rules keep a trace
 * from damaging the runner; each departs from "what Windows would do" only
 * for traces that touch memory they did not allocate:
 *  - Ours: a page is the trace's when its allocation base is one this trace
 *    reserved (tracked from every successful alloc until released).
 *  - VirtualFree, VirtualProtect and VirtualAlloc with COMMIT or RESET at a
 *    fixed address act on the one allocation that holds the range's first
 *    page (Windows refuses ranges spanning allocations). When that page is in
 *    an allocation that is not ours, the call is not made: it fails with
 *    ERROR_INVALID_ADDRESS, which is what the trace would see had the runner
 *    not been there, and a note goes to stderr. With the layout, the
 *    executable's own image is the exception own_image() describes.
 *  - Accesses touch only the trace's pages. Pages VirtualQuery reports as in
 *    someone else's allocation are reported as an access violation without
 *    being touched; free pages and addresses beyond the user range are probed
 *    with a real load (exec) or a real load/locked-or-zero (write), which
 *    faults; if such a probe unexpectedly succeeds, the page belongs to
 *    something the query did not show and is reported as a violation too.
 *
 * Accesses follow docs/semantics.md section 6 as closely as real memory
 * allows: every page of the range is probed in ascending order first (one
 * byte at max(addr, page)), the first fault decides, and bytes move only when
 * every page allowed the access, so a faulting multi-page write writes
 * nothing. A guard page faults once and loses its guard as Windows does.
 *
 * Exec: calling into arbitrary content would run it, so a fetch from a
 * committed executable page without guard is judged from VirtualQuery and
 * not performed, unless the byte there is a RET (0xC3), which is then really
 * called. Every other fetch on the trace's pages (reserved, guard, or not
 * executable) is a real call, which must fault before anything runs: DEP is
 * always on for x64 processes. If a self-test at start-up finds that a
 * non-executable page can be executed (no DEP), such fetches are judged from
 * VirtualQuery instead.
 *
 * Last-error: each trace has its own value, loaded into the thread before
 * each real API call and read back after it, so the runner's own I/O between
 * operations cannot disturb it. A trace starts with 0.
 *
 * Issue 13's calls (GetWriteWatch, ResetWriteWatch, VirtualLock,
 * VirtualUnlock, Get/SetProcessWorkingSetSize, IsBad*Ptr) are made as they
 * are; lock and unlock refuse a foreign first page like VirtualProtect. The
 * working-set sizes belong to the whole process, so every trace starts
 * from the sizes the process had when the first trace began, and they are
 * put back when it ends. The locked byte count cannot be read: NULL.
 *
 * Processes (docs/semantics.md section 13.2): `process` starts a second
 * copy of this program suspended (CreateProcess with CREATE_SUSPENDED: it
 * never runs, its address space holds its image, ntdll and its first
 * thread's stack) and hands the trace the process handle; a duplicate kept
 * here terminates it when the trace ends. The *Ex calls and
 * Read/WriteProcessMemory on such a handle, and on NULL, are made as they
 * are. On the pseudo-handle they follow the rules above: VirtualAllocEx &
 * co. are the plain calls, and Read/WriteProcessMemory refuse (ERROR_NOACCESS,
 * not made) a local range that reaches memory the trace did not allocate.
 * Any other handle value is answered ERROR_INVALID_HANDLE without a call,
 * and close acts on the trace's own handles only: the values could name
 * the runner's own handles.
 *
 * Only the x64 profile with its default limits and no commit limit can be
 * provided (the real process is 64-bit and has no per-trace charge limit);
 * create returns NULL otherwise. Placement is the system's, not first fit.
 *
 * Windows x64 only (GNU assembler syntax, Microsoft x64 calling convention);
 * built by conformance/win32/build.sh with mingw-w64. Elsewhere this file
 * compiles to nothing, so every build can take the backends folder whole;
 * backend_registry.c lists it under the same condition.
 */
#ifdef _WIN32
#if !defined(_WIN64) || !defined(__x86_64__)
#error "backend_win32.c is for Windows x64 (build with x86_64-w64-mingw32-gcc)"
#endif

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/backend.h"

/* Placeholder flags (issue 12) for mingw headers older than them. */
#ifndef MEM_PRESERVE_PLACEHOLDER
#define MEM_PRESERVE_PLACEHOLDER 0x00000002
#endif
#ifndef MEM_COALESCE_PLACEHOLDERS
#define MEM_COALESCE_PLACEHOLDERS 0x00000001
#endif

/* ---- Fault probes ---------------------------------------------------------
 *
 * Leaf functions in assembly, so that the handler knows exactly how to resume:
 * each saves its stack pointer on entry (pointing at its return address),
 * makes one access, and returns 0. On a fault the handler restores that
 * stack pointer and resumes at win32_probe_landing, which returns 1 to the
 * probe's caller. This works wherever the fault happened: in the probe
 * itself, or at the target of the probe's call (exec).
 */
volatile DWORD64 win32_probe_saved_rsp;

int win32_probe_load(const volatile void *p);   /* one-byte load */
int win32_probe_store(volatile void *p);        /* lock or byte [p], 0: a write that keeps the byte */
int win32_probe_call(const void *p);            /* call p */
void win32_probe_landing(void);

__asm__(
    "    .text\n"
    "    .p2align 4\n"
    "    .globl win32_probe_load\n"
    "win32_probe_load:\n"
    "    movq %rsp, win32_probe_saved_rsp(%rip)\n"
    "    movb (%rcx), %al\n"
    "    xorl %eax, %eax\n"
    "    ret\n"
    "    .p2align 4\n"
    "    .globl win32_probe_store\n"
    "win32_probe_store:\n"
    "    movq %rsp, win32_probe_saved_rsp(%rip)\n"
    "    lock orb $0, (%rcx)\n"
    "    xorl %eax, %eax\n"
    "    ret\n"
    "    .p2align 4\n"
    "    .globl win32_probe_call\n"
    "win32_probe_call:\n"
    "    movq %rsp, win32_probe_saved_rsp(%rip)\n"
    "    call *%rcx\n"
    "    xorl %eax, %eax\n"
    "    ret\n"
    "    .p2align 4\n"
    "    .globl win32_probe_landing\n"
    "win32_probe_landing:\n"
    "    movl $1, %eax\n"
    "    ret\n");

/* One probe at a time: the runner is single-threaded. */
static volatile LONG probe_armed;
static volatile DWORD probe_status;
static volatile DWORD64 probe_fault;

static LONG CALLBACK probe_fault_handler(EXCEPTION_POINTERS *ep)
{
    const EXCEPTION_RECORD *er = ep->ExceptionRecord;
    if (!probe_armed)
        return EXCEPTION_CONTINUE_SEARCH;
    if (er->ExceptionCode != STATUS_ACCESS_VIOLATION
        && er->ExceptionCode != STATUS_GUARD_PAGE_VIOLATION
        && er->ExceptionCode != STATUS_STACK_OVERFLOW)
        return EXCEPTION_CONTINUE_SEARCH;
    probe_armed = 0;
    probe_status = er->ExceptionCode;
    probe_fault = er->NumberParameters >= 2 ? (DWORD64)er->ExceptionInformation[1] : 0;
    ep->ContextRecord->Rsp = win32_probe_saved_rsp;
    ep->ContextRecord->Rip = (DWORD64)(uintptr_t)win32_probe_landing;
    return EXCEPTION_CONTINUE_EXECUTION;
}

typedef int (*probe_fn)(const void *p);

static int probe_load(const void *p) { return win32_probe_load(p); }
static int probe_store(const void *p) { return win32_probe_store((void *)(uintptr_t)p); }
static int probe_call(const void *p) { return win32_probe_call(p); }

/* Runs one probe at addr. Returns the NTSTATUS it raised (0 if none) and the
 * faulting address the system reported in *fault. */
static uint32_t probe_run(probe_fn fn, uint64_t addr, uint64_t *fault)
{
    probe_status = 0;
    probe_fault = 0;
    probe_armed = 1;
    MemoryBarrier();
    int faulted = fn((const void *)(uintptr_t)addr);
    MemoryBarrier();
    probe_armed = 0;
    if (!faulted)
        return VAS_STATUS_SUCCESS;
    *fault = probe_fault;
    return probe_status;
}

/* The handler is installed once per process; DEP is checked at the same time
 * by calling a RET placed on a read-write page, which must fault. */
static int handler_installed;
static int dep_enforced;

static int handler_install(void)
{
    if (handler_installed)
        return 0;
    if (AddVectoredExceptionHandler(1, probe_fault_handler) == NULL)
        return -1;
    handler_installed = 1;
    unsigned char *page = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (page != NULL) {
        uint64_t fault = 0;
        page[0] = 0xC3;
        dep_enforced = probe_run(probe_call, (uint64_t)(uintptr_t)page, &fault)
                           == VAS_STATUS_ACCESS_VIOLATION;
        VirtualFree(page, 0, MEM_RELEASE);
    }
    return 0;
}

/* ---- One trace's address space ------------------------------------------ */

struct win32_thread;
typedef struct win32_child {
    HANDLE given;        /* the handle the trace holds (until it closes it) */
    HANDLE kept;         /* ours: terminates the process when the trace ends */
    int open;            /* given is still open */
} win32_child;

/* A set of values (section handles, view bases), unordered. */
typedef struct value_set {
    uint64_t *v;
    size_t n, cap;
} value_set;

static int set_index(const value_set *set, uint64_t value)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i] == value)
            return (int)i;
    return -1;
}

static void set_add(value_set *set, uint64_t value)
{
    if (set_index(set, value) >= 0)
        return;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        uint64_t *p = realloc(set->v, cap * sizeof *p);
        if (p == NULL)
            return;  /* untracked: leaks at destroy, never unsafe */
        set->v = p;
        set->cap = cap;
    }
    set->v[set->n++] = value;
}

static void set_remove(value_set *set, uint64_t value)
{
    int i = set_index(set, value);
    if (i >= 0)
        set->v[i] = set->v[--set->n];
}

typedef struct win32_space {
    value_set bases;     /* allocation bases this trace reserved or mapped, not yet released */
    struct win32_thread **threads;   /* the trace's threads still running */
    size_t n_threads;
    DWORD error;         /* the trace's last-error */
    int layout;          /* layout: process - the process's own images, PEB,
                          * shared data... are the trace's to read and run
                          * (never to write: they hold the runner) */
    win32_child *children;   /* processes the trace created */
    size_t n_children;
    value_set sections;  /* section handles the trace created, not yet closed (issue 12) */
    value_set views;     /* the bases of its views, not yet unmapped */
    int header_reprotected;  /* VirtualProtect changed the executable's header page */
} win32_space;

static void *ptr(uint64_t addr) { return (void *)(uintptr_t)addr; }

typedef enum owner { OWNER_TRACE, OWNER_NONE, OWNER_OTHER } owner;

/* Whose is the page holding addr: the trace's, nobody's (free, or beyond the
 * range VirtualQuery answers for), or another allocation in this process.
 * *mbi receives the query when it succeeded. */
static owner page_owner(const win32_space *s, uint64_t addr, MEMORY_BASIC_INFORMATION *mbi)
{
    if (VirtualQuery(ptr(addr), mbi, sizeof *mbi) == 0)
        return OWNER_NONE;
    if (mbi->State == MEM_FREE)
        return OWNER_NONE;
    return set_index(&s->bases, (uint64_t)(uintptr_t)mbi->AllocationBase) >= 0 ? OWNER_TRACE
                                                                          : OWNER_OTHER;
}

/* The trace's last-error goes into the thread around each real call. */
static void api_enter(const win32_space *s) { SetLastError(s->error); }
static void api_leave(win32_space *s) { s->error = GetLastError(); }

/* A call refused because it would change the runner's own memory. */
static int refuse_foreign(win32_space *s, const char *what, uint64_t addr)
{
    fprintf(stderr, "win32: %s at 0x%llx not performed: memory the trace did not allocate\n",
            what, (unsigned long long)addr);
    s->error = ERROR_INVALID_ADDRESS;
    return 0;
}

static int is_live_stack(const win32_space *s, uint64_t base);

/* Whether a call that changes the page holding addr must be refused: the
 * runner's memory, or the stack a trace thread is running on. */
static int first_page_is_foreign(const win32_space *s, uint64_t addr)
{
    MEMORY_BASIC_INFORMATION mbi;
    owner o = page_owner(s, addr & ~(uint64_t)0xFFF, &mbi);
    return o == OWNER_OTHER ||
           (o == OWNER_TRACE && is_live_stack(s, (uint64_t)(uintptr_t)mbi.AllocationBase));
}

/* With the layout, the runner's own executable image is the trace's to
 * call on where that cannot hurt the runner (docs/semantics.md 11.2 item 6,
 * an image is a view of its image section): VirtualFree and MEM_COMMIT
 * there, which Windows refuses (87, 5), are made for real; VirtualProtect
 * only on the header page and only to a protection that can still be read
 * without a guard (exception dispatch reads the headers), the page being
 * put back to READONLY when the trace ends. */
static int own_image(const win32_space *s, const MEMORY_BASIC_INFORMATION *mbi)
{
    return s->layout && mbi->Type == MEM_IMAGE && mbi->AllocationBase == (void *)GetModuleHandleA(NULL);
}

static int header_protect_allowed(const win32_space *s, uint64_t addr, uint64_t size, uint32_t protect)
{
    MEMORY_BASIC_INFORMATION mbi;
    uint64_t base = (uint64_t)(uintptr_t)GetModuleHandleA(NULL);
    return s->layout && page_owner(s, addr & ~(uint64_t)0xFFF, &mbi) == OWNER_OTHER && own_image(s, &mbi) &&
           addr >= base && size != 0 && size <= 0x1000 && addr - base <= 0x1000 - size &&
           (protect & 0xFF) != PAGE_NOACCESS && !(protect & PAGE_GUARD);
}

/* The working-set sizes are the process's: each trace starts from and
 * leaves behind the sizes the first trace found. */
static SIZE_T start_ws_min, start_ws_max;   /* the process's sizes before any trace */
static int start_ws_known;

static void working_set_restore(void)
{
    if (!start_ws_known)
        start_ws_known = GetProcessWorkingSetSize(GetCurrentProcess(), &start_ws_min, &start_ws_max);
    else
        SetProcessWorkingSetSize(GetCurrentProcess(), start_ws_min, start_ws_max);
}

static void *win32_create(const vas_config *cfg)
{
    vas_config x64;
    vas_config_default(&x64, VAS_PROFILE_X64);
    /* A seeded placement (aslr-seed) is the model's: Windows draws its own. */
    if (cfg != NULL && (cfg->profile != VAS_PROFILE_X64 || cfg->commit_limit != 0 || cfg->aslr_seed
                        || cfg->min_address != x64.min_address
                        || cfg->max_address != x64.max_address || cfg->host_backed))
        return NULL;
    if (handler_install() != 0)
        return NULL;
    working_set_restore();
    win32_space *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->error = ERROR_SUCCESS;
        s->layout = cfg != NULL && cfg->layout == VAS_LAYOUT_PROCESS;
    }
    return s;
}

/* ---- Threads (issue 11, docs/semantics.md section 11) ---------------------
 *
 * A trace thread is a real thread from CreateThread with the trace's
 * dwStackSize and STACK_SIZE_PARAM_IS_A_RESERVATION. It waits for one
 * command at a time (a touch, a probe down its stack, SetThreadStackGuarantee,
 * return), so that each access is made by that thread on its own stack, as
 * the stack manager needs; the runner waits for each command, so one thread
 * runs at a time and the probe state above is never shared. While it runs,
 * its stack is the trace's to read and query; free, protect, commit, lock and
 * writes there are refused as for the runner's memory (they would pull the
 * stack from under the running thread, and the runner with it). A dwStackSize
 * larger than the user space is refused without the call (Wine 8 hangs on
 * one near 2^64). The executable is linked with the model's default stack
 * sizes (conformance/win32/build.sh).
 */
#ifndef STACK_SIZE_PARAM_IS_A_RESERVATION
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000
#endif
WINBASEAPI VOID WINAPI GetCurrentThreadStackLimits(PULONG_PTR low, PULONG_PTR high);
WINBASEAPI BOOL WINAPI SetThreadStackGuarantee(PULONG size);

enum thread_cmd { CMD_TOUCH, CMD_PROBE, CMD_GUARANTEE, CMD_EXIT };

typedef struct win32_thread {
    HANDLE handle, go, done;
    uint64_t low, high;          /* GetCurrentThreadStackLimits */
    enum thread_cmd cmd;
    uint64_t addr;               /* touch, probe */
    ULONG size;                  /* guarantee in, old guarantee out */
    uint32_t status;             /* touch, probe */
    uint64_t fault;
    BOOL ok;                     /* guarantee */
    DWORD error;                 /* the trace's last-error, in and out */
} win32_thread;

/* section 11's stack probe: each page from the top down to addr's, then addr. */
static uint32_t thread_probe_down(win32_thread *t)
{
    uint64_t stop = t->addr > t->low ? t->addr & ~(uint64_t)0xFFF : t->low;
    for (uint64_t page = t->high - 0x1000; page > stop && page < t->high; page -= 0x1000) {
        uint32_t status = probe_run(probe_load, page, &t->fault);
        if (status != VAS_STATUS_SUCCESS)
            return status;
    }
    return probe_run(probe_load, t->addr, &t->fault);
}

static DWORD WINAPI thread_main(void *arg)
{
    win32_thread *t = arg;
    ULONG_PTR low, high;
    GetCurrentThreadStackLimits(&low, &high);
    t->low = low;
    t->high = high;
    SetEvent(t->done);
    for (;;) {
        WaitForSingleObject(t->go, INFINITE);
        switch (t->cmd) {
        case CMD_TOUCH:
            t->status = probe_run(probe_load, t->addr, &t->fault);
            break;
        case CMD_PROBE:
            t->status = thread_probe_down(t);
            break;
        case CMD_GUARANTEE:
            SetLastError(t->error);
            t->ok = SetThreadStackGuarantee(&t->size);
            t->error = GetLastError();
            break;
        case CMD_EXIT:
            return 0;   /* the system frees the stack as the thread ends */
        }
        SetEvent(t->done);
    }
}

static int thread_index(const win32_space *s, uint64_t stack)
{
    for (size_t i = 0; i < s->n_threads; i++)
        if (s->threads[i]->low == stack)
            return (int)i;
    return -1;
}

static int is_live_stack(const win32_space *s, uint64_t base)
{
    return thread_index(s, base) >= 0;
}

/* Runs one command on the thread and waits for it. */
static void thread_command(win32_thread *t, enum thread_cmd cmd)
{
    t->cmd = cmd;
    SetEvent(t->go);
    WaitForSingleObject(cmd == CMD_EXIT ? t->handle : t->done, INFINITE);
}

static void thread_end(win32_space *s, size_t i)
{
    win32_thread *t = s->threads[i];
    thread_command(t, CMD_EXIT);
    CloseHandle(t->handle);
    CloseHandle(t->go);
    CloseHandle(t->done);
    set_remove(&s->bases, t->low);
    s->threads[i] = s->threads[--s->n_threads];
    free(t);
}

static uint64_t win32_create_thread(void *self, uint64_t stack_size, int size_is_reservation)
{
    win32_space *s = self;
    /* Wine 8 hangs in CreateThread when the size cannot be a stack at all
     * (near 2^64): refused without the call, as not enough memory. */
    if (stack_size > 0x7FFFFFFF0000ull) {
        s->error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    win32_thread *t = calloc(1, sizeof *t);
    win32_thread **grown = realloc(s->threads, (s->n_threads + 1) * sizeof *grown);
    if (grown)
        s->threads = grown;
    if (!t || !grown || !(t->go = CreateEventA(NULL, FALSE, FALSE, NULL)) ||
        !(t->done = CreateEventA(NULL, FALSE, FALSE, NULL))) {
        if (t && t->go)
            CloseHandle(t->go);
        free(t);
        s->error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    api_enter(s);
    t->handle = CreateThread(NULL, (SIZE_T)stack_size, thread_main, t,
                             size_is_reservation ? STACK_SIZE_PARAM_IS_A_RESERVATION : 0, NULL);
    api_leave(s);
    if (t->handle == NULL) {
        CloseHandle(t->go);
        CloseHandle(t->done);
        free(t);
        return 0;
    }
    WaitForSingleObject(t->done, INFINITE);
    s->threads[s->n_threads++] = t;
    set_add(&s->bases, t->low);
    return t->low;
}

static int win32_exit_thread(void *self, uint64_t stack)
{
    win32_space *s = self;
    int i = thread_index(s, stack);
    if (i < 0) {
        s->error = ERROR_INVALID_HANDLE;
        return 0;
    }
    thread_end(s, (size_t)i);
    return 1;
}

static int win32_set_stack_guarantee(void *self, uint64_t stack, uint32_t *size)
{
    win32_space *s = self;
    int i = thread_index(s, stack);
    if (i < 0) {
        s->error = ERROR_INVALID_HANDLE;
        return 0;
    }
    win32_thread *t = s->threads[i];
    t->size = *size;
    t->error = s->error;
    thread_command(t, CMD_GUARANTEE);
    *size = t->size;
    s->error = t->error;
    return t->ok ? 1 : 0;
}

/* A touch or a probe by the thread; foreign pages as probe_range treats them. */
static uint32_t thread_access(void *self, uint64_t stack, uint64_t addr, enum thread_cmd cmd,
                              uint64_t *fault)
{
    win32_space *s = self;
    int i = thread_index(s, stack);
    if (i < 0)
        return VAS_STATUS_INVALID_HANDLE;
    MEMORY_BASIC_INFORMATION mbi;
    if (page_owner(s, addr, &mbi) == OWNER_OTHER && !s->layout) {
        *fault = addr;
        return VAS_STATUS_ACCESS_VIOLATION;
    }
    win32_thread *t = s->threads[i];
    t->addr = addr;
    thread_command(t, cmd);
    if (t->status != VAS_STATUS_SUCCESS && fault != NULL)
        *fault = t->fault;
    return t->status;
}

static uint32_t win32_thread_read(void *self, uint64_t stack, uint64_t addr, void *buf, size_t len,
                                  uint64_t *fault)
{
    if (len != 1)
        return VAS_STATUS_ACCESS_VIOLATION;   /* the trace touches one byte */
    uint32_t status = thread_access(self, stack, addr, CMD_TOUCH, fault);
    if (status == VAS_STATUS_SUCCESS)
        memcpy(buf, ptr(addr), 1);
    return status;
}

static uint32_t win32_thread_probe(void *self, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    return thread_access(self, stack, addr, CMD_PROBE, fault);
}

static void win32_destroy(void *self)
{
    win32_space *s = self;
    while (s->n_threads > 0)
        thread_end(s, s->n_threads - 1);
    free(s->threads);
    for (size_t i = 0; i < s->views.n; i++)
        UnmapViewOfFile(ptr(s->views.v[i]));
    for (size_t i = 0; i < s->bases.n; i++)
        VirtualFree(ptr(s->bases.v[i]), 0, MEM_RELEASE);  /* failure: already gone (or a view) */
    free(s->bases.v);
    for (size_t i = 0; i < s->sections.n; i++)
        CloseHandle((HANDLE)(uintptr_t)s->sections.v[i]);
    free(s->sections.v);
    free(s->views.v);
    for (size_t i = 0; i < s->n_children; i++) {
        TerminateProcess(s->children[i].kept, 0);
        WaitForSingleObject(s->children[i].kept, 5000);
        CloseHandle(s->children[i].kept);
        if (s->children[i].open)
            CloseHandle(s->children[i].given);
    }
    free(s->children);
    DWORD old;
    if (s->header_reprotected)
        VirtualProtect(GetModuleHandleA(NULL), 0x1000, PAGE_READONLY, &old);
    free(s);
    working_set_restore();
}

static uint64_t win32_alloc(void *self, uint64_t addr, uint64_t size, uint32_t type,
                            uint32_t protect)
{
    win32_space *s = self;
    /* A reservation cannot overlap anything; commit and reset can change an
     * existing allocation, which must then be the trace's. */
    MEMORY_BASIC_INFORMATION mbi;
    int own_commit = s->layout && type == MEM_COMMIT &&
                     page_owner(s, addr & ~(uint64_t)0xFFF, &mbi) == OWNER_OTHER && own_image(s, &mbi);
    if (addr != 0 && !(type & MEM_RESERVE) && first_page_is_foreign(s, addr) && !own_commit)
        return (uint64_t)refuse_foreign(s, "VirtualAlloc", addr);
    api_enter(s);
    void *p = VirtualAlloc(ptr(addr), (SIZE_T)size, type, protect);
    api_leave(s);
    if (p != NULL) {
        if (VirtualQuery(p, &mbi, sizeof mbi) != 0 && mbi.State != MEM_FREE && !own_commit)
            set_add(&s->bases, (uint64_t)(uintptr_t)mbi.AllocationBase);
        SetLastError(s->error);
    }
    return (uint64_t)(uintptr_t)p;
}

static int win32_free_placeholder(win32_space *s, uint64_t addr, uint64_t size, uint32_t type,
                                  uint64_t alloc_base);

static int win32_free(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    win32_space *s = self;
    MEMORY_BASIC_INFORMATION mbi;
    owner o = page_owner(s, addr & ~(uint64_t)0xFFF, &mbi);
    if ((o == OWNER_OTHER && !own_image(s, &mbi)) ||
        (o == OWNER_TRACE && is_live_stack(s, (uint64_t)(uintptr_t)mbi.AllocationBase)))
        return refuse_foreign(s, "VirtualFree", addr);
    if (type & (MEM_PRESERVE_PLACEHOLDER | MEM_COALESCE_PLACEHOLDERS))   /* issue 12 */
        return win32_free_placeholder(s, addr, size, type, (uint64_t)(uintptr_t)mbi.AllocationBase);
    api_enter(s);
    BOOL ok = VirtualFree(ptr(addr), (SIZE_T)size, type);
    api_leave(s);
    if (ok && type == MEM_RELEASE && o == OWNER_TRACE)
        set_remove(&s->bases, (uint64_t)(uintptr_t)mbi.AllocationBase);
    return ok ? 1 : 0;
}

static int win32_protect(void *self, uint64_t addr, uint64_t size, uint32_t protect,
                         uint32_t *old)
{
    win32_space *s = self;
    int header = header_protect_allowed(s, addr, size, protect);
    if (first_page_is_foreign(s, addr) && !header)
        return refuse_foreign(s, "VirtualProtect", addr);
    s->header_reprotected |= header;
    /* Start from the caller's value so "left untouched" stays observable. */
    DWORD old_value = old != NULL ? *old : 0;
    api_enter(s);
    BOOL ok = VirtualProtect(ptr(addr), (SIZE_T)size, protect, old != NULL ? &old_value : NULL);
    api_leave(s);
    if (old != NULL)
        *old = old_value;
    return ok ? 1 : 0;
}

_Static_assert(sizeof(MEMORY_BASIC_INFORMATION) == sizeof(vas_mbi),
               "vas_mbi mirrors the x64 MEMORY_BASIC_INFORMATION");

static size_t win32_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    win32_space *s = self;
    MEMORY_BASIC_INFORMATION mbi;
    /* The system writes at most sizeof mbi whatever dwLength says. A field
     * it leaves unwritten shows as 0xCC..., not as stack garbage. */
    memset(&mbi, 0xCC, sizeof mbi);
    api_enter(s);
    SIZE_T ret = VirtualQuery(ptr(addr), &mbi, (SIZE_T)len);
    api_leave(s);
    if (ret != 0)
        memcpy(out, &mbi, sizeof *out);
    return (size_t)ret;
}

/* Probes every page of [addr, addr + len) in ascending order with fn.
 * Returns the first fault's status and its address, or 0 when every page
 * allowed the access, which implies every page is the trace's (any other
 * page reports a fault), so bytes may then move. */
static uint32_t probe_range(const win32_space *s, probe_fn fn, uint64_t addr, size_t len,
                            uint64_t *fault)
{
    uint64_t last = addr + (uint64_t)len - 1;
    if (last < addr)
        last = UINT64_MAX;  /* the range wraps: everything up to the top is probed */
    uint64_t page = addr & ~(uint64_t)0xFFF;
    /* The region the last query reported: its pages have its owner (a probe
     * that cleared a guard there ended the loop), so they need no query. */
    uint64_t region_end = 0;
    MEMORY_BASIC_INFORMATION mbi;
    owner o = OWNER_NONE;
    for (;;) {
        uint64_t at = page > addr ? page : addr;
        if (at >= region_end) {   /* pages ascend: past the region, or the first */
            o = page_owner(s, at, &mbi);
            region_end = o != OWNER_NONE ? (uint64_t)(uintptr_t)mbi.BaseAddress + mbi.RegionSize : 0;
        }
        /* With the layout, the process's own pages are read like the trace's. */
        int readable_other = o == OWNER_OTHER && s->layout && fn == probe_load;
        /* A running thread's stack is read, never written (its frames). */
        if (o == OWNER_TRACE && fn != probe_load && is_live_stack(s, (uint64_t)(uintptr_t)mbi.AllocationBase))
            o = OWNER_OTHER;
        if (o == OWNER_OTHER && !readable_other) {
            *fault = at;
            return VAS_STATUS_ACCESS_VIOLATION;
        }
        uint32_t status = probe_run(fn, at, fault);
        if (status != VAS_STATUS_SUCCESS)
            return status;
        if (o != OWNER_TRACE && !readable_other) {  /* memory the query did not show */
            *fault = at;
            return VAS_STATUS_ACCESS_VIOLATION;
        }
        if (last - page < 0x1000)
            return VAS_STATUS_SUCCESS;
        page += 0x1000;
    }
}

static uint32_t win32_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    uint64_t at = 0;
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint32_t status = probe_range(self, probe_load, addr, len, &at);
    if (status == VAS_STATUS_SUCCESS)
        memcpy(buf, ptr(addr), len);
    else if (fault != NULL)
        *fault = at;
    return status;
}

static uint32_t win32_write(void *self, uint64_t addr, const void *buf, size_t len,
                            uint64_t *fault)
{
    uint64_t at = 0;
    if (len == 0)
        return VAS_STATUS_SUCCESS;
    uint32_t status = probe_range(self, probe_store, addr, len, &at);
    if (status == VAS_STATUS_SUCCESS)
        memcpy(ptr(addr), buf, len);
    else if (fault != NULL)
        *fault = at;
    return status;
}

static int protect_executes(DWORD protect)
{
    return (protect & (PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE
                       | PAGE_EXECUTE_WRITECOPY)) != 0;
}

static uint32_t win32_exec(void *self, uint64_t addr, uint64_t *fault)
{
    win32_space *s = self;
    MEMORY_BASIC_INFORMATION mbi;
    uint64_t at = 0;
    uint32_t status;
    owner o = page_owner(s, addr, &mbi);

    if (o == OWNER_OTHER && s->layout) {
        /* The process's own code (layout: process): judged by its
         * protection, never jumped into. */
        status = mbi.State == MEM_COMMIT && !(mbi.Protect & PAGE_GUARD) && protect_executes(mbi.Protect)
                     ? VAS_STATUS_SUCCESS : VAS_STATUS_ACCESS_VIOLATION;
        at = addr;
    } else if (o == OWNER_OTHER) {  /* never jump into the runner's memory */
        status = VAS_STATUS_ACCESS_VIOLATION;
        at = addr;
    } else if (o == OWNER_NONE) {
        /* Free or beyond the user range: a load faults there exactly as a
         * fetch would, without jumping anywhere. */
        status = probe_run(probe_load, addr, &at);
        if (status == VAS_STATUS_SUCCESS) {  /* memory the query did not show */
            status = VAS_STATUS_ACCESS_VIOLATION;
            at = addr;
        }
    } else if (mbi.State == MEM_COMMIT && !(mbi.Protect & PAGE_GUARD)
               && protect_executes(mbi.Protect)) {
        /* Executable: run it only when it is a RET the trace put there. */
        status = VAS_STATUS_SUCCESS;
        if (probe_run(probe_load, addr, &at) == VAS_STATUS_SUCCESS
            && *(const volatile unsigned char *)ptr(addr) == 0xC3)
            status = probe_run(probe_call, addr, &at);
    } else if (mbi.State == MEM_COMMIT && !(mbi.Protect & PAGE_GUARD) && !dep_enforced) {
        status = VAS_STATUS_ACCESS_VIOLATION;  /* no DEP: judged, not executed */
        at = addr;
    } else {
        /* Reserved, guard, or not executable: the fetch itself faults. */
        status = probe_run(probe_call, addr, &at);
    }
    if (status != VAS_STATUS_SUCCESS && fault != NULL)
        *fault = at;
    return status;
}

static uint32_t win32_last_error(void *self)
{
    return ((const win32_space *)self)->error;
}

static void win32_set_last_error(void *self, uint32_t error)
{
    win32_space *s = self;
    s->error = error;
    SetLastError(error);
}

/* ---- Issue 13: write watch, locking, probes -------------------------------- */

static uint32_t win32_get_write_watch(void *self, uint32_t flags, uint64_t addr, uint64_t size,
                                      uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    win32_space *s = self;
    ULONG_PTR n = count != NULL ? (ULONG_PTR)*count : 0;
    ULONG gran = 0;
    _Static_assert(sizeof(PVOID) == sizeof(uint64_t), "addresses are 64-bit on x64");
    api_enter(s);
    UINT ret = GetWriteWatch(flags, ptr(addr), (SIZE_T)size, (PVOID *)addresses,
                             count != NULL ? &n : NULL, granularity != NULL ? &gran : NULL);
    api_leave(s);
    if (count != NULL)
        *count = n;
    if (granularity != NULL)
        *granularity = gran;
    return ret;
}

static uint32_t win32_reset_write_watch(void *self, uint64_t addr, uint64_t size)
{
    win32_space *s = self;
    api_enter(s);
    UINT ret = ResetWriteWatch(ptr(addr), (SIZE_T)size);
    api_leave(s);
    return ret;
}

static int win32_lock(void *self, uint64_t addr, uint64_t size)
{
    win32_space *s = self;
    if (first_page_is_foreign(s, addr))
        return refuse_foreign(s, "VirtualLock", addr);
    api_enter(s);
    BOOL ok = VirtualLock(ptr(addr), (SIZE_T)size);
    api_leave(s);
    return ok ? 1 : 0;
}

static int win32_unlock(void *self, uint64_t addr, uint64_t size)
{
    win32_space *s = self;
    if (first_page_is_foreign(s, addr))
        return refuse_foreign(s, "VirtualUnlock", addr);
    api_enter(s);
    BOOL ok = VirtualUnlock(ptr(addr), (SIZE_T)size);
    api_leave(s);
    return ok ? 1 : 0;
}

static int win32_get_working_set(void *self, uint64_t *min_bytes, uint64_t *max_bytes)
{
    win32_space *s = self;
    SIZE_T lo = 0, hi = 0;
    api_enter(s);
    BOOL ok = GetProcessWorkingSetSize(GetCurrentProcess(), min_bytes ? &lo : NULL, max_bytes ? &hi : NULL);
    api_leave(s);
    if (ok) {
        *min_bytes = lo;
        *max_bytes = hi;
    }
    return ok ? 1 : 0;
}

static int win32_set_working_set(void *self, uint64_t min_bytes, uint64_t max_bytes)
{
    win32_space *s = self;
    api_enter(s);
    BOOL ok = SetProcessWorkingSetSize(GetCurrentProcess(), (SIZE_T)min_bytes, (SIZE_T)max_bytes);
    api_leave(s);
    return ok ? 1 : 0;
}

/* Wine's IsBad*Ptr catch access violations only: a guard page on the way
 * raises STATUS_GUARD_PAGE_VIOLATION through them and ends the process.
 * Under Wine such a probe is not made (the operation is reported as one
 * the backend cannot perform) - Windows catches it (MS IsBadReadPtr). */
static int running_under_wine(void)
{
    static int known, wine;
    if (!known) {
        HMODULE ntdll = GetModuleHandleA("ntdll.dll");
        wine = ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
        known = 1;
    }
    return wine;
}

static int range_has_guard_page(uint64_t addr, uint64_t size)
{
    uint64_t page = addr & ~(uint64_t)0xFFF, last = size ? addr + (size - 1) : addr;
    if (last < addr)
        last = UINT64_MAX;
    while (page <= last) {
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery(ptr(page), &mbi, sizeof mbi) == 0)
            return 0;
        if (mbi.State == MEM_COMMIT && (mbi.Protect & PAGE_GUARD))
            return 1;
        uint64_t next = (uint64_t)(uintptr_t)mbi.BaseAddress + mbi.RegionSize;
        if (next <= page)
            return 0;
        page = next;
    }
    return 0;
}

static int probe_refused(uint64_t addr, uint64_t size)
{
    return running_under_wine() && size != 0 && range_has_guard_page(addr, size);
}

static int win32_is_bad_read(void *self, uint64_t addr, uint64_t size)
{
    (void)self;
    if (probe_refused(addr, size))
        return -1;
    return IsBadReadPtr(ptr(addr), (UINT_PTR)size) ? 1 : 0;
}

static int win32_is_bad_write(void *self, uint64_t addr, uint64_t size)
{
    (void)self;
    if (probe_refused(addr, size))
        return -1;
    return IsBadWritePtr(ptr(addr), (UINT_PTR)size) ? 1 : 0;
}

static int win32_is_bad_code(void *self, uint64_t addr)
{
    (void)self;
    if (probe_refused(addr, 1))
        return -1;
    return IsBadCodePtr((FARPROC)ptr(addr)) ? 1 : 0;
}

static int win32_is_bad_string(void *self, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    (void)self;
    if (probe_refused(addr, max_chars * char_size))
        return -1;
    if (char_size == 2)
        return IsBadStringPtrW((LPCWSTR)ptr(addr), (UINT_PTR)max_chars) ? 1 : 0;
    return IsBadStringPtrA((LPCSTR)ptr(addr), (UINT_PTR)max_chars) ? 1 : 0;
}

/* ---- Processes (docs/semantics.md section 13.2) ------------------------- */

static uint64_t win32_process_create(void *self)
{
    win32_space *s = self;
    WCHAR exe[MAX_PATH];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE kept = NULL;
    win32_child *grown = realloc(s->children, (s->n_children + 1) * sizeof *grown);
    if (grown == NULL) {
        s->error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    s->children = grown;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (GetModuleFileNameW(NULL, exe, MAX_PATH) == 0 ||
        !CreateProcessW(exe, NULL, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        s->error = GetLastError();
        return 0;
    }
    CloseHandle(pi.hThread);
    if (!DuplicateHandle(GetCurrentProcess(), pi.hProcess, GetCurrentProcess(), &kept, 0, FALSE,
                         DUPLICATE_SAME_ACCESS)) {
        s->error = GetLastError();
        TerminateProcess(pi.hProcess, 0);
        CloseHandle(pi.hProcess);
        return 0;
    }
    s->children[s->n_children++] = (win32_child){pi.hProcess, kept, 1};
    return (uint64_t)(uintptr_t)pi.hProcess;
}

/* The trace's open handle with this value, or NULL. */
static win32_child *child_of(win32_space *s, uint64_t handle)
{
    for (size_t i = 0; i < s->n_children; i++)
        if (s->children[i].open && (uint64_t)(uintptr_t)s->children[i].given == handle)
            return &s->children[i];
    return NULL;
}

/* How a call on this handle is made: on the trace's own space (the
 * pseudo-handle), for real (a child of the trace, or NULL), or not at all
 * (any other value: ERROR_INVALID_HANDLE). */
typedef enum handle_kind { HANDLE_SELF, HANDLE_REAL, HANDLE_REFUSED } handle_kind;

static handle_kind handle_kind_of(win32_space *s, uint64_t handle)
{
    if (handle == UINT64_MAX)
        return HANDLE_SELF;
    if (handle == 0 || child_of(s, handle) != NULL)
        return HANDLE_REAL;
    s->error = ERROR_INVALID_HANDLE;
    return HANDLE_REFUSED;
}

static int win32_close_handle(void *self, uint64_t handle)
{
    win32_space *s = self;
    if (set_index(&s->sections, handle) >= 0) {   /* a section the trace made (issue 12) */
        api_enter(s);
        BOOL closed = CloseHandle((HANDLE)(uintptr_t)handle);
        api_leave(s);
        if (closed)
            set_remove(&s->sections, handle);
        return closed ? 1 : 0;
    }
    win32_child *c = child_of(s, handle);
    if (handle != UINT64_MAX && c == NULL) {
        s->error = ERROR_INVALID_HANDLE;
        return 0;
    }
    api_enter(s);
    BOOL ok = CloseHandle(c != NULL ? c->given : GetCurrentProcess());
    api_leave(s);
    if (ok && c != NULL)
        c->open = 0;
    return ok ? 1 : 0;
}

static uint64_t win32_alloc_ex(void *self, uint64_t process, uint64_t addr, uint64_t size,
                               uint32_t type, uint32_t protect)
{
    win32_space *s = self;
    handle_kind k = handle_kind_of(s, process);
    if (k != HANDLE_REAL)
        return k == HANDLE_SELF ? win32_alloc(self, addr, size, type, protect) : 0;
    api_enter(s);
    void *p = VirtualAllocEx((HANDLE)(uintptr_t)process, ptr(addr), (SIZE_T)size, type, protect);
    api_leave(s);
    return (uint64_t)(uintptr_t)p;
}

static int win32_free_ex(void *self, uint64_t process, uint64_t addr, uint64_t size, uint32_t type)
{
    win32_space *s = self;
    handle_kind k = handle_kind_of(s, process);
    if (k != HANDLE_REAL)
        return k == HANDLE_SELF ? win32_free(self, addr, size, type) : 0;
    api_enter(s);
    BOOL ok = VirtualFreeEx((HANDLE)(uintptr_t)process, ptr(addr), (SIZE_T)size, type);
    api_leave(s);
    return ok ? 1 : 0;
}

static int win32_protect_ex(void *self, uint64_t process, uint64_t addr, uint64_t size,
                            uint32_t protect, uint32_t *old)
{
    win32_space *s = self;
    handle_kind k = handle_kind_of(s, process);
    if (k != HANDLE_REAL)
        return k == HANDLE_SELF ? win32_protect(self, addr, size, protect, old) : 0;
    DWORD old_value = old != NULL ? *old : 0;
    api_enter(s);
    BOOL ok = VirtualProtectEx((HANDLE)(uintptr_t)process, ptr(addr), (SIZE_T)size, protect,
                               old != NULL ? &old_value : NULL);
    api_leave(s);
    if (old != NULL)
        *old = old_value;
    return ok ? 1 : 0;
}

static size_t win32_query_ex(void *self, uint64_t process, uint64_t addr, vas_mbi *out, size_t len)
{
    win32_space *s = self;
    handle_kind k = handle_kind_of(s, process);
    if (k != HANDLE_REAL)
        return k == HANDLE_SELF ? win32_query(self, addr, out, len) : 0;
    MEMORY_BASIC_INFORMATION mbi;
    memset(&mbi, 0xCC, sizeof mbi);
    api_enter(s);
    SIZE_T ret = VirtualQueryEx((HANDLE)(uintptr_t)process, ptr(addr), &mbi, (SIZE_T)len);
    api_leave(s);
    if (ret != 0)
        memcpy(out, &mbi, sizeof *out);
    return (size_t)ret;
}

/* 1 when some page of [addr, addr + size) in this process lies in memory
 * the trace did not allocate (the runner's). */
static int range_is_foreign(const win32_space *s, uint64_t addr, uint64_t size)
{
    uint64_t page = addr & ~(uint64_t)0xFFF, last = size ? addr + (size - 1) : addr;
    if (last < addr)
        last = UINT64_MAX;
    for (;;) {
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery(ptr(page), &mbi, sizeof mbi) == 0)
            return 0;   /* beyond the user range: the call itself fails */
        if (mbi.State != MEM_FREE && set_index(&s->bases, (uint64_t)(uintptr_t)mbi.AllocationBase) < 0)
            return 1;
        uint64_t next = (uint64_t)(uintptr_t)mbi.BaseAddress + mbi.RegionSize;
        if (next <= page || next - 1 >= last)
            return 0;
        page = next;
    }
}

/* ReadProcessMemory (reading) or WriteProcessMemory into or out of the
 * trace's buffer; *done keeps TRACE's "untouched" value when the call
 * leaves the count alone. */
static int win32_copy_process(win32_space *s, int reading, uint64_t process, uint64_t addr,
                              uint64_t buf, uint64_t size, uint64_t *done)
{
    handle_kind k = handle_kind_of(s, process);
    if (k == HANDLE_REFUSED) {
        if (reading)
            *done = 0;   /* NtReadVirtualMemory writes its count; WriteProcessMemory fails first */
        return 0;
    }
    if (range_is_foreign(s, buf, size) || (k == HANDLE_SELF && range_is_foreign(s, addr, size))) {
        fprintf(stderr, "win32: %s at 0x%llx not performed: memory the trace did not allocate\n",
                reading ? "ReadProcessMemory" : "WriteProcessMemory", (unsigned long long)addr);
        s->error = ERROR_NOACCESS;
        return 0;
    }
    HANDLE h = k == HANDLE_SELF ? GetCurrentProcess() : (HANDLE)(uintptr_t)process;
    SIZE_T n = (SIZE_T)*done;
    api_enter(s);
    BOOL ok = reading ? ReadProcessMemory(h, ptr(addr), ptr(buf), (SIZE_T)size, &n)
                      : WriteProcessMemory(h, ptr(addr), ptr(buf), (SIZE_T)size, &n);
    api_leave(s);
    *done = n;
    return ok ? 1 : 0;
}

static int win32_read_process(void *self, uint64_t process, uint64_t addr, uint64_t buf,
                              uint64_t size, uint64_t *done)
{
    return win32_copy_process(self, 1, process, addr, buf, size, done);
}

static int win32_write_process(void *self, uint64_t process, uint64_t addr, uint64_t buf,
                               uint64_t size, uint64_t *done)
{
    return win32_copy_process(self, 0, process, addr, buf, size, done);
}

/* ---- Issue 12: sections and views ------------------------------------------
 *
 * Pagefile-backed sections by CreateFileMappingW(INVALID_HANDLE_VALUE),
 * views by MapViewOfFileEx. A handle that is no section the trace made
 * (and not yet closed) is not passed to MapViewOfFileEx: it could reach the
 * runner's own handles; the call fails with ERROR_INVALID_HANDLE instead,
 * which is what the trace would see had the runner not been there.
 * close (win32_close_handle) closes the trace's sections. UnmapViewOfFile
 * refuses a foreign page as VirtualFree does.
 */
static uint64_t win32_create_section(void *self, uint64_t size, uint32_t protect_and_flags)
{
    win32_space *s = self;
    api_enter(s);
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, protect_and_flags, (DWORD)(size >> 32),
                                  (DWORD)size, NULL);
    api_leave(s);
    if (h != NULL)
        set_add(&s->sections, (uint64_t)(uintptr_t)h);
    return (uint64_t)(uintptr_t)h;
}

static uint64_t win32_map_view(void *self, uint64_t handle, uint32_t access, uint64_t offset,
                               uint64_t size, uint64_t addr)
{
    win32_space *s = self;
    if (set_index(&s->sections, handle) < 0) {
        s->error = ERROR_INVALID_HANDLE;
        return 0;
    }
    api_enter(s);
    void *p = MapViewOfFileEx((HANDLE)(uintptr_t)handle, access, (DWORD)(offset >> 32), (DWORD)offset,
                              (SIZE_T)size, ptr(addr));
    api_leave(s);
    if (p != NULL) {
        set_add(&s->bases, (uint64_t)(uintptr_t)p);
        set_add(&s->views, (uint64_t)(uintptr_t)p);
    }
    return (uint64_t)(uintptr_t)p;
}

static int win32_unmap_view(void *self, uint64_t addr)
{
    win32_space *s = self;
    MEMORY_BASIC_INFORMATION mbi;
    owner o = page_owner(s, addr & ~(uint64_t)0xFFF, &mbi);
    if (o == OWNER_OTHER)
        return refuse_foreign(s, "UnmapViewOfFile", addr);
    api_enter(s);
    BOOL ok = UnmapViewOfFile(ptr(addr));
    api_leave(s);
    if (ok && o == OWNER_TRACE) {
        set_remove(&s->bases, (uint64_t)(uintptr_t)mbi.AllocationBase);
        set_remove(&s->views, (uint64_t)(uintptr_t)mbi.AllocationBase);
    }
    return ok ? 1 : 0;
}

/* ---- Issue 12: placeholders ---------------------------------------------------
 *
 * VirtualAlloc2, MapViewOfFile3, UnmapViewOfFile2 and UnmapViewOfFileEx are
 * taken from kernelbase.dll at run time (kernel32.dll for the last one if
 * kernelbase lacks it), so that mingw headers and import libraries from
 * before them do not matter; MEM_EXTENDED_PARAMETER and
 * MEM_ADDRESS_REQUIREMENTS are declared here with Windows' layout for the
 * same reason. A system without a function fails the call with
 * ERROR_CALL_NOT_IMPLEMENTED. Process 0 is passed as NULL, the calling
 * process for VirtualAlloc2 and MapViewOfFile3.
 */
typedef struct w32_addr_reqs {
    void *lowest, *highest;
    SIZE_T alignment;
} w32_addr_reqs;

typedef struct w32_ext_param {
    DWORD64 type;   /* Type: the low 8 bits; Reserved: the rest, 0 */
    union {
        DWORD64 u64;
        void *pointer;
    } value;
} w32_ext_param;

_Static_assert(sizeof(w32_ext_param) == 16, "MEM_EXTENDED_PARAMETER is 16 bytes");

typedef PVOID (WINAPI *valloc2_fn)(HANDLE, PVOID, SIZE_T, ULONG, ULONG, w32_ext_param *, ULONG);
typedef PVOID (WINAPI *map3_fn)(HANDLE, HANDLE, PVOID, ULONG64, SIZE_T, ULONG, ULONG, w32_ext_param *, ULONG);
typedef BOOL (WINAPI *unmap2_fn)(HANDLE, PVOID, ULONG);
typedef BOOL (WINAPI *unmapex_fn)(PVOID, ULONG);

static FARPROC placeholder_api(const char *name)
{
    HMODULE kernelbase = GetModuleHandleA("kernelbase.dll");
    FARPROC f = kernelbase != NULL ? GetProcAddress(kernelbase, name) : NULL;
    if (f == NULL)
        f = GetProcAddress(GetModuleHandleA("kernel32.dll"), name);
    return f;
}

/* The Windows form of the trace's parameters: at most two matter (12.14). */
typedef struct w32_ext_array {
    w32_ext_param param[2];
    w32_addr_reqs reqs[2];
} w32_ext_array;

static w32_ext_param *ext_array_of(const vas_ext_param *params, uint32_t count, w32_ext_array *out)
{
    if (params == NULL)
        return NULL;
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < count && i < 2; i++) {
        out->param[i].type = params[i].type;
        out->reqs[i].lowest = ptr(params[i].lowest);
        out->reqs[i].highest = ptr(params[i].highest);
        out->reqs[i].alignment = (SIZE_T)params[i].alignment;
        out->param[i].value.pointer = &out->reqs[i];
    }
    return out->param;
}

/* The process handle a placeholder call passes, with *self set when the
 * call works on the trace's own space; 0 with ERROR_INVALID_HANDLE when the
 * value names nothing the trace holds. */
static int placeholder_process(win32_space *s, uint64_t process, int null_is_self, HANDLE *h, int *self)
{
    *self = process == UINT64_MAX || (process == 0 && null_is_self);
    *h = process == UINT64_MAX ? GetCurrentProcess() : (HANDLE)(uintptr_t)process;
    if (*self || process == 0 || child_of(s, process) != NULL)
        return 1;
    s->error = ERROR_INVALID_HANDLE;
    return 0;
}

/* After a split, a merge or a free back to a placeholder in [lo, hi]: the
 * allocation bases there are read again. */
static void bases_rescan(win32_space *s, uint64_t lo, uint64_t hi)
{
    for (size_t i = s->bases.n; i-- > 0;)
        if (s->bases.v[i] >= lo && s->bases.v[i] <= hi)
            set_remove(&s->bases, s->bases.v[i]);
    for (uint64_t at = lo; at <= hi;) {
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery(ptr(at), &mbi, sizeof mbi) == 0)
            break;
        uint64_t base = (uint64_t)(uintptr_t)mbi.AllocationBase;
        if (mbi.State != MEM_FREE && base >= lo)
            set_add(&s->bases, base);
        uint64_t next = (uint64_t)(uintptr_t)mbi.BaseAddress + mbi.RegionSize;
        if (next <= at)
            break;
        at = next;
    }
}

static int win32_free_placeholder(win32_space *s, uint64_t addr, uint64_t size, uint32_t type,
                                  uint64_t alloc_base)
{
    api_enter(s);
    BOOL ok = VirtualFree(ptr(addr), (SIZE_T)size, type);
    api_leave(s);
    if (ok) {
        bases_rescan(s, alloc_base, addr + size);
        SetLastError(s->error);
    }
    return ok ? 1 : 0;
}

static uint64_t win32_alloc2(void *self, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                             uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    win32_space *s = self;
    static valloc2_fn fn;
    HANDLE h;
    int own;
    w32_ext_array ext;
    if (!placeholder_process(s, process, 1, &h, &own))
        return 0;
    if (own && addr != 0 && !(type & MEM_RESERVE) && first_page_is_foreign(s, addr))
        return (uint64_t)refuse_foreign(s, "VirtualAlloc2", addr);
    if (fn == NULL)
        fn = (valloc2_fn)(void (*)(void))placeholder_api("VirtualAlloc2");
    if (fn == NULL) {
        s->error = ERROR_CALL_NOT_IMPLEMENTED;
        return 0;
    }
    api_enter(s);
    void *p = fn(process == 0 ? NULL : h, ptr(addr), (SIZE_T)size, type, protect,
                 ext_array_of(params, count, &ext), count);
    api_leave(s);
    if (p != NULL && own) {
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery(p, &mbi, sizeof mbi) != 0 && mbi.State != MEM_FREE)
            set_add(&s->bases, (uint64_t)(uintptr_t)mbi.AllocationBase);
        SetLastError(s->error);
    }
    return (uint64_t)(uintptr_t)p;
}

static uint64_t win32_map_view3(void *self, uint64_t handle, uint64_t process, uint64_t addr,
                                uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,
                                const vas_ext_param *params, uint32_t count)
{
    win32_space *s = self;
    static map3_fn fn;
    HANDLE h;
    int own;
    w32_ext_array ext;
    if (!placeholder_process(s, process, 1, &h, &own))
        return 0;
    if (set_index(&s->sections, handle) < 0) {   /* as win32_map_view */
        s->error = ERROR_INVALID_HANDLE;
        return 0;
    }
    if (fn == NULL)
        fn = (map3_fn)(void (*)(void))placeholder_api("MapViewOfFile3");
    if (fn == NULL) {
        s->error = ERROR_CALL_NOT_IMPLEMENTED;
        return 0;
    }
    api_enter(s);
    void *p = fn((HANDLE)(uintptr_t)handle, process == 0 ? NULL : h, ptr(addr), offset, (SIZE_T)size, type,
                 protect, ext_array_of(params, count, &ext), count);
    api_leave(s);
    if (p != NULL && own) {
        set_add(&s->bases, (uint64_t)(uintptr_t)p);
        set_add(&s->views, (uint64_t)(uintptr_t)p);
    }
    return (uint64_t)(uintptr_t)p;
}

/* UnmapViewOfFile2 (ex: UnmapViewOfFileEx, the calling process). */
static int unmap_view_flags(win32_space *s, uint64_t process, uint64_t addr, uint32_t flags, int ex)
{
    static unmap2_fn fn2;
    static unmapex_fn fnex;
    HANDLE h;
    int own;
    MEMORY_BASIC_INFORMATION mbi;
    owner o = OWNER_NONE;
    if (!ex && !placeholder_process(s, process, 0, &h, &own))
        return 0;
    if (ex)
        own = 1;
    if (own) {
        o = page_owner(s, addr & ~(uint64_t)0xFFF, &mbi);
        if (o == OWNER_OTHER)
            return refuse_foreign(s, ex ? "UnmapViewOfFileEx" : "UnmapViewOfFile2", addr);
    }
    if (ex ? fnex == NULL : fn2 == NULL) {
        if (ex)
            fnex = (unmapex_fn)(void (*)(void))placeholder_api("UnmapViewOfFileEx");
        else
            fn2 = (unmap2_fn)(void (*)(void))placeholder_api("UnmapViewOfFile2");
    }
    if (ex ? fnex == NULL : fn2 == NULL) {
        s->error = ERROR_CALL_NOT_IMPLEMENTED;
        return 0;
    }
    api_enter(s);
    BOOL ok = ex ? fnex(ptr(addr), flags) : fn2(h, ptr(addr), flags);
    api_leave(s);
    if (ok && o == OWNER_TRACE) {
        uint64_t base = (uint64_t)(uintptr_t)mbi.AllocationBase;
        set_remove(&s->views, base);
        if (!(flags & MEM_PRESERVE_PLACEHOLDER))
            set_remove(&s->bases, base);
    }
    return ok ? 1 : 0;
}

static int win32_unmap_view2(void *self, uint64_t process, uint64_t addr, uint32_t flags)
{
    return unmap_view_flags(self, process, addr, flags, 0);
}

static int win32_unmap_view_ex(void *self, uint64_t addr, uint32_t flags)
{
    return unmap_view_flags(self, UINT64_MAX, addr, flags, 1);
}

const backend backend_win32 = {
    .name = "win32",
    .create = win32_create,
    .destroy = win32_destroy,
    .alloc = win32_alloc,
    .free = win32_free,
    .protect = win32_protect,
    .query = win32_query,
    .read = win32_read,
    .write = win32_write,
    .exec = win32_exec,
    .last_error = win32_last_error,
    .set_last_error = win32_set_last_error,
    .commit_charge = NULL,
    .check = NULL,
    .get_write_watch = win32_get_write_watch,
    .reset_write_watch = win32_reset_write_watch,
    .lock = win32_lock,
    .unlock = win32_unlock,
    .get_working_set = win32_get_working_set,
    .set_working_set = win32_set_working_set,
    .locked_bytes = NULL,
    .is_bad_read = win32_is_bad_read,
    .is_bad_write = win32_is_bad_write,
    .is_bad_code = win32_is_bad_code,
    .is_bad_string = win32_is_bad_string,
    .create_thread = win32_create_thread,
    .exit_thread = win32_exit_thread,
    .set_stack_guarantee = win32_set_stack_guarantee,
    .thread_read = win32_thread_read,
    .thread_probe = win32_thread_probe,
    .process_create = win32_process_create,
    .close_handle = win32_close_handle,
    .alloc_ex = win32_alloc_ex,
    .free_ex = win32_free_ex,
    .protect_ex = win32_protect_ex,
    .query_ex = win32_query_ex,
    .read_process = win32_read_process,
    .write_process = win32_write_process,
    .create_section = win32_create_section,
    .map_view = win32_map_view,
    .unmap_view = win32_unmap_view,
    .alloc2 = win32_alloc2,
    .map_view3 = win32_map_view3,
    .unmap_view2 = win32_unmap_view2,
    .unmap_view_ex = win32_unmap_view_ex,
    .deterministic_placement = 0,
};

#endif /* _WIN32 */
