/*
 * diff_trace.c - runs one trace on several backends in lockstep and stops at
 * the first operation after which they disagree: in a result, in last-error,
 * in the commit charge, in the memory map, or in a backend's self-check.
 *
 * The first backend is the reference every other one is compared with. The
 * report is written to be acted on: the trace up to the diverging operation
 * as runnable text, each backend's answer, each backend's region table.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/diff.h"

/* One backend's state in the lockstep run. */
typedef struct lane {
    backend_run run;
    op_result res;
    region_map map;
    uint64_t charge;
    int check_failed;
    char check_msg[512];
} lane;

/* Runs op on every lane. Returns -1 (and the failing lane in *bad) when a
 * backend cannot perform it. */
static int lanes_execute(lane *lanes, size_t n, const trace_op *op, diff_timing *timing, size_t *bad)
{
    size_t k;
    for (k = 0; k < n; k++) {
        double t0 = timing && timing->clock ? timing->clock() : 0;
        int rc = op_execute(&lanes[k].run, op, &lanes[k].res);
        if (timing && timing->clock && timing->seconds)
            timing->seconds[k] += timing->clock() - t0;
        if (rc != 0) {
            *bad = k;
            return -1;
        }
    }
    return 0;
}

/* After an op: bindings, map, charge, self-check of every lane. */
static int lanes_observe(lane *lanes, size_t n, const trace_op *op)
{
    size_t k;
    for (k = 0; k < n; k++) {
        lane *l = &lanes[k];
        const backend *b = l->run.b;
        op_bind_result(&l->run, op, &l->res);
        if (region_map_walk(&l->run, &l->map) != 0)
            return -1;
        l->charge = b->commit_charge ? b->commit_charge(l->run.self) : 0;
        l->check_msg[0] = '\0';
        l->check_failed = b->check != NULL && b->check(l->run.self, l->check_msg, sizeof l->check_msg) != 0;
        l->check_msg[sizeof l->check_msg - 1] = '\0';
    }
    return 0;
}

/* Compares every lane with lane 0; 1 with a description when one differs. */
static int lanes_differ(const lane *lanes, size_t n, const trace_op *op, char *desc, size_t len)
{
    size_t k;
    for (k = 0; k < n; k++) {
        if (lanes[k].check_failed) {
            snprintf(desc, len, "%s self-check failed: %s", lanes[k].run.b->name, lanes[k].check_msg);
            return 1;
        }
    }
    for (k = 1; k < n; k++) {
        const lane *a = &lanes[0], *b = &lanes[k];
        if (op_result_compare(&a->run, &a->map, &a->res, &b->run, &b->map, &b->res, op, desc, len))
            return 1;
        if (a->run.b->commit_charge && b->run.b->commit_charge && a->charge != b->charge) {
            snprintf(desc, len, "commit charge differs: %s 0x%" PRIX64 ", %s 0x%" PRIX64,
                     a->run.b->name, a->charge, b->run.b->name, b->charge);
            return 1;
        }
        if (region_map_compare(&a->run, &a->map, &b->run, &b->map, desc, len))
            return 1;
    }
    return 0;
}

static void report_divergence(const lane *lanes, size_t n, const trace *t, size_t at,
                              const char *desc, FILE *out)
{
    trace prefix = *t;
    char *text;
    char op_text[4096], expected[2048], actual[2048];
    size_t k;

    prefix.n_ops = at + 1;
    text = trace_print(&prefix);
    op_print_split(t, &t->ops[at], op_text, sizeof op_text, expected, sizeof expected);
    fprintf(out, "DIVERGENCE at op %zu of %zu", at + 1, t->n_ops);
    if (t->ops[at].line > 0)
        fprintf(out, " (%s:%d)", t->file ? t->file : "<trace>", t->ops[at].line);
    fprintf(out, ": %s\n\n", desc);
    fprintf(out, "--- trace up to the diverging op ---\n%s", text ? text : "(could not print the trace)\n");
    free(text);
    fprintf(out, "--- results of: %s\n", op_text);
    for (k = 0; k < n; k++) {
        const lane *l = &lanes[k];
        op_result_describe(&l->run, &l->map, &t->ops[at], &l->res, actual, sizeof actual);
        fprintf(out, "  %-8s -> %s   (last error %" PRIu32, l->run.b->name, actual, l->res.error);
        if (l->run.b->commit_charge)
            fprintf(out, ", charge 0x%" PRIX64, l->charge);
        fprintf(out, ")\n");
    }
    for (k = 0; k < n; k++) {
        fprintf(out, "--- %s region table ---\n", lanes[k].run.b->name);
        region_map_print(&lanes[k].map, out, "  ");
    }
}

/* The backend whose alloc failed with NOT_ENOUGH_MEMORY where another
 * backend's succeeded, or NULL. */
static const backend *lanes_refusal(const lane *lanes, size_t n, const trace_op *op)
{
    size_t k, refused = n;
    int succeeded = 0;
    if (op->code != TRACE_ALLOC)
        return NULL;
    for (k = 0; k < n; k++) {
        if (lanes[k].res.value != 0)
            succeeded = 1;
        else if (lanes[k].res.error == VAS_ERROR_NOT_ENOUGH_MEMORY && refused == n)
            refused = k;
    }
    return succeeded && refused < n ? lanes[refused].run.b : NULL;
}

int diff_trace_ex(const backend *const *backends, size_t n, const trace *t, FILE *out,
                  diff_outcome *outcome, diff_timing *timing)
{
    lane *lanes = calloc(n ? n : 1, sizeof *lanes);
    size_t i, k, opened = 0, bad = 0;
    int rc = 0;
    diff_outcome local;

    if (outcome == NULL)
        outcome = &local;
    outcome->at = t->n_ops;
    outcome->what[0] = '\0';
    outcome->refused = NULL;
    outcome->no_space = NULL;
    if (lanes == NULL)
        return 2;
    for (k = 0; k < n; k++, opened++) {
        if (backend_run_open(&lanes[k].run, backends[k], t) != 0) {
            snprintf(outcome->what, sizeof outcome->what,
                     "%s: cannot create an address space for this trace", backends[k]->name);
            outcome->no_space = backends[k];
            if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = 2;
            break;
        }
    }
    for (i = 0; i < t->n_ops && rc == 0; i++) {
        const trace_op *op = &t->ops[i];
        if (lanes_execute(lanes, n, op, timing, &bad) != 0 || lanes_observe(lanes, n, op) != 0) {
            snprintf(outcome->what, sizeof outcome->what, "%s cannot perform op %zu (or out of memory)",
                     backends[bad]->name, i + 1);
            if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = 2;
        } else if (lanes_differ(lanes, n, op, outcome->what, sizeof outcome->what)) {
            outcome->refused = lanes_refusal(lanes, n, op);
            if (out)
                report_divergence(lanes, n, t, i, outcome->what, out);
            rc = 1;
        }
        if (rc != 0)
            outcome->at = i;
    }
    for (k = 0; k < opened; k++) {
        op_result_clear(&lanes[k].res);
        region_map_free(&lanes[k].map);
        backend_run_close(&lanes[k].run);
    }
    free(lanes);
    return rc;
}

int diff_trace(const backend *const *backends, size_t n, const trace *t, FILE *out)
{
    return diff_trace_ex(backends, n, t, out, NULL, NULL);
}
