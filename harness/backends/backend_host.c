/*
 * backend_host.c - the model in host-backed mode, checked against real
 * memory as it runs.
 *
 * The model (library vas, created with host_backed = 1) decides every
 * result, and mirrors each change into a window of real memory. This
 * backend also performs each simulated read, write and instruction fetch
 * on real memory and compares: just before the model decides, the same
 * pages are touched through fault-catching probes (before, because a
 * guard page the model fires is no longer a guard page afterwards), and a
 * fetch is judged by the kernel's own protection (/proc/self/maps), since
 * executing arbitrary bytes is not a probe. A write real memory allows is
 * then made by real stores, as a program makes it, so that the fault
 * handler's path for write-watched and copy-on-write pages (armed pages,
 * docs/semantics.md 15.1) runs under the fuzzers against the other
 * backends; the model's write follows with the same bytes. After a
 * successful access the bytes in real memory must equal the model's. The first disagreement is
 * kept and reported by check(), which also runs the window verifier
 * (host_verify: protections of the whole window, contents of what changed).
 *
 * What is real: the window covers [min_address, W), W = the mirrored end
 * (host_mirrored_end). For x86 and x86_laa that is the whole space. x64:
 * the low W bytes are mirrored (W = 64 GiB, or less if that will not map);
 * above, the model alone decides. An access reaching above W is probed on
 * its mirrored part only: real memory can show the model wrong there (a
 * fault the model did not raise, or no fault where the model raised one
 * below W), but says nothing about the pages above, so the model's outcome
 * up there stands unchecked. check() likewise verifies mirrored pages
 * only. Top-down x64 allocations therefore exercise the model alone.
 *
 * Linux only (elsewhere this file compiles to nothing, and
 * backend_registry.c does not list it). A space whose window cannot be
 * reserved at all makes create() fail with a note on stderr.
 */
#ifdef __linux__

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/backend.h"
#include "vas/vas.h"
#include "vas/vas_host.h"

typedef struct host_backend {
    vas_t *vas;
    char mismatch[200];   /* first real-vs-model disagreement of an access; "" if none */
} host_backend;

static void *host_create(const vas_config *cfg)
{
    vas_config c;
    if (cfg)
        c = *cfg;
    else
        vas_config_default(&c, VAS_PROFILE_X64);
    c.host_backed = 1;
    host_backend *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->vas = vas_create(&c);
    if (!h->vas) {
        fprintf(stderr, "backend host: cannot create a host-backed space for [0x%llx, 0x%llx] (profile %d):"
                        " not even a 1 GiB real window could be reserved\n",
                (unsigned long long)c.min_address, (unsigned long long)c.max_address, (int)c.profile);
        free(h);
        return NULL;
    }
    return h;
}

static void host_destroy(void *self)
{
    host_backend *h = self;
    vas_destroy(h->vas);
    free(h);
}

__attribute__((format(printf, 2, 3)))
static void note_mismatch(host_backend *h, const char *fmt, ...)
{
    if (h->mismatch[0] != '\0')
        return;   /* the first one explains the rest */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->mismatch, sizeof h->mismatch, fmt, ap);
    va_end(ap);
}

/* What real memory says about an access of [addr, addr + len). */
typedef enum real_outcome {
    REAL_OK,        /* every page allows it */
    REAL_FAULT,     /* faults; *fault = simulated address of the first faulting byte */
    REAL_UNKNOWN    /* the mirrored part allows it; the rest is above the window */
} real_outcome;

/* Probes the access on real memory, page by page like the model (its rule:
 * the fault is at max(addr, first refusing page)). Outside
 * [min_address, max_address] nothing is mapped for this space: that
 * faults. Above the window of a partly mirrored space (x64) there is no
 * real memory to ask. */
