/*
 * host_internal.h - what the files of impl/src/host/ share: the window structure,
 * the registry the SIGSEGV handler searches, and the helpers that turn
 * simulated addresses into real ones with a bounds check.
 *
 * A window mirrors the simulated range [lo, hi) at real addresses
 * lo + offset. lo is the profile's min_address; hi is max_address + 1 when
 * the whole space can be mapped (x86, x86_laa), else lower (x64: at most
 * HOST_MIRROR_MAX, see host.h), and [hi, max_address] is modelled
 * but not mirrored. Every host call made on behalf of a window goes through
 * host_range_real(), which aborts when a range is not inside the window: a
 * bug here must never change memory that belongs to someone else; callers
 * clip to the window first (host_window_clip).
 */
#ifndef VAS_HOST_INTERNAL_H
#define VAS_HOST_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "common/pages.h"

/* Ranges changed since the verifier last looked (vas/vas_host.h). A full
 * list collapses into one covering range, so nothing is ever forgotten. */
#define HOST_DIRTY_MAX 32

struct host_window {
    uint64_t lo, hi;          /* simulated window (mirrored): [min_address, hi) */
    uint64_t offset;          /* real = simulated + offset (mod 2^64) */
    vas_t *vas;               /* the model mirrored, learnt at its first sync */

    /* The last guard-page violation a real access raised (host_fault.c). */
    volatile uint32_t fault_status;
    volatile uint64_t fault_addr;
    volatile uint64_t fault_count;

    /* First disagreement noticed while mirroring (e.g. a write the model
     * allowed that real memory refused); "" when none. */
    char error[160];

    uint64_t dirty[HOST_DIRTY_MAX][2];
    size_t dirty_count;

    /* Where pages may have become accessible or filled since the window
     * was reserved or last reset (same merging as dirty): resetting it for
     * reuse (host_window.c) clears just these. */
    uint64_t touched[HOST_DIRTY_MAX][2];
    size_t touched_count;
    uint64_t asked_hi;        /* the end host_window_open was asked for (pool key) */

    /* Set while the fault handler records a real write in the model:
     * host_window_write then leaves real memory alone (the bytes are the
     * program's, on their way in). */
    volatile int absorbing;
    /* Pages whose real writes the handler caught (same merging as dirty):
     * what real instructions stored there is not in the model, so the
     * verifier does not compare their contents. */
    uint64_t program_written[HOST_DIRTY_MAX][2];
    size_t program_written_count;

};


/* The real address of simulated [sim, sim + len), which must lie inside the
 * window; aborts otherwise (a caller bug). */
uintptr_t host_range_real(const host_window *w, uint64_t sim, uint64_t len);

/* Narrows [*lo, *hi) to its part inside the window; 0 when none is. */
int host_window_clip(const host_window *w, uint64_t *lo, uint64_t *hi);

/* Notes [lo, hi) as changed since the verifier's last look. */
void host_dirty_add(host_window *w, uint64_t lo, uint64_t hi);

/* Notes that the program wrote [lo, hi) through real pointers. */
void host_program_written_add(host_window *w, uint64_t lo, uint64_t hi);
/* 1 when page may hold bytes the program stored through real pointers. */
int host_program_written(const host_window *w, uint64_t page);

/* Notes that real pages of [lo, hi) were given access or contents, so that
 * resetting the window for reuse covers them. */
void host_touched_add(host_window *w, uint64_t lo, uint64_t hi);

/* ---- host_mirror.c ---------------------------------------------------- */

/* The host PROT_* bits that mirror a committed page's Windows protection. */
int host_prot_of(uint32_t protect);

/* What a faulting access did, with Windows' ExceptionInformation[0] values. */
#define HOST_ACCESS_READ    0
#define HOST_ACCESS_WRITE   1
#define HOST_ACCESS_EXECUTE 8

/* ---- host_armed.c ---------------------------------------------------- */

/* Cuts the committed run [lo, hi) of protection protect into pieces, in
 * ascending order, and calls piece() for each: armed = 1 where the real
 * pages must refuse writes although the model allows them (write watch not
 * yet reported, copy-on-write not yet copied), so that the first real
 * write faults and is told to the model. */
void host_armed_split(vas_t *vas, uint64_t lo, uint64_t hi, uint32_t protect,
                      void (*piece)(void *ctx, uint64_t lo, uint64_t hi, int armed), void *ctx);

/* ---- host_proc.c: /proc/self files kept open ------------------------- */

typedef struct host_proc_file {
    const char *path;          /* e.g. "/proc/self/maps" */
    int fd;                    /* -1 until first use */
    unsigned long generation;  /* the process it was opened in */
} host_proc_file;
#define HOST_PROC_FILE(path) {path, -1, 0}

/* f's descriptor for this process, opened on first use; -1 on failure. */
int host_proc_fd(host_proc_file *f);

/* ---- host_fault.c: the SIGSEGV handler and the window registry ------- */

/* Makes w findable by the handler (installing the handler on first use);
 * 0 when the registry is full. */
int host_fault_register(host_window *w);
void host_fault_unregister(host_window *w);
/* The registered window whose real range holds real address a, or NULL. */
host_window *host_fault_find(uintptr_t a);

/* ---- host_probe.c ----------------------------------------------------- */

/* Called by the handler for a fault at real address a inside a window:
 * when this thread is running a probe, jumps back into it (no return);
 * otherwise returns. */
void host_probe_catch(uintptr_t a);

#endif
