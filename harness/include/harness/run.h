/*
 * run.h - running a trace on one backend: the backend instance with its
 * name bindings, one operation at a time (op_execute, expect_check), and the
 * one single-backend loop (run_trace_ex), which `vastrace run`, `check` and
 * `record` drive through an observer. Comparing backends is compare.h.
 *
 * Data flow of one operation (run_trace_ex):
 *   op_execute -> expect_check (bindings as before op) -> op_bind_result
 *   -> the backend's self-check -> the observer (which may ask for the
 *   memory map and a description of the result, and may stop the run).
 *
 * Portable C (stdio only): also built with mingw-w64 for the Windows runner.
 */
#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H

#include <stdio.h>
#include "harness/backend.h"
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
    unsigned char *elsewhere; /* per trace name: 1 when it is a process handle or an
                               * address in another process (maps leave it out) */
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

/* 1 when name i is bound to an address of this process (not a process
 * handle, not an address in another process): what maps are built from. */
static inline int backend_run_local(const backend_run *r, size_t i)
{
    return r->bound[i] && !(r->elsewhere && r->elsewhere[i]);
}

/* The dwLength a query passes when the trace gives no len=: the profile's
 * MEMORY_BASIC_INFORMATION size. */
size_t profile_mbi_size(vas_profile profile);

/* ---- One operation ------------------------------------------------------ */

/* Everything one operation produced on one backend. */
typedef struct op_result {
    uint64_t value;       /* alloc address, free/protect BOOL, query return, geterr, charge */
    uint32_t error;       /* last error after the call */
    uint32_t old;         /* protect: old protection */
    vas_mbi mbi;          /* query */
    uint32_t status;      /* read/write/exec */
    uint64_t fault;
    uint8_t *data; size_t data_len;  /* read bytes (owned), on success */
    int unsupported;      /* the backend lacks this operation: the comparer skips it */
    uint64_t *pages; uint64_t n_pages; /* watch: the addresses reported (owned) */
    uint32_t granularity;            /* watch: *granularity after the call */
    uint64_t aux;         /* readproc/writeproc: the byte count (TRACE_COUNT_UNTOUCHED: not written) */
} op_result;

/* What *old holds after a protect when the backend did not write it. */
#define OP_OLD_UNTOUCHED 0xBAADF00Du

/* Runs op on r and fills *res (cleared first; free it with
 * op_result_clear). Does not bind op's name: call op_bind_result after
 * checking the expectation, whose expressions see the bindings as they were
 * before op (so "a = alloc 0x10000 ... -> a" is not trivially true).
 * Returns 0, or -1 when the backend cannot perform the operation (charge
 * on a backend without commit_charge, no memory for a read buffer). */
int op_execute(backend_run *r, const trace_op *op, op_result *res);
/* 0 when b leaves the optional member op needs NULL (backend.h). */
int op_supported(const backend *b, const trace_op *op);
/* 1 when an operation of this kind cannot change the memory map (a query,
 * last-error, the counters): a map walked before it still holds after it.
 * Accesses and IsBad* probes can clear a guard page, so they are not. */
int op_keeps_map(trace_opcode code);
/* The addresses op may have changed, widened by a page on each side, into
 * w (addr and size are its operands, evaluated before it ran; whole, the
 * allocation at addr before it ran, for a free of size 0; res what it
 * returned). Returns 1, 0 when op changes nothing, -1 when its extent is
 * not known here (an operation family added later): walk instead. What the
 * lockstep comparer samples between walks and what a protocol server
 * re-walks between full walks (docs/backend-protocol.md). */
int op_window(const trace_op *op, uint64_t addr, uint64_t size, const uint64_t whole[2],
              const op_result *res, uint64_t w[2]);
/* 1 when an operation of this kind returns an address the system may choose
 * (alloc, thread, bulk alloc, map, alloc2, map3): a report prints it as a
 * number, a recording names it or says "nonzero", a comparison between
 * systems that place differently looks at its shape. */
int op_places(trace_opcode code);
/* Drops from t the operations some backend of the set does not support
 * (op_supported): run on the others alone they would make the spaces
 * differ for a reason that is no disagreement. A name a dropped operation
 * would have bound stays unbound: later uses evaluate to their offset, as
 * an unbound name does. The random traces and the fuzz targets call this
 * before the lockstep run. */
void trace_drop_unsupported(trace *t, const backend *const *backends, size_t n);
/* Binds op's name, if it has one, to the address res returned. */
void op_bind_result(backend_run *r, const trace_op *op, const op_result *res);
void op_result_clear(op_result *res);

/* Checks op's expectation ("-> ...") against res, evaluating its
 * expressions with r's bindings (call before op_bind_result). Returns 1
 * when it holds (or there is none), 0 otherwise. */
int expect_check(const backend_run *r, const trace_op *op, const op_result *res);

/* op's canonical text (trace_print_op) split at its "->": the operation
 * into op_text and the expectation (without "-> ") into expected, "" when
 * there is none. */
void op_print_split(const trace *t, const trace_op *op, char *op_text, size_t op_len,
                    char *expected, size_t expected_len);

/* ---- The single-backend loop ------------------------------------------- */

struct region_map;

/* What the loop tells its observer, once per operation (and once with op
 * NULL when the backend cannot create an address space for the trace). */
typedef struct run_step {
    const trace *t;
    size_t index;             /* of op in t->ops */
    const trace_op *op;       /* NULL: no address space (nothing ran) */
    const char *open_failure; /* op NULL: what broke (backend_run_open -2, -3),
                               * or NULL when the profile was refused (-1) */
    backend_run *run;         /* the backend, with op's name bound */
    const op_result *res;     /* what op produced, when executed; with
                               * res->unsupported nothing was checked or bound */
    int executed;             /* 0: the backend cannot perform op (op_execute) */
    int holds;                /* op's expectation held (1 when it has none) */
    const char *check_failed; /* the backend's self-check message, or NULL */
    /* The loop's own: the memory map, walked on first request
     * (map_walked: 0 not yet, 1 done, -1 out of memory). */
    struct region_map *map;
    int map_walked;
} run_step;

/* The memory map after s's operation (region_map_walk, compare.h), walked
 * on the first request for this operation; NULL when out of memory. */
const struct region_map *run_step_map(run_step *s);

/* s's result in the syntax of an expectation (op_result_describe), with
 * addresses named by the bindings and the map. Returns buf. */
const char *run_step_describe(run_step *s, char *buf, size_t len);

/* Told about every operation; returns RUN_CONTINUE or RUN_STOP. An
 * observer that continues past an operation the backend could not perform
 * or does not support leaves that operation out (run and record do). */
enum { RUN_CONTINUE = 0, RUN_STOP = 1 };
typedef struct run_observer {
    int (*step)(void *ctx, run_step *s);
    void *ctx;
} run_observer;

/* Runs t on a fresh address space of b, one operation at a time; a failed
 * self-check always ends the run. Returns 0 when every operation that ran
 * met its expectation, 1 when one did not, 2 when the backend could not
 * create the space, could not perform or did not support an operation the
 * observer did not leave out, or failed its self-check. */
int run_trace_ex(const backend *b, const trace *t, const run_observer *obs);

/* run_trace_ex printing each operation and its result to out (NULL:
 * silent), and every failed expectation: `vastrace run`. */
int run_trace(const backend *b, const trace *t, FILE *out);

#endif
