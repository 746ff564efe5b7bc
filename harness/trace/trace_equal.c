/*
 * trace_equal.c - structural equality of two traces, the meaning of "the
 * same trace" in the round-trip promises (parse(print(t)) == t,
 * decode(encode(t)) == t). Field by field, never memcmp: structs have
 * padding, and fields that do not apply to an operation are ignored.
 */
#include <string.h>
#include "trace_internal.h"

static int same_string(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int same_strings(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!same_string(a[i], b[i]))
            return 0;
    return 1;
}

static int same_expr(trace_expr a, trace_expr b)
{
    return a.name == b.name && a.offset == b.offset;
}

static int same_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

static int same_expect(const trace_expect *a, const trace_expect *b)
{
    if (a->kind != b->kind || a->has_count != b->has_count || (a->has_count && a->count != b->count))
        return 0;
    switch (a->kind) {
    case EXPECT_NONE:
    case EXPECT_NONZERO:
        return 1;
    case EXPECT_VALUE:
        return same_expr(a->value, b->value) && a->has_old == b->has_old &&
               (!a->has_old || a->old == b->old) && a->has_error == b->has_error &&
               (!a->has_error || a->error == b->error);
    case EXPECT_PAGES:
        if (a->n_pages != b->n_pages)
            return 0;
        for (size_t i = 0; i < a->n_pages; i++)
            if (!same_expr(a->pages[i], b->pages[i]))
                return 0;
        return 1;
    case EXPECT_FAIL:
        return a->has_error == b->has_error && a->error == b->error &&
               a->has_old == b->has_old && (!a->has_old || a->old == b->old);
    case EXPECT_QUERY: {
        unsigned f = a->query_fields;
        return f == b->query_fields &&
               (!(f & QF_BASE) || same_expr(a->q_base, b->q_base)) &&
               (!(f & QF_ALLOC_BASE) || same_expr(a->q_alloc_base, b->q_alloc_base)) &&
               (!(f & QF_ALLOC_PROTECT) || a->q_alloc_protect == b->q_alloc_protect) &&
               (!(f & QF_SIZE) || a->q_size == b->q_size) &&
               (!(f & QF_STATE) || a->q_state == b->q_state) &&
               (!(f & QF_PROTECT) || a->q_protect == b->q_protect) &&
               (!(f & QF_TYPE) || a->q_type == b->q_type) &&
               (!(f & QF_RET) || a->q_ret == b->q_ret);
    }
    case EXPECT_ACCESS:
        if (a->status != b->status)
            return 0;
        if (a->status == VAS_STATUS_INVALID_HANDLE)
            return 1;
        if (a->status != VAS_STATUS_SUCCESS)
            return same_expr(a->at, b->at);
        return a->has_data == b->has_data &&
               (!a->has_data || same_bytes(a->data, a->data_len, b->data, b->data_len));
    }
    return 0;
}

static int same_op(const trace_op *a, const trace_op *b)
{
    if (a->code != b->code || a->result != b->result || !same_expect(&a->expect, &b->expect) ||
        a->has_process != b->has_process || (a->has_process && !same_expr(a->process, b->process)))
        return 0;
    switch (a->code) {
    case TRACE_ALLOC:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size) &&
               a->type == b->type && a->protect == b->protect;
    case TRACE_FREE:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size) && a->type == b->type;
    case TRACE_PROTECT:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size) &&
               a->protect == b->protect && a->null_old == b->null_old;
    case TRACE_QUERY:
        return same_expr(a->addr, b->addr) && a->has_len == b->has_len &&
               (!a->has_len || a->query_len == b->query_len);
    case TRACE_READ:
        return same_expr(a->addr, b->addr) && a->len == b->len;
    case TRACE_WRITE:
        return same_expr(a->addr, b->addr) && same_bytes(a->data, a->len, b->data, b->len);
    case TRACE_EXEC:
        return same_expr(a->addr, b->addr);
    case TRACE_SETERR:
        return a->value == b->value;
    case TRACE_GETERR:
    case TRACE_CHARGE:
    case TRACE_WSMIN:
    case TRACE_WSMAX:
    case TRACE_LOCKED:
        return 1;
    case TRACE_WATCH:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size) &&
               a->flags == b->flags && a->nulls == b->nulls && a->max == b->max;
    case TRACE_RESETWATCH:
    case TRACE_LOCK:
    case TRACE_UNLOCK:
    case TRACE_WSSET:
    case TRACE_ISBADREAD:
    case TRACE_ISBADWRITE:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size);
    case TRACE_ISBADCODE:
    case TRACE_UNMAP:
        return same_expr(a->addr, b->addr);
    case TRACE_SECTION:
        return same_expr(a->size, b->size) && a->protect == b->protect && a->type == b->type;
    case TRACE_MAP:
        return same_expr(a->handle, b->handle) && a->flags == b->flags &&
               same_expr(a->offset, b->offset) && same_expr(a->size, b->size) &&
               same_expr(a->addr, b->addr);
    case TRACE_ALLOC2:
    case TRACE_MAP3:
        return same_expr(a->handle, b->handle) && same_expr(a->process, b->process) &&
               same_expr(a->addr, b->addr) && same_expr(a->offset, b->offset) &&
               same_expr(a->size, b->size) && a->type == b->type && a->protect == b->protect &&
               a->ext.shape == b->ext.shape && same_expr(a->ext.lowest, b->ext.lowest) &&
               same_expr(a->ext.highest, b->ext.highest) && a->ext.align == b->ext.align;
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
        return same_expr(a->process, b->process) && same_expr(a->addr, b->addr) && a->flags == b->flags;
    case TRACE_ISBADSTR:
        return same_expr(a->addr, b->addr) && same_expr(a->size, b->size) && a->flags == b->flags;
    case TRACE_THREAD:
        return same_expr(a->size, b->size) && a->flags == b->flags;
    case TRACE_THREAD_EXIT:
        return same_expr(a->thread, b->thread);
    case TRACE_GUARANTEE:
        return same_expr(a->thread, b->thread) && same_expr(a->size, b->size);
    case TRACE_TOUCH:
        return same_expr(a->thread, b->thread) && same_expr(a->addr, b->addr) &&
               a->flags == b->flags;
    case TRACE_BULKALLOC:
        return a->max == b->max && same_expr(a->size, b->size) && a->type == b->type &&
               a->protect == b->protect;
    case TRACE_BULKFREE:
        return same_expr(a->addr, b->addr) && a->max == b->max && a->stride == b->stride;
    case TRACE_PROCESS:
        return 1;
    case TRACE_CLOSE:
        return same_expr(a->process, b->process);
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        return same_expr(a->process, b->process) && same_expr(a->addr, b->addr) &&
               same_expr(a->buf, b->buf) && same_expr(a->size, b->size);
    }
    return 0;
}

int trace_equal(const trace *a, const trace *b)
{
    if (!same_string(a->case_name, b->case_name) || a->profile != b->profile ||
        a->commit_limit != b->commit_limit || a->layout != b->layout ||
        a->aslr_seed != b->aslr_seed ||
        !same_strings(a->sources, a->n_sources, b->sources, b->n_sources) ||
        !same_strings(a->wine_deviates, a->n_wine_deviates, b->wine_deviates,
                      b->n_wine_deviates) ||
        !same_strings(a->model_only, a->n_model_only, b->model_only, b->n_model_only) ||
        !same_strings(a->names, a->n_names, b->names, b->n_names) || a->n_ops != b->n_ops)
        return 0;
    for (size_t i = 0; i < a->n_ops; i++)
        if (!same_op(&a->ops[i], &b->ops[i]))
            return 0;
    return 1;
}
