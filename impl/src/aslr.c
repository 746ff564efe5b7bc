/*
 * aslr.c - seeded randomised placement (docs/semantics.md section 11.1):
 * from the configuration's seed, a random start for bottom-up searches and
 * a random end for top-down ones, both fixed for the life of the space, as
 * Windows picks them once per process. The generator is splitmix64, so the
 * same seed gives the same space on every backend that follows the rule.
 */
#include "vas_internal.h"

#define ASLR_GRANULES 256u   /* 8 bits of entropy, in granules */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void aslr_init(vas_t *v)
{
    v->aslr_bottom = v->aslr_top = 0;
    if (v->cfg.aslr_seed == 0)
        return;
    uint64_t state = v->cfg.aslr_seed;
    uint64_t up = splitmix64(&state) % ASLR_GRANULES;
    uint64_t down = splitmix64(&state) % ASLR_GRANULES;
    v->aslr_bottom = space_min(v) + (up + PLANT(46)) * GRANULE_BYTES;
    v->aslr_top = space_max(v) + 1 - down * GRANULE_BYTES;
}
