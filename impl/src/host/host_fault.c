/*
 * host_fault.c - the SIGSEGV handler shared by all host windows, and the
 * registry it searches.
 *
 * A fault at a real address inside a window is, in order: the end of a
 * running probe (host_probe.c); a guard page firing (the model says the
 * page is a committed guard page: the guard is cleared in the model, whose
 * sync gives the real page its base protection, the violation is recorded
 * and offered to the program's exception handler, and the instruction runs
 * again); a store to an armed page (host_armed.c: recorded in the model,
 * then run again); or an access violation, offered to the program's
 * exception handler (docs/semantics.md 15.2). Violations no handler takes
 * and every fault outside the windows go to the handler that was
 * installed before ours, so sanitizers and crash reporters keep working.
 */
#define _GNU_SOURCE   /* REG_ERR */
#include "host_internal.h"
#include "vas/vas_host.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define HOST_WINDOWS_MAX 64

static _Atomic(host_window *) registry[HOST_WINDOWS_MAX];
static _Atomic(host_exception_handler) exception_handler;
static void *_Atomic exception_ctx;
static struct sigaction previous;
static atomic_int handler_installed;

static int window_holds(const host_window *w, uintptr_t a)
{
    uint64_t sim = (uint64_t)a - w->offset;
    return sim >= w->lo && sim < w->hi;
}

host_window *host_fault_find(uintptr_t a)
{
    for (size_t i = 0; i < HOST_WINDOWS_MAX; i++) {
        host_window *w = atomic_load(&registry[i]);
        if (w && window_holds(w, a))
            return w;
    }
    /* fuzz-unreached: host-unused - every fault the harness causes lies in a window */
    return NULL;
}

/* A guard page of the model fires: its status (now cleared) - SUCCESS
 * when it was the running thread's own stack guard (the system grew the
 * stack, docs/semantics.md section 11: the access completes unseen),
 * GUARD_PAGE_VIOLATION or STACK_OVERFLOW (recorded as the last fault) -,
 * or 0 when the page is no guard page.
 * fuzz-unreached: host-unused - the harness probes guard pages instead of faulting on them */
static uint32_t fire_guard(host_window *w, uint64_t sim)
{
    vas_mbi m;
    if (!w->vas || vas_query(w->vas, sim, &m, sizeof m) == 0)
        return 0;
    if (m.state != VAS_MEM_COMMIT || !(m.protect & VAS_PAGE_GUARD))
        return 0;
    /* A one-byte simulated read fires the guard exactly as the model's
     * rules say (any access kind fires it) and re-syncs the page. */
    uint8_t byte;
    uint64_t at;
    uint32_t status = vas_read(w->vas, sim, &byte, 1, &at);
    if (status != VAS_STATUS_SUCCESS && status != VAS_STATUS_GUARD_PAGE_VIOLATION &&
        status != VAS_STATUS_STACK_OVERFLOW)
        return 0;
    if (status != VAS_STATUS_SUCCESS) {
        w->fault_addr = sim;
        w->fault_status = status;
        w->fault_count++;
    }
    return status;
}

/* The faulting instruction's address, from the signal's context. */
static void *instruction_of(const void *uc)
{
#if defined(__x86_64__)
    return (void *)(uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
    return (void *)(uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_EIP];
#else
    (void)uc;
    return NULL;
#endif
}

/* What the faulting instruction did, from the x86 page-fault error code
 * the kernel passes in the context: 1 write, 8 instruction fetch, 0 read
 * (Windows' ExceptionInformation[0] values); -1 where the architecture
 * does not say. */
static int access_kind(const void *uc)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned long err = (unsigned long)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR];
    if (err & 0x10)
        return HOST_ACCESS_EXECUTE;
    return err & 0x2 ? HOST_ACCESS_WRITE : HOST_ACCESS_READ;
#else
    (void)uc;
    return -1;
#endif
}

void host_set_exception_handler(host_exception_handler fn, void *ctx)
{
    atomic_store(&exception_ctx, ctx);
    atomic_store(&exception_handler, fn);
}

/* Offers the fault to the program's handler: 1 when it asked to run the
 * instruction again.
 * fuzz-unreached: host-unused - the harness installs no exception handler */