static real_outcome real_access(host_backend *h, uint64_t addr, size_t len, int write, uint64_t *fault)
{
    const vas_config *cfg = vas_get_config(h->vas);
    uint64_t lo = cfg->min_address, space_end = cfg->max_address + 1;
    uint64_t mirrored_end = host_mirrored_end(h->vas);
    int partial = mirrored_end < space_end;
    if (addr < lo || addr >= space_end) {
        *fault = addr;
        return REAL_FAULT;
    }
    if (addr >= mirrored_end)
        return REAL_UNKNOWN;
    uint64_t end = addr + len;
    int beyond = end < addr || end > mirrored_end;
    if (beyond)
        end = mirrored_end;
    for (uint64_t at = addr; at < end;) {
        uint8_t *p = vas_host_pointer(h->vas, at);
        uintptr_t f;
        if (write ? host_probe_write(p, end - at, &f) : host_probe_read(p, end - at, &f))
            break;
        uint64_t sim = at + (uint64_t)(f - (uintptr_t)p);
        /* An armed page (write watch, copy-on-write) refuses the probe,
         * but a program's write there goes through once the fault handler
         * has told the model: allowed. */
        if (!write || !host_armed(h->vas, sim)) {
            *fault = sim;
            return REAL_FAULT;
        }
        at = (sim | (VAS_PAGE_SIZE - 1)) + 1;
    }
    if (beyond && partial)
        return REAL_UNKNOWN;
    if (beyond) {
        *fault = space_end;
        return REAL_FAULT;
    }
    return REAL_OK;
}

static void compare_outcome(host_backend *h, const char *what, uint64_t addr, uint32_t status,
                            uint64_t model_fault, real_outcome real, uint64_t real_fault)
{
    unsigned long long a = addr, mf = model_fault, rf = real_fault;
    uint64_t top = real_fault >> 47;
    /* Real memory says where; Windows, like the model, reports a
     * non-canonical x64 address as all ones (docs/semantics.md 6). */
    if (real == REAL_FAULT && vas_get_config(h->vas)->profile == VAS_PROFILE_X64 && top != 0 && top != 0x1FFFF)
        real_fault = UINT64_MAX;
    if (real == REAL_UNKNOWN) {
        /* Real memory allowed everything below the window's end, so a
         * model fault must lie at or above it. */
        if (status != VAS_STATUS_SUCCESS && model_fault < host_mirrored_end(h->vas))
            note_mismatch(h, "host: %s at 0x%llx: model faults (0x%x) at 0x%llx, real memory allows it",
                          what, a, status, mf);
    } else if (status == VAS_STATUS_SUCCESS && real == REAL_FAULT) {
        note_mismatch(h, "host: %s at 0x%llx: model allows it, real memory faults at 0x%llx", what, a, rf);
    } else if (status != VAS_STATUS_SUCCESS && real == REAL_OK) {
        note_mismatch(h, "host: %s at 0x%llx: model faults (0x%x) at 0x%llx, real memory allows it",
                      what, a, status, mf);
    } else if (status != VAS_STATUS_SUCCESS && model_fault != real_fault) {
        note_mismatch(h, "host: %s at 0x%llx: model faults at 0x%llx, real memory at 0x%llx", what, a, mf, rf);
    }
}

/* The model's bytes of a successful access against real memory, on the
 * mirrored part of [addr, addr + len) only. */
static void compare_bytes(host_backend *h, const char *what, uint64_t addr, const void *buf, size_t len)
{
    uint64_t mirrored_end = host_mirrored_end(h->vas);
    if (addr >= mirrored_end)
        return;
    if (len > mirrored_end - addr)
        len = (size_t)(mirrored_end - addr);
    const uint8_t *real = vas_host_pointer(h->vas, addr), *model = buf;
    for (size_t i = 0; i < len; i++) {
        if (real[i] != model[i]) {
            note_mismatch(h, "host: %s: byte 0x%llx is 0x%02x in real memory, 0x%02x in the model",
                          what, (unsigned long long)(addr + i), real[i], model[i]);
            return;
        }
    }
}

