/*
 * host_window.h - the host-backed mode's mirror of the model in real memory.
 *
 * The model (impl/src/) stays the authority on states and protections; a
 * host window makes real memory agree with it after every change, so the
 * MMU enforces what the model says. impl calls these hooks only when the
 * space was created with vas_config.host_backed = 1.
 *
 * Contract for impl (the caller):
 *  - vas_create: host_window_open(cfg); NULL makes vas_create fail.
 *  - after every successful alloc / free / protect, and after an access
 *    that cleared a guard bit: host_window_sync(w, vas, lo, hi) with the
 *    page-aligned range the call touched.
 *  - vas_write on success: host_window_write(w, addr, buf, len) as well
 *    as storing the bytes in the model.
 *  - vas_destroy: host_window_close(w).
 */
#ifndef VAS_HOST_WINDOW_H
#define VAS_HOST_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"

typedef struct host_window host_window;

host_window *host_window_open(const vas_config *cfg);
void host_window_close(host_window *w);
/* Makes real pages of [lo, hi) match the model's states, protections and
 * (for pages that stopped being committed) contents. */
void host_window_sync(host_window *w, vas_t *vas, uint64_t lo, uint64_t hi);
void host_window_write(host_window *w, uint64_t addr, const void *buf, size_t len);
void *host_window_pointer(const host_window *w, uint64_t addr);

#endif