static int deliver(host_window *w, uint32_t code, int kind, uint64_t sim, void *uc)
{
    host_exception_handler fn = atomic_load(&exception_handler);
    if (!fn)
        return 0;
    host_exception e = {code, kind < 0 ? HOST_ACCESS_READ : kind, sim, instruction_of(uc), uc, w->vas};
    return fn(atomic_load(&exception_ctx), &e) != 0;
}

/* A write to an armed page (host_armed.c): the model allows it, the mirror
 * held it back to see it. The page is made writable, the write is recorded
 * in the model by a one-byte vas_write of the byte the model already holds
 * (write watch marks the page, copy-on-write copies it; absorbed: real
 * memory is not written, nothing is marked for the verifier), and the
 * instruction runs again. The bytes the instruction stores land in real
 * memory only (docs/semantics.md section 15). 1 when it was such a write.
 * fuzz-unreached: host-unused - the harness writes through vas_write, not real pointers */
static int release_armed(host_window *w, uint64_t sim, int kind)
{
    vas_mbi m;
    uint8_t byte;
    if (kind != HOST_ACCESS_WRITE && kind != -1)
        return 0;
    if (!w->vas || vas_query(w->vas, sim, &m, sizeof m) == 0 || m.state != VAS_MEM_COMMIT ||
        (m.protect & VAS_PAGE_GUARD) || !(host_prot_of(m.protect) & PROT_WRITE))
        return 0;
    uint64_t page = round_down(sim, PAGE_BYTES);
    if (mprotect((void *)host_range_real(w, page, PAGE_BYTES), PAGE_BYTES, host_prot_of(m.protect)) != 0 ||
        vas_read(w->vas, sim, &byte, 1, NULL) != VAS_STATUS_SUCCESS)
        return 0;
    w->absorbing = 1;
    uint32_t status = vas_write(w->vas, sim, &byte, 1, NULL);
    w->absorbing = 0;
    host_program_written_add(w, page, page + PAGE_BYTES);
    return status == VAS_STATUS_SUCCESS;
}

/* fuzz-unreached: host-unused - faults outside a window are not the harness's */
static void pass_on(int sig, siginfo_t *si, void *uc)
{
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(sig, si, uc);
    } else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
        /* Returning re-runs the instruction, which faults again and now
         * gets the default action: the process dies as it would have. */
        signal(sig, SIG_DFL);
    } else {
        previous.sa_handler(sig);
    }
}

/* fuzz-unreached: host-unused - the harness probes instead of faulting */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    int saved_errno = errno;
    uintptr_t a = (uintptr_t)si->si_addr;
    host_window *w = host_fault_find(a);
    if (w) {
        host_probe_catch(a);
        uint64_t sim = (uint64_t)a - w->offset;
        int kind = access_kind(uc);
        uint32_t guard = fire_guard(w, sim);
        /* A guard page or stack overflow the handler does not take is
         * recorded and the access completes, as before handlers existed. */
        if (guard) {
            if (guard != VAS_STATUS_SUCCESS)
                deliver(w, guard, kind, sim, uc);
            errno = saved_errno;
            return;
        }
        if (release_armed(w, sim, kind) || deliver(w, VAS_STATUS_ACCESS_VIOLATION, kind, sim, uc)) {
            errno = saved_errno;
            return;
        }
    }
    errno = saved_errno;
    pass_on(sig, si, uc);
}

/* fuzz-unreached: host-failure - sigaction does not fail */
static int install_handler(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&handler_installed, &expected, 1))
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    /* SA_NODEFER: a program's exception handler runs inside this one and
     * may itself touch a guard or armed page (docs/semantics.md 15.2). */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &previous) != 0) {
        atomic_store(&handler_installed, 0);
        return 0;
    }
    return 1;
}

/* fuzz-unreached: host-failure - the window list never fills, sigaction does not fail */
int host_fault_register(host_window *w)
{
    if (!install_handler())
        return 0;
    for (size_t i = 0; i < HOST_WINDOWS_MAX; i++) {
        host_window *empty = NULL;
        if (atomic_compare_exchange_strong(&registry[i], &empty, w))
            return 1;
    }
    return 0;
}

void host_fault_unregister(host_window *w)
{
    for (size_t i = 0; i < HOST_WINDOWS_MAX; i++) {
        host_window *mine = w;
        if (atomic_compare_exchange_strong(&registry[i], &mine, NULL))
            return;
    }
}
