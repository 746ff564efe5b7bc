/*
 * vas_host.h - looking at a host-backed space (vas_config.host_backed = 1)
 * from outside the model: for the host backend's verifier, the host-mode
 * tests and programs that use real pointers (vas_host_pointer, in vas.h).
 * Implemented in impl/src/host/; Linux only.
 *
 * Nothing here exists on Windows. The functions take the space (vas_t) so
 * that callers need not know the model's internals.
 *
 * Only the window is real: x64 spaces mirror their low part (up to
 * 64 GiB), and above it the model alone decides. Verification,
 * probes and real pointers cover mirrored pages only.
 *
 * Guard pages and real pointers: a real load, store or instruction fetch
 * that hits a page the model holds as a guard page is caught by a SIGSEGV
 * handler, which clears the guard in the model (as Windows clears it before
 * its handler runs), makes the real page take its base protection, records
 * STATUS_GUARD_PAGE_VIOLATION and the address as the window's last fault
 * (see host_take_fault), offers the exception to the program's handler
 * (host_set_exception_handler below; vas/win32.h's vectored handlers), and
 * lets the instruction run again: the access completes as it does on
 * Windows when a handler continues (G097). If the base protection then
 * refuses the access, the retry faults again as an access violation, which
 * the program's handler may resolve; otherwise it goes to the previously
 * installed SIGSEGV handler (normally: the process dies, as with an
 * unhandled access violation). The handler calls into the model, which
 * is fine for the synchronous faults it is meant for, not for signals
 * raised while the same thread is inside the model.
 *
 * Write watch and copy-on-write (docs/semantics.md section 15.1): a real
 * store to a page of a MEM_WRITE_WATCH allocation is seen by GetWriteWatch,
 * and a real store to a copy-on-write page makes the page's copy, as the
 * same store through vas_write would (see host_armed below).
 *
 * Views (docs/semantics.md section 15.3): the views of one section are
 * the same real pages, so a real store through one view's pointer is read
 * through every other's; a copy-on-write view's page is copied on its
 * first store and follows the section no more.
 *
 * Thread stacks (docs/semantics.md section 11): while a thread is current
 * (vas_set_current_thread; vas/win32.h's CreateThread sets it), a real
 * touch of that thread's own guard page grows its stack as Windows does:
 * nothing is recorded and the access completes; when the stack can grow
 * no more, STATUS_STACK_OVERFLOW is recorded instead.
 */
#ifndef VAS_VAS_HOST_H
#define VAS_VAS_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "vas/vas.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Real address minus simulated address in vas's window (0 when the window
 * sits at the same numeric addresses); *ok = 0 when vas is not host-backed. */
uint64_t host_offset(const vas_t *vas, int *ok);

/* The simulated end of vas's window: [min_address, end) is mirrored into
 * real memory, [end, max_address] is modelled only (x64: at most 64 GiB
 * are mirrored);
 * end = max_address + 1 when the whole space is mirrored. 0 when vas is
 * not host-backed. */
uint64_t host_mirrored_end(const vas_t *vas);

/* The last guard-page violation raised by a real access in vas's window:
 * returns VAS_STATUS_GUARD_PAGE_VIOLATION (or VAS_STATUS_STACK_OVERFLOW,
 * see above) and stores the simulated address
 * in *addr, then forgets it; returns 0 when there was none since the last
 * call. */
uint32_t host_take_fault(const vas_t *vas, uint64_t *addr);

/* 1 when the mirror keeps the page of simulated addr write-protected
 * although the model allows writes to it ("armed": a page of a
 * MEM_WRITE_WATCH allocation not reported yet, a copy-on-write page not
 * copied yet). A real write there faults once; the handler records the
 * write in the model (the page becomes reported, or gets its copy) and the
 * write completes (docs/semantics.md section 15). Probes (below) report
 * the fault instead: they show what the MMU does. */
int host_armed(vas_t *vas, uint64_t addr);

/* ---- Exceptions for a program's handlers (docs/semantics.md 15.2) ------ */
/*
 * A real access in a window that Windows would turn into an exception:
 * code is VAS_STATUS_ACCESS_VIOLATION (the model refuses the access),
 * VAS_STATUS_GUARD_PAGE_VIOLATION (a guard page fired; already cleared) or
 * VAS_STATUS_STACK_OVERFLOW (a thread's stack cannot grow).
 */
typedef struct host_exception {
    uint32_t code;
    int access;        /* 0 read, 1 write, 8 instruction fetch (Windows' values) */
    uint64_t address;  /* the simulated address accessed */
    void *pc;          /* the real address of the faulting instruction */
    void *context;     /* the signal's ucontext_t */
    vas_t *vas;        /* the space whose window holds address */
} host_exception;

/* Returns 1 to run the faulting instruction again (the handler fixed what
 * refused it, or accepts that a guard page fired), 0 to leave the fault
 * to what happens without a handler: an access violation goes to the
 * SIGSEGV handler installed before vas's (normally the process dies), a
 * guard page or stack overflow is recorded (host_take_fault) and the
 * access completes. Called on the faulting thread, inside the SIGSEGV
 * handler (with SIGSEGV not blocked, so its own faults are handled too). */
typedef int (*host_exception_handler)(void *ctx, const host_exception *e);

/* One handler for every window of the process (NULL: none), as Windows'
 * vectored handlers are the process's; vas/win32.h's
 * AddVectoredExceptionHandler sets it. */
void host_set_exception_handler(host_exception_handler fn, void *ctx);

/* Compares real memory with the model: protections of the whole window
 * (from /proc/self/maps), and for the ranges changed since the last call
 * (syncs, writes, guard faults): contents of committed pages (at most a
 * budget of pages per call) and that pages which are not committed hold
 * nothing (/proc/self/pagemap). Returns 0 when all agree, else writes one
 * line about the first difference into msg and returns 1. */
int host_verify(vas_t *vas, char *msg, size_t msg_len);

/* ---- Fault-catching real accesses (host_probe.c) ---------------------- */
/*
 * Each touches [p, p + len) one byte per page, in ascending order (a write
 * probe reads a byte and stores it back, so contents do not change), and
 * returns 1 when nothing faulted; otherwise 0 with the faulting real address
 * in *fault. Only addresses inside a host window are caught: a fault
 * anywhere else goes to the previous SIGSEGV handler.
 */
int host_probe_read(const void *p, size_t len, uintptr_t *fault);
int host_probe_write(void *p, size_t len, uintptr_t *fault);
/* memcpy that stops at the first faulting byte (returns 0, *fault set). */
int host_probe_copy(void *dst, const void *src, size_t len, uintptr_t *fault);
/* Calls the code at fn (which must return); 0 if fetching it faulted. */
int host_probe_call(const void *fn, uintptr_t *fault);

/* ---- /proc/self/maps (host_maps.c) ------------------------------------ */

typedef struct host_map {
    uintptr_t start, end;   /* [start, end) */
    int prot;               /* PROT_READ | PROT_WRITE | PROT_EXEC */
} host_map;

/* The mappings overlapping real [lo, hi), ascending, into a malloc'd
 * array *out (free it). Returns the count, or -1 if maps cannot be read. */
long host_maps_read(uintptr_t lo, uintptr_t hi, host_map **out);
/* Protection of the mapping holding real address a; -1 when unmapped. */
int host_maps_prot_at(uintptr_t a);

#ifdef __cplusplus
}
#endif

#endif
