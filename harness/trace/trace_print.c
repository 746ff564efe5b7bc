/*
 * trace_print.c - writes a trace in its canonical text form, the one
 * trace_parse reads back into the same trace.
 *
 * Canonical means one spelling per trace: numbers below 10 in decimal and
 * the rest in 0x hex (upper-case digits), constants by name in a fixed order
 * (RESERVE|COMMIT, READWRITE|GUARD) with unnamed bits as one trailing 0x
 * number, profile and commit-limit only when not the default, write data in
 * lower-case hex unless it is empty or at least 8 copies of one byte
 * (fill=BYTE*COUNT), and single spaces.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"

/* A growing string; on OOM it stops growing and remembers it. */
typedef struct sink {
    char *buf;
    size_t len, cap;
    int oom;
} sink;

static void put_n(sink *s, const char *text, size_t n)
{
    if (s->oom)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *p = realloc(s->buf, cap);
        if (!p) {
            s->oom = 1;
            return;
        }
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static void put(sink *s, const char *text)
{
    put_n(s, text, strlen(text));
}

static void put_number(sink *s, uint64_t v)
{
    char num[24];
    if (v < 10)
        snprintf(num, sizeof num, "%" PRIu64, v);
    else
        snprintf(num, sizeof num, "0x%" PRIX64, v);
    put(s, num);
}

static void put_const(sink *s, trace_const_kind kind, uint32_t v)
{
    char text[256];
    trace_const_format(kind, v, text, sizeof text);
    put(s, text);
}

static void put_expr(sink *s, const trace *t, trace_expr e)
{
    if (e.name < 0) {
        put_number(s, e.offset);
        return;
    }
    put(s, (size_t)e.name < t->n_names ? t->names[e.name] : "unbound_name");
    if (e.offset == 0)
        return;
    /* Offsets above 2^63 read better as a subtraction: a-1, not a+0xFFFF.... */
    if (e.offset > ((uint64_t)1 << 63)) {
        put(s, "-");
        put_number(s, (uint64_t)0 - e.offset);
    } else {
        put(s, "+");
        put_number(s, e.offset);
    }
}

static void put_data(sink *s, const uint8_t *data, size_t len)
{
    size_t same = 0;
    while (same < len && data[same] == data[0])
        same++;
    if (len == 0 || (len >= 8 && same == len)) {
        put(s, "fill=");
        put_number(s, len ? data[0] : 0);
        put(s, "*");
        put_number(s, len);
        return;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        char pair[2] = {digits[data[i] >> 4], digits[data[i] & 15]};
        put_n(s, pair, 2);
    }
}

static void put_query_fields(sink *s, const trace *t, const trace_expect *x)
{
    int first = 1;
#define FIELD(bit, label) \
    if (x->query_fields & (bit)) { put(s, first ? label : " " label); first = 0; } \
    if (x->query_fields & (bit))
    put(s, "{");
    FIELD(QF_BASE, "base=") put_expr(s, t, x->q_base);
    FIELD(QF_ALLOC_BASE, "alloc_base=") put_expr(s, t, x->q_alloc_base);
    FIELD(QF_ALLOC_PROTECT, "alloc_protect=") put_const(s, CONST_PROTECT, x->q_alloc_protect);
    FIELD(QF_SIZE, "size=") put_number(s, x->q_size);
    FIELD(QF_STATE, "state=") put_const(s, CONST_MEM_STATE, x->q_state);
    FIELD(QF_PROTECT, "protect=") put_const(s, CONST_PROTECT, x->q_protect);
    FIELD(QF_TYPE, "type=") put_const(s, CONST_MEM_STATE, x->q_type);
    FIELD(QF_RET, "ret=") put_number(s, x->q_ret);
#undef FIELD
    put(s, "}");
}

/* old=: the old protection (protect), or the old guarantee in bytes. */
static void put_old(sink *s, const trace_op *op, uint32_t old)
{
    put(s, " old=");
    if (op->code == TRACE_GUARANTEE)
        put_number(s, old);
    else
        put_const(s, CONST_PROTECT, old);
}

static void put_expectation(sink *s, const trace *t, const trace_op *op)
{
    const trace_expect *x = &op->expect;
    if (x->kind == EXPECT_NONE)
        return;
    put(s, " -> ");
    switch (x->kind) {
    case EXPECT_NONE:
        break;
    case EXPECT_VALUE:
        if (op->code == TRACE_GETERR && x->value.name < 0 && x->value.offset <= UINT32_MAX)
            put_const(s, CONST_ERROR, (uint32_t)x->value.offset);
        else
            put_expr(s, t, x->value);
        if (x->has_old)
            put_old(s, op, x->old);
        if (x->has_error) {
            put(s, " err=");
            put_const(s, CONST_ERROR, x->error);
        }
        break;
    case EXPECT_PAGES:
        put(s, "{");
        for (size_t i = 0; i < x->n_pages; i++) {
            if (i)
                put(s, " ");
            put_expr(s, t, x->pages[i]);
        }
        put(s, "}");
        break;
    case EXPECT_NONZERO:
        put(s, "nonzero");
        break;
    case EXPECT_FAIL:
        put(s, "0 err=");
        put_const(s, CONST_ERROR, x->error);
        if (x->has_old)
            put_old(s, op, x->old);
        break;
    case EXPECT_QUERY:
        put_query_fields(s, t, x);
        break;
    case EXPECT_ACCESS:
        if (x->status == VAS_STATUS_SUCCESS) {
            put(s, "ok");
            if (x->has_data) {
                put(s, " data=");
                put_data(s, x->data, x->data_len);
            }
            break;
        }
        if (x->status == VAS_STATUS_INVALID_HANDLE) {
            put(s, "NOTHREAD");
            break;
        }
        put(s, x->status == VAS_STATUS_GUARD_PAGE_VIOLATION ? "GUARD at="
               : x->status == VAS_STATUS_STACK_OVERFLOW ? "OVERFLOW at=" : "AV at=");
        put_expr(s, t, x->at);
        break;
    }
    if (x->has_count) {
        put(s, " n=");
        if (x->count == TRACE_COUNT_UNTOUCHED)
            put(s, "none");
        else
            put_number(s, x->count);
    }
}

/* Issue 13's operations: a word and the arguments it takes. */
static void put_memapi_op(sink *s, const trace *t, const trace_op *op)
{
    int i = 0;
    while (trace_memapi_ops[i].word && trace_memapi_ops[i].code != op->code)
        i++;
    put(s, trace_memapi_ops[i].word ? trace_memapi_ops[i].word : "?");
    unsigned args = trace_memapi_ops[i].args;
    if (op->code == TRACE_CLOSE || args == 4) {   /* PROCESS [ADDR BUF SIZE] */
        const trace_expr exprs[4] = {op->process, op->addr, op->buf, op->size};
        for (unsigned k = 0; k < (op->code == TRACE_CLOSE ? 1u : 4u); k++) {
            put(s, " ");
            put_expr(s, t, exprs[k]);
        }
        return;
    }
    if (args >= 1) {
        put(s, " ");
        put_expr(s, t, op->addr);
    }
    if (args >= 2) {
        put(s, " ");
        put_expr(s, t, op->size);
    }
    if (op->code == TRACE_WATCH) {
        if (op->flags & VAS_WRITE_WATCH_FLAG_RESET)
            put(s, " reset");
        if (op->flags & ~VAS_WRITE_WATCH_FLAG_RESET) {
            put(s, " flags=");
            put_number(s, op->flags);
        }
        if (op->max != TRACE_WATCH_DEFAULT_MAX) {
            put(s, " max=");
            put_number(s, op->max);
        }
        if (op->nulls & WATCH_NULL_COUNT)
            put(s, " nullcount");
        if (op->nulls & WATCH_NULL_GRAN)
            put(s, " nullgran");
        if (op->nulls & WATCH_NULL_ADDRS)
            put(s, " nulladdrs");
    }
    if (op->code == TRACE_ISBADSTR && op->flags == 2)
        put(s, " wide");
}

/* Whether an expression was written at all: an optional argument or REQ
 * word left out parses as no name and offset 0. */
static int expr_given(trace_expr x)
{
    return x.name >= 0 || x.offset != 0;
}

/* The REQ words after alloc2's and map3's arguments, only where they say
 * something. */
static void put_ext_words(sink *s, const trace *t, const trace_op *op)
{
    static const char *const shapes[] = {
        [TRACE_EXT_TWICE] = "twice", [TRACE_EXT_INVALID] = "invalid", [TRACE_EXT_MAX] = "max",
        [TRACE_EXT_NULL] = "null",
    };
    const trace_ext *e = &op->ext;
    int fields = expr_given(e->lowest) || expr_given(e->highest) || e->align != 0;
    if (expr_given(e->lowest)) {
        put(s, " lowest=");
        put_expr(s, t, e->lowest);
    }
    if (expr_given(e->highest)) {
        put(s, " highest=");
        put_expr(s, t, e->highest);
    }
    if (e->align != 0) {
        put(s, " align=");
        put_number(s, e->align);
    }
    if (e->shape == TRACE_EXT_REQ && !fields)
        put(s, " ext=req");
    else if (e->shape != TRACE_EXT_NONE && e->shape != TRACE_EXT_REQ) {
        put(s, " ext=");
        put(s, shapes[e->shape]);
    }
}

/* op by its form (trace_op_forms): the word, then each argument. */
static void put_form(sink *s, const trace *t, const trace_op *op, const op_form *f)
{
    put(s, f->word);
    for (const char *c = f->args; *c; c++) {
        if (*c == 'A' && !expr_given(op->addr))
            continue;
        put(s, " ");
        switch (*c) {
        case 'a': case 'A': put_expr(s, t, op->addr); break;
        case 's': put_expr(s, t, op->size); break;
        case 'h': put_expr(s, t, op->handle); break;
        case 'o': put_expr(s, t, op->offset); break;
        case 't': put_expr(s, t, op->thread); break;
        case 'p': put_expr(s, t, op->process); break;
        case 'T': put_const(s, CONST_MEM_TYPE, op->type); break;
        case 'S': put_const(s, CONST_SECTION, op->type); break;
        case 'Y': put_const(s, CONST_ALLOC2_TYPE, op->type); break;
        case 'P': put_const(s, CONST_PROTECT, op->protect); break;
        case 'E': put_const(s, CONST_ERROR, op->value); break;
        case 'F': put_const(s, CONST_FILE_MAP, op->flags); break;
        case 'U': put_const(s, CONST_UNMAP_FLAGS, op->flags); break;
        case 'n': put_number(s, op->len); break;
        case 'm': put_number(s, op->max); break;
        case 'r': put_number(s, op->stride); break;
        case 'd': put_data(s, op->data, op->len); break;
        }
    }
}

static void put_op(sink *s, const trace *t, const trace_op *op)
{
    const op_form *f = trace_op_forms;
    if (op->result >= 0 && (size_t)op->result < t->n_names) {
        put(s, t->names[op->result]);
        put(s, " = ");
    }
    while (f->word && f->code != op->code)
        f++;
    if (!f->word)
        put_memapi_op(s, t, op);
    else
        put_form(s, t, op, f);
    if (op->code == TRACE_ALLOC2 || op->code == TRACE_MAP3)
        put_ext_words(s, t, op);
    if (op->code == TRACE_PROTECT && op->null_old)
        put(s, " nullold");
    if (op->code == TRACE_QUERY && op->has_len) {
        put(s, " len=");
        put_number(s, op->query_len);
    }
    if (op->code == TRACE_THREAD && op->flags)
        put(s, " reserve");
    if (op->code == TRACE_TOUCH && op->flags)
        put(s, " down");
    if (op->has_process) {
        put(s, " in=");
        put_expr(s, t, op->process);
    }
    put_expectation(s, t, op);
}

size_t trace_print_op(const trace *t, const trace_op *op, char *buf, size_t buf_len)
{
    sink s = {0};
    put_op(&s, t, op);
    if (buf_len > 0) {
        size_t n = s.len < buf_len - 1 ? s.len : buf_len - 1;
        if (n)
            memcpy(buf, s.buf, n);
        buf[n] = '\0';
    }
    free(s.buf);
    return s.len;
}

static void put_header(sink *s, const char *word, const char *value)
{
    put(s, word);
    put(s, ": ");
    put(s, value);
    put(s, "\n");
}

char *trace_print(const trace *t)
{
    sink s = {0};
    put(&s, "");  /* an empty trace still prints as "" rather than NULL */
    if (t->case_name)
        put_header(&s, "name", t->case_name);
    for (size_t i = 0; i < t->n_sources; i++)
        put_header(&s, "source", t->sources[i]);
    for (size_t i = 0; i < t->n_wine_deviates; i++)
        put_header(&s, "wine-deviates", t->wine_deviates[i]);
    for (size_t i = 0; i < t->n_model_only; i++)
        put_header(&s, "model-only", t->model_only[i]);
    if (t->profile != VAS_PROFILE_X64 && trace_profile_name(t->profile))
        put_header(&s, "profile", trace_profile_name(t->profile));
    if (t->layout == VAS_LAYOUT_PROCESS)
        put_header(&s, "layout", "process");
    if (t->commit_limit) {
        put(&s, "commit-limit: ");
        put_number(&s, t->commit_limit);
        put(&s, "\n");
    }
    if (t->aslr_seed) {
        put(&s, "aslr-seed: ");
        put_number(&s, t->aslr_seed);
        put(&s, "\n");
    }
    if (s.len > 0 && t->n_ops > 0)
        put(&s, "\n");
    for (size_t i = 0; i < t->n_ops; i++) {
        put_op(&s, t, &t->ops[i]);
        put(&s, "\n");
    }
    if (s.oom) {
        free(s.buf);
        return NULL;
    }
    return s.buf;
}
