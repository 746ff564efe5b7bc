/*
 * compare.h - comparing backends: their memory maps, what one operation
 * produced on each, the words a report uses for both, and the lockstep
 * loop that runs one trace on several backends and stops at the first
 * difference (`vastrace diff`, `random`, the fuzz targets). Running on one
 * backend is run.h.
 *
 * Data flow of a lockstep run (diff_trace_ex):
 *   for each op:  op_execute on every backend_run  ->  region_map_walk, or
 *                 a region_sample between walks (diff_policy)
 *                 ->  op_result_compare / region_map_compare /
 *                     region_sample_compare against the first backend
 *                 ->  at the first difference, a report.
 *
 * Portable C (stdio only): also built with mingw-w64 for the Windows runner.
 */
#ifndef HARNESS_COMPARE_H
#define HARNESS_COMPARE_H

#include <stdio.h>
#include "harness/backend.h"
#include "harness/run.h"
#include "harness/trace.h"

/* ---- Memory maps ------------------------------------------------------- */

/* A backend's whole address space as query reports it, region by region,
 * from address 0 to the profile's last usable byte. */
typedef struct region_map {
    vas_mbi *regions;
    size_t n, cap;
    int broken;          /* 1 when the walk stopped early (query failed or did not advance) */
    uint64_t broken_at;  /* where it stopped */
} region_map;

/* Walks r's map (saving and restoring last-error around the walk, so the
 * walk cannot perturb the trace). Returns 0, or -1 when out of memory. */
int region_map_walk(backend_run *r, region_map *m);
void region_map_free(region_map *m);
/* m becomes a copy of from (m's buffer reused). Returns 0, -1 out of memory. */
int region_map_copy(region_map *m, const region_map *from);
/* The region holding addr (NULL if none was reported). */
const vas_mbi *region_map_find(const region_map *m, uint64_t addr);
/* Prints the table: base, size, state, protect, alloc base, alloc protect. */
void region_map_print(const region_map *m, FILE *out, const char *indent);
/* One region in a line, "{base=0x10000 size=0x1000 COMMIT READWRITE ...}",
 * its addresses relative to origin (0: absolute). Returns buf. */
const char *describe_region(const vas_mbi *m, uint64_t origin, char *buf, size_t len);

/* ---- Samples of the memory map ----------------------------------------- */

/* What query reported at one address. */
typedef struct region_probe {
    uint64_t addr;
    size_t ret;     /* query's return value (0: it failed) */
    vas_mbi mbi;
} region_probe;

/* The probes of one backend after one operation (region_sample.c): the
 * cheap comparison the lockstep runner makes between full walks. */
typedef struct region_sample {
    region_probe *entries;
    size_t n, cap;
} region_sample;

/* Replaces s with: every region overlapping window [lo, hi) (NULL: none),
 * each queried at its start and at its last page, then each of addrs.
 * Last-error is saved and restored. Returns 0, or -1 when out of memory. */
int region_sample_take(backend_run *r, const uint64_t window[2], const uint64_t *addrs, size_t n,
                       region_sample *s);
void region_sample_free(region_sample *s);
/* The allocation holding addr on r, from its base to the end of its last
 * region (found by queries, last-error saved and restored), into extent.
 * Returns 1, or 0 when addr is in no allocation. */
int region_allocation_extent(backend_run *r, uint64_t addr, uint64_t extent[2]);
/* Next number of a xorshift64 stream (state must not be 0). */
uint64_t region_sample_random(uint64_t *state);
/* Up to 3 addresses around one random region of m (the page before it, a
 * random byte inside it, its last page) into out; returns how many. */
size_t region_sample_pick(const region_map *m, uint64_t *state, uint64_t *out, size_t max);
/* Queries two interior pages of every region of m (its last page and a
 * random one) on r: each must report the same region seen from that page.
 * Returns 0, or 1 with a description (last-error saved and restored). */
int region_map_check_interior(backend_run *r, const region_map *m, uint64_t *state,
                              char *desc, size_t len);

/* ---- Describing results ------------------------------------------------ */
/* Constants are written by trace_const_format (trace.h), as the printer
 * writes them. */

/* An address as "name+offset" under r's bindings when it lies in the same
 * allocation as a bound address at or below it (the nearest such binding),
 * else as a hex number. map locates the allocation; with map NULL every
 * address is printed as a hex number. */
const char *describe_address(const backend_run *r, const region_map *map, uint64_t addr,
                             char *buf, size_t len);

/* res in the syntax of an expectation, without the leading "-> "
 * ("0 err=INVALID_ADDRESS old=NOACCESS", "{base=a+0x1000 ...}", "AV at=a").
 * map as for describe_address. Returns buf. */
const char *op_result_describe(const backend_run *r, const region_map *map,
                               const trace_op *op, const op_result *res, char *buf, size_t len);

