/*
 * vas_bench.c - what one model call costs as the number of live
 * allocations grows, next to the Linux system call that does the nearest
 * thing to real memory, measured in the same run.
 *
 * For each population n (10, 1,000, 100,000, 1,000,000 live 64 KiB
 * reservations) a batch of K fresh allocations is reserved, committed (one
 * page), queried (random live allocations), protected (one page) and
 * released; each figure is the median over REPS batches of the mean ns per
 * call. The Linux column does mmap(PROT_NONE), mprotect(RW), mincore,
 * mprotect(R), munmap over as many live mappings as vm.max_map_count
 * allows (shown when capped).
 *
 * Build without sanitizers to measure:
 *   cmake -S . -B build-impl-rel -G Ninja -DVAS_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release
 *   ninja -C build-impl-rel vas_bench && build-impl-rel/impl/vas_bench
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vas/vas.h"

#include "bench_timing.h"

#define K 1000
#define REPS 7
#define SPAN 0x10000u

enum { OP_RESERVE, OP_COMMIT, OP_QUERY, OP_PROTECT, OP_RELEASE, OP_WALK, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"alloc (reserve)", "commit", "query (random)", "protect", "free (release)", "query (walk)"};

static volatile uint64_t sink;

/* One batch's timings: stamp[op] was taken before op's K calls and
 * stamp[op + 1] after them, for the five operations in enum order. */
static void record_batch(double t[OP_COUNT][REPS], int r, const double stamp[OP_WALK + 1])
{
    for (int op = OP_RESERVE; op < OP_WALK; op++)
        t[op][r] = (stamp[op + 1] - stamp[op]) / K;
}

/* ---- The model -------------------------------------------------------- */

static void bench_model(size_t n, double out[OP_COUNT])
{
    vas_t *v = vas_create(NULL);
    uint64_t *live = malloc(n * sizeof *live);
    for (size_t i = 0; i < n; i++)
        live[i] = vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
    /* Punch a hole every 64 allocations so searches do not all end at the tail. */
    for (size_t i = 32; i < n; i += 64) {
        vas_free(v, live[i], 0, VAS_MEM_RELEASE);
        live[i] = vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
    }
    uint64_t fresh[K], probe[K];
    double t[OP_COUNT][REPS];
    for (int r = 0; r < REPS; r++) {
        for (int i = 0; i < K; i++)
            probe[i] = live[rng() % n] + (rng() % 16) * 0x1000;
        double stamp[OP_WALK + 1];
        stamp[0] = now_ns();
        for (int i = 0; i < K; i++)
            fresh[i] = vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
        stamp[1] = now_ns();
        for (int i = 0; i < K; i++)
            sink += vas_alloc(v, fresh[i] + 0x1000, 0x1000, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
        stamp[2] = now_ns();
        vas_mbi m;
        for (int i = 0; i < K; i++) {
            vas_query(v, probe[i], &m, sizeof m);
            sink += m.region_size;
        }
        stamp[3] = now_ns();
        uint32_t old;
        for (int i = 0; i < K; i++)
            sink += (uint64_t)vas_protect(v, fresh[i] + 0x1000, 0x1000, VAS_PAGE_READONLY, &old);
        stamp[4] = now_ns();
        for (int i = 0; i < K; i++)
            sink += (uint64_t)vas_free(v, fresh[i], 0, VAS_MEM_RELEASE);
        stamp[5] = now_ns();
        record_batch(t, r, stamp);
        /* K consecutive regions from a random point, as a map walk does. */
        uint64_t at = live[rng() % n];
        double t6 = now_ns();
        for (int i = 0; i < K; i++) {
            if (!vas_query(v, at, &m, sizeof m))
                at = 0x10000;
            else
                at = m.base_address + m.region_size;
        }
        double t7 = now_ns();
        sink += at;
        t[OP_WALK][r] = (t7 - t6) / K;
    }
    for (int op = 0; op < OP_COUNT; op++)
        out[op] = median(t[op], REPS);
    free(live);
    vas_destroy(v);
}

/* ---- Linux ------------------------------------------------------------ */

/* Live mappings Linux can hold here: each needs its own VMA (they are made
 * non-mergeable by leaving a guard gap), and fresh ones + splits need room. */
static size_t linux_capacity(void)
{
    long max = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1)
            max = 65530;
        fclose(f);
    }
    return (size_t)(max - 4 * K - 1000) / 2;
}

