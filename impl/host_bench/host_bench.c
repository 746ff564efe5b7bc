/*
 * host_bench.c - what mirroring the model into real memory costs.
 *
 * One cycle = reserve 64 KiB, commit it read-write, store 8 bytes, make it
 * read-only, decommit it, release it: the life of a small allocation. It
 * runs three ways, in one process, one after the other:
 *   model  - vas_* on a plain model space (no real memory at all);
 *   host   - vas_* on a host-backed x86 space (model + mirroring syscalls);
 *   bare   - the system calls alone (mmap, mprotect, store, mprotect,
 *            mmap-over to drop, munmap): the floor host mode sits on.
 * Each way runs REPEATS batches of CYCLES; the median batch gives ops/s
 * (one cycle = 5 operations; the store is not counted).
 *
 * Then the first real store to each page of a fresh 256-page region
 * (docs/semantics.md 15.1, 15.3), in ns per page: plain read-write memory
 * (the kernel's page fault alone), MEM_WRITE_WATCH memory (the page is
 * armed: SIGSEGV, the model records the write, the page is unprotected,
 * the store runs again), and a FILE_MAP_COPY view (armed the same way, and
 * the page is remapped private and copied); plus GetWriteWatch with
 * WRITE_WATCH_FLAG_RESET over the 256 written pages, which re-arms them.
 * Figures only: the machine decides them, nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "vas/vas.h"
#include "vas/vas_host.h"

#define CYCLES 20000
#define REPEATS 7
#define OPS_PER_CYCLE 5
#define SIZE 0x10000u

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "host_bench: %s failed\n", what);
    exit(1);
}

static double batch_model(vas_t *v)
{
    static const uint64_t value = 0x1122334455667788ull;
    double t0 = now();
    for (int i = 0; i < CYCLES; i++) {
        uint32_t old;
        uint64_t a = vas_alloc(v, 0, SIZE, VAS_MEM_RESERVE, VAS_PAGE_NOACCESS);
        if (!a || vas_alloc(v, a, SIZE, VAS_MEM_COMMIT, VAS_PAGE_READWRITE) != a)
            die("vas_alloc");
        if (vas_write(v, a + 8, &value, sizeof value, NULL) != VAS_STATUS_SUCCESS)
            die("vas_write");
        if (!vas_protect(v, a, SIZE, VAS_PAGE_READONLY, &old))
            die("vas_protect");
        if (!vas_free(v, a, SIZE, VAS_MEM_DECOMMIT) || !vas_free(v, a, 0, VAS_MEM_RELEASE))
            die("vas_free");
    }
    return now() - t0;
}

static double batch_bare(void)
{
    double t0 = now();
    for (int i = 0; i < CYCLES; i++) {
        char *p = mmap(NULL, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            die("mmap");
        if (mprotect(p, SIZE, PROT_READ | PROT_WRITE) != 0)
            die("mprotect");
        *(volatile uint64_t *)(p + 8) = 0x1122334455667788ull;
        if (mprotect(p, SIZE, PROT_READ) != 0)
            die("mprotect");
        if (mmap(p, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != p)
            die("mmap (drop)");
        if (munmap(p, SIZE) != 0)
            die("munmap");
    }
    return now() - t0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median ops/s over REPEATS batches of one way. */
static double measure(int way, vas_t *v)
{
    double secs[REPEATS];
    for (int r = 0; r < REPEATS; r++)
        secs[r] = way == 2 ? batch_bare() : batch_model(v);
    qsort(secs, REPEATS, sizeof secs[0], by_value);
    return (double)CYCLES * OPS_PER_CYCLE / secs[REPEATS / 2];
}

#define STORE_PAGES 256

/* One region of STORE_PAGES pages of the kind asked for, at its simulated
 * base *base; NULL-free: dies on failure. 0 plain, 1 write watch, 2 a
 * copy-on-write view (*section gets its handle). */
static uint64_t store_region(vas_t *v, int kind, uint64_t *section)
{
    uint64_t size = (uint64_t)STORE_PAGES * 0x1000;
    if (kind == 2) {
        *section = vas_create_section(v, size, VAS_PAGE_READWRITE | VAS_SEC_COMMIT);
        uint64_t view = *section ? vas_map_view(v, *section, VAS_FILE_MAP_COPY, 0, 0, 0) : 0;
        if (!view)
            die("vas_map_view");
        return view;
    }
    uint32_t type = VAS_MEM_RESERVE | VAS_MEM_COMMIT | (kind == 1 ? VAS_MEM_WRITE_WATCH : 0);
    uint64_t a = vas_alloc(v, 0, size, type, VAS_PAGE_READWRITE);
    if (!a)
        die("vas_alloc");
    return a;
}

