/* Placeholder until the host-backed mode lands: no window can be opened. */
#include "host_window.h"

host_window *host_window_open(const vas_config *cfg) { (void)cfg; return NULL; }
void host_window_close(host_window *w) { (void)w; }
void host_window_sync(host_window *w, vas_t *vas, uint64_t lo, uint64_t hi) { (void)w; (void)vas; (void)lo; (void)hi; }
void host_window_write(host_window *w, uint64_t addr, const void *buf, size_t len) { (void)w; (void)addr; (void)buf; (void)len; }
void *host_window_pointer(const host_window *w, uint64_t addr) { (void)w; (void)addr; return NULL; }
