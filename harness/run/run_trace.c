/*
 * run_trace.c - the one loop that runs a trace on one backend, and its
 * printing observer (`vastrace run`). `check` and `record` drive the same
 * loop with observers of their own, so every single-backend path executes,
 * checks, binds and self-checks in the same order (run.h).
 */
#include <string.h>
#include "harness/compare.h"
#include "harness/run.h"

const struct region_map *run_step_map(run_step *s)
{
    if (s->map_walked == 0)
        s->map_walked = region_map_walk(s->run, s->map) == 0 ? 1 : -1;
    return s->map_walked == 1 ? s->map : NULL;
}

const char *run_step_describe(run_step *s, char *buf, size_t len)
{
    return op_result_describe(s->run, run_step_map(s), s->op, s->res, buf, len);
}

int run_trace_ex(const backend *b, const trace *t, const run_observer *obs)
{
    backend_run r;
    region_map map = {0};
    op_result res = {0};
    run_step s = {0};
    int rc = 0;

    s.t = t;
    s.run = &r;
    s.map = &map;
    int open_rc = backend_run_open(&r, b, t);
    if (open_rc != 0) {
        s.open_failure = open_rc == -1 ? NULL : r.failure;
        obs->step(obs->ctx, &s);
        return 2;
    }
    for (size_t i = 0; i < t->n_ops; i++) {
        char msg[512];
        s.index = i;
        s.op = &t->ops[i];
        s.res = &res;
        s.map_walked = 0;
        s.check_failed = NULL;
        s.executed = op_execute(&r, s.op, &res) == 0;
        s.holds = 1;
        if (s.executed && !res.unsupported) {
            s.holds = expect_check(&r, s.op, &res);
            op_bind_result(&r, s.op, &res);
            if (b->check != NULL && b->check(r.self, msg, sizeof msg) != 0) {
                msg[sizeof msg - 1] = '\0';
                s.check_failed = msg;
            }
        }
        int stop = obs->step(obs->ctx, &s) == RUN_STOP;
        if (!s.holds && rc < 1)
            rc = 1;
        if (((!s.executed || res.unsupported) && stop) || s.check_failed) {
            rc = 2;
            break;
        }
        if (stop)
            break;
    }
    op_result_clear(&res);
    region_map_free(&map);
    backend_run_close(&r);
    return rc;
}

/* ---- `vastrace run`: every operation and its result ------------------- */

static int print_step(void *ctx, run_step *s)
{
    FILE *out = ctx;
    const backend *b = s->run->b;
    if (s->op == NULL) {
        if (s->open_failure)
            fprintf(out, "%s\n", s->open_failure);
        else
            fprintf(out, "%s: cannot create an address space for this trace\n", b->name);
        return RUN_STOP;
    }
    char text[4096], expected[2048], actual[2048];
    /* The full canonical line, expectation included; the split form is for
     * the failure message. */
    trace_print_op(s->t, s->op, text, sizeof text);
    fprintf(out, "%s\n", text);
    if (!s->executed) {
        fprintf(out, "  %s cannot perform this operation\n", b->name);
        return RUN_STOP;
    }
    if (s->res->unsupported) {
        fprintf(out, "  => unsupported by %s\n", b->name);
        return RUN_CONTINUE;
    }
    op_print_split(s->t, s->op, text, sizeof text, expected, sizeof expected);
    run_step_describe(s, actual, sizeof actual);
    fprintf(out, "  => %s\n", actual);
    if (!s->holds)
        fprintf(out, "FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n",
                s->t->file ? s->t->file : "<trace>", s->op->line, text, expected, actual);
    if (s->check_failed)
        fprintf(out, "  %s self-check failed: %s\n", b->name, s->check_failed);
    return RUN_CONTINUE;
}

/* Silent: only the status counts. */
static int quiet_step(void *ctx, run_step *s)
{
    (void)ctx;
    return s->op == NULL || !s->executed ? RUN_STOP : RUN_CONTINUE;
}

int run_trace(const backend *b, const trace *t, FILE *out)
{
    run_observer obs = {out ? print_step : quiet_step, out};
    return run_trace_ex(b, t, &obs);
}
