/*
 * host_maps.c - asks the kernel which real ranges are mapped and with which
 * protection. The verifier compares this with the model; a probe only shows
 * what one access does.
 *
 * Two ways, same answer. The PROCMAP_QUERY ioctl on /proc/self/maps
 * (Linux 6.11+) returns one mapping per call: cheapest when the range
 * holds a few mappings (one exec's page, a young window). The text of
 * /proc/self/maps costs about as much as QUERY_MAX_CALLS ioctls whatever
 * the range holds (the kernel formats every line of the process), so a
 * busier range is read that way, and older kernels always do; a small
 * parser decodes only the lines overlapping the range. Which way a wide
 * range takes is learnt from the previous wide read.
 *
 * The descriptor stays open between calls (host_proc.c).
 */
#include "host_internal.h"
#include "vas/vas_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* The ioctl's ABI (include/uapi/linux/fs.h), spelt out because the C
 * library's kernel headers may predate it. */
struct maps_query {
    uint64_t size;
    uint64_t query_flags;
    uint64_t query_addr;
    uint64_t vma_start, vma_end, vma_flags;
    uint64_t vma_page_size, vma_offset, inode;
    uint32_t dev_major, dev_minor;
    uint32_t vma_name_size, build_id_size;
    uint64_t vma_name_addr, build_id_addr;
};
#define MAPS_QUERY_IOCTL _IOWR('f', 17, struct maps_query)
#define MAPS_QUERY_READABLE 0x01
#define MAPS_QUERY_WRITABLE 0x02
#define MAPS_QUERY_EXECUTABLE 0x04
#define MAPS_QUERY_COVERING_OR_NEXT 0x10

static host_proc_file maps_file = HOST_PROC_FILE("/proc/self/maps");
static int query_unsupported;
static int wide_reads_use_text;   /* the last wide range held many mappings */

/* Mappings past which reading the text is cheaper than one ioctl each
 * (measured: an ioctl ~2 us, the whole text ~12 us + 0.2 us per line). */
#define QUERY_MAX_CALLS 6

/* Appends m to the growing array; 0 when memory runs out.
 * fuzz-unreached: alloc-failure - realloc never fails while fuzzing */
static int maps_push(host_map **maps, long *count, long *cap, host_map m)
{
    if (*count == *cap) {
        long bigger_cap = *cap ? *cap * 2 : 64;
        host_map *bigger = realloc(*maps, (size_t)bigger_cap * sizeof **maps);
        if (!bigger)
            return 0;
        *maps = bigger;
        *cap = bigger_cap;
    }
    (*maps)[(*count)++] = m;
    return 1;
}

/* ---- PROCMAP_QUERY ---------------------------------------------------- */

/* 1 = done (*count mappings), 0 = the kernel lacks the ioctl, 2 = more
 * than QUERY_MAX_CALLS mappings (nothing kept), -1 = error.
 * fuzz-unreached: host-failure - the PROCMAP_QUERY ioctl does not fail where it exists */
static int query_maps(int fd, uintptr_t lo, uintptr_t hi, host_map **maps, long *count, long *cap)
{
    for (uintptr_t at = lo; at < hi;) {
        if (*count == QUERY_MAX_CALLS) {
            *count = 0;
            return 2;
        }
        struct maps_query q;
        memset(&q, 0, sizeof q);
        q.size = sizeof q;
        q.query_flags = MAPS_QUERY_COVERING_OR_NEXT;
        q.query_addr = at;
        if (ioctl(fd, MAPS_QUERY_IOCTL, &q) != 0) {
            if (errno == ENOENT)
                return 1;   /* nothing mapped at or above at */
            if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
                return *count == 0 ? 0 : -1;
            return -1;
        }
        if (q.vma_start >= hi || q.vma_end <= at)
            return 1;
        host_map m = {
            (uintptr_t)q.vma_start, (uintptr_t)q.vma_end,
            ((q.vma_flags & MAPS_QUERY_READABLE) ? PROT_READ : 0) |
            ((q.vma_flags & MAPS_QUERY_WRITABLE) ? PROT_WRITE : 0) |
            ((q.vma_flags & MAPS_QUERY_EXECUTABLE) ? PROT_EXEC : 0)};
        if (!maps_push(maps, count, cap, m))
            return -1;
        at = m.end;
    }
    return 1;
}

