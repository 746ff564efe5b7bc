/*
 * fuzz_helpers.h - what every differential fuzz target shares: turning the
 * engine's bytes into a trace, running it on a fixed set of backends in
 * lockstep, and reporting a divergence in a way both an engine and the
 * regression driver understand.
 *
 * A target (fuzz_diff.c, fuzz_diff_host.c) is one page: it defines
 * FUZZ_TARGET (which backends, which profile; $VAS_FUZZ_BACKENDS, e.g.
 * "impl,exec:./my-server", replaces the backends) and an
 * LLVMFuzzerTestOneInput that calls fuzz_diff_bytes.
 */
#ifndef FUZZ_HELPERS_H
#define FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "harness/trace.h"

/* Operations decoded from one input; bytes past them are ignored. Short
 * traces keep executions fast and findings small. */
#define FUZZ_MAX_OPS 32

/* How one target runs a trace. */
typedef struct fuzz_target {
    const char *name;                 /* for messages: "fuzz_diff" */
    const char *const *backend_names; /* looked up with backend_find */
    size_t n_backends;
    int force_profile;                /* 1: override the trace's profile ... */
    vas_profile profile;              /* ... with this one */
} fuzz_target;

/* The target linked into this program (each target source defines it), so
 * the regression driver can run text traces through the same comparison. */
extern const fuzz_target FUZZ_TARGET;

/* What a divergence does. Engines need a crash (the default: the report is
 * printed to stderr, then abort()); the regression driver sets this to 0 to
 * get the report and a count instead, and carry on. */
extern int fuzz_abort_on_divergence;
/* Divergences seen while fuzz_abort_on_divergence was 0. */
extern unsigned long fuzz_divergence_count;

/* The trace the target runs for data: at most FUZZ_MAX_OPS operations, the
 * profile overridden when the target forces one. NULL only when memory is
 * short. Free with trace_free. */
trace *fuzz_decode(const fuzz_target *target, const uint8_t *data, size_t size);

/* Decodes at most FUZZ_MAX_OPS operations from data and diffs them.
 * Returns 0 if the backends agreed, 1 after a divergence (when not
 * aborting). Never fails on any input. */
int fuzz_diff_bytes(const fuzz_target *target, const uint8_t *data, size_t size);

/* Diffs an already built trace (its profile may be overridden in place).
 * Returns 0 if the backends agreed, 1 after a divergence or a backend that
 * could not run an operation (reported on stderr). Exits with status 2 when
 * one of the target's backends is not linked into the program. */
int fuzz_diff_trace(const fuzz_target *target, trace *t);

/* Checks t's expectations on each of the target's backends (the profile
 * overridden as the target does), each from a fresh space up to its first
 * failed expectation, and prints one line per backend to out:
 *   CHECK <backend> pass
 *   CHECK <backend> fail <line> <actual result>
 *   CHECK <backend> error <line> <what went wrong>
 * The campaign's blame by golden expectation reads these lines: the case
 * is checked on the very build that diverged (the planted bug's, say).
 * Returns how many backends did not pass. */
int fuzz_check_trace(const fuzz_target *target, trace *t, FILE *out);

#endif
