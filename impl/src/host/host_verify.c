/*
 * host_verify.c - checks that real memory says what the model says: the
 * kernel's protections for the whole window (one query of the kernel per
 * mapping in the window, one comparison per model run) and, for the ranges
 * changed since the last check, the contents of committed pages and the
 * emptiness of the others.
 *
 * Which pages hold memory comes from /proc/self/pagemap (present or
 * swapped out): a page with neither reads as zeros, so only pages that
 * hold something are read, through /proc/self/mem, which ignores
 * protections (guard and NOACCESS pages are compared without touching
 * them). Reading an empty page that way would allocate it; asking the
 * pagemap first never does.
 *
 * fuzz-unreached-file: host-failure - its reports: real memory agrees with a correct model
 */
#include "host_internal.h"
#include "vas/vas_host.h"
#include "vas/vas_debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Committed pages whose contents one call compares at most: keeps a check
 * after a huge commit affordable; the rest is seen when touched again. */
#define CONTENT_BUDGET_PAGES 1024
/* Pages whose pagemap entries one read fetches. */
#define CHUNK_PAGES 4096

static int report(char *msg, size_t msg_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msg_len, fmt, ap);
    va_end(ap);
    return 1;
}

static const char *prot_name(int prot)
{
    static const char *const names[8] = {"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx"};
    return prot < 0 ? "unmapped" : names[prot & 7];
}

/* The host protection a page must have, written from the rights table of
 * docs/semantics.md section 1 rather than with host_prot_of(), so that a
 * wrong entry in the mirroring table shows up here instead of being
 * repeated. */
static int expected_prot(uint32_t state, uint32_t protect)
{
    if (state != VAS_MEM_COMMIT || (protect & VAS_PAGE_GUARD))
        return PROT_NONE;
    uint32_t base = protect & PROT_BASE_MASK;
    int read = base != VAS_PAGE_NOACCESS;
    /* Copy-on-write pages refuse real writes until their first write
     * (docs/semantics.md section 15), which makes them read-write. */
    int write = base == VAS_PAGE_READWRITE || base == VAS_PAGE_EXECUTE_READWRITE;
    int exec = base == VAS_PAGE_EXECUTE || base == VAS_PAGE_EXECUTE_READ ||
               base == VAS_PAGE_EXECUTE_READWRITE || base == VAS_PAGE_EXECUTE_WRITECOPY;
    return (read ? PROT_READ : 0) | (write ? PROT_WRITE : 0) | (exec ? PROT_EXEC : 0);
}

/* One model region against the kernel's mappings, piece by piece: an
 * armed piece (host_armed.c) must refuse writes. */
typedef struct region_check {
    host_window *w;
    const host_map *maps;
    long n, i;             /* the mappings, and the first one not yet passed */
    const vas_mbi *m;
    char *msg;
    size_t msg_len;
    int bad;
} region_check;

static void check_piece(void *ctx, uint64_t lo, uint64_t hi, int armed)
{
    region_check *c = ctx;
    int want = expected_prot(c->m->state, c->m->protect) & ~(armed ? PROT_WRITE : 0);
    for (uint64_t s = lo; s < hi && !c->bad;) {
        uintptr_t r = (uintptr_t)(s + c->w->offset);
        while (c->i < c->n && c->maps[c->i].end <= r)
            c->i++;
        int have = c->i < c->n && c->maps[c->i].start <= r ? c->maps[c->i].prot : -1;
        if (have != want) {
            c->bad = report(c->msg, c->msg_len,
                            "host: page 0x%llx is %s in real memory, model says %s (state 0x%x protect 0x%x%s)",
                            (unsigned long long)s, prot_name(have), prot_name(want), c->m->state,
                            c->m->protect, armed ? ", armed" : "");
            break;
        }
        uint64_t next = (uint64_t)c->maps[c->i].end - c->w->offset;
        s = next < hi ? next : hi;
    }
}

