/*
 * trace_random.c - the trace of a seed: splitmix64's bytes decoded as the
 * binary form (trace.h). `vastrace random` runs these traces and
 * bench_protocol times them; the stream of a seed always starts the same,
 * so a seed names its trace.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/trace.h"

#define BYTES_PER_OP 64   /* a first guess; raw writes take up to 8 KiB more */

uint64_t trace_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

trace *trace_of_seed(uint64_t seed, size_t max_ops, uint8_t **bytes, size_t *cap)
{
    size_t len = max_ops * BYTES_PER_OP, limit = max_ops * (2 * VAS_PAGE_SIZE + 64) + 64;
    for (;;) {
        uint64_t state = seed;
        size_t j;
        trace *t;
        if (len > *cap) {
            uint8_t *grown = realloc(*bytes, len);
            if (grown == NULL)
                return NULL;
            *bytes = grown;
            *cap = len;
        }
        for (j = 0; j < len; j += 8) {
            uint64_t r = trace_rand(&state);
            memcpy(*bytes + j, &r, len - j < 8 ? len - j : 8);
        }
        t = trace_decode_binary(*bytes, len, max_ops);
        /* Bytes run out before max_ops only when writes carry kilobytes:
         * grow the stream (its start unchanged) up to a bound. */
        if (t == NULL || t->n_ops >= max_ops || len >= limit)
            return t;
        trace_free(t);
        len *= 2;
    }
}
