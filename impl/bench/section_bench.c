/*
 * section_bench.c - what the section and view calls cost as the number of
 * live allocations and views grows: the figures behind "every op stays
 * O(log n)" for issue 12's sections (docs/semantics.md section 12).
 *
 * A population of n live objects is half 64 KiB private reservations and
 * half 64 KiB views, interleaved in the address space (a hole punched every
 * 64 so placement searches do not all end at the tail), in two shapes:
 *   own:    every view maps a section of its own (n/2 sections);
 *   shared: every view maps one 64 KiB section (n/2 views of it).
 * Each batch then times K calls of each operation on fresh objects: create
 * a section (own) and map it, or map the shared section again; commit a
 * page through the view (own: SEC_RESERVE sections; see below for
 * shared); query a random live object; query K consecutive regions from
 * a random one (a map walk: the same work, fewer cache misses); protect a
 * page of the view (READWRITE -> READONLY); write 8 bytes through it; write
 * 8 bytes through a FILE_MAP_COPY view (the first write copies the page);
 * unmap; close the section handle (own). Each figure is the median over REPS batches of the
 * mean ns per call; "100k/1k" divides the figure at n = 100,000 by the one
 * at 1,000: about 1.7 for a cost growing with log n, 100 for one growing
 * with n (cache misses add to the former as the population outgrows the
 * caches).
 *
 * Not timed in the shared shape: commit through a view, which visits every
 * view of the section by decision (docs/semantics.md 12.5: O(views of that
 * section x log n)), and create/close (nothing grows with n there).
 *
 * Build without sanitizers to measure:
 *   cmake -S . -B build-rel -G Ninja -DVAS_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release
 *   ninja -C build-rel vas_section_bench && build-rel/impl/vas_section_bench
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vas/vas.h"

#include "bench_timing.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define K 1000
#define REPS 7
#define SPAN 0x10000u

enum {
    OP_CREATE, OP_MAP, OP_COMMIT, OP_QUERY, OP_WALK, OP_PROTECT, OP_WRITE, OP_WRITE_COPY, OP_UNMAP,
    OP_CLOSE, OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
    "create section", "map view", "commit in view", "query (random)", "query (walk)", "protect in view",
    "write (shared)", "write (copy)", "unmap view", "close handle",
};

typedef enum shape { SHAPE_OWN, SHAPE_SHARED } shape;
static const char *const shape_names[] = {"own", "shared"};

static volatile uint64_t sink;

/* The section a new view of this shape maps: a fresh SEC_RESERVE one
 * (own), or the shared one. */
static uint64_t section_for(vas_t *v, shape sh, uint64_t shared)
{
    return sh == SHAPE_OWN ? vas_create_section(v, SPAN, VAS_PAGE_READWRITE | VAS_SEC_RESERVE) : shared;
}

/* n live objects: private reservations and views, alternating. */
static uint64_t *populate(vas_t *v, size_t n, shape sh, uint64_t shared)
{
    uint64_t *live = malloc(n * sizeof *live);
    for (size_t i = 0; i < n; i++) {
        live[i] = i % 2 ? vas_map_view(v, section_for(v, sh, shared), VAS_FILE_MAP_WRITE, 0, 0, 0)
                        : vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
        if (!live[i]) {
            fprintf(stderr, "section_bench: populating %zu failed at %zu (error %u)\n", n, i,
                    vas_last_error(v));
            exit(1);
        }
    }
    for (size_t i = 64; i < n; i += 64) {   /* holes: even i, a reservation */
        vas_free(v, live[i], 0, VAS_MEM_RELEASE);
        live[i] = vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
    }
    return live;
}

/* One batch: K fresh views made, used and unmapped; t[op][r] the mean ns
 * per call of each operation timed in this shape. */