/* Protections: the model's runs against the kernel's mappings. */
static int verify_protections(host_window *w, char *msg, size_t msg_len)
{
    host_map *maps;
    uintptr_t real_lo = host_range_real(w, w->lo, w->hi - w->lo);
    long n = host_maps_read(real_lo, real_lo + (w->hi - w->lo), &maps);
    if (n < 0)
        return report(msg, msg_len, "host: cannot read /proc/self/maps");
    region_check c = {w, maps, n, 0, NULL, msg, msg_len, 0};
    for (uint64_t at = w->lo; at < w->hi && !c.bad;) {
        vas_mbi m;
        if (vas_query(w->vas, at, &m, sizeof m) == 0) {
            c.bad = report(msg, msg_len, "host: vas_query(0x%llx) failed", (unsigned long long)at);
            break;
        }
        uint64_t end = m.base_address + m.region_size;
        if (end > w->hi || end <= at)
            end = w->hi;
        c.m = &m;
        if (m.state == VAS_MEM_COMMIT)
            host_armed_split(w->vas, at, end, m.protect, check_piece, &c);
        else
            check_piece(&c, at, end, 0);
        at = end;
    }
    free(maps);
    return c.bad;
}

static host_proc_file mem_file = HOST_PROC_FILE("/proc/self/mem");
static host_proc_file pagemap_file = HOST_PROC_FILE("/proc/self/pagemap");

#define PAGEMAP_PRESENT ((uint64_t)1 << 63)
#define PAGEMAP_SWAPPED ((uint64_t)1 << 62)

/* Whether each of the n pages from simulated lo holds memory (present or
 * swapped out) into held[]; 0 when the pagemap cannot be read. */
static int pages_held(host_window *w, uint64_t lo, size_t n, unsigned char *held)
{
    static uint64_t entries[CHUNK_PAGES];
    uintptr_t r = host_range_real(w, lo, (uint64_t)n * PAGE_BYTES);
    int fd = host_proc_fd(&pagemap_file);
    size_t bytes = n * sizeof entries[0];
    if (fd < 0 || n > CHUNK_PAGES ||
        pread(fd, entries, bytes, (off_t)(r / PAGE_BYTES * sizeof entries[0])) != (ssize_t)bytes)
        return 0;
    for (size_t k = 0; k < n; k++)
        held[k] = (entries[k] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) != 0;
    return 1;
}

/* The same from mincore, for kernels that hide the pagemap: resident pages
 * only (a swapped-out page is missed, as mincore cannot see it). */
