/*
 * oracle_watch.h - the oracle's record of MEM_WRITE_WATCH regions
 * (docs/semantics.md section 8), kept apart from the allocation list:
 * oracle.c tells it about reservations, releases, writes, protections and
 * decommits, and asks it which pages to report.
 */
#ifndef VAS_ORACLE_WATCH_H
#define VAS_ORACLE_WATCH_H

#include <stdint.h>

typedef struct watched_region watched_region;

typedef struct oracle_watches {
    watched_region *first;  /* unordered */
} oracle_watches;

/* A new allocation [base, end); only a watched one is recorded. */
void watches_reserved(oracle_watches *w, uint64_t base, uint64_t end, int watched);
void watches_released(oracle_watches *w, uint64_t base);
void watches_free_all(oracle_watches *w);
/* The written bit of every page touched by [lo, hi). */
void watches_written(oracle_watches *w, uint64_t lo, uint64_t hi);
/* VirtualProtect of [lo, hi): latched |= written. */
void watches_protected(oracle_watches *w, uint64_t lo, uint64_t hi);
/* Decommit of [lo, hi): written cleared, latched kept. */
void watches_decommitted(oracle_watches *w, uint64_t lo, uint64_t hi);
/* 1 when [lo, hi) lies inside one watched region. */
int watches_cover(const oracle_watches *w, uint64_t lo, uint64_t hi);
/* Writes up to max reported pages of [lo, hi) in ascending order; with
 * reset clears the pages written out. Returns how many. */
uint64_t watches_report(oracle_watches *w, uint64_t lo, uint64_t hi, uint64_t *out, uint64_t max, int reset);
/* Clears both bits of every page of [lo, hi). */
void watches_reset(oracle_watches *w, uint64_t lo, uint64_t hi);

#endif
