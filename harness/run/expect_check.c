/*
 * expect_check.c - decides whether one operation's result meets the
 * expectation written after it ("-> ..."), as `vastrace check` and the
 * conformance runner read it.
 */
#include <string.h>
#include "harness/run.h"

static int query_holds(const backend_run *r, const trace_expect *x, const op_result *res)
{
    const vas_mbi *m = &res->mbi;
    unsigned f = x->query_fields;
    if (res->value == 0)  /* "{...}" expects success */
        return 0;
    return (!(f & QF_BASE) || m->base_address == backend_run_eval(r, x->q_base))
        && (!(f & QF_ALLOC_BASE) || m->allocation_base == backend_run_eval(r, x->q_alloc_base))
        && (!(f & QF_ALLOC_PROTECT) || m->allocation_protect == x->q_alloc_protect)
        && (!(f & QF_SIZE) || m->region_size == x->q_size)
        && (!(f & QF_STATE) || m->state == x->q_state)
        && (!(f & QF_PROTECT) || m->protect == x->q_protect)
        && (!(f & QF_TYPE) || m->type == x->q_type)
        && (!(f & QF_RET) || res->value == x->q_ret);
}

static int access_holds(const backend_run *r, const trace_expect *x, const op_result *res)
{
    if (res->status != x->status)
        return 0;
    if (res->status == VAS_STATUS_INVALID_HANDLE)   /* NOTHREAD: no access was made */
        return 1;
    if (res->status != VAS_STATUS_SUCCESS)
        return res->fault == backend_run_eval(r, x->at);
    if (x->has_data)
        return res->data_len == x->data_len
            && (x->data_len == 0 || memcmp(res->data, x->data, x->data_len) == 0);
    return 1;
}

/* watch: success, and exactly these pages in this order. */
static int pages_hold(const backend_run *r, const trace_expect *x, const op_result *res)
{
    if (res->value != 0 || res->n_pages != x->n_pages)
        return 0;
    for (size_t i = 0; i < x->n_pages; i++)
        if (res->pages[i] != backend_run_eval(r, x->pages[i]))
            return 0;
    return 1;
}

int expect_check(const backend_run *r, const trace_op *op, const op_result *res)
{
    const trace_expect *x = &op->expect;
    int holds = 1;
    switch (x->kind) {
    case EXPECT_NONE:
        return 1;
    case EXPECT_VALUE:
        holds = res->value == backend_run_eval(r, x->value);
        break;
    case EXPECT_NONZERO:
        holds = res->value != 0;
        break;
    case EXPECT_FAIL:
        holds = res->value == 0;
        break;
    case EXPECT_QUERY:
        holds = query_holds(r, x, res);
        break;
    case EXPECT_ACCESS:
        holds = access_holds(r, x, res);
        break;
    case EXPECT_PAGES:
        holds = pages_hold(r, x, res);
        break;
    }
    if (x->has_error && res->error != x->error)
        holds = 0;
    if (x->has_old && res->old != x->old)
        holds = 0;
    if (x->has_count && res->aux != x->count)
        holds = 0;
    return holds;
}

void op_print_split(const trace *t, const trace_op *op, char *op_text, size_t op_len,
                    char *expected, size_t expected_len)
{
    char line[4096];
    char *arrow;
    trace_print_op(t, op, line, sizeof line);
    line[sizeof line - 1] = '\0';
    arrow = strstr(line, " -> ");
    if (arrow != NULL) {
        *arrow = '\0';
        snprintf(expected, expected_len, "%s", arrow + 4);
    } else if (expected_len > 0) {
        expected[0] = '\0';
    }
    snprintf(op_text, op_len, "%s", line);
}
