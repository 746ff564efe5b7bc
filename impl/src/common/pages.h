/*
 * pages.h - page and granule arithmetic, shared by the model (impl/src) and
 * the host-backed mirror (impl/src/host). A leaf in a folder of its own
 * (common/): it needs only the public constants of vas/vas.h, so the mirror
 * uses it without seeing the model's data structures (vas_internal.h), and
 * the folders include each other in one direction only: model -> host ->
 * common.
 */
#ifndef VAS_PAGES_H
#define VAS_PAGES_H

#include <stdint.h>

#include "vas/vas.h"

#define PAGE_BYTES    ((uint64_t)VAS_PAGE_SIZE)
#define GRANULE_BYTES ((uint64_t)VAS_ALLOCATION_GRANULARITY)

/* The protection without its modifier bits (GUARD, NOCACHE, WRITECOMBINE). */
#define PROT_BASE_MASK 0xFFu

static inline uint64_t round_down(uint64_t x, uint64_t n) { return x & ~(n - 1); }
/* Callers make sure x + n - 1 does not overflow (addresses stay below 2^48). */
static inline uint64_t round_up(uint64_t x, uint64_t n) { return (x + n - 1) & ~(n - 1); }

#endif
