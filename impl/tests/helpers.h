/*
 * helpers.h - small shared steps of the impl unit tests: making spaces,
 * asserting one failed call (result, last-error, nothing changed) and
 * asserting what VirtualQuery reports.
 */
#ifndef VAS_TEST_HELPERS_H
#define VAS_TEST_HELPERS_H

#include "check.h"
#include "vas/vas.h"
#include "vas/vas_debug.h"

#define RW VAS_PAGE_READWRITE
#define RO VAS_PAGE_READONLY
#define NA VAS_PAGE_NOACCESS
#define COMMIT VAS_MEM_COMMIT
#define RESERVE VAS_MEM_RESERVE
#define E87 VAS_ERROR_INVALID_PARAMETER
#define E487 VAS_ERROR_INVALID_ADDRESS

static inline vas_t *space_new(vas_profile profile, uint64_t commit_limit)
{
    vas_config cfg;
    vas_config_default(&cfg, profile);
    cfg.commit_limit = commit_limit;
    return vas_create(&cfg);
}

/* Asserts the region reported at addr. */
#define CHECK_REGION(v, addr, base_, abase_, aprot_, size_, state_, prot_)  \
    do {                                                                    \
        vas_mbi m_;                                                         \
        CHECK(vas_query((v), (addr), &m_, sizeof m_) != 0);                 \
        CHECK_EQ(m_.base_address, (base_));                                 \
        CHECK_EQ(m_.allocation_base, (abase_));                             \
        CHECK_EQ(m_.allocation_protect, (aprot_));                          \
        CHECK_EQ(m_.region_size, (size_));                                  \
        CHECK_EQ(m_.state, (state_));                                       \
        CHECK_EQ(m_.protect, (prot_));                                      \
        CHECK_EQ(m_.type, (state_) == VAS_MEM_FREE ? 0u : VAS_MEM_PRIVATE); \
    } while (0)

/* Resets last-error to a marker so a test can see a call set it. */
#define MARK(v) vas_set_last_error((v), 0xABCDu)

#define CHECK_ERR(v, code) CHECK_EQ(vas_last_error(v), (code))

/* ---- Whole-map snapshots: "a failed call changes nothing" ----------- */

#define SNAPSHOT_MAX 512

typedef struct map_snapshot {
    vas_mbi regions[SNAPSHOT_MAX];
    int count;
    uint64_t charge;
} map_snapshot;

/* Walks the map with vas_query from 0 to MAX, as the fuzzer's comparer does. */
static inline void snapshot_take(vas_t *v, map_snapshot *s)
{
    uint64_t max = vas_get_config(v)->max_address;
    uint32_t saved = vas_last_error(v);
    s->count = 0;
    s->charge = vas_commit_charge(v);
    for (uint64_t at = 0; at <= max && s->count < SNAPSHOT_MAX;) {
        vas_mbi m;
        if (!vas_query(v, at, &m, sizeof m))
            break;
        s->regions[s->count++] = m;
        at = WALK_NEXT(at, m);
    }
    vas_set_last_error(v, saved);
}

static inline int snapshot_equal(const map_snapshot *a, const map_snapshot *b)
{
    if (a->count != b->count || a->charge != b->charge)
        return 0;
    for (int i = 0; i < a->count; i++) {
        const vas_mbi *x = &a->regions[i], *y = &b->regions[i];
        if (x->base_address != y->base_address || x->allocation_base != y->allocation_base ||
            x->allocation_protect != y->allocation_protect || x->region_size != y->region_size ||
            x->state != y->state || x->protect != y->protect || x->type != y->type)
            return 0;
    }
    return 1;
}

/* Runs `call`, which must return 0 with last-error `code`, changing nothing. */
#define CHECK_FAILS(v, call, code)                         \
    do {                                                   \
        static map_snapshot before_, after_;               \
        snapshot_take((v), &before_);                      \
        MARK(v);                                           \
        CHECK_EQ((call), 0);                               \
        CHECK_ERR((v), (code));                            \
        snapshot_take((v), &after_);                       \
        CHECK(snapshot_equal(&before_, &after_));          \
        CHECK(vas_debug_check_invariants(v));              \
    } while (0)

#endif
