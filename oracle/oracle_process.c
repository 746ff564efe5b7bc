/*
 * oracle_process.c - processes, written from docs/semantics.md section
 * 13.2 alone, through the oracle's public calls: every step of a call on
 * another process is an ordinary call on that oracle, and the target's
 * last-error is read and put back around it. Copies go page by page.
 */
#include "oracle_process.h"

#include <stdlib.h>

#define PAGE 0x1000u
#define CURRENT_PROCESS UINT64_MAX

void processes_free_all(oracle_processes *p)
{
    for (size_t i = 0; i < p->n_made; i++)
        oracle_destroy(p->made[i]);
    free(p->made);
    free(p->held);
    p->made = NULL;
    p->held = NULL;
    p->n_made = p->n_held = 0;
}

static held_handle *find_held(oracle_processes *p, uint64_t value)
{
    for (size_t i = 0; i < p->n_held; i++)
        if (p->held[i].value == value)
            return &p->held[i];
    return NULL;
}

uint64_t oracle_process_create(oracle_t *o, const vas_config *cfg)
{
    oracle_processes *p = oracle_processes_of(o);
    /* The lowest non-zero multiple of 4 not in use. */
    uint64_t value = 4;
    while (find_held(p, value))
        value += 4;
    oracle_t *child = oracle_create(cfg ? cfg : oracle_config(o));
    oracle_t **made = child ? realloc(p->made, (p->n_made + 1) * sizeof *made) : NULL;
    held_handle *held = made ? realloc(p->held, (p->n_held + 1) * sizeof *held) : NULL;
    if (made)
        p->made = made;
    if (held)
        p->held = held;
    if (!held) {
        oracle_destroy(child);
        oracle_set_last_error(o, VAS_ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    p->made[p->n_made++] = child;
    p->held[p->n_held].value = value;
    p->held[p->n_held].process = child;
    p->n_held++;
    return value;
}

oracle_t *oracle_process_space(oracle_t *o, uint64_t handle)
{
    if (handle == CURRENT_PROCESS)
        return o;
    held_handle *h = find_held(oracle_processes_of(o), handle);
    return h ? h->process : NULL;
}

int oracle_close_handle(oracle_t *o, uint64_t handle)
{
    if (handle == CURRENT_PROCESS || oracle_close_section(o, handle))   /* section 12.2 */
        return 1;
    oracle_processes *p = oracle_processes_of(o);
    held_handle *h = find_held(p, handle);
    if (!h) {
        oracle_set_last_error(o, VAS_ERROR_INVALID_HANDLE);
        return 0;
    }
    *h = p->held[--p->n_held];
    return 1;
}

/* A call on another process: its outcome is the caller's, the target's
 * own last-error is restored. */
typedef struct remote_call {
    oracle_t *caller, *target;
    uint32_t target_error;
} remote_call;

static int remote_begin(remote_call *c, oracle_t *o, uint64_t handle)
{
    c->caller = o;
    c->target = oracle_process_space(o, handle);
    if (!c->target) {
        oracle_set_last_error(o, VAS_ERROR_INVALID_HANDLE);
        return 0;
    }
    c->target_error = oracle_last_error(c->target);
    return 1;
}

static void remote_end(const remote_call *c, int succeeded)
{
    if (c->target == c->caller)
        return;
    if (!succeeded)
        oracle_set_last_error(c->caller, oracle_last_error(c->target));
    oracle_set_last_error(c->target, c->target_error);
}

uint64_t oracle_alloc_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                         uint32_t protect)
{
    remote_call c;
    if (!remote_begin(&c, o, process))
        return 0;
    uint64_t r = oracle_alloc(c.target, addr, size, type, protect);
    remote_end(&c, r != 0);
    return r;
}

int oracle_free_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type)
{
    remote_call c;
    if (!remote_begin(&c, o, process))
        return 0;
    int r = oracle_free(c.target, addr, size, type);
    remote_end(&c, r);
    return r;
}

int oracle_protect_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t protect,
                      uint32_t *old)
{
    remote_call c;
    if (!remote_begin(&c, o, process))
        return 0;
    int r = oracle_protect(c.target, addr, size, protect, old);
    remote_end(&c, r);
    return r;
}

size_t oracle_query_ex(oracle_t *o, uint64_t process, uint64_t addr, vas_mbi *out, size_t len)
{
    remote_call c;
    if (!remote_begin(&c, o, process))
        return 0;
    size_t r = oracle_query(c.target, addr, out, len);
    remote_end(&c, r != 0);
    return r;
}

/* 1 when [a, a + size) wraps or passes the space's MAX (size > 0). */
static int leaves_space(oracle_t *space, uint64_t a, uint64_t size)
{
    uint64_t last = a + size - 1;
    return last < a || last > oracle_config(space)->max_address;
}

static int base_allows_write(uint32_t protect)
{
    uint32_t base = protect & 0xFFu;
    return base == VAS_PAGE_READWRITE || base == VAS_PAGE_EXECUTE_READWRITE ||
           base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY;
}

