/*
 * diff.h - the pieces the runner (run.h) is built from, for tools and tests
 * that need more than run_trace / diff_trace: running one operation on one
 * backend, checking an expectation, walking a backend's memory map, and
 * comparing two backends' results.
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
#ifndef HARNESS_DIFF_H
#define HARNESS_DIFF_H

#include <stdio.h>
#include "harness/backend.h"
#include "harness/run.h"
#include "harness/trace.h"

/* ---- One backend instance running one trace -------------------------- */

/* A backend's address space plus its name bindings: each backend binds
 * "n = alloc" to the address it returned, and evaluates every later
 * expression with its own bindings (docs/trace-format.md). */
typedef struct backend_run {
    const backend *b;
    void *self;
    vas_config cfg;        /* what self was created with */
    size_t n_names;
    char *const *names;    /* the trace's names, for messages (not owned) */
    uint64_t *values;      /* per trace name: bound address */
    unsigned char *bound;  /* per trace name: 1 once bound */
    char failure[512];     /* why backend_run_open failed with -2 or -3 */
} backend_run;

/* Creates a fresh address space for t (its profile and commit limit); for
 * a whole-trace backend (backend.run_whole) runs all of t there. Returns 0;
 * -1 when the backend (or memory) refuses the profile; -2 when t crashed or
 * hung the backend (a finding, described in r->failure); -3 when the backend
 * is broken (r->failure says how). */
int backend_run_open(backend_run *r, const backend *b, const trace *t);
void backend_run_close(backend_run *r);

/* Value of an expression under r's bindings (an unbound name counts 0). */
uint64_t backend_run_eval(const backend_run *r, trace_expr e);

/* The dwLength a query passes when the trace gives no len=: the profile's
 * MEMORY_BASIC_INFORMATION size. */
size_t profile_mbi_size(vas_profile profile);

/* What *old holds after a protect when the backend did not write it. */
#define OP_OLD_UNTOUCHED 0xBAADF00Du

/* Runs op on r and fills *res (cleared first; free it with
 * op_result_clear). Does not bind op's name: call op_bind_result after
 * checking the expectation, whose expressions see the bindings as they were
 * before op (so "a = alloc 0x10000 ... -> a" is not trivially true).
 * Returns 0, or -1 when the backend cannot perform the operation (charge
 * on a backend without commit_charge, no memory for a read buffer). */
int op_execute(backend_run *r, const trace_op *op, op_result *res);
/* 0 when b leaves the optional member code needs NULL (backend.h). */
int op_supported(const backend *b, trace_opcode code);
/* Binds op's name, if it has one, to the address res returned. */
void op_bind_result(backend_run *r, const trace_op *op, const op_result *res);
void op_result_clear(op_result *res);

/* ---- Expectations ------------------------------------------------------ */

/* Checks op's expectation ("-> ...") against res, evaluating its
 * expressions with r's bindings (call before op_bind_result). Returns 1
 * when it holds (or there is none), 0 otherwise. */
int expect_check(const backend_run *r, const trace_op *op, const op_result *res);

/* op's canonical text (trace_print_op) split at its "->": the operation
 * into op_text and the expectation (without "-> ") into expected, "" when
 * there is none. */
void op_print_split(const trace *t, const trace_op *op, char *op_text, size_t op_len,
                    char *expected, size_t expected_len);

/* ---- Describing values and results ------------------------------------ */

/* Constant names as the trace language writes them ("READWRITE|GUARD",
 * "COMMIT", "INVALID_PARAMETER"); numbers for what has no name. Each writes
 * into buf and returns buf. */
const char *describe_protect(uint32_t protect, char *buf, size_t len);
const char *describe_state(uint32_t state, char *buf, size_t len);
const char *describe_error(uint32_t error, char *buf, size_t len);

/* An address as "name+offset" under r's bindings when it lies in the same
 * allocation as a bound address at or below it (the nearest such binding),
 * else as a hex number. map locates the allocation; with map NULL every
 * address is printed as a hex number. */
struct region_map;
const char *describe_address(const backend_run *r, const struct region_map *map, uint64_t addr,
                             char *buf, size_t len);

/* res in the syntax of an expectation, without the leading "-> "
 * ("0 err=INVALID_ADDRESS old=NOACCESS", "{base=a+0x1000 ...}", "AV at=a").
 * map as for describe_address. Returns buf. */
const char *op_result_describe(const backend_run *r, const struct region_map *map,
                               const trace_op *op, const op_result *res, char *buf, size_t len);

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

/* The default: walk every 64 ops, 2 random regions per op, interior pages. */
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