/* ---- Comparing two backends ------------------------------------------- */

/* Addresses are compared exactly when both backends place deterministically,
 * otherwise by shape: each is translated to "name+offset" with its own
 * backend's bindings (describe_address) and the texts are compared. */
int compare_by_shape(const backend_run *a, const backend_run *b);

/* Compares what op produced on two backends: return value, last error, old
 * protection, query output, access status and fault address, read data.
 * Returns 0 when equal, else 1 with a one-line description in desc. */
int op_result_compare(const backend_run *ra, const region_map *ma, const op_result *a,
                      const backend_run *rb, const region_map *mb, const op_result *b,
                      const trace_op *op, char *desc, size_t desc_len);

/* Compares the memory maps: all of it when placement is compared exactly,
 * else only the allocations that hold a bound name, relative to their base.
 * Returns 0 when equal, else 1 with a description. */
int region_map_compare(const backend_run *ra, const region_map *ma,
                       const backend_run *rb, const region_map *mb, char *desc, size_t desc_len);

/* Compares two samples taken at the same addresses (placement compared
 * exactly). Returns 0 when equal, else 1 with a description. */
int region_sample_compare(const backend_run *ra, const region_sample *sa,
                          const backend_run *rb, const region_sample *sb, char *desc, size_t desc_len);

/* ---- Lockstep runs ----------------------------------------------------- */

/* Optional timing of a lockstep run: clock returns seconds from any fixed
 * origin; seconds[i] accumulates the time spent in backend i's operations
 * (only op_execute, not the comparison). */
typedef struct diff_timing {
    double (*clock)(void);
    double *seconds;
} diff_timing;

/* How much of the memory map a lockstep run compares after each op. A full
 * walk queries every region's start (and, with interior, two pages inside
 * every region); between walks a sample queries what the op touched, the
 * page before and after its boundaries, and `probes` random regions (a
 * random byte inside, the page before, the last page). Walks come after
 * ops 1, 2, 4, ... walk_every, then after every walk_every-th op, and
 * after the last. Comparisons by shape (win32) always walk. */
typedef struct diff_policy {
    size_t walk_every;   /* 1: walk after every op */
    size_t probes;
    int interior;
} diff_policy;

/* Whether p walks the map in full after op i (0-based) of n_ops. */
int diff_walk_due(const diff_policy *p, size_t i, size_t n_ops);

/* The default: walk every 256 ops, 2 random regions per op, interior pages. */
extern const diff_policy DIFF_SAMPLED;
/* The comparison before sampling existed: a full walk of region starts
 * after every op, nothing inside regions (kept for the benchmark). */
extern const diff_policy DIFF_WALK_EVERY_OP;

/* Where and how a lockstep run diverged. */
typedef struct diff_outcome {
    size_t at;               /* 0-based index of the first diverging op; n_ops when none */
    char what[1024];         /* one line: what differs ("old protection differs: ...") */
    /* At a divergence where some backend's alloc failed with
     * ERROR_NOT_ENOUGH_MEMORY while the first backend's succeeded: that
     * backend (a model may refuse for lack of host memory, see oracle.h);
     * else NULL. */
    const backend *refused;
    /* With status 2 from a backend that could not create an address space
     * for the trace's profile (win32 has only x64):
     * that backend; else NULL. */
    const backend *no_space;
    /* A whole-trace backend (a protocol server) that crashed, hung or
     * answered garbage on this trace (what says how and at which op; status
     * 1 when the trace reproduces it, a finding; 2 when the backend is
     * broken); else NULL. */
    const backend *backend_failed;
    /* At a divergence among three or more backends: the one the others
     * all agree against (a majority vote), else NULL. The report names it
     * ("odd one out: ..."), so does a finding's signature. */
    const backend *blamed;
} diff_outcome;

/* Runs t on each backend in lockstep and stops at the first operation
 * whose results (or memory maps, or check()) differ. Returns 0 if none
 * differ, 1 with a readable report on out otherwise (the trace up to that
 * operation, each backend's result, each backend's region table). */
int diff_trace(const backend *const *backends, size_t n, const trace *t, FILE *out);

/* diff_trace, also telling where and what: outcome and timing may be NULL.
 * Returns 0 (no difference), 1 (a difference, reported on out unless out is
 * NULL) or 2 (a backend could not be created, or could not perform an op:
 * outcome->at is that op). */
int diff_trace_ex(const backend *const *backends, size_t n, const trace *t, FILE *out,
                  diff_outcome *outcome, diff_timing *timing);
/* diff_trace_ex with a comparison policy (NULL: DIFF_SAMPLED). */
int diff_trace_policy(const backend *const *backends, size_t n, const trace *t, FILE *out,
                      diff_outcome *outcome, diff_timing *timing, const diff_policy *policy);

#endif