static void batch(vas_t *v, const uint64_t *live, size_t n, shape sh, uint64_t shared,
                  double t[OP_COUNT][REPS], int r)
{
    uint64_t sections[K], views[K], copies[K], probe[K];
    uint64_t word = 0x0123456789ABCDEFull;
    uint32_t old;
    vas_mbi m;
    double start[OP_COUNT], end[OP_COUNT];
    for (int i = 0; i < K; i++)
        probe[i] = live[rng() % n] + (rng() % 16) * 0x1000;

    start[OP_CREATE] = now_ns();
    for (int i = 0; i < K; i++)
        sections[i] = section_for(v, sh, shared);
    end[OP_CREATE] = start[OP_MAP] = now_ns();
    for (int i = 0; i < K; i++)
        views[i] = vas_map_view(v, sections[i], VAS_FILE_MAP_WRITE, 0, 0, 0);
    end[OP_MAP] = start[OP_COMMIT] = now_ns();
    if (sh == SHAPE_OWN)
        for (int i = 0; i < K; i++)
            sink += vas_alloc(v, views[i] + 0x1000, 0x3000, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    end[OP_COMMIT] = start[OP_QUERY] = now_ns();
    for (int i = 0; i < K; i++) {
        vas_query(v, probe[i], &m, sizeof m);
        sink += m.region_size;
    }
    end[OP_QUERY] = now_ns();
    uint64_t at = live[rng() % n];
    start[OP_WALK] = now_ns();
    for (int i = 0; i < K; i++)   /* K consecutive regions, as a map walk goes */
        at = vas_query(v, at, &m, sizeof m) ? m.base_address + m.region_size : 0x10000;
    end[OP_WALK] = start[OP_PROTECT] = now_ns();
    sink += at;
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_protect(v, views[i] + 0x1000, 0x1000, VAS_PAGE_READONLY, &old);
    end[OP_PROTECT] = start[OP_WRITE] = now_ns();
    for (int i = 0; i < K; i++)
        sink += vas_write(v, views[i] + 0x2000 + 8 * (uint64_t)(i % 512), &word, sizeof word, NULL);
    end[OP_WRITE] = now_ns();
    for (int i = 0; i < K; i++)   /* not timed: the copy-on-write views */
        copies[i] = vas_map_view(v, sections[i], VAS_FILE_MAP_COPY, 0, 0, 0);
    start[OP_WRITE_COPY] = now_ns();
    for (int i = 0; i < K; i++)
        sink += vas_write(v, copies[i] + 0x3000, &word, sizeof word, NULL);
    end[OP_WRITE_COPY] = now_ns();
    for (int i = 0; i < K; i++)
        vas_unmap_view(v, copies[i]);
    start[OP_UNMAP] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_unmap_view(v, views[i]);
    end[OP_UNMAP] = start[OP_CLOSE] = now_ns();
    if (sh == SHAPE_OWN)
        for (int i = 0; i < K; i++)
            sink += (uint64_t)vas_close_handle(v, sections[i]);
    end[OP_CLOSE] = now_ns();
    for (int op = 0; op < OP_COUNT; op++)
        t[op][r] = (end[op] - start[op]) / K;
}

/* Medians per operation; -1 for those the shape does not time. */
static void bench(size_t n, shape sh, double out[OP_COUNT])
{
    vas_t *v = vas_create(NULL);
    uint64_t shared = vas_create_section(v, SPAN, VAS_PAGE_READWRITE | VAS_SEC_COMMIT);
    uint64_t *live = populate(v, n, sh, shared);
    double t[OP_COUNT][REPS];
    for (int r = 0; r < REPS; r++)
        batch(v, live, n, sh, shared, t, r);
    for (int op = 0; op < OP_COUNT; op++)
        out[op] = median(t[op], REPS);
    if (sh == SHAPE_SHARED)
        out[OP_CREATE] = out[OP_COMMIT] = out[OP_CLOSE] = -1;
    free(live);
    vas_destroy(v);
}

int main(void)
{
    static const size_t populations[] = {1000, 10000, 100000};
    enum { NPOP = sizeof populations / sizeof populations[0] };
#ifdef __GLIBC__
    /* Each batch frees the pages its writes made; glibc would hand them
     * back to the kernel and the next batch would time page faults. */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
#endif
    printf("vas_section_bench: ns per call, median of %d batches of %d calls; live = n objects, "
           "half private reservations, half views (own: a section each; shared: all of one)\n\n",
           REPS, K);
    for (int sh = SHAPE_OWN; sh <= SHAPE_SHARED; sh++) {
        double ns[NPOP][OP_COUNT];
        bench(populations[0], (shape)sh, ns[0]);   /* warm-up: the heap grows once, here */
        for (int p = 0; p < NPOP; p++)
            bench(populations[p], (shape)sh, ns[p]);
        printf("%-7s %-16s", "shape", "operation");
        for (int p = 0; p < NPOP; p++)
            printf(" %9zu", populations[p]);
        printf(" %9s\n", "100k/1k");
        for (int op = 0; op < OP_COUNT; op++) {
            if (ns[0][op] < 0)
                continue;
            printf("%-7s %-16s", shape_names[sh], op_names[op]);
            for (int p = 0; p < NPOP; p++)
                printf(" %9.1f", ns[p][op]);
            printf(" %9.2f\n", ns[NPOP - 1][op] / ns[0][op]);
        }
        printf("\n");
    }
    return sink == 42 ? 1 : 0;
}
