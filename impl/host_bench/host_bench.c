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
 * (one cycle = 5 operations; the store is not counted). Figures only: the
 * machine decides them, nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "vas/vas.h"

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
    vas_destroy(host);
    vas_destroy(model);
    return 0;
}
