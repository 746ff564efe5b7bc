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
#include "harness/compare.h"
#include "harness/run.h"

int fuzz_abort_on_divergence = 1;
unsigned long fuzz_divergence_count;

/* The target's backends, looked up by name, or those of $VAS_FUZZ_BACKENDS
 * ("impl,exec:./my-server", "impl,so:./my_plugin.so": any target can fuzz an
 * outside implementation). A missing one means the program was linked
 * without it, or the server or plugin cannot be opened: every input would
 * compare nothing, so stop loudly rather than fuzz in vain. Returns the
 * count. */
static size_t target_backends(const fuzz_target *target, const backend **out, size_t max)
{
    const char *spec = getenv("VAS_FUZZ_BACKENDS");
    size_t i, n;
    if (spec != NULL && *spec != '\0') {
        char err[1024];
        n = backends_parse(spec, out, max, err, sizeof err);
        if (n < 2) {
            fprintf(stderr, "%s: VAS_FUZZ_BACKENDS='%s': %s\n", target->name, spec,
                    n == 0 ? err : "give at least two backends");
            exit(2);
        }
        return n;
    }
    for (i = 0; i < target->n_backends; i++) {
        out[i] = backend_find(target->backend_names[i]);
        if (out[i] == NULL) {
            fprintf(stderr, "%s: backend '%s' is not built into this program\n",
                    target->name, target->backend_names[i]);
            exit(2);
        }
    }
    return target->n_backends;
}

/* The target's profile over the input's; the process layout exists for x64
 * only (docs/semantics.md 11.2), so another profile drops it, as the binary
 * decoder does. */
static void force_profile(trace *t, vas_profile profile)
{
    t->profile = profile;
    if (profile != VAS_PROFILE_X64)
        t->layout = VAS_LAYOUT_EMPTY;
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
    size_t n = target->n_backends;
    int rc;

    if (n > sizeof backends / sizeof backends[0])
        abort();  /* a target listing more backends than any build has */
    n = target_backends(target, backends, sizeof backends / sizeof backends[0]);
    if (target->force_profile)
        force_profile(t, target->profile);

    /* rc 2 (a backend could not run an operation) is reported like a
     * divergence: the comparison was lost, which is a harness bug. */
    trace_drop_unsupported(t, backends, n);
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
        force_profile(t, target->profile);
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

/* What fuzz_check_trace's observer found on one backend. */
typedef struct check_verdict {
    const char *status;  /* "pass", "fail", "error" */
    int line;
    char detail[1024];
} check_verdict;

static int check_observe(void *ctx, run_step *s)
{
    check_verdict *v = ctx;
    if (s->op == NULL) {
        v->status = "error";
        snprintf(v->detail, sizeof v->detail, "%s",
                 s->open_failure ? s->open_failure : "no address space for this trace's profile");
        return RUN_STOP;
    }
    if (s->executed && !s->res->unsupported && s->holds && s->check_failed == NULL)
        return RUN_CONTINUE;
    v->line = s->op->line;
    if (!s->executed || s->res->unsupported) {
        v->status = "error";
        snprintf(v->detail, sizeof v->detail, "cannot perform this operation");
    } else if (!s->holds) {
        v->status = "fail";
        run_step_describe(s, v->detail, sizeof v->detail);
    } else {
        v->status = "error";
        snprintf(v->detail, sizeof v->detail, "self-check failed: %s", s->check_failed);
    }
    return RUN_STOP;
}

int fuzz_check_trace(const fuzz_target *target, trace *t, FILE *out)
{
    const backend *backends[8];
    size_t n, i;
    int failed = 0;

    if (target->n_backends > sizeof backends / sizeof backends[0])
        abort();
    n = target_backends(target, backends, sizeof backends / sizeof backends[0]);
    if (target->force_profile)
        force_profile(t, target->profile);
    for (i = 0; i < n; i++) {
        check_verdict v = {"pass", 0, ""};
        run_observer obs = {check_observe, &v};
        run_trace_ex(backends[i], t, &obs);
        if (v.line > 0)
            fprintf(out, "CHECK %s %s %d %s\n", backends[i]->name, v.status, v.line, v.detail);
        else
            fprintf(out, "CHECK %s %s%s%s\n", backends[i]->name, v.status, *v.detail ? " 0 " : "", v.detail);
        failed += v.status[0] != 'p';
    }
    fflush(out);
    return failed;
}