static void bench_linux(size_t n, double out[OP_COUNT])
{
    /* Live mappings alternate PROT_NONE / PROT_READ so the kernel keeps
     * them as separate VMAs, like separate allocations. */
    char *arena = mmap(NULL, (n + 1) * SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (arena == MAP_FAILED) {
        for (int op = 0; op < OP_COUNT; op++)
            out[op] = -1;
        return;
    }
    for (size_t i = 0; i < n; i += 2)
        mprotect(arena + i * SPAN, SPAN, PROT_READ);
    char *fresh[K];
    char *probe[K];
    unsigned char vec[1];
    double t[OP_COUNT][REPS];
    for (int r = 0; r < REPS; r++) {
        for (int i = 0; i < K; i++)
            probe[i] = arena + (rng() % n) * SPAN;
        double stamp[OP_WALK + 1];
        stamp[0] = now_ns();
        for (int i = 0; i < K; i++)
            fresh[i] = mmap(NULL, SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        stamp[1] = now_ns();
        for (int i = 0; i < K; i++)
            sink += (uint64_t)mprotect(fresh[i] + 0x1000, 0x1000, PROT_READ | PROT_WRITE);
        stamp[2] = now_ns();
        for (int i = 0; i < K; i++)
            sink += (uint64_t)mincore(probe[i], 0x1000, vec);
        stamp[3] = now_ns();
        for (int i = 0; i < K; i++)
            sink += (uint64_t)mprotect(fresh[i] + 0x1000, 0x1000, PROT_READ);
        stamp[4] = now_ns();
        for (int i = 0; i < K; i++)
            sink += (uint64_t)munmap(fresh[i], SPAN);
        stamp[5] = now_ns();
        record_batch(t, r, stamp);
        t[OP_WALK][r] = -1;   /* no Linux counterpart */
    }
    for (int op = 0; op < OP_COUNT; op++)
        out[op] = median(t[op], REPS);
    munmap(arena, (n + 1) * SPAN);
}

/* ns per dependent load chasing random pointers through `bytes` of memory:
 * what one cache-and-TLB miss costs on this machine, the floor under any
 * lookup whose data is not cached. */
static double memory_latency(size_t bytes)
{
    size_t n = bytes / sizeof(size_t);
    size_t *next = malloc(n * sizeof *next);
    for (size_t i = 0; i < n; i++)
        next[i] = i;
    for (size_t i = n - 1; i > 0; i--) {   /* Sattolo: one cycle through all */
        size_t j = (size_t)(rng() % i), tmp = next[i];
        next[i] = next[j];
        next[j] = tmp;
    }
    size_t p = 0;
    double t0 = now_ns();
    for (int i = 0; i < 200000; i++)
        p = next[p];
    double t1 = now_ns();
    sink += p;
    free(next);
    return (t1 - t0) / 200000;
}

int main(void)
{
    static const size_t populations[] = {10, 1000, 100000, 1000000};
    size_t cap = linux_capacity();
    printf("vas_bench: ns per call, median of %d batches of %d calls\n", REPS, K);
    printf("Linux: reserve=mmap(PROT_NONE) commit=mprotect(RW) query=mincore(1 page) "
           "protect=mprotect(R) free=munmap; live VMAs capped at %zu (vm.max_map_count)\n\n", cap);
    printf("memory latency (random dependent loads): 1 MiB %.1f ns, 16 MiB %.1f ns, 128 MiB %.1f ns\n\n",
           memory_latency(1u << 20), memory_latency(16u << 20), memory_latency(128u << 20));
    printf("%-10s %-16s %10s %10s %8s\n", "live", "operation", "model ns", "linux ns", "ratio");
    for (size_t p = 0; p < sizeof populations / sizeof populations[0]; p++) {
        size_t n = populations[p];
        size_t linux_n = n < cap ? n : cap;
        double model[OP_COUNT], sys[OP_COUNT];
        bench_model(n, model);
        bench_linux(linux_n, sys);
        for (int op = 0; op < OP_COUNT; op++) {
            if (sys[op] > 0)
                printf("%-10zu %-16s %10.1f %10.1f %8.3f%s\n", n, op_names[op], model[op], sys[op],
                       model[op] / sys[op], linux_n != n && op == 0 ? "  (linux: capped live count)" : "");
            else
                printf("%-10zu %-16s %10.1f %10s %8s\n", n, op_names[op], model[op], "-", "-");
        }
        printf("\n");
    }
    return sink == 42 ? 1 : 0;
}
