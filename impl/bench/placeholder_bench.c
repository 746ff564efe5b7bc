/*
 * placeholder_bench.c - what the placeholder calls cost as the number of
 * live allocations grows: the figures behind "every op stays O(log n)" for
 * issue 12's placeholders (docs/semantics.md 12.9-12.14).
 *
 * A population of n live objects, 256 KiB each, alternates private
 * reservations and placeholders. Each batch then runs K rounds on fresh
 * placeholders and times each step over the K rounds: reserve a 256 KiB
 * placeholder (system-chosen address); split it in three (a piece at
 * +piece, piece bytes long); replace the first piece with committed private memory; free that
 * back to a placeholder; replace the middle piece with a view of a shared
 * section (MapViewOfFile3); unmap it back to a placeholder
 * (UnmapViewOfFile2); coalesce the three pieces; reserve with address
 * requirements (a window of the upper half of the space); release; and,
 * one round at a time, reserve with a 1 MiB alignment requirement and
 * release it (an alignment above 64 KiB costs one more search per gap it
 * rules out, docs/semantics.md 12.14: a batch of them would rule out each
 * other's gaps). Each figure is the median over REPS batches of the
 * mean ns per call; "100k/1k" divides the figure at n = 100,000 by the one
 * at 1,000: about 1.7 for a cost growing with log n, 100 for one growing
 * with n. The coalesce merges three placeholders: O(k log n) with k = 3.
 * Two tables: pieces of 64 KiB, and pieces of one page (a placeholder
 * splits at any page, docs/semantics.md 12.9: pieces based at p + 0x1000
 * and p + 0x2000 are allocations whose bases are not multiples of 64 KiB).
 *
 * Build without sanitizers to measure:
 *   cmake -S . -B build-rel -G Ninja -DVAS_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release
 *   ninja -C build-rel vas_placeholder_bench && build-rel/impl/vas_placeholder_bench
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vas/vas.h"

#include "bench_timing.h"

#define K 1000
#define REPS 7
#define SPAN 0x40000u
static uint64_t PIECE;   /* the piece size of the table being measured */

enum {
    OP_RESERVE, OP_SPLIT, OP_REPLACE, OP_FREE_BACK, OP_MAP3, OP_UNMAP2, OP_COALESCE, OP_WINDOW,
    OP_RELEASE, OP_ALIGNED, OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
    "reserve placeholder", "split in three", "replace (private)", "free back", "map3 (replace)",
    "unmap2 (preserve)", "coalesce (3)", "alloc2 in window", "release", "aligned + release",
};

static volatile uint64_t sink;

static uint64_t placeholder(vas_t *v)
{
    return vas_alloc2(v, 0, 0, SPAN, VAS_MEM_RESERVE | VAS_MEM_RESERVE_PLACEHOLDER, VAS_PAGE_NOACCESS,
                      NULL, 0);
}

/* n live objects, private reservations and placeholders alternating. */
static void populate(vas_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t a = i % 2 ? placeholder(v) : vas_alloc(v, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE);
        if (!a) {
            fprintf(stderr, "placeholder_bench: populating %zu failed at %zu (error %u)\n", n, i,
                    vas_last_error(v));
            exit(1);
        }
    }
}

static void batch(vas_t *v, uint64_t section, double t[OP_COUNT][REPS], int r)
{
    static uint64_t p[K], w[K];
    const vas_ext_param window = {VAS_MEM_EXT_ADDRESS_REQUIREMENTS, 0x400000000000ull, 0, 0};
    const vas_ext_param aligned = {VAS_MEM_EXT_ADDRESS_REQUIREMENTS, 0, 0, 4 * SPAN};
    const uint32_t preserve = VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER;
    double mark[OP_COUNT + 1];
    int op = 0;
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        p[i] = placeholder(v);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_free(v, p[i] + PIECE, PIECE, preserve);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += vas_alloc2(v, 0, p[i], PIECE, VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_REPLACE_PLACEHOLDER,
                           VAS_PAGE_READWRITE, NULL, 0);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_free(v, p[i], PIECE, preserve);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += vas_map_view3(v, section, 0, p[i] + PIECE, 0, PIECE, VAS_MEM_REPLACE_PLACEHOLDER,
                              VAS_PAGE_READWRITE, NULL, 0);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_unmap_view2(v, VAS_CURRENT_PROCESS, p[i] + PIECE, VAS_MEM_PRESERVE_PLACEHOLDER);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_free(v, p[i], SPAN, VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        w[i] = vas_alloc2(v, 0, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE, &window, 1);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)
        sink += (uint64_t)vas_free(v, p[i], 0, VAS_MEM_RELEASE) + (uint64_t)vas_free(v, w[i], 0, VAS_MEM_RELEASE);
    mark[op++] = now_ns();
    for (int i = 0; i < K; i++)   /* one at a time: a batch of aligned ones would skip each other's gaps */
        sink += (uint64_t)vas_free(v, vas_alloc2(v, 0, 0, SPAN, VAS_MEM_RESERVE, VAS_PAGE_READWRITE, &aligned, 1),
                                   0, VAS_MEM_RELEASE);
    mark[op] = now_ns();
    for (op = 0; op < OP_COUNT; op++)
        t[op][r] = (mark[op + 1] - mark[op]) / K;
    t[OP_RELEASE][r] /= 2;   /* two releases a round */
}

static void bench(size_t n, double out[OP_COUNT])
{
    vas_t *v = vas_create(NULL);
    uint64_t section = vas_create_section(v, PIECE, VAS_PAGE_READWRITE | VAS_SEC_COMMIT);
    populate(v, n);
    double t[OP_COUNT][REPS];
    for (int r = 0; r < REPS; r++)
        batch(v, section, t, r);
    for (int op = 0; op < OP_COUNT; op++)
        out[op] = median(t[op], REPS);
    vas_destroy(v);
}

static void table(uint64_t piece)
{
    static const size_t populations[] = {1000, 10000, 100000};
    enum { NPOP = sizeof populations / sizeof populations[0] };
    double ns[NPOP][OP_COUNT];
    PIECE = piece;
    bench(populations[0], ns[0]);   /* warm-up: the heap grows once, here */
    for (int p = 0; p < NPOP; p++)
        bench(populations[p], ns[p]);
    printf("\npieces of 0x%llx bytes\n%-20s", (unsigned long long)piece, "operation");
    for (int p = 0; p < NPOP; p++)
        printf(" %9zu", populations[p]);
    printf(" %9s\n", "100k/1k");
    for (int op = 0; op < OP_COUNT; op++) {
        printf("%-20s", op_names[op]);
        for (int p = 0; p < NPOP; p++)
            printf(" %9.1f", ns[p][op]);
        printf(" %9.2f\n", ns[NPOP - 1][op] / ns[0][op]);
    }
}

int main(void)
{
    printf("vas_placeholder_bench: ns per call, median of %d batches of %d rounds; live = n objects "
           "of 256 KiB, private reservations and placeholders alternating\n", REPS, K);
    table(0x10000);
    table(0x1000);
    return sink == 42 ? 1 : 0;
}
