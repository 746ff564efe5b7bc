/*
 * host.h - the host-backed mode's mirror of the model in real memory: the
 * one header of impl/src/host/ that the model includes, and the whole
 * interface between the two.
 *
 * The model (impl/src/) stays the authority on states and protections; a
 * host window makes real memory agree with it after every change, so the
 * MMU enforces what the model says. impl calls these hooks only when the
 * space was created with vas_config.host_backed = 1.
 *
 * How much is mirrored: the window covers [min_address, W) with
 * W = min(max_address + 1, HOST_MIRROR_MAX), or less if that much address
 * space cannot be reserved (halved until it can, never below 1 GiB;
 * vas_create fails then). The x86 and x86_laa
 * profiles fit whole. x64 does not (128 TiB): the low W bytes are
 * mirrored; above, the model alone decides. Pages at or above W are
 * modelled exactly as in a plain space, but have no real memory:
 * host_window_sync and host_window_write clip to the window and never touch
 * anything outside it, host_window_pointer (vas_host_pointer) returns NULL
 * there, and the verifier (vas/vas_host.h) only judges mirrored pages. So an
 * x64 program gets real pointers for bottom-up allocations in the low
 * 64 GiB, and none for top-down ones near the top of the space.
 *
 * Contract for impl (the caller):
 *  - vas_create: host_window_open(cfg); NULL makes vas_create fail.
 *  - after every successful alloc / free / protect, and after an access
 *    that cleared a guard bit: host_window_sync(w, vas, lo, hi) with the
 *    page-aligned range the call touched.
 *  - vas_write on success: host_window_write(w, addr, buf, len) as well
 *    as storing the bytes in the model.
 *  - after a change of write-watch state that the model makes without a
 *    page change (ResetWriteWatch, GetWriteWatch's reset, IsBadWritePtr,
 *    VirtualLock): host_window_sync of the pages, which re-arms or
 *    disarms them.
 *  - sections: host_section_create / _destroy with the section,
 *    host_window_map_view when a view is mapped, host_window_privatize
 *    when a view's page gets its copy-on-write copy.
 *  - vas_destroy: host_window_close(w).
 *
 * The way back (host to model): a real access that hits a page the model
 * holds as a guard page raises SIGSEGV; the handler (host_fault.c) fires
 * the guard by a one-byte vas_read of the simulated address, and the
 * model, clearing the guard, calls host_window_sync for that page as the
 * contract above says. A real store to an armed page (host_armed.c: write
 * watch not reported yet, copy-on-write not copied yet) is recorded the
 * same way by a one-byte vas_write (host_window_write then leaves real
 * memory alone). So fault -> vas_read / vas_write -> host_window_sync /
 * host_window_write are the only call chains that leave host/ into the
 * model and come back; they go through the public API (vas/vas.h), as do
 * the mirror's reads of the model (vas_query, vas_get_write_watch,
 * vas_debug_page_contents). Besides that, host/ learns of a space's window
 * only through space_host() below.
 */
#ifndef VAS_HOST_H
#define VAS_HOST_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"

/* The most a window mirrors (64 GiB): room for the bottom-up allocations
 * programs and traces typically make, yet cheap to reserve (PROT_NONE,
 * no memory) beside the program, the loader and a sanitizer's shadow. */
#define HOST_MIRROR_MAX ((uint64_t)64 << 30)

typedef struct host_window host_window;

host_window *host_window_open(const vas_config *cfg);
void host_window_close(host_window *w);
/* Makes real pages of [lo, hi) match the model's states, protections and
 * (for pages that stopped being committed) contents; the part of [lo, hi)
 * outside the window is left alone. */
void host_window_sync(host_window *w, vas_t *vas, uint64_t lo, uint64_t hi);
/* Copies the part of [addr, addr + len) inside the window into real memory. */
void host_window_write(host_window *w, uint64_t addr, const void *buf, size_t len);
/* Real address of simulated addr; NULL outside the window. */
void *host_window_pointer(const host_window *w, uint64_t addr);

/* Sections (docs/semantics.md section 15.3). A section's real memory: a
 * memory file of bytes (sparse: pages cost memory once touched); NULL
 * when it cannot be made. Destroyed with the section; views still mapped
 * keep their pages until they are unmapped. */
typedef struct host_section host_section;
host_section *host_section_create(uint64_t bytes);
void host_section_destroy(host_section *s);
/* vas_map_view, before its host_window_sync: the view [lo, hi) shows the
 * section's pages from offset (the same physical pages as every other
 * view). Pages the model holds reserved stay mapped (and inaccessible). */
void host_window_map_view(host_window *w, host_section *s, uint64_t offset, uint64_t lo, uint64_t hi);
/* Copy-on-write, before the host_window_sync that follows it: the view's
 * page (section offset offset) now has its own copy; the real store that
 * follows makes the kernel's copy. */
void host_window_privatize(host_window *w, host_section *s, uint64_t offset, uint64_t page);

/* The window of a space, NULL unless it is host-backed (vas_space.c): how
 * the functions of vas/vas_host.h, which take the space, find it. */
host_window *space_host(const vas_t *vas);

#endif