/* Reads and writes: real memory is probed first (the model's answer may
 * clear a guard bit), then the model decides, then both are compared: the
 * outcome, and on success the bytes (read: what the model returned; write:
 * that the model's bytes reached real memory). */
static uint32_t host_access(host_backend *h, int is_write, uint64_t addr, void *buf, size_t len,
                            uint64_t *fault)
{
    const char *what = is_write ? "write" : "read";
    uint64_t real_fault = 0, model_fault = 0;
    real_outcome real = len == 0 ? REAL_OK : real_access(h, addr, len, is_write, &real_fault);
    /* A write real memory allows is first made as a program makes it, by
     * real stores: armed pages (write watch, copy-on-write) fault and the
     * handler tells the model (docs/semantics.md 15.1); the model's own
     * write then stores the same bytes. Write watch and copies must come
     * out as the other backends have them. */
    if (is_write && real == REAL_OK && len > 0)
        memcpy(vas_host_pointer(h->vas, addr), buf, len);
    uint32_t status = is_write ? vas_write(h->vas, addr, buf, len, &model_fault)
                               : vas_read(h->vas, addr, buf, len, &model_fault);
    compare_outcome(h, what, addr, status, model_fault, real, real_fault);
    if (status == VAS_STATUS_SUCCESS && real != REAL_FAULT)
        compare_bytes(h, what, addr, buf, len);
    if (fault && status != VAS_STATUS_SUCCESS)
        *fault = model_fault;
    return status;
}

static uint32_t host_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return host_access(self, 0, addr, buf, len, fault);
}

static uint32_t host_write(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    /* vas_write only reads buf; host_access takes one pointer type for both. */
    return host_access(self, 1, addr, (void *)(uintptr_t)buf, len, fault);
}

/* A fetch is judged by the kernel's protection of the page. Above the
 * window (x64) there is no page to ask: the model's word stands. */
static uint32_t host_exec(void *self, uint64_t addr, uint64_t *fault)
{
    host_backend *h = self;
    const vas_config *cfg = vas_get_config(h->vas);
    uint64_t mirrored_end = host_mirrored_end(h->vas);
    int unmirrored = addr >= mirrored_end && addr <= cfg->max_address;
    void *p = vas_host_pointer(h->vas, addr);
    int prot = p ? host_maps_prot_at((uintptr_t)p) : -1;
    real_outcome real = unmirrored ? REAL_UNKNOWN : prot >= 0 && (prot & PROT_EXEC) ? REAL_OK : REAL_FAULT;
    uint64_t model_fault = 0;
    uint32_t status = vas_exec(h->vas, addr, &model_fault);
    compare_outcome(h, "exec", addr, status, model_fault, real, addr);
    if (fault && status != VAS_STATUS_SUCCESS)
        *fault = model_fault;
    return status;
}

static int host_check(void *self, char *msg, size_t msg_len)
{
    host_backend *h = self;
    if (h->mismatch[0]) {
        snprintf(msg, msg_len, "%s", h->mismatch);
        h->mismatch[0] = '\0';
        return 1;
    }
    return host_verify(h->vas, msg, msg_len);
}

static uint64_t host_alloc(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return vas_alloc(((host_backend *)self)->vas, addr, size, type, protect);
}

static int host_free(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    return vas_free(((host_backend *)self)->vas, addr, size, type);
}

static int host_protect(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    return vas_protect(((host_backend *)self)->vas, addr, size, protect, old);
}

static size_t host_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    return vas_query(((host_backend *)self)->vas, addr, out, len);
}

static uint32_t host_last_error(void *self) { return vas_last_error(((host_backend *)self)->vas); }
static void host_set_last_error(void *self, uint32_t e) { vas_set_last_error(((host_backend *)self)->vas, e); }
static uint64_t host_commit_charge(void *self) { return vas_commit_charge(((host_backend *)self)->vas); }

