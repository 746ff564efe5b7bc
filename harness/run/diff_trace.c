/*
 * diff_trace.c - runs one trace on several backends in lockstep and stops at
 * the first operation after which they disagree: in a result, in last-error,
 * in the commit charge, in the memory map, or in a backend's self-check.
 *
 * The first backend is the reference every other one is compared with. The
 * report is written to be acted on: the trace up to the diverging operation
 * as runnable text, each backend's answer, each backend's region table.
 *
 * The memory map is compared by a full walk now and then (diff_policy) and
 * by a sample in between: the pages around what the op touched and a few
 * random regions, so a long trace's ops cost the same as a short one's.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"
#include "harness/space_map.h"

#define PAGE 0x1000u
#define PROBES_MAX 16   /* random regions per op, at most */

const diff_policy DIFF_SAMPLED = {256, 2, 1};
const diff_policy DIFF_WALK_EVERY_OP = {1, 0, 0};

/* One backend's state in the lockstep run. */
typedef struct lane {
    backend_run run;
    op_result res;
    region_map map;        /* as of the last full walk */
    region_sample sample;  /* after this op, when it was not walked */
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

/* After an op: bindings, charge, self-check of every lane. */
static void lanes_observe(lane *lanes, size_t n, const trace_op *op)
{
    size_t k;
    for (k = 0; k < n; k++) {
        lane *l = &lanes[k];
        const backend *b = l->run.b;
        op_bind_result(&l->run, op, &l->res);
        l->charge = b->commit_charge ? b->commit_charge(l->run.self) : 0;
        l->check_msg[0] = '\0';
        l->check_failed = b->check != NULL && b->check(l->run.self, l->check_msg, sizeof l->check_msg) != 0;
        l->check_msg[sizeof l->check_msg - 1] = '\0';
    }
}

int diff_walk_due(const diff_policy *p, size_t i, size_t n_ops)
{
    size_t done = i + 1;
    if (p->walk_every <= 1 || done == n_ops)
        return 1;
    if (done < p->walk_every)
        return (done & (done - 1)) == 0;  /* 1, 2, 4, ...: small maps are cheap to walk */
    return done % p->walk_every == 0;
}

/* The map after an op: walked in full on every lane (then each region is
 * also queried from inside), or sampled at the same addresses on every
 * lane. Returns 0, 1 with desc when a lane's interior check fails, -1 out
 * of memory. */
static int lanes_look(lane *lanes, size_t n, const diff_policy *p, int walk, const uint64_t *window,
                      uint64_t *rng, char *desc, size_t len, size_t *bad)
{
    uint64_t addrs[3 * PROBES_MAX];
    size_t k, i, n_addrs = 0;
    if (walk) {
        for (k = 0; k < n; k++) {
            if (region_map_walk(&lanes[k].run, &lanes[k].map) != 0)
                return -1;
            if (p->interior && region_map_check_interior(&lanes[k].run, &lanes[k].map, rng, desc, len)) {
                *bad = k;
                return 1;
            }
        }
        return 0;
    }
    for (i = 0; i < p->probes && i < PROBES_MAX; i++)
        n_addrs += region_sample_pick(&lanes[0].map, rng, addrs + n_addrs, 3);
    for (k = 0; k < n; k++)
        if (region_sample_take(&lanes[k].run, window, addrs, n_addrs, &lanes[k].sample) != 0)
            return -1;
    return 0;
}

/* Lanes a and b agree on op: result, charge, map (walked or sampled), and
 * neither failed its self-check. */
static int lanes_agree(const lane *a, const lane *b, const trace_op *op, int walked)
{
    char scratch[256];
    if (a->check_failed || b->check_failed)
        return 0;
    if (op_result_compare(&a->run, &a->map, &a->res, &b->run, &b->map, &b->res, op, scratch, sizeof scratch))
        return 0;
    if (a->run.b->commit_charge && b->run.b->commit_charge && a->charge != b->charge)
        return 0;
    return walked ? !region_map_compare(&a->run, &a->map, &b->run, &b->map, scratch, sizeof scratch)
                  : !region_sample_compare(&a->run, &a->sample, &b->run, &b->sample, scratch, sizeof scratch);
}

/* The majority vote at a divergence: with three or more lanes, the one
 * lane every other disagrees with while they all agree among themselves,
 * else NULL (no majority, or two lanes only: nothing to vote with). */
static const backend *lanes_vote(const lane *lanes, size_t n, const trace_op *op, int walked)
{
    size_t odd, i, j;
    if (n < 3)
        return NULL;
    for (odd = 0; odd < n; odd++) {
        int others_agree = 1, odd_alone = 1;
        for (i = 0; i < n && others_agree; i++)
            for (j = i + 1; j < n && others_agree; j++)
                if (i != odd && j != odd)
                    others_agree = lanes_agree(&lanes[i], &lanes[j], op, walked);
        for (i = 0; i < n && others_agree && odd_alone; i++)
            if (i != odd)
                odd_alone = !lanes_agree(&lanes[odd], &lanes[i], op, walked);
        if (others_agree && odd_alone)
            return lanes[odd].run.b;
    }
    return NULL;
}

/* Compares every lane with lane 0 (maps walked, or sampled); 1 with a
 * description when one differs. */
static int lanes_differ(const lane *lanes, size_t n, const trace_op *op, int walked, char *desc, size_t len)
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
        if (a->res.unsupported || b->res.unsupported)
            continue;  /* a backend without this operation: nothing to compare */
        if (op_result_compare(&a->run, &a->map, &a->res, &b->run, &b->map, &b->res, op, desc, len))
            return 1;
        if (a->run.b->commit_charge && b->run.b->commit_charge && a->charge != b->charge) {
            snprintf(desc, len, "commit charge differs: %s 0x%" PRIX64 ", %s 0x%" PRIX64,
                     a->run.b->name, a->charge, b->run.b->name, b->charge);
            return 1;
        }
        if (walked ? region_map_compare(&a->run, &a->map, &b->run, &b->map, desc, len)
                   : region_sample_compare(&a->run, &a->sample, &b->run, &b->sample, desc, len))
            return 1;
    }
    return 0;
}

