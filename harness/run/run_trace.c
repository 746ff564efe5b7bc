/*
 * run_trace.c - runs a trace on one backend, printing every operation and
 * what it produced, and checking the expectations as it goes.
 */
#include <string.h>
#include "harness/diff.h"

int run_trace(const backend *b, const trace *t, FILE *out)
{
    backend_run r;
    region_map map = {0};
    op_result res = {0};
    int rc = 0;
    size_t i;

    int open_rc = backend_run_open(&r, b, t);
    if (open_rc != 0) {
        if (out && open_rc == -1)
            fprintf(out, "%s: cannot create an address space for this trace\n", b->name);
        else if (out)
            fprintf(out, "%s\n", r.failure);
        return 2;
    }
    for (i = 0; i < t->n_ops && rc != 2; i++) {
        const trace_op *op = &t->ops[i];
        char text[4096], expected[2048], actual[2048], msg[512];
        int holds;

        /* The full canonical line, expectation included; the split form
         * is for the failure message. */
        trace_print_op(t, op, text, sizeof text);
        if (out)
            fprintf(out, "%s\n", text);
        op_print_split(t, op, text, sizeof text, expected, sizeof expected);
        if (op_execute(&r, op, &res) != 0) {
            if (out)
                fprintf(out, "  %s cannot perform this operation\n", b->name);
            rc = 2;
            break;
        }
        if (res.unsupported) {
            if (out)
                fprintf(out, "  => unsupported by %s\n", b->name);
            continue;
        }
        holds = expect_check(&r, op, &res);
        op_bind_result(&r, op, &res);
        if (region_map_walk(&r, &map) != 0) {
            rc = 2;
            break;
        }
        op_result_describe(&r, &map, op, &res, actual, sizeof actual);
        if (out)
            fprintf(out, "  => %s\n", actual);
        if (!holds) {
            if (out)
                fprintf(out, "FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n",
                        t->file ? t->file : "<trace>", op->line, text, expected, actual);
            rc = 1;
        }
        if (b->check != NULL && b->check(r.self, msg, sizeof msg) != 0) {
            if (out)
                fprintf(out, "  %s self-check failed: %s\n", b->name, msg);
            rc = 2;
        }
    }
    op_result_clear(&res);
    region_map_free(&map);
    backend_run_close(&r);
    return rc;
}