/* Issue 13's families run on the host-backed model; they move no bytes of
 * real memory (a guard page they fire is synced by the model itself). */
static uint32_t host_get_write_watch(void *self, uint32_t flags, uint64_t addr, uint64_t size,
                                     uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    return vas_get_write_watch(((host_backend *)self)->vas, flags, addr, size, addresses, count, granularity);
}

static uint32_t host_reset_write_watch(void *self, uint64_t addr, uint64_t size)
{
    return vas_reset_write_watch(((host_backend *)self)->vas, addr, size);
}

static int host_lock(void *self, uint64_t addr, uint64_t size) { return vas_lock(((host_backend *)self)->vas, addr, size); }
static int host_unlock(void *self, uint64_t addr, uint64_t size) { return vas_unlock(((host_backend *)self)->vas, addr, size); }

static int host_get_working_set(void *self, uint64_t *lo, uint64_t *hi)
{
    return vas_get_working_set(((host_backend *)self)->vas, lo, hi);
}

static int host_set_working_set(void *self, uint64_t lo, uint64_t hi)
{
    return vas_set_working_set(((host_backend *)self)->vas, lo, hi);
}

static uint64_t host_locked_bytes(void *self) { return vas_locked_bytes(((host_backend *)self)->vas); }

static int host_is_bad_read(void *self, uint64_t addr, uint64_t size)
{
    return vas_is_bad_read_ptr(((host_backend *)self)->vas, addr, size);
}

static int host_is_bad_write(void *self, uint64_t addr, uint64_t size)
{
    return vas_is_bad_write_ptr(((host_backend *)self)->vas, addr, size);
}

static int host_is_bad_code(void *self, uint64_t addr) { return vas_is_bad_code_ptr(((host_backend *)self)->vas, addr); }

static int host_is_bad_string(void *self, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    return vas_is_bad_string_ptr(((host_backend *)self)->vas, addr, max_chars, char_size);
}

static uint64_t host_create_thread(void *self, uint64_t stack_size, int size_is_reservation)
{
    return vas_create_thread(((host_backend *)self)->vas, stack_size, size_is_reservation);
}

static int host_exit_thread(void *self, uint64_t stack)
{
    return vas_exit_thread(((host_backend *)self)->vas, stack);
}

static int host_set_stack_guarantee(void *self, uint64_t stack, uint32_t *size)
{
    return vas_set_thread_stack_guarantee(((host_backend *)self)->vas, stack, size);
}

static uint32_t host_thread_read(void *self, uint64_t stack, uint64_t addr, void *buf, size_t len,
                             uint64_t *fault)
{
    return vas_thread_read(((host_backend *)self)->vas, stack, addr, buf, len, fault);
}

static uint32_t host_thread_probe(void *self, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    return vas_thread_probe(((host_backend *)self)->vas, stack, addr, fault);
}
/* Processes (docs/semantics.md section 13.2) through the model: only the
 * calling process is mirrored into real memory, its children are plain
 * model spaces. */
#define HOST_VAS(self) (((host_backend *)(self))->vas)

static uint64_t host_process_create(void *self)
{
    vas_config child = *vas_get_config(HOST_VAS(self));
    child.host_backed = 0;
    return vas_process_create(HOST_VAS(self), &child);
}

static int host_close_handle(void *self, uint64_t h) { return vas_close_handle(HOST_VAS(self), h); }
static uint64_t host_alloc_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t type,
                              uint32_t protect) { return vas_alloc_ex(HOST_VAS(self), h, addr, size, type, protect); }
static int host_free_ex(void *self, uint64_t h, uint64_t addr, uint64_t size,
                        uint32_t type) { return vas_free_ex(HOST_VAS(self), h, addr, size, type); }
static int host_protect_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t protect,
                           uint32_t *old) { return vas_protect_ex(HOST_VAS(self), h, addr, size, protect, old); }
