/*
 * host_probe.c - real memory accesses that survive a fault: the access runs
 * after sigsetjmp, and the SIGSEGV handler (host_fault.c) jumps back here
 * when the fault is inside a window and this thread has a probe running
 * (sigsetjmp without the signal mask, see probe_unblock). This is how the verifier learns what the MMU really allows, and how a
 * test calls code that must not be executable without dying.
 */
#include "host_internal.h"
#include "vas/vas_host.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#define PROBE_PAGE ((uintptr_t)0x1000)

static _Thread_local sigjmp_buf *volatile probe_env;
static _Thread_local volatile uintptr_t probe_fault;

/* fuzz-unreached: host-unused - a signal outside a probe is not the prober's */
void host_probe_catch(uintptr_t real)
{
    sigjmp_buf *env = probe_env;
    if (!env)
        return;
    probe_env = NULL;
    probe_fault = real;
    siglongjmp(*env, 1);
}

/* The handler runs with SIGSEGV blocked and jumps out of it without the
 * signal mask being restored (saving the mask would cost a system call on
 * every probe, not just the faulting ones): unblock it again. */
static void probe_unblock(void)
{
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    pthread_sigmask(SIG_UNBLOCK, &segv, NULL);
}

/* The first byte of each page of [p, p + len), ascending. */
static uintptr_t next_page(uintptr_t a) { return (a & ~(PROBE_PAGE - 1)) + PROBE_PAGE; }

/* Runs body(arg) with the fault catcher armed: 1 if it completed, 0 with
 * *fault set to the faulting address if it touched memory it may not. */
static int probe_run(void (*body)(void *), void *arg, uintptr_t *fault)
{
    sigjmp_buf env;
    if (sigsetjmp(env, 0)) {
        probe_unblock();
        *fault = probe_fault;
        return 0;
    }
    probe_env = &env;
    body(arg);
    probe_env = NULL;
    return 1;
}

typedef struct probe_span {
    uint8_t *dst;
    const uint8_t *src;
    size_t len;
} probe_span;

static void read_pages(void *arg)
{
    const probe_span *s = arg;
    uintptr_t end = (uintptr_t)s->src + s->len;
    for (uintptr_t a = (uintptr_t)s->src; a < end; a = next_page(a))
        (void)*(const volatile uint8_t *)a;
}

static void write_pages(void *arg)
{
    const probe_span *s = arg;
    uintptr_t end = (uintptr_t)s->dst + s->len;
    for (uintptr_t a = (uintptr_t)s->dst; a < end; a = next_page(a)) {
        volatile uint8_t *b = (volatile uint8_t *)a;
        *b = *b;
    }
}

/* Byte by byte, so the faulting byte is exactly the first one refused.
 * fuzz-unreached: host-failure - the harness probes only pages the model says are accessible */
static void copy_bytes(void *arg)
{
    const probe_span *s = arg;
    volatile uint8_t *d = s->dst;
    for (size_t i = 0; i < s->len; i++)
        d[i] = s->src[i];
}

/* fuzz-unreached: host-unused - no backend executes code in the window */
static void call_code(void *arg)
{
    void (*code)(void);
    memcpy(&code, arg, sizeof code);   /* object to function pointer, without a cast */
    code();
}

int host_probe_read(const void *p, size_t len, uintptr_t *fault)
{
    probe_span s = {NULL, p, len};
    return probe_run(read_pages, &s, fault);
}

int host_probe_write(void *p, size_t len, uintptr_t *fault)
{
    probe_span s = {p, NULL, len};
    return probe_run(write_pages, &s, fault);
}

/* fuzz-unreached: host-failure - the harness probes only pages the model says are accessible */
int host_probe_copy(void *dst, const void *src, size_t len, uintptr_t *fault)
{
    probe_span s = {dst, src, len};
    return probe_run(copy_bytes, &s, fault);
}

/* fuzz-unreached: host-unused - no backend executes code in the window */
int host_probe_call(const void *fn, uintptr_t *fault)
{
    return probe_run(call_code, &fn, fault);
}
