/*
 * test_search.c - free-space search with many allocations: every address
 * vas_alloc(0, ...) picks, bottom-up and top-down, is compared with a
 * brute-force first fit over the map that vas_query reports; "no room"
 * must happen exactly when brute force finds nothing. Some reservations are
 * placeholders split at a random page, one piece released: the pieces left
 * start at pages that are not multiples of 64 KiB (docs/semantics.md 12.9),
 * and the search must still use the free pages below them (X430).
 */
#include "helpers.h"

#include <stdlib.h>

#define G 0x10000ull
#define MAX_ALLOCS 4096

typedef struct { uint64_t base, end; } span;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) { return check_rand(&rng_state); }

/* The allocations, from the query walk (one entry per allocation base). */
static int list_allocations(vas_t *v, span *out)
{
    int n = 0;
    uint64_t max = vas_get_config(v)->max_address;
    for (uint64_t at = 0; at <= max;) {
        vas_mbi m;
        vas_query(v, at, &m, sizeof m);
        if (m.state != VAS_MEM_FREE) {
            if (n > 0 && out[n - 1].base == m.allocation_base)
                out[n - 1].end = m.base_address + m.region_size;
            else
                out[n++] = (span){m.allocation_base, m.base_address + m.region_size};
        }
        at = WALK_NEXT(at, m);
    }
    return n;
}

static uint64_t expected_base(const span *s, int n, uint64_t min, uint64_t max, uint64_t size, int top_down)
{
    size = (size + 0xFFF) & ~0xFFFull;
    if (top_down) {
        for (int i = n; i >= 0; i--) {
            uint64_t lo = i > 0 ? (s[i - 1].end + G - 1) & ~(G - 1) : min;
            uint64_t hi = i < n ? s[i].base : max + 1;
            if (hi < size)
                continue;
            uint64_t b = (hi - size) & ~(G - 1);
            if (b >= lo && hi > lo)
                return b;
        }
        return 0;
    }
    for (int i = 0; i <= n; i++) {
        uint64_t lo = i > 0 ? (s[i - 1].end + G - 1) & ~(G - 1) : min;
        uint64_t hi = i < n ? s[i].base : max + 1;
        if (lo < hi && hi - lo >= size)
            return lo;
    }
    return 0;
}

/* Reserves a placeholder of size bytes at want (0: no room), splits it at
 * a random page and releases one of the two pieces. Returns how many live
 * spans it added. */
static int reserve_and_split(vas_t *v, uint64_t size, uint64_t want, int top_down, span *live)
{
    uint32_t type = VAS_MEM_RESERVE | VAS_MEM_RESERVE_PLACEHOLDER | (top_down ? VAS_MEM_TOP_DOWN : 0);
    uint64_t p = vas_alloc2(v, 0, 0, size, type, VAS_PAGE_NOACCESS, NULL, 0);
    CHECK_EQ(p, want);
    if (!p)
        return 0;
    uint64_t pages = size / 0x1000, cut = p + (1 + rng() % (pages - 1)) * 0x1000;
    CHECK_EQ(vas_free(v, cut, p + size - cut, VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER), 1);
    if (rng() % 2) {
        CHECK_EQ(vas_free(v, p, 0, VAS_MEM_RELEASE), 1);
        live[0] = (span){cut, p + size};
    } else {
        CHECK_EQ(vas_free(v, cut, 0, VAS_MEM_RELEASE), 1);
        live[0] = (span){p, cut};
    }
    return 1;
}

/* The walk's progress guard: a planted wrong RegionSize (0) ends the walk
 * at once as one failure, instead of a walk that never ends. */
static void test_walk_guard(void)
{
    vas_mbi wrong = {0};
    int before = check_failures, counted;
    uint64_t next;
    wrong.base_address = 0x10000;
    next = walk_next_(0x10000, wrong.base_address, wrong.region_size, "planted", 0);
    counted = check_failures - before;
    check_failures = before;
    CHECK_EQ(next, UINT64_MAX);
    CHECK_EQ(counted, 1);
}

int main(void)
{
    vas_config cfg;
    test_walk_guard();
    vas_config_default(&cfg, VAS_PROFILE_X86);
    cfg.max_address = 0x0FFFFFFF;   /* 256 MiB: small enough to fill up */
    vas_t *v = vas_create(&cfg);
    CHECK(v != NULL);
    static span live[MAX_ALLOCS], listed[MAX_ALLOCS];
    int nlive = 0, no_room = 0, placed = 0, split = 0;
    for (int step = 0; step < 20000; step++) {
        int r = (int)(rng() % 10);
        if (r < 6 || nlive == 0) {
            uint64_t size = 1 + rng() % (r == 0 ? 0x400000 : 0x30000);
            int top_down = (int)(rng() % 2);
            int n = list_allocations(v, listed);
            if (r == 5 && nlive < MAX_ALLOCS) {   /* a placeholder, split at a page */
                size = (size + 0x1FFF) & ~0xFFFull;   /* two pages at least */
                uint64_t want = expected_base(listed, n, cfg.min_address, cfg.max_address, size, top_down);
                int added = reserve_and_split(v, size, want, top_down, &live[nlive]);
                nlive += added;
                split += added;
            } else {
                uint64_t want = expected_base(listed, n, cfg.min_address, cfg.max_address, size, top_down);
                uint32_t type = (top_down ? VAS_MEM_TOP_DOWN : 0) | (rng() % 2 ? RESERVE : COMMIT);
                uint64_t got = vas_alloc(v, 0, size, type, RW);
                CHECK_EQ(got, want);
                if (got) {
                    if (nlive < MAX_ALLOCS)
                        live[nlive++] = (span){got, got + ((size + 0xFFF) & ~0xFFFull)};
                    placed++;
                } else {
                    CHECK_ERR(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
                    no_room++;
                }
            }
        } else {
            int i = (int)(rng() % (uint64_t)nlive);
            CHECK_EQ(vas_free(v, live[i].base, 0, VAS_MEM_RELEASE), 1);
            live[i] = live[--nlive];
        }
        if (step % 1000 == 0)
            CHECK(vas_debug_check_invariants(v));
        if (check_failures > 20)
            break;
    }
    CHECK(no_room > 0);    /* the space really filled up sometimes */
    CHECK(placed > 1000);
    CHECK(split > 500);    /* page-based pieces were in the map throughout */
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
    return check_report("impl_search");
}