static size_t host_query_ex(void *self, uint64_t h, uint64_t addr, vas_mbi *out,
                            size_t len) { return vas_query_ex(HOST_VAS(self), h, addr, out, len); }
static int host_read_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                             uint64_t *done) { return vas_read_process_memory(HOST_VAS(self), h, addr, buf, size, done); }
static int host_write_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                              uint64_t *done) { return vas_write_process_memory(HOST_VAS(self), h, addr, buf, size, done); }

/* Sections and views (docs/semantics.md sections 12 and 15.3): views of
 * one section are the same real pages, so a write through one view's real
 * pointer is read through the other's. */
static uint64_t host_create_section(void *self, uint64_t size, uint32_t protect_and_flags)
{
    return vas_create_section(HOST_VAS(self), size, protect_and_flags);
}
static uint64_t host_map_view(void *self, uint64_t handle, uint32_t access, uint64_t offset, uint64_t size,
                              uint64_t addr) { return vas_map_view(HOST_VAS(self), handle, access, offset, size, addr); }
static int host_unmap_view(void *self, uint64_t addr) { return vas_unmap_view(HOST_VAS(self), addr); }
/* Issue 12: placeholders (docs/semantics.md 12.9-12.14). */
static uint64_t host_alloc2(void *self, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                            uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    return vas_alloc2(HOST_VAS(self), process, addr, size, type, protect, params, count);
}
static uint64_t host_map_view3(void *self, uint64_t handle, uint64_t process, uint64_t addr, uint64_t offset,
                               uint64_t size, uint32_t type, uint32_t protect, const vas_ext_param *params,
                               uint32_t count)
{
    return vas_map_view3(HOST_VAS(self), handle, process, addr, offset, size, type, protect, params, count);
}
static int host_unmap_view2(void *self, uint64_t process, uint64_t addr, uint32_t flags)
{
    return vas_unmap_view2(HOST_VAS(self), process, addr, flags);
}
static int host_unmap_view_ex(void *self, uint64_t addr, uint32_t flags)
{
    return vas_unmap_view2(HOST_VAS(self), VAS_CURRENT_PROCESS, addr, flags);
}

const backend backend_host = {
    .name = "host",
    .create = host_create,
    .destroy = host_destroy,
    .alloc = host_alloc,
    .free = host_free,
    .protect = host_protect,
    .query = host_query,
    .read = host_read,
    .write = host_write,
    .exec = host_exec,
    .last_error = host_last_error,
    .set_last_error = host_set_last_error,
    .commit_charge = host_commit_charge,
    .check = host_check,
    .get_write_watch = host_get_write_watch,
    .reset_write_watch = host_reset_write_watch,
    .lock = host_lock,
    .unlock = host_unlock,
    .get_working_set = host_get_working_set,
    .set_working_set = host_set_working_set,
    .locked_bytes = host_locked_bytes,
    .is_bad_read = host_is_bad_read,
    .is_bad_write = host_is_bad_write,
    .is_bad_code = host_is_bad_code,
    .is_bad_string = host_is_bad_string,
    .create_thread = host_create_thread,
    .exit_thread = host_exit_thread,
    .set_stack_guarantee = host_set_stack_guarantee,
    .thread_read = host_thread_read,
    .thread_probe = host_thread_probe,
    .process_create = host_process_create,
    .close_handle = host_close_handle,
    .alloc_ex = host_alloc_ex,
    .free_ex = host_free_ex,
    .protect_ex = host_protect_ex,
    .query_ex = host_query_ex,
    .read_process = host_read_process,
    .write_process = host_write_process,
    .create_section = host_create_section,
    .map_view = host_map_view,
    .unmap_view = host_unmap_view,
    .alloc2 = host_alloc2,
    .map_view3 = host_map_view3,
    .unmap_view2 = host_unmap_view2,
    .unmap_view_ex = host_unmap_view_ex,
    .deterministic_placement = 1,
};

#endif /* __linux__ */
