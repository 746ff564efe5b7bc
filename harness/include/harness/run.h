/*
 * run.h - running traces on backends and comparing them.
 */
#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H

#include <stdio.h>
#include "harness/backend.h"
#include "harness/trace.h"

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
} op_result;

/* Runs t on one backend, printing each operation and its result to out
 * (NULL: silent). Returns 0 if every expectation held, 1 if one failed
 * (described on out), 2 on a backend error. */
int run_trace(const backend *b, const trace *t, FILE *out);

/* Runs t on each backend in lockstep and stops at the first operation
 * whose results (or memory maps, or check()) differ. Returns 0 if none
 * differ, 1 with a readable report on out otherwise (the trace up to that
 * operation, each backend's result, each backend's region table). */
int diff_trace(const backend *const *backends, size_t n, const trace *t, FILE *out);

#endif