static int pages_resident(host_window *w, uint64_t lo, size_t n, unsigned char *held)
{
    void *r = (void *)host_range_real(w, lo, (uint64_t)n * PAGE_BYTES);
    if (mincore(r, (uint64_t)n * PAGE_BYTES, held) != 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        held[k] &= 1;
    return 1;
}

static int page_is_zero(const uint8_t *p)
{
    static const uint8_t zeros[PAGE_BYTES];
    return memcmp(p, zeros, PAGE_BYTES) == 0;
}

static int verify_contents(host_window *w, uint64_t lo, uint64_t hi, int shared, long *budget,
                           char *msg, size_t msg_len)
{
    static uint8_t model[PAGE_BYTES], real[PAGE_BYTES];
    static unsigned char held[CHUNK_PAGES];
    for (uint64_t at = lo; at < hi && *budget > 0;) {
        size_t n = (size_t)((hi - at) / PAGE_BYTES);
        if (n > CHUNK_PAGES)
            n = CHUNK_PAGES;
        if (n > (size_t)*budget)
            n = (size_t)*budget;
        /* Without the pagemap every page is read, as if it held memory; so
         * is every page of a view: another view may have filled the shared
         * page without this mapping ever touching it. */
        if (shared || !pages_held(w, at, n, held))
            memset(held, 1, n);
        for (size_t k = 0; k < n; k++, --*budget) {
            uint64_t page = at + k * PAGE_BYTES;
            if (host_program_written(w, page))
                continue;   /* real instructions wrote it: the model cannot know */
            if (!vas_debug_page_contents(w->vas, page, model))
                return report(msg, msg_len, "host: page 0x%llx committed by query but not by contents",
                              (unsigned long long)page);
            if (!held[k]) {
                /* Nothing there: the kernel would supply a zero page. */
                if (page_is_zero(model))
                    continue;
                memset(real, 0, PAGE_BYTES);
            } else {
                uintptr_t r = host_range_real(w, page, PAGE_BYTES);
                if (pread(host_proc_fd(&mem_file), real, PAGE_BYTES, (off_t)r) != (ssize_t)PAGE_BYTES)
                    return report(msg, msg_len, "host: cannot read real page 0x%llx",
                                  (unsigned long long)page);
            }
            if (memcmp(model, real, PAGE_BYTES) != 0) {
                size_t b = 0;
                while (model[b] == real[b])
                    b++;
                return report(msg, msg_len, "host: byte 0x%llx is 0x%02x in real memory, model says 0x%02x",
                              (unsigned long long)(page + b), real[b], model[b]);
            }
        }
        at += (uint64_t)n * PAGE_BYTES;
    }
    return 0;
}

/* Pages that are not committed must hold nothing (dropped at decommit). */
static int verify_empty(host_window *w, uint64_t lo, uint64_t hi, char *msg, size_t msg_len)
{
    static unsigned char held[CHUNK_PAGES];
    for (uint64_t at = lo; at < hi;) {
        size_t n = (size_t)((hi - at) / PAGE_BYTES);
        if (n > CHUNK_PAGES)
            n = CHUNK_PAGES;
        if (!pages_held(w, at, n, held) && !pages_resident(w, at, n, held))
            return report(msg, msg_len, "host: cannot tell whether page 0x%llx holds memory",
                          (unsigned long long)at);
        for (size_t k = 0; k < n; k++)
            if (held[k])
                return report(msg, msg_len, "host: page 0x%llx is not committed but still holds memory",
                              (unsigned long long)(at + k * PAGE_BYTES));
        at += (uint64_t)n * PAGE_BYTES;
    }
    return 0;
}

static int verify_changed(host_window *w, uint64_t lo, uint64_t hi, long *budget,
                          char *msg, size_t msg_len)
{
    if (lo < w->lo)
        lo = w->lo;
    if (hi > w->hi)
        hi = w->hi;
    for (uint64_t at = lo; at < hi;) {
        vas_mbi m;
        if (vas_query(w->vas, at, &m, sizeof m) == 0)
            return report(msg, msg_len, "host: vas_query(0x%llx) failed", (unsigned long long)at);
        uint64_t end = m.base_address + m.region_size;
        if (end > hi || end <= at)
            end = hi;
        int bad = m.state == VAS_MEM_COMMIT ? verify_contents(w, at, end, m.type == VAS_MEM_MAPPED, budget,
                                                              msg, msg_len)
                                            : verify_empty(w, at, end, msg, msg_len);
        if (bad)
            return 1;
        at = end;
    }
    return 0;
}

int host_verify(vas_t *vas, char *msg, size_t msg_len)
{
    host_window *w = space_host(vas);
    if (!w)
        return report(msg, msg_len, "host: the space is not host-backed");
    if (w->error[0]) {
        report(msg, msg_len, "host: %s", w->error);
        w->error[0] = '\0';
        return 1;
    }
    if (!w->vas)
        return 0;   /* never synced: nothing was ever mapped but PROT_NONE */
    uint64_t dirty[HOST_DIRTY_MAX][2];
    size_t count = w->dirty_count;
    memcpy(dirty, w->dirty, count * sizeof dirty[0]);
    w->dirty_count = 0;
    if (verify_protections(w, msg, msg_len))
        return 1;
    long budget = CONTENT_BUDGET_PAGES;
    for (size_t i = 0; i < count; i++)
        if (verify_changed(w, dirty[i][0], dirty[i][1], &budget, msg, msg_len))
            return 1;
    return 0;
}
