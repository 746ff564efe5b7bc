/*
 * vas_debug.h - side-effect-free inspection of a model space, for test
 * harnesses (the host-backed mode's verifier, fuzzers, unit tests).
 * Not part of the Windows-like API in vas.h: nothing here exists on Windows.
 */
#ifndef VAS_VAS_DEBUG_H
#define VAS_VAS_DEBUG_H

#include <stdint.h>

#include "vas/vas.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copies the contents of the page holding page_addr into out (4096 bytes)
 * and returns 1 when that page is committed (zeros if never written);
 * returns 0 and leaves out untouched otherwise. Ignores protection and
 * guard bits and changes nothing. */
int vas_debug_page_contents(const vas_t *vas, uint64_t page_addr, void *out4096);

/* Checks every internal invariant (index order and balance, free-gap
 * summaries, runs tiling each allocation and merged, contents only on
 * committed pages, commit charge equal to the committed pages). Returns 1
 * when all hold; otherwise prints the first broken one to stderr and
 * returns 0. Costs O(n log n): for tests, not for hot paths. */
int vas_debug_check_invariants(const vas_t *vas);

#ifdef __cplusplus
}
#endif

#endif