/* The first address of [a, a + size) at which an access of this kind
 * faults, or a + size when none does, page by page in ascending order. A
 * one-byte read finds pages that refuse every access and fires a guard
 * page; a write is then judged from the page's protection, so that probing
 * writes nothing (write watch sees only the copy). */
static uint64_t first_refusal(oracle_t *space, uint64_t a, uint64_t size, int writing)
{
    uint64_t at = a, end = a + size;
    while (at < end) {
        uint8_t byte;
        vas_mbi m;
        if (oracle_read(space, at, &byte, 1, NULL) != VAS_STATUS_SUCCESS)
            return at;
        if (writing && (oracle_query(space, at, &m, sizeof m) == 0 || !base_allows_write(m.protect)))
            return at;
        at = (at / PAGE + 1) * PAGE;
    }
    return end;
}

/* Copies size bytes page piece by page piece; both ranges were checked.
 * Overlapping ranges in one space copy from the top down when the
 * destination lies above the source. */
static void copy_pieces(oracle_t *from, uint64_t src, oracle_t *to, uint64_t dst, uint64_t size)
{
    uint8_t piece[PAGE];
    int downwards = from == to && dst > src && dst < src + size;
    uint64_t left = size;
    while (left > 0) {
        uint64_t n = left < PAGE ? left : PAGE;
        uint64_t off = downwards ? left - n : size - left;
        oracle_read(from, src + off, piece, (size_t)n, NULL);
        oracle_write(to, dst + off, piece, (size_t)n, NULL);
        left -= n;
    }
}

int oracle_read_process_memory(oracle_t *o, uint64_t process, uint64_t addr, uint64_t buf,
                               uint64_t size, uint64_t *done)
{
    if (done)
        *done = 0;
    oracle_t *t = oracle_process_space(o, process);
    uint32_t error = 0;
    if (!t)
        error = VAS_ERROR_INVALID_HANDLE;
    else if (size == 0)
        return 1;
    else if (leaves_space(t, addr, size) || leaves_space(o, buf, size))
        error = VAS_ERROR_NOACCESS;
    else if (first_refusal(t, addr, size, 0) != addr + size)
        error = VAS_ERROR_PARTIAL_COPY;
    else if (first_refusal(o, buf, size, 1) != buf + size)
        error = VAS_ERROR_NOACCESS;
    if (error) {
        oracle_set_last_error(o, error);
        return 0;
    }
    copy_pieces(t, addr, o, buf, size);
    if (done)
        *done = size;
    return 1;
}

/* NtWriteVirtualMemory: writes up to the first target page that refuses. */
static int write_copy(oracle_t *o, oracle_t *t, uint64_t addr, uint64_t buf, uint64_t size,
                      uint64_t *done)
{
    if (done)
        *done = 0;
    if (size == 0)
        return 1;
    if (leaves_space(t, addr, size) || leaves_space(o, buf, size) ||
        first_refusal(o, buf, size, 0) != buf + size) {
        oracle_set_last_error(o, VAS_ERROR_NOACCESS);
        return 0;
    }
    uint64_t stop = first_refusal(t, addr, size, 1);
    copy_pieces(o, buf, t, addr, stop - addr);
    if (done)
        *done = stop - addr;
    if (stop == addr + size)
        return 1;
    oracle_set_last_error(o, VAS_ERROR_PARTIAL_COPY);
    return 0;
}

int oracle_write_process_memory(oracle_t *o, uint64_t process, uint64_t addr, uint64_t buf,
                                uint64_t size, uint64_t *done)
{
    vas_mbi region;
    if (oracle_query_ex(o, process, addr, &region, sizeof region) == 0)
        return 0;
    oracle_t *t = oracle_process_space(o, process);
    switch (region.protect) {
    case VAS_PAGE_READWRITE:
    case VAS_PAGE_WRITECOPY:
    case VAS_PAGE_EXECUTE_READWRITE:
    case VAS_PAGE_EXECUTE_WRITECOPY:
        return write_copy(o, t, addr, buf, size, done);
    case VAS_PAGE_EXECUTE:
    case VAS_PAGE_EXECUTE_READ:
        break;
    default:
        oracle_set_last_error(o, VAS_ERROR_NOACCESS);
        return 0;
    }
    if (size == 0 || leaves_space(t, addr, size))
        return write_copy(o, t, addr, buf, size, done);
    /* The region's pages of the range are writable for the copy only. */
    uint64_t first = region.base_address;
    uint64_t end = (addr + size + PAGE - 1) / PAGE * PAGE;
    if (end > region.base_address + region.region_size)
        end = region.base_address + region.region_size;
    uint32_t kept = oracle_last_error(t), old;
    oracle_protect(t, first, end - first, VAS_PAGE_EXECUTE_READWRITE, &old);
    int ok = write_copy(o, t, addr, buf, size, done);
    oracle_protect(t, first, end - first, region.protect, &old);
    if (t != o)
        oracle_set_last_error(t, kept);
    return ok;
}
