/*
 * fuzz_helpers.c - decode, diff, report: the body every differential fuzz
 * target shares (see fuzz_helpers.h).
 *
 * The comparison runs silently first and, only when the backends disagree,
 * runs again with the report going to stderr. Every backend is
 * deterministic, so the second run diverges at the same operation; keeping
 * the common path free of formatting is what makes executions cheap.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_helpers.h"
#include "harness/diff.h"

int fuzz_abort_on_divergence = 1;
unsigned long fuzz_divergence_count;

/* The target's backends, looked up once. Returns the count, 0 if one is
 * missing from this build (reported once). */
static size_t target_backends(const fuzz_target *target, const backend **out)
{
    size_t i;
    for (i = 0; i < target->n_backends; i++) {
        out[i] = backend_find(target->backend_names[i]);
        if (out[i] == NULL) {
            static int reported;
            if (!reported)
                fprintf(stderr, "%s: backend '%s' is not built into this program\n",
                        target->name, target->backend_names[i]);
            reported = 1;
            return 0;
        }
    }
    return target->n_backends;
}

static void report_divergence(const fuzz_target *target, const backend *const *backends,
                              size_t n, const trace *t)
{
    char *text = trace_print(t);
    fprintf(stderr, "==== %s: backends diverged ====\n", target->name);
    if (text != NULL) {
        fprintf(stderr, "---- input as a trace ----\n%s---- first difference ----\n", text);
        free(text);
    }
    diff_trace(backends, n, t, stderr);
    fflush(stderr);
}

int fuzz_diff_trace(const fuzz_target *target, trace *t)
{
    const backend *backends[8];
    size_t n;
    int rc;

    if (target->n_backends > sizeof backends / sizeof backends[0])
        return 2;
    n = target_backends(target, backends);
    if (n == 0)
        return 2;
    if (target->force_profile)
        t->profile = target->profile;

    /* rc 2 (a backend could not run an operation) is reported like a
     * divergence: the comparison was lost, which is a harness bug. */
    rc = diff_trace_ex(backends, n, t, NULL, NULL, NULL);
    if (rc == 0)
        return 0;
    report_divergence(target, backends, n, t);
    if (fuzz_abort_on_divergence)
        abort();  /* the engines record a crash with this input */
    fuzz_divergence_count++;
    return 1;
}

trace *fuzz_decode(const fuzz_target *target, const uint8_t *data, size_t size)
{
    trace *t = trace_decode_binary(data, size, FUZZ_MAX_OPS);
    if (t != NULL && target->force_profile)
        t->profile = target->profile;
    return t;
}

int fuzz_diff_bytes(const fuzz_target *target, const uint8_t *data, size_t size)
{
    trace *t = fuzz_decode(target, data, size);
    int rc;
    if (t == NULL)
        return 0;  /* only when memory is short: nothing to compare */
    rc = fuzz_diff_trace(target, t);
    trace_free(t);
    return rc == 1;
}
