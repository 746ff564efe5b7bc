/*
 * test_random.c - long random sequences of every operation over a small
 * space, checking after each one: the internal invariants
 * (vas_debug_check_invariants), that the query walk tiles [0, MAX] with
 * merged regions, that a failed call changed nothing, and that the commit
 * charge equals the committed bytes the walk reports.
 */
#include "helpers.h"

#include <string.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void) { return check_rand(&rng_state); }

static const uint32_t protections[] = {
    VAS_PAGE_NOACCESS, VAS_PAGE_READONLY, VAS_PAGE_READWRITE, VAS_PAGE_EXECUTE,
    VAS_PAGE_EXECUTE_READ, VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_READWRITE | VAS_PAGE_GUARD,
    VAS_PAGE_READONLY | VAS_PAGE_NOCACHE, VAS_PAGE_READWRITE | VAS_PAGE_WRITECOMBINE,
    VAS_PAGE_WRITECOPY, 0,
};

static uint32_t any_protection(void)
{
    return protections[rng() % (sizeof protections / sizeof protections[0])];
}

/* Addresses cluster in the first 2 MiB so that operations collide. */
static uint64_t any_address(uint64_t min)
{
    if (rng() % 16 == 0)
        return rng() % 4 == 0 ? 0 : rng();
    uint64_t a = min + (rng() % 0x200000);
    return rng() % 2 ? a & ~0xFFFull : a;
}

static uint64_t any_size(void)
{
    switch (rng() % 4) {
    case 0: return rng() % 0x2000;
    case 1: return (rng() % 8) * 0x1000;
    case 2: return rng() % 0x40000;
    default: return rng() % 3 ? 0x10000 : 0;
    }
}

static void check_walk(vas_t *v, const map_snapshot *s)
{
    uint64_t at = 0, committed = 0;
    for (int i = 0; i < s->count; i++) {
        const vas_mbi *m = &s->regions[i];
        CHECK_EQ(m->base_address, at);
        CHECK(m->region_size > 0);
        if (i > 0) {
            const vas_mbi *p = &s->regions[i - 1];
            /* neighbours in one allocation differ; free regions never touch */
            int same = p->allocation_base == m->allocation_base && p->state == m->state &&
                       p->protect == m->protect;
            CHECK(!same);
        }
        if (m->state == VAS_MEM_COMMIT)
            committed += m->region_size;
        at += m->region_size;
    }
    CHECK_EQ(at, vas_get_config(v)->max_address + 1);
    CHECK_EQ(committed, vas_commit_charge(v));
}

int main(void)
{
    vas_config cfg;
    vas_config_default(&cfg, VAS_PROFILE_X86);
    cfg.max_address = 0x003FFFFF;   /* 4 MiB */
    cfg.commit_limit = 0x100000;
    vas_t *v = vas_create(&cfg);
    static map_snapshot before, after;
    uint8_t buf[0x3000];
    int ok_count = 0, fail_count = 0;
    for (int step = 0; step < 60000 && check_failures < 20; step++) {
        snapshot_take(v, &before);
        vas_set_last_error(v, 0xABCDu);
        uint64_t addr = any_address(cfg.min_address), size = any_size();
        int result = 1, is_call = 1;
        uint32_t old = 0;
        switch (rng() % 8) {
        case 0:
        case 1: {
            static const uint32_t types[] = {
                VAS_MEM_RESERVE, VAS_MEM_COMMIT, VAS_MEM_RESERVE | VAS_MEM_COMMIT,
                VAS_MEM_COMMIT | VAS_MEM_TOP_DOWN, VAS_MEM_RESET, VAS_MEM_RESET_UNDO,
                VAS_MEM_RESERVE | VAS_MEM_WRITE_WATCH, VAS_MEM_DECOMMIT};
            uint32_t type = types[rng() % (sizeof types / sizeof types[0])];
            result = vas_alloc(v, rng() % 3 ? addr : 0, size, type, any_protection()) != 0;
            break;
        }
        case 2:
        case 3:
            result = vas_free(v, addr, rng() % 2 ? 0 : size,
                              rng() % 8 ? (rng() % 2 ? VAS_MEM_RELEASE : VAS_MEM_DECOMMIT) : 0);
            break;
        case 4:
            result = vas_protect(v, addr, size, any_protection(), rng() % 32 ? &old : NULL);
            break;
        case 5: {
            is_call = 0;
            size_t len = (size_t)(rng() % sizeof buf);
            memset(buf, (int)(rng() & 0xFF), len);
            vas_write(v, addr, buf, len, NULL);
            break;
        }
        case 6:
            is_call = 0;
            vas_read(v, addr, buf, (size_t)(rng() % sizeof buf), NULL);
            break;
        default:
            is_call = 0;
            vas_exec(v, addr, NULL);
            break;
        }
        snapshot_take(v, &after);
        if (is_call && !result) {
            fail_count++;
            CHECK(vas_last_error(v) != 0xABCDu);
            CHECK(snapshot_equal(&before, &after));
        } else {
            ok_count += is_call;
            CHECK_EQ(vas_last_error(v), 0xABCDu);
        }
        CHECK(vas_debug_check_invariants(v));
        check_walk(v, &after);
    }
    CHECK(ok_count > 1000 && fail_count > 1000);
    vas_destroy(v);
    return check_report("impl_random");
}