static void store_region_free(vas_t *v, int kind, uint64_t base, uint64_t section)
{
    if (kind == 2 ? !vas_unmap_view(v, base) || !vas_close_handle(v, section)
                  : !vas_free(v, base, 0, VAS_MEM_RELEASE))
        die("release");
}

/* Median ns per first store to a page of a fresh region of that kind. */
static double first_store_ns(vas_t *v, int kind)
{
    double ns[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        uint64_t section = 0, base = store_region(v, kind, &section);
        volatile uint8_t *p = vas_host_pointer(v, base);
        double t0 = now();
        for (int i = 0; i < STORE_PAGES; i++)
            p[(size_t)i * 0x1000 + 8] = 1;
        ns[r] = (now() - t0) * 1e9 / STORE_PAGES;
        store_region_free(v, kind, base, section);
    }
    qsort(ns, REPEATS, sizeof ns[0], by_value);
    return ns[REPEATS / 2];
}

/* Median ns of GetWriteWatch(RESET) over STORE_PAGES written pages. */
static double rearm_ns(vas_t *v)
{
    static uint64_t addresses[STORE_PAGES];
    double ns[REPEATS];
    uint64_t section = 0, base = store_region(v, 1, &section);
    volatile uint8_t *p = vas_host_pointer(v, base);
    for (int r = 0; r < REPEATS; r++) {
        for (int i = 0; i < STORE_PAGES; i++)
            p[(size_t)i * 0x1000] = 1;
        uint64_t count = STORE_PAGES;
        uint32_t granularity;
        double t0 = now();
        if (vas_get_write_watch(v, VAS_WRITE_WATCH_FLAG_RESET, base, (uint64_t)STORE_PAGES * 0x1000,
                                addresses, &count, &granularity) != 0 || count != STORE_PAGES)
            die("vas_get_write_watch");
        ns[r] = (now() - t0) * 1e9;
    }
    store_region_free(v, 1, base, section);
    qsort(ns, REPEATS, sizeof ns[0], by_value);
    return ns[REPEATS / 2];
}

static void real_stores(vas_t *host)
{
    double plain = first_store_ns(host, 0), watch = first_store_ns(host, 1), cow = first_store_ns(host, 2);
    printf("host_bench: first real store to each page of a fresh %d-page region, ns per page "
           "(median of %d)\n", STORE_PAGES, REPEATS);
    printf("  read-write memory         %10.0f ns\n", plain);
    printf("  MEM_WRITE_WATCH (armed)   %10.0f ns   x%.1f\n", watch, watch / plain);
    printf("  FILE_MAP_COPY view        %10.0f ns   x%.1f\n", cow, cow / plain);
    double rearm = rearm_ns(host);
    printf("  GetWriteWatch(RESET) of %d written pages: %.0f ns (%.0f ns per page re-armed)\n",
           STORE_PAGES, rearm, rearm / STORE_PAGES);
}

int main(void)
{
    vas_config cfg;
    vas_config_default(&cfg, VAS_PROFILE_X86);
    vas_t *model = vas_create(&cfg);
    cfg.host_backed = 1;
    vas_t *host = vas_create(&cfg);
    if (!model || !host)
        die("vas_create");

    double m = measure(0, model), h = measure(1, host), b = measure(2, NULL);
    printf("host_bench: %d cycles x %d batches (median), %d ops per cycle "
           "(reserve, commit, protect, decommit, release of 64 KiB)\n",
           CYCLES, REPEATS, OPS_PER_CYCLE);
    printf("  model (no real memory)   %12.0f ops/s\n", m);
    printf("  host-backed model        %12.0f ops/s\n", h);
    printf("  bare syscalls            %12.0f ops/s\n", b);
    printf("  host / model   %.3f   (cost of mirroring)\n", h / m);
    printf("  host / bare    %.3f   (host mode against the syscalls it issues)\n", h / b);
    real_stores(host);
    vas_destroy(host);
    vas_destroy(model);
    return 0;
}