/* The map as it was just before the diverging op, on the first backend:
 * the trace's first `at` ops run again on a fresh space (every backend is
 * deterministic, and before op `at` all of them agreed). */
static void report_map_before(const backend *b, const trace *t, size_t at, FILE *out)
{
    space_map before;
    char err[512];
    int rc = space_map_at(b, t, at, &before, err, sizeof err);
    fprintf(out, "--- map before op %zu, on %s (vastrace map --at %zu) ---\n", at + 1, b->name, at);
    if (rc != 0) {
        fprintf(out, "  (no map: %s)\n", rc == -1 ? "out of memory" : err);
        return;
    }
    space_map_print(&before, out, "  ");
    space_map_free(&before);
}

static void report_divergence(const lane *lanes, size_t n, const trace *t, size_t at,
                              const char *desc, const backend *blamed, FILE *out)
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
    fprintf(out, ": %s\n", desc);
    if (blamed != NULL)
        fprintf(out, "odd one out: %s (the other %zu backends agree)\n", blamed->name, n - 1);
    fprintf(out, "\n");
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
    /* Last, so that a report's tail (what a campaign keeps) holds it. */
    report_map_before(lanes[0].run.b, t, at, out);
}

static void report_backend_failure(const trace *t, const char *what, FILE *out)
{
    char *text = trace_print(t);
    fprintf(out, "BACKEND FAILURE: %s\n\n--- the trace ---\n%s", what,
            text ? text : "(could not print the trace)\n");
    free(text);
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

int diff_trace_policy(const backend *const *backends, size_t n, const trace *t, FILE *out,
                      diff_outcome *outcome, diff_timing *timing, const diff_policy *policy)
{
    lane *lanes = calloc(n ? n : 1, sizeof *lanes);
    size_t i, k, opened = 0, bad = 0, inside_bad = 0;
    int rc = 0, shape = 0;
    uint64_t rng = 0x9E3779B97F4A7C15u;  /* the same probes on every run of t */
    diff_outcome local;

    if (policy == NULL)
        policy = &DIFF_SAMPLED;
    if (outcome == NULL)
        outcome = &local;
    outcome->at = t->n_ops;
    outcome->what[0] = '\0';
    outcome->refused = NULL;
    outcome->no_space = NULL;
    outcome->backend_failed = NULL;
    outcome->blamed = NULL;
    if (lanes == NULL)
        return 2;
    for (k = 0; k < n; k++, opened++) {
        int open_rc = backend_run_open(&lanes[k].run, backends[k], t);
        if (open_rc == -1) {
            snprintf(outcome->what, sizeof outcome->what,
                     "%s: cannot create an address space for this trace", backends[k]->name);
            outcome->no_space = backends[k];
            if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = 2;
            break;
        }
        if (open_rc != 0) {
            /* A server that crashed or hung on this trace: the trace is
             * the finding. A broken server is an error. */
            snprintf(outcome->what, sizeof outcome->what, "%s", lanes[k].run.failure);
            outcome->backend_failed = backends[k];
            if (out && open_rc == -2)
                report_backend_failure(t, outcome->what, out);
            else if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = open_rc == -2 ? 1 : 2;
            break;
        }
        /* Addresses differ by backend: samples at one address would not compare. */
        shape |= k > 0 && compare_by_shape(&lanes[0].run, &lanes[k].run);
    }
    for (i = 0; i < t->n_ops && rc == 0; i++) {
        const trace_op *op = &t->ops[i];
        uint64_t addr = opened ? backend_run_eval(&lanes[0].run, op->addr) : 0;
        uint64_t size = opened ? backend_run_eval(&lanes[0].run, op->size) : 0;
        uint64_t window[2], whole[2] = {0, 0};
        int walk = 1, look = 0;
        if (op->code == TRACE_FREE && size == 0 && opened && !shape)
            region_allocation_extent(&lanes[0].run, addr, whole);
        if (lanes_execute(lanes, n, op, timing, &bad) != 0) {
            snprintf(outcome->what, sizeof outcome->what, "%s cannot perform op %zu (or out of memory)",
                     backends[bad]->name, i + 1);
            if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = 2;
            outcome->at = i;
            break;
        }
        lanes_observe(lanes, n, op);
        if (!shape && !diff_walk_due(policy, i, t->n_ops))
            walk = op_window(op, addr, size, whole, &lanes[0].res, window) < 0;
        look = lanes_look(lanes, n, policy, walk, walk ? NULL : window, &rng,
                          outcome->what, sizeof outcome->what, &inside_bad);
        if (look < 0) {
            snprintf(outcome->what, sizeof outcome->what, "out of memory comparing op %zu", i + 1);
            if (out)
                fprintf(out, "%s\n", outcome->what);
            rc = 2;
        } else if (look > 0 || lanes_differ(lanes, n, op, walk, outcome->what, sizeof outcome->what)) {
            outcome->refused = lanes_refusal(lanes, n, op);
            /* A lane that fails its interior check is out on its own;
             * otherwise the lanes vote on what they compared. */
            outcome->blamed = look > 0 ? (n >= 3 ? lanes[inside_bad].run.b : NULL)
                                       : lanes_vote(lanes, n, op, walk);
            if (out) {
                for (k = 0; k < n && !walk; k++)  /* the report prints each region table */
                    region_map_walk(&lanes[k].run, &lanes[k].map);
                report_divergence(lanes, n, t, i, outcome->what, outcome->blamed, out);
            }
            rc = 1;
        }
        if (rc != 0)
            outcome->at = i;
    }
    for (k = 0; k < opened; k++) {
        op_result_clear(&lanes[k].res);
        region_map_free(&lanes[k].map);
        region_sample_free(&lanes[k].sample);
        backend_run_close(&lanes[k].run);
    }
    free(lanes);
    return rc;
}

int diff_trace_ex(const backend *const *backends, size_t n, const trace *t, FILE *out,
                  diff_outcome *outcome, diff_timing *timing)
{
    return diff_trace_policy(backends, n, t, out, outcome, timing, NULL);
}

int diff_trace(const backend *const *backends, size_t n, const trace *t, FILE *out)
{
    return diff_trace_ex(backends, n, t, out, NULL, NULL);
}