/* ---- the text of /proc/self/maps -------------------------------------- */

/* The whole file, NUL-terminated, into a buffer kept between calls (it
 * only grows); NULL on failure.
 * fuzz-unreached: host-kernel - the fallback for kernels without PROCMAP_QUERY */
static char *read_maps_text(int fd)
{
    static char *text;
    static size_t cap;
    size_t used = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return NULL;
    for (;;) {
        if (cap - used < 4096) {
            size_t bigger_cap = cap ? cap * 2 : 1 << 16;
            char *bigger = realloc(text, bigger_cap);
            if (!bigger)
                return NULL;
            text = bigger;
            cap = bigger_cap;
        }
        ssize_t n = read(fd, text + used, cap - used - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return NULL;
        if (n == 0)
            break;
        used += (size_t)n;
    }
    text[used] = '\0';
    return text;
}

/* Hex digits at *p, advancing past them; -1 digits means none. */
static uintptr_t parse_hex(const char **p, int *digits)
{
    uintptr_t v = 0;
    int n = 0;
    for (;; (*p)++, n++) {
        char c = **p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        v = v << 4 | (uintptr_t)d;
    }
    *digits = n;
    return v;
}

/* Scans "start-end rwxp ..." lines; only the overlapping ones are kept.
 * fuzz-unreached: host-kernel - the fallback for kernels without PROCMAP_QUERY */
static int scan_maps_text(const char *text, uintptr_t lo, uintptr_t hi,
                          host_map **maps, long *count, long *cap)
{
    for (const char *p = text; *p;) {
        int d1, d2;
        uintptr_t start = parse_hex(&p, &d1);
        int ok = d1 > 0 && *p == '-';
        uintptr_t end = 0;
        if (ok) {
            p++;
            end = parse_hex(&p, &d2);
            ok = d2 > 0 && p[0] == ' ' && p[1] && p[2] && p[3];
        }
        if (ok && start < hi && end > lo) {
            host_map m = {start, end,
                          (p[1] == 'r' ? PROT_READ : 0) | (p[2] == 'w' ? PROT_WRITE : 0) |
                          (p[3] == 'x' ? PROT_EXEC : 0)};
            if (!maps_push(maps, count, cap, m))
                return 0;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return 1;
}

/* fuzz-unreached: host-failure - reading the process's own mappings does not fail */
long host_maps_read(uintptr_t lo, uintptr_t hi, host_map **out)
{
    int fd = host_proc_fd(&maps_file);
    if (fd < 0)
        return -1;
    host_map *maps = NULL;
    long count = 0, cap = 0;
    int done = 0, wide = hi - lo > 0x1000;
    if (!query_unsupported && !(wide && wide_reads_use_text)) {
        done = query_maps(fd, lo, hi, &maps, &count, &cap);
        if (done == 0)
            query_unsupported = 1;
    }
    if (done != 1 && done != -1) {
        const char *text = read_maps_text(fd);
        done = text && scan_maps_text(text, lo, hi, &maps, &count, &cap) ? 1 : -1;
    }
    if (wide && done == 1)
        wide_reads_use_text = count > QUERY_MAX_CALLS;
    if (done < 0) {
        free(maps);
        return -1;
    }
    *out = maps;
    return count;
}

int host_maps_prot_at(uintptr_t a)
{
    host_map *maps;
    long n = host_maps_read(a, a + 1, &maps);
    int prot = n > 0 ? maps[0].prot : -1;
    if (n >= 0)
        free(maps);
    return prot;
}
