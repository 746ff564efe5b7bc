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
 * executing arbitrary bytes is not a probe. After a successful access the
 * bytes in real memory must equal the model's. The first disagreement is
 * kept and reported by check(), which also runs the window verifier
 * (host_verify: protections of the whole window, contents of what changed).
 *
 * Linux only. Windows that cannot be mapped (the x64 profile's 128 TiB)
 * make create() fail with a note on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/backend.h"
#include "vas/vas.h"
#include "../../impl/src/host_debug.h"

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
        fprintf(stderr, "backend host: cannot map a real window for [0x%llx, 0x%llx] (profile %d);"
                        " lower max_address or use the x86 profiles\n",
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

/* What real memory does with an access of [addr, addr + len): 1 when every
 * page allows it, else 0 with the simulated address of the first faulting
 * byte (the model's rule: max(addr, first refusing page)). Outside the
 * window nothing is mapped for this space: that faults too. */
static int real_access(host_backend *h, uint64_t addr, size_t len, int write, uint64_t *fault)
{
    const vas_config *cfg = vas_get_config(h->vas);
    uint64_t lo = cfg->min_address, hi = cfg->max_address + 1;
    if (addr < lo || addr >= hi) {
        *fault = addr;
        return 0;
    }
    uint64_t end = addr + len;
    int beyond = end < addr || end > hi;
    if (beyond)
        end = hi;
    uint8_t *p = vas_host_pointer(h->vas, addr);
    uintptr_t f;
    int ok = write ? host_probe_write(p, end - addr, &f) : host_probe_read(p, end - addr, &f);
    if (!ok) {
        *fault = addr + (uint64_t)(f - (uintptr_t)p);
        return 0;
    }
    if (beyond) {
        *fault = hi;
        return 0;
    }
    return 1;
}

static void compare_outcome(host_backend *h, const char *what, uint64_t addr, uint32_t status,
                            uint64_t model_fault, int real_ok, uint64_t real_fault)
{
    unsigned long long a = addr, mf = model_fault, rf = real_fault;
    if (status == VAS_STATUS_SUCCESS && !real_ok)
        note_mismatch(h, "host: %s at 0x%llx: model allows it, real memory faults at 0x%llx", what, a, rf);
    else if (status != VAS_STATUS_SUCCESS && real_ok)
        note_mismatch(h, "host: %s at 0x%llx: model faults (0x%x) at 0x%llx, real memory allows it",
                      what, a, status, mf);
    else if (status != VAS_STATUS_SUCCESS && model_fault != real_fault)
        note_mismatch(h, "host: %s at 0x%llx: model faults at 0x%llx, real memory at 0x%llx", what, a, mf, rf);
}

static void compare_bytes(host_backend *h, const char *what, uint64_t addr, const void *buf, size_t len)
{
    const uint8_t *real = vas_host_pointer(h->vas, addr), *model = buf;
    for (size_t i = 0; i < len; i++) {
        if (real[i] != model[i]) {
            note_mismatch(h, "host: %s: byte 0x%llx is 0x%02x in real memory, 0x%02x in the model",
                          what, (unsigned long long)(addr + i), real[i], model[i]);
            return;
        }
    }
}

static uint32_t host_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    host_backend *h = self;
    uint64_t real_fault = 0, model_fault = 0;
    int real_ok = len == 0 || real_access(h, addr, len, 0, &real_fault);
    uint32_t status = vas_read(h->vas, addr, buf, len, &model_fault);
    compare_outcome(h, "read", addr, status, model_fault, real_ok, real_fault);
    if (status == VAS_STATUS_SUCCESS && real_ok)
        compare_bytes(h, "read", addr, buf, len);
    if (fault && status != VAS_STATUS_SUCCESS)
        *fault = model_fault;
    return status;
}

static uint32_t host_write(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    host_backend *h = self;
    uint64_t real_fault = 0, model_fault = 0;
    int real_ok = len == 0 || real_access(h, addr, len, 1, &real_fault);
    uint32_t status = vas_write(h->vas, addr, buf, len, &model_fault);
    compare_outcome(h, "write", addr, status, model_fault, real_ok, real_fault);
    if (status == VAS_STATUS_SUCCESS && real_ok)
        compare_bytes(h, "write", addr, buf, len);   /* the model's bytes reached real memory */
    if (fault && status != VAS_STATUS_SUCCESS)
        *fault = model_fault;
    return status;
}

static uint32_t host_exec(void *self, uint64_t addr, uint64_t *fault)
{
    host_backend *h = self;
    void *p = vas_host_pointer(h->vas, addr);
    int prot = p ? host_maps_prot_at((uintptr_t)p) : -1;
    int real_ok = prot >= 0 && (prot & PROT_EXEC);
    uint64_t model_fault = 0;
    uint32_t status = vas_exec(h->vas, addr, &model_fault);
    compare_outcome(h, "exec", addr, status, model_fault, real_ok, addr);
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
    .deterministic_placement = 1,
};
