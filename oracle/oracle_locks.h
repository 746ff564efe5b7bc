/*
 * oracle_locks.h - the oracle's record of locked pages (docs/semantics.md
 * section 9): a list of page ranges, no two overlapping. oracle.c decides
 * what may be locked; this only remembers it.
 */
#ifndef VAS_ORACLE_LOCKS_H
#define VAS_ORACLE_LOCKS_H

#include <stdint.h>

typedef struct locked_span locked_span;

typedef struct oracle_locks {
    locked_span *first;  /* unordered */
} oracle_locks;

/* Locked pages in [lo, hi). */
uint64_t lockset_pages_in(const oracle_locks *l, uint64_t lo, uint64_t hi);
/* Marks every page of [lo, hi) locked / not locked. */
void lockset_lock(oracle_locks *l, uint64_t lo, uint64_t hi);
void lockset_unlock(oracle_locks *l, uint64_t lo, uint64_t hi);
void lockset_free_all(oracle_locks *l);

#endif
