/*
 * trace_parse.c - reads the text form of a trace (docs/trace-format.md)
 * into a struct trace, or reports the first mistake as
 * "FILE:LINE: error: MESSAGE near 'TOKEN'".
 *
 * The text is taken line by line. A line is blank, a comment, a header
 * ("word: value", recognised on the raw text because header words contain
 * '-'), or an operation, which is lexed into tokens (trace_lex.c) and read by
 * one recursive-descent function per operation and per expectation. The
 * first error stops everything: every function returns -1 after calling
 * fail(), which writes the message once.
 *
 * Choices the format leaves open, made here:
 *  - a name may be bound only once (rebinding is an error), is visible from
 *    the next line on (not in its own expectation), and "nonzero" is
 *    reserved (it is the alloc expectation keyword);
 *  - "-> 0" after alloc, free, protect and query must say err=ERROR;
 *  - read data in an expectation must be exactly LEN bytes;
 *  - read lengths and write/fill byte counts are at most
 *    TRACE_MAX_DATA_LEN (the runner allocates them);
 *  - CRLF line endings are accepted; any other control byte, a NUL or a
 *    non-ASCII byte outside header values is an error;
 *  - tokens longer than 64 characters are cut to 64 and "..." in messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"

typedef struct parser {
    trace *t;
    int line;
    trace_lexer lx;
    char *err;
    size_t err_len;
    int seen_op, seen_profile, seen_limit, seen_layout, seen_seed;
} parser;

/* ---- Errors ------------------------------------------------------------ */

#define TOKEN_SHOWN_MAX 64

/* Writes "FILE:LINE: error: MESSAGE near 'TOKEN'". Bytes that would garble
 * a terminal (control bytes, NUL, non-ASCII) are shown as \xNN. */
static int fail_text(parser *ps, const char *msg, const char *text, size_t len)
{
    char shown[TOKEN_SHOWN_MAX * 4 + 8];
    size_t n = 0;
    for (size_t i = 0; i < len && i < TOKEN_SHOWN_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c >= 0x7F || c == '\'' || c == '\\')
            n += (size_t)snprintf(shown + n, sizeof shown - n, "\\x%02X", c);
        else
            shown[n++] = (char)c;
    }
    if (len > TOKEN_SHOWN_MAX) {
        memcpy(shown + n, "...", 3);
        n += 3;
    }
    shown[n] = '\0';
    if (ps->err && ps->err_len > 0)
        snprintf(ps->err, ps->err_len, "%s:%d: error: %s near '%s'", ps->t->file,
                 ps->line, msg, shown);
    return -1;
}

/* A character the language does not use is reported as such, whatever
 * the caller was looking for. */
static int fail(parser *ps, const char *msg, trace_token tok)
{
    if (tok.kind == TOK_BAD)
        msg = "unexpected character";
    return fail_text(ps, msg, tok.text, tok.len);
}

static int fail_oom(parser *ps)
{
    return fail_text(ps, "out of memory", "", 0);
}

/* ---- Tokens ------------------------------------------------------------ */

static int word_is(trace_token tok, const char *s)
{
    return tok.kind == TOK_WORD && tok.len == strlen(s) && memcmp(tok.text, s, tok.len) == 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A name is [a-z_][a-z0-9_]*. */
static int is_name(trace_token tok)
{
    if (tok.kind != TOK_WORD || is_digit(tok.text[0]))
        return 0;
    for (size_t i = 0; i < tok.len; i++) {
        char c = tok.text[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_'))
            return 0;
    }
    return 1;
}

/* Reads the next token, which must be of the given kind; complains with
 * "missing argument" at the end of the line and msg otherwise. */
static int expect_kind(parser *ps, trace_token_kind kind, const char *msg, trace_token *out)
{
    trace_token tok = trace_lex_next(&ps->lx);
    if (tok.kind != kind)
        return fail(ps, tok.kind == TOK_END ? "missing argument" : msg, tok);
    if (out)
        *out = tok;
    return 0;
}

/* Reads the word key followed by '=' (as in err=, old=, at=, data=);
 * complains with msg, which names what was expected, even at the end of the
 * line ("-> 0" alone is better told "expected err=ERROR"). */
static int expect_key(parser *ps, const char *key, const char *msg)
{
    trace_token tok = trace_lex_next(&ps->lx);
    if (!word_is(tok, key))
        return fail(ps, msg, tok);
    return expect_kind(ps, TOK_EQ, msg, NULL);
}

/* ---- Values ------------------------------------------------------------ */

/* Decimal or 0x hex, 64-bit unsigned. */
static int number_of(parser *ps, trace_token tok, uint64_t *out)
{
    const char *s = tok.text;
    size_t len = tok.len, i = 0;
    uint64_t v = 0;
    if (tok.kind != TOK_WORD || !is_digit(s[0]))
        return fail(ps, tok.kind == TOK_END ? "missing argument" : "bad number", tok);
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (i = 2; i < len; i++) {
            int d = hex_value(s[i]);
            if (d < 0)
                return fail(ps, "bad number", tok);
            if (v > (UINT64_MAX >> 4))
                return fail(ps, "number too large", tok);
            v = (v << 4) | (uint64_t)d;
        }
    } else {
        for (i = 0; i < len; i++) {
            if (!is_digit(s[i]))
                return fail(ps, "bad number", tok);
            uint64_t d = (uint64_t)(s[i] - '0');
            if (v > (UINT64_MAX - d) / 10)
                return fail(ps, "number too large", tok);
            v = v * 10 + d;
        }
    }
    *out = v;
    return 0;
}

static int parse_number(parser *ps, uint64_t *out)
{
    return number_of(ps, trace_lex_next(&ps->lx), out);
}

static int parse_number_max(parser *ps, uint64_t max, const char *too_big, uint64_t *out)
{
    trace_token tok = trace_lex_next(&ps->lx);
    if (number_of(ps, tok, out) != 0)
        return -1;
    if (*out > max)
        return fail(ps, too_big, tok);
    return 0;
}

/* NUMBER | NAME | NAME+NUMBER | NAME-NUMBER */
static int parse_expr(parser *ps, trace_expr *e)
{
    trace_token tok = trace_lex_next(&ps->lx);
    e->name = -1;
    e->offset = 0;
    if (tok.kind == TOK_WORD && is_digit(tok.text[0]))
        return number_of(ps, tok, &e->offset);
    if (tok.kind == TOK_END)
        return fail(ps, "missing argument", tok);
    if (!is_name(tok))
        return fail(ps, "expected an address, a size or a name", tok);
    e->name = trace_find_name(ps->t, tok.text, tok.len);
    if (e->name < 0)
        return fail(ps, "unknown name", tok);
    trace_token sign = trace_lex_peek(&ps->lx);
    if (sign.kind == TOK_PLUS || sign.kind == TOK_MINUS) {
        uint64_t n;
        trace_lex_next(&ps->lx);
        if (parse_number(ps, &n) != 0)
            return -1;
        e->offset = sign.kind == TOK_PLUS ? n : (uint64_t)0 - n;
    }
    return 0;
}

/* One constant or number, or several joined with '|' (flags only). */
static int parse_const(parser *ps, trace_const_kind kind, uint32_t *out)
{
    *out = 0;
    for (;;) {
        trace_token tok = trace_lex_next(&ps->lx);
        uint32_t v;
        if (tok.kind == TOK_WORD && is_digit(tok.text[0])) {
            uint64_t n;
            if (number_of(ps, tok, &n) != 0)
                return -1;
            if (n > UINT32_MAX)
                return fail(ps, "value does not fit in 32 bits", tok);
            v = (uint32_t)n;
        } else if (tok.kind == TOK_WORD) {
            if (!trace_const_lookup(kind, tok.text, tok.len, &v))
                return fail(ps, "unknown constant", tok);
        } else {
            return fail(ps, tok.kind == TOK_END ? "missing argument" : "expected a constant", tok);
        }
        *out |= v;
        if (kind == CONST_ERROR || trace_lex_peek(&ps->lx).kind != TOK_BAR)
            return 0;
        trace_lex_next(&ps->lx);
    }
}

/* HEX (pairs of hex digits) or fill=BYTE*COUNT, into a malloc'd buffer. */
static int parse_data(parser *ps, uint8_t **data, size_t *len)
{
    trace_token tok = trace_lex_next(&ps->lx);
    uint64_t byte, count;
    if (word_is(tok, "fill")) {
        if (expect_kind(ps, TOK_EQ, "expected fill=BYTE*COUNT", NULL) != 0 ||
            parse_number_max(ps, 0xFF, "fill byte does not fit in 8 bits", &byte) != 0 ||
            expect_kind(ps, TOK_STAR, "expected fill=BYTE*COUNT", NULL) != 0 ||
            parse_number_max(ps, TRACE_MAX_DATA_LEN, "length too large", &count) != 0)
            return -1;
        *data = malloc(count ? (size_t)count : 1);
        if (!*data)
            return fail_oom(ps);
        memset(*data, (int)byte, (size_t)count);
        *len = (size_t)count;
        return 0;
    }
    if (tok.kind != TOK_WORD)
        return fail(ps, tok.kind == TOK_END ? "missing argument" : "bad hex data", tok);
    for (size_t i = 0; i < tok.len; i++)
        if (hex_value(tok.text[i]) < 0)
            return fail(ps, "bad hex data", tok);
    if (tok.len % 2)
        return fail(ps, "odd number of hex digits", tok);
    if (tok.len / 2 > TRACE_MAX_DATA_LEN)
        return fail(ps, "length too large", tok);
    *data = malloc(tok.len / 2 ? tok.len / 2 : 1);
    if (!*data)
        return fail_oom(ps);
    for (size_t i = 0; i < tok.len / 2; i++)
        (*data)[i] = (uint8_t)(hex_value(tok.text[2 * i]) << 4 | hex_value(tok.text[2 * i + 1]));
    *len = tok.len / 2;
    return 0;
}

/* ---- Expectations ------------------------------------------------------ */

/* After "-> 0": err=ERROR, for the calls that fail with last-error. */
static int parse_fail_tail(parser *ps, trace_expect *x)
{
    x->kind = EXPECT_FAIL;
    x->has_error = 1;
    return expect_key(ps, "err", "expected err=ERROR after 0") != 0 ||
           parse_const(ps, CONST_ERROR, &x->error) != 0 ? -1 : 0;
}

/* An optional old=PROT. */
static int parse_old(parser *ps, trace_expect *x)
{
    if (!word_is(trace_lex_peek(&ps->lx), "old"))
        return 0;
    x->has_old = 1;
    return expect_key(ps, "old", "bad expectation") != 0 ||
           parse_const(ps, CONST_PROTECT, &x->old) != 0 ? -1 : 0;
}

/* "-> 1" (success) or "-> 0 err=E"; anything else is refused. */
static int parse_bool_expect(parser *ps, trace_expect *x, int *success)
{
    trace_token tok = trace_lex_next(&ps->lx);
    uint64_t v = 0;  /* number_of sets it on success; gcc -O2 cannot see that */
    if (number_of(ps, tok, &v) != 0)
        return -1;
    if (v > 1)
        return fail(ps, "bad expectation: expected 1 or 0", tok);
    *success = v == 1;
    if (v == 0)
        return parse_fail_tail(ps, x);
    x->kind = EXPECT_VALUE;
    x->value.offset = 1;
    return 0;
}

static int parse_query_fields(parser *ps, trace_expect *x)
{
    static const struct { const char *name; unsigned bit; } fields[] = {
        {"base", QF_BASE}, {"alloc_base", QF_ALLOC_BASE},
        {"alloc_protect", QF_ALLOC_PROTECT}, {"size", QF_SIZE}, {"state", QF_STATE},
        {"protect", QF_PROTECT}, {"type", QF_TYPE}, {"ret", QF_RET}, {NULL, 0}
    };
    x->kind = EXPECT_QUERY;
    for (;;) {
        trace_token tok = trace_lex_next(&ps->lx);
        unsigned bit = 0;
        if (tok.kind == TOK_RBRACE)
            return 0;
        if (tok.kind == TOK_END)
            return fail(ps, "missing '}'", tok);
        for (int i = 0; fields[i].name; i++)
            if (word_is(tok, fields[i].name))
                bit = fields[i].bit;
        if (!bit)
            return fail(ps, "unknown query field", tok);
        if (x->query_fields & bit)
            return fail(ps, "duplicate query field", tok);
        x->query_fields |= bit;
        if (expect_kind(ps, TOK_EQ, "expected field=VALUE", NULL) != 0)
            return -1;
        int rc;
        switch (bit) {
        case QF_BASE: rc = parse_expr(ps, &x->q_base); break;
        case QF_ALLOC_BASE: rc = parse_expr(ps, &x->q_alloc_base); break;
        case QF_ALLOC_PROTECT: rc = parse_const(ps, CONST_PROTECT, &x->q_alloc_protect); break;
        case QF_SIZE: rc = parse_number(ps, &x->q_size); break;
        case QF_STATE: rc = parse_const(ps, CONST_MEM_STATE, &x->q_state); break;
        case QF_PROTECT: rc = parse_const(ps, CONST_PROTECT, &x->q_protect); break;
        case QF_TYPE: rc = parse_const(ps, CONST_MEM_STATE, &x->q_type); break;
        default: rc = parse_number(ps, &x->q_ret); break;
        }
        if (rc != 0)
            return -1;
    }
}

/* ok [data=...] | AV at=EXPR | GUARD at=EXPR */
static int parse_access_expect(parser *ps, trace_op *op)
{
    trace_expect *x = &op->expect;
    trace_token tok = trace_lex_next(&ps->lx);
    x->kind = EXPECT_ACCESS;
    if (word_is(tok, "ok")) {
        x->status = VAS_STATUS_SUCCESS;
        if (op->code != TRACE_READ || !word_is(trace_lex_peek(&ps->lx), "data"))
            return 0;
        if (expect_key(ps, "data", "bad expectation") != 0)
            return -1;
        trace_token data_tok = trace_lex_peek(&ps->lx);
        if (parse_data(ps, &x->data, &x->data_len) != 0)
            return -1;
        x->has_data = 1;
        if (x->data_len != op->len)
            return fail(ps, "data length differs from read length", data_tok);
        return 0;
    }
    if (op->code == TRACE_TOUCH && word_is(tok, "NOTHREAD")) {
        x->status = VAS_STATUS_INVALID_HANDLE;
        return 0;
    }
    if (word_is(tok, "AV"))
        x->status = VAS_STATUS_ACCESS_VIOLATION;
    else if (word_is(tok, "GUARD"))
        x->status = VAS_STATUS_GUARD_PAGE_VIOLATION;
    else if (word_is(tok, "OVERFLOW") && op->code == TRACE_TOUCH)
        x->status = VAS_STATUS_STACK_OVERFLOW;
    else
        return fail(ps, tok.kind == TOK_END ? "missing argument"
                        : op->code == TRACE_TOUCH
                        ? "bad expectation: expected ok, AV, GUARD, OVERFLOW or NOTHREAD"
                        : "bad expectation: expected ok, AV or GUARD", tok);
    return expect_key(ps, "at", "expected at=ADDRESS") != 0 || parse_expr(ps, &x->at) != 0
           ? -1 : 0;
}

static const memapi_op_word *memapi_word_of(trace_opcode code)
{
    int i = 0;
    while (trace_memapi_ops[i].word && trace_memapi_ops[i].code != code)
        i++;
    return &trace_memapi_ops[i];
}

/* watch: "{EXPR ...}" after the '{'. */
static int parse_pages(parser *ps, trace_expect *x)
{
    x->kind = EXPECT_PAGES;
    for (;;) {
        trace_token tok = trace_lex_peek(&ps->lx);
        if (tok.kind == TOK_RBRACE) {
            trace_lex_next(&ps->lx);
            return 0;
        }
        if (tok.kind == TOK_END)
            return fail(ps, "missing '}'", tok);
        if (x->n_pages >= TRACE_WATCH_MAX_PAGES)
            return fail(ps, "too many pages", tok);
        trace_expr *grown = realloc(x->pages, (x->n_pages + 1) * sizeof *grown);
        if (!grown)
            return fail_oom(ps);
        x->pages = grown;
        if (parse_expr(ps, &x->pages[x->n_pages]) != 0)
            return -1;
        x->n_pages++;
    }
}

/* readproc/writeproc: an optional n=N, or n=none (the count untouched). */
static int parse_count(parser *ps, trace_expect *x)
{
    if (!word_is(trace_lex_peek(&ps->lx), "n"))
        return 0;
    if (expect_key(ps, "n", "bad expectation") != 0)
        return -1;
    x->has_count = 1;
    if (word_is(trace_lex_peek(&ps->lx), "none")) {
        trace_lex_next(&ps->lx);
        x->count = TRACE_COUNT_UNTOUCHED;
        return 0;
    }
    return parse_number(ps, &x->count);
}

/* process: "-> nonzero" or "-> 0 err=E". */
static int parse_handle_expect(parser *ps, trace_expect *x)
{
    trace_token tok = trace_lex_next(&ps->lx);
    uint64_t v = 1;
    if (word_is(tok, "nonzero")) {
        x->kind = EXPECT_NONZERO;
        return 0;
    }
    if (number_of(ps, tok, &v) != 0)
        return -1;
    if (v != 0)
        return fail(ps, "bad expectation: process expects nonzero or 0 err=ERROR", tok);
    return parse_fail_tail(ps, x);
}

/* Issue 13's expectations, by the form trace_memapi_ops gives each word. */
static int parse_memapi_expect(parser *ps, trace_op *op)
{
    trace_expect *x = &op->expect;
    const memapi_op_word *w = memapi_word_of(op->code);
    int success;
    if (w->expect == MEMAPI_BOOL)
        return parse_bool_expect(ps, x, &success);
    if (w->expect == MEMAPI_COPY)
        return parse_bool_expect(ps, x, &success) != 0 ? -1 : parse_count(ps, x);
    if (w->expect == MEMAPI_HANDLE)
        return parse_handle_expect(ps, x);
    if (w->expect == MEMAPI_PAGES && trace_lex_peek(&ps->lx).kind == TOK_LBRACE) {
        trace_lex_next(&ps->lx);
        return parse_pages(ps, x);
    }
    x->kind = EXPECT_VALUE;
    trace_token tok = trace_lex_peek(&ps->lx);
    if (parse_number(ps, &x->value.offset) != 0)
        return -1;
    if (w->expect == MEMAPI_VALUE)
        return 0;
    if (x->value.offset == 0) {
        if (w->expect == MEMAPI_PAGES)
            return fail(ps, "bad expectation: watch expects {PAGES} or N err=ERROR", tok);
        return 0;
    }
    x->has_error = 1;
    return expect_key(ps, "err", "expected err=ERROR after a failure value") != 0 ||
           parse_const(ps, CONST_ERROR, &x->error) != 0 ? -1 : 0;
}

static int parse_expectation(parser *ps, trace_op *op, trace_token arrow)
{
    trace_expect *x = &op->expect;
    trace_token tok = trace_lex_peek(&ps->lx);
    int success;
    uint64_t n;
    switch (op->code) {
    case TRACE_SECTION:
        if (word_is(tok, "nonzero")) {
            trace_lex_next(&ps->lx);
            x->kind = EXPECT_NONZERO;
            return 0;
        }
        if (parse_bool_expect(ps, x, &success) != 0)
            return -1;
        if (success)
            return fail(ps, "bad expectation: section expects nonzero or 0 err=ERROR", tok);
        return 0;
    case TRACE_UNMAP:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
        return parse_bool_expect(ps, x, &success);
    case TRACE_MAP:
    case TRACE_MAP3:
    case TRACE_ALLOC2:
    case TRACE_ALLOC:
    case TRACE_THREAD:
    case TRACE_BULKALLOC:
        if (word_is(tok, "nonzero")) {
            trace_lex_next(&ps->lx);
            x->kind = EXPECT_NONZERO;
            return 0;
        }
        if (parse_expr(ps, &x->value) != 0)
            return -1;
        if (x->value.name < 0 && x->value.offset == 0)
            return parse_fail_tail(ps, x);
        x->kind = EXPECT_VALUE;
        return 0;
    case TRACE_FREE:
    case TRACE_THREAD_EXIT:
        return parse_bool_expect(ps, x, &success);
    case TRACE_GUARANTEE:
        if (parse_bool_expect(ps, x, &success) != 0)
            return -1;
        if (!word_is(trace_lex_peek(&ps->lx), "old"))
            return 0;
        x->has_old = 1;
        return expect_key(ps, "old", "expected old=N") != 0 ||
               parse_number_max(ps, UINT32_MAX, "value does not fit in 32 bits", &n) != 0
               ? -1 : (x->old = (uint32_t)n, 0);
    case TRACE_TOUCH:
        return parse_access_expect(ps, op);
    case TRACE_PROTECT:
        return parse_bool_expect(ps, x, &success) != 0 ? -1 : parse_old(ps, x);
    case TRACE_QUERY:
        if (tok.kind == TOK_LBRACE) {
            trace_lex_next(&ps->lx);
            return parse_query_fields(ps, x);
        }
        if (parse_bool_expect(ps, x, &success) != 0)
            return -1;
        if (success)
            return fail(ps, "bad expectation: query expects {fields} or 0 err=ERROR", tok);
        return 0;
    case TRACE_READ:
    case TRACE_WRITE:
    case TRACE_EXEC:
        return parse_access_expect(ps, op);
    case TRACE_GETERR: {
        uint32_t error;
        x->kind = EXPECT_VALUE;
        if (parse_const(ps, CONST_ERROR, &error) != 0)
            return -1;
        x->value.offset = error;
        return 0;
    }
    case TRACE_CHARGE:
    case TRACE_BULKFREE:
        x->kind = EXPECT_VALUE;
        return parse_number(ps, &x->value.offset);
    case TRACE_SETERR:
        break;
    default:
        return parse_memapi_expect(ps, op);
    }
    return fail(ps, "this operation takes no expectation", arrow);
}

/* ---- Operations -------------------------------------------------------- */

/* watch's options: reset, flags=N, max=N, nullcount, nullgran, nulladdrs. */
static int parse_watch_options(parser *ps, trace_op *op)
{
    op->max = TRACE_WATCH_DEFAULT_MAX;
    for (;;) {
        trace_token tok = trace_lex_peek(&ps->lx);
        uint64_t n;
        if (word_is(tok, "reset")) {
            op->flags |= VAS_WRITE_WATCH_FLAG_RESET;
        } else if (word_is(tok, "nullcount")) {
            op->nulls |= WATCH_NULL_COUNT;
        } else if (word_is(tok, "nullgran")) {
            op->nulls |= WATCH_NULL_GRAN;
        } else if (word_is(tok, "nulladdrs")) {
            op->nulls |= WATCH_NULL_ADDRS;
        } else if (word_is(tok, "max")) {
            if (expect_key(ps, "max", "expected max=N") != 0 ||
                parse_number_max(ps, TRACE_WATCH_MAX_PAGES, "max too large", &op->max) != 0)
                return -1;
            continue;
        } else if (word_is(tok, "flags")) {
            if (expect_key(ps, "flags", "expected flags=N") != 0 ||
                parse_number_max(ps, UINT32_MAX, "value does not fit in 32 bits", &n) != 0)
                return -1;
            op->flags |= (uint32_t)n;
            continue;
        } else {
            return 0;
        }
        trace_lex_next(&ps->lx);
    }
}

/* Issue 13's operations: their expressions, then their options. */
static int parse_memapi_arguments(parser *ps, trace_op *op)
{
    const memapi_op_word *w = memapi_word_of(op->code);
    if (op->code == TRACE_CLOSE)
        return parse_expr(ps, &op->process);
    if (w->args == 4)   /* readproc, writeproc: PROCESS ADDR BUF SIZE */
        return parse_expr(ps, &op->process) || parse_expr(ps, &op->addr) ||
               parse_expr(ps, &op->buf) || parse_expr(ps, &op->size) ? -1 : 0;
    if (w->args >= 1 && parse_expr(ps, &op->addr) != 0)
        return -1;
    if (w->args >= 2 && parse_expr(ps, &op->size) != 0)
        return -1;
    if (op->code == TRACE_WATCH)
        return parse_watch_options(ps, op);
    if (op->code == TRACE_ISBADSTR) {
        op->flags = 1;
        if (word_is(trace_lex_peek(&ps->lx), "wide")) {
            trace_lex_next(&ps->lx);
            op->flags = 2;
        }
    }
    return 0;
}

/* alloc2, map3: the REQ words (docs/trace-format.md): lowest=ADDR,
 * highest=ADDR, align=N and ext=req|twice|invalid|max|null, in any order. */
static int parse_ext_words(parser *ps, trace_op *op)
{
    static const struct { const char *word; trace_ext_shape shape; } shapes[] = {
        {"req", TRACE_EXT_REQ}, {"twice", TRACE_EXT_TWICE}, {"invalid", TRACE_EXT_INVALID},
        {"max", TRACE_EXT_MAX}, {"null", TRACE_EXT_NULL}, {NULL, TRACE_EXT_NONE}
    };
    trace_ext *e = &op->ext;
    int fields = 0, shape_given = 0;
    for (;;) {
        trace_token tok = trace_lex_peek(&ps->lx);
        if (word_is(tok, "lowest") || word_is(tok, "highest")) {
            trace_expr *x = word_is(tok, "lowest") ? &e->lowest : &e->highest;
            if (expect_key(ps, word_is(tok, "lowest") ? "lowest" : "highest", "expected lowest=ADDR or highest=ADDR") ||
                parse_expr(ps, x))
                return -1;
            fields = 1;
        } else if (word_is(tok, "align")) {
            if (expect_key(ps, "align", "expected align=N") || parse_number(ps, &e->align))
                return -1;
            fields = 1;
        } else if (word_is(tok, "ext")) {
            if (shape_given)
                return fail(ps, "ext= given twice", tok);
            if (expect_key(ps, "ext", "expected ext=req|twice|invalid|max|null"))
                return -1;
            trace_token what = trace_lex_next(&ps->lx);
            int i = 0;
            while (shapes[i].word && !word_is(what, shapes[i].word))
                i++;
            if (!shapes[i].word)
                return fail(ps, "expected ext=req|twice|invalid|max|null", what);
            e->shape = shapes[i].shape;
            shape_given = 1;
        } else {
            break;
        }
    }
    if (fields && e->shape != TRACE_EXT_NONE && e->shape != TRACE_EXT_REQ && e->shape != TRACE_EXT_TWICE)
        return fail(ps, "ext=invalid, ext=max and ext=null take no lowest=, highest= or align=",
                    trace_lex_peek(&ps->lx));
    if (fields && e->shape == TRACE_EXT_NONE)
        e->shape = TRACE_EXT_REQ;
    return 0;
}

/* alloc, free, protect, query: in=PROCESS after the arguments makes the
 * operation its *Ex call on that process. */
static int parse_process_option(parser *ps, trace_op *op)
{
    if (!word_is(trace_lex_peek(&ps->lx), "in"))
        return 0;
    op->has_process = 1;
    return expect_key(ps, "in", "expected in=PROCESS") != 0 || parse_expr(ps, &op->process) != 0
           ? -1 : 0;
}

static int parse_call_arguments(parser *ps, trace_op *op)
{
    uint64_t n;
    switch (op->code) {
    case TRACE_ALLOC:
        return parse_expr(ps, &op->addr) || parse_expr(ps, &op->size) ||
               parse_const(ps, CONST_MEM_TYPE, &op->type) ||
               parse_const(ps, CONST_PROTECT, &op->protect) ? -1 : 0;
    case TRACE_FREE:
        return parse_expr(ps, &op->addr) || parse_expr(ps, &op->size) ||
               parse_const(ps, CONST_MEM_TYPE, &op->type) ? -1 : 0;
    case TRACE_PROTECT:
        if (parse_expr(ps, &op->addr) || parse_expr(ps, &op->size) ||
            parse_const(ps, CONST_PROTECT, &op->protect))
            return -1;
        if (word_is(trace_lex_peek(&ps->lx), "nullold")) {
            trace_lex_next(&ps->lx);
            op->null_old = 1;
        }
        return 0;
    case TRACE_QUERY:
        if (parse_expr(ps, &op->addr) != 0)
            return -1;
        if (!word_is(trace_lex_peek(&ps->lx), "len"))
            return 0;
        op->has_len = 1;
        return expect_key(ps, "len", "expected len=N") || parse_number(ps, &op->query_len)
               ? -1 : 0;
    case TRACE_READ:
        if (parse_expr(ps, &op->addr) ||
            parse_number_max(ps, TRACE_MAX_DATA_LEN, "length too large", &n))
            return -1;
        op->len = (size_t)n;
        return 0;
    case TRACE_WRITE:
        return parse_expr(ps, &op->addr) || parse_data(ps, &op->data, &op->len) ? -1 : 0;
    case TRACE_EXEC:
        return parse_expr(ps, &op->addr);
    case TRACE_SETERR:
        return parse_const(ps, CONST_ERROR, &op->value);
    case TRACE_GETERR:
    case TRACE_CHARGE:
        return 0;
    case TRACE_THREAD:
        if (parse_expr(ps, &op->size) != 0)
            return -1;
        if (word_is(trace_lex_peek(&ps->lx), "reserve")) {
            trace_lex_next(&ps->lx);
            op->flags = 1;
        }
        return 0;
    case TRACE_THREAD_EXIT:
        return parse_expr(ps, &op->thread);
    case TRACE_GUARANTEE:
        return parse_expr(ps, &op->thread) || parse_expr(ps, &op->size) ? -1 : 0;
    case TRACE_TOUCH:
        if (parse_expr(ps, &op->thread) || parse_expr(ps, &op->addr))
            return -1;
        if (word_is(trace_lex_peek(&ps->lx), "down")) {
            trace_lex_next(&ps->lx);
            op->flags = 1;
        }
        return 0;
    case TRACE_BULKALLOC:   /* COUNT SIZE TYPE PROT */
        return parse_number_max(ps, TRACE_BULK_MAX, "count too large", &op->max) ||
               parse_expr(ps, &op->size) || parse_const(ps, CONST_MEM_TYPE, &op->type) ||
               parse_const(ps, CONST_PROTECT, &op->protect) ? -1 : 0;
    case TRACE_BULKFREE: {  /* ADDR COUNT STRIDE */
        trace_token tok;
        if (parse_expr(ps, &op->addr) || parse_number_max(ps, TRACE_BULK_MAX, "count too large", &op->max))
            return -1;
        tok = trace_lex_peek(&ps->lx);
        if (parse_number_max(ps, TRACE_BULK_STRIDE_MAX, "stride too large", &n) != 0)
            return -1;
        if (n == 0)
            return fail(ps, "stride must be at least 1", tok);
        op->stride = (uint32_t)n;
        return 0;
    }
    case TRACE_SECTION:
        return parse_expr(ps, &op->size) || parse_const(ps, CONST_PROTECT, &op->protect) ||
               parse_const(ps, CONST_SECTION, &op->type) ? -1 : 0;
    case TRACE_MAP:
        op->addr.name = -1;
        if (parse_expr(ps, &op->handle) || parse_const(ps, CONST_FILE_MAP, &op->flags) ||
            parse_expr(ps, &op->offset) || parse_expr(ps, &op->size))
            return -1;
        if (trace_lex_peek(&ps->lx).kind != TOK_WORD)
            return 0;   /* no address: the system chooses */
        return parse_expr(ps, &op->addr);
    case TRACE_UNMAP:
        return parse_expr(ps, &op->addr);
    case TRACE_ALLOC2:   /* PROC ADDR SIZE TYPE PROT [REQ...] */
        return parse_expr(ps, &op->process) || parse_expr(ps, &op->addr) ||
               parse_expr(ps, &op->size) || parse_const(ps, CONST_ALLOC2_TYPE, &op->type) ||
               parse_const(ps, CONST_PROTECT, &op->protect) || parse_ext_words(ps, op) ? -1 : 0;
    case TRACE_MAP3:     /* HANDLE PROC ADDR OFFSET SIZE TYPE PROT [REQ...] */
        return parse_expr(ps, &op->handle) || parse_expr(ps, &op->process) ||
               parse_expr(ps, &op->addr) || parse_expr(ps, &op->offset) ||
               parse_expr(ps, &op->size) || parse_const(ps, CONST_ALLOC2_TYPE, &op->type) ||
               parse_const(ps, CONST_PROTECT, &op->protect) || parse_ext_words(ps, op) ? -1 : 0;
    case TRACE_UNMAP2:   /* PROC ADDR FLAGS */
        return parse_expr(ps, &op->process) || parse_expr(ps, &op->addr) ||
               parse_const(ps, CONST_UNMAP_FLAGS, &op->flags) ? -1 : 0;
    case TRACE_UNMAPEX:  /* ADDR FLAGS */
        return parse_expr(ps, &op->addr) || parse_const(ps, CONST_UNMAP_FLAGS, &op->flags) ? -1 : 0;
    default:
        return parse_memapi_arguments(ps, op);
    }
    return 0;
}

static int parse_arguments(parser *ps, trace_op *op)
{
    if (parse_call_arguments(ps, op) != 0)
        return -1;
    int takes_process = op->code == TRACE_ALLOC || op->code == TRACE_FREE ||
                        op->code == TRACE_PROTECT || op->code == TRACE_QUERY;
    return takes_process ? parse_process_option(ps, op) : 0;
}

/* [NAME =] OPERATION ARGUMENTS [-> EXPECTATION] */
static int parse_operation(parser *ps)
{
    trace_token first = trace_lex_next(&ps->lx), word = first, bound = {TOK_END, "", 0};
    if (first.kind == TOK_WORD && trace_lex_peek(&ps->lx).kind == TOK_EQ) {
        bound = first;
        trace_lex_next(&ps->lx);
        word = trace_lex_next(&ps->lx);
        if (!is_name(bound))
            return fail(ps, "bad name", bound);
        if (word_is(bound, "nonzero"))
            return fail(ps, "reserved word used as a name", bound);
        if (trace_find_name(ps->t, bound.text, bound.len) >= 0)
            return fail(ps, "name already bound", bound);
    }
    int i = 0, j = 0;
    trace_opcode code;
    /* One token: "bulk alloc" and "bulk free" are read below. */
    while (trace_op_forms[i].word && !word_is(word, trace_op_forms[i].word))
        i++;
    while (trace_memapi_ops[j].word && !word_is(word, trace_memapi_ops[j].word))
        j++;
    if (trace_op_forms[i].word)
        code = trace_op_forms[i].code;
    else if (trace_memapi_ops[j].word)
        code = trace_memapi_ops[j].code;
    else if (word_is(word, "bulk")) {
        trace_token what = trace_lex_next(&ps->lx);
        if (!word_is(what, "alloc") && !word_is(what, "free"))
            return fail(ps, "expected bulk alloc or bulk free", what);
        code = word_is(what, "alloc") ? TRACE_BULKALLOC : TRACE_BULKFREE;
    } else
        return fail(ps, word.kind == TOK_END ? "missing operation" : "unknown operation", word);
    if (bound.kind != TOK_END && code != TRACE_ALLOC && code != TRACE_THREAD && code != TRACE_BULKALLOC &&
        code != TRACE_PROCESS && code != TRACE_SECTION && code != TRACE_MAP && code != TRACE_ALLOC2 &&
        code != TRACE_MAP3)
        return fail(ps, "only alloc, alloc2, bulk alloc, thread, process, section, map and map3 bind a name",
                    word);

    trace_op *op = trace_append_op(ps->t, code);
    if (!op)
        return fail_oom(ps);
    op->line = ps->line;
    if (parse_arguments(ps, op) != 0)
        return -1;
    trace_token tok = trace_lex_next(&ps->lx);
    if (tok.kind == TOK_ARROW) {
        if (parse_expectation(ps, op, tok) != 0)
            return -1;
        tok = trace_lex_next(&ps->lx);
        if (tok.kind != TOK_END)
            return fail(ps, "unexpected text after the expectation", tok);
    } else if (tok.kind != TOK_END) {
        return fail(ps, "extra argument", tok);
    }
    if (bound.kind != TOK_END) {
        op->result = trace_add_name(ps->t, bound.text, bound.len);
        if (op->result < 0)
            return fail_oom(ps);
    }
    ps->seen_op = 1;
    return 0;
}

/* ---- Headers ----------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* If [p, end) starts with "word:", returns the length of word, else 0. */
static size_t header_word_len(const char *p, const char *end)
{
    size_t n = 0;
    if (p == end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return 0;
    while (p + n < end && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                           is_digit(p[n]) || p[n] == '_' || p[n] == '-'))
        n++;
    return p + n < end && p[n] == ':' ? n : 0;
}

static int parse_header(parser *ps, const char *word, size_t wlen, const char *v, const char *end)
{
    /* The value runs to the end of the line or a comment, without blanks. */
    const char *stop = v;
    while (v < end && is_blank(*v))
        v++;
    for (stop = v; stop < end && !(*stop == '#' && (stop == v || is_blank(stop[-1]))); stop++)
        ;
    while (stop > v && is_blank(stop[-1]))
        stop--;
    size_t len = (size_t)(stop - v);
    trace *t = ps->t;
    for (const char *c = v; c < stop; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return fail_text(ps, "unexpected character", c, 1);
        else if (*c == 0x7F)
            return fail_text(ps, "unexpected character", c, 1);

#define HEADER_IS(s) (wlen == strlen(s) && memcmp(word, s, wlen) == 0)
    int known = HEADER_IS("name") || HEADER_IS("source") || HEADER_IS("wine-deviates") ||
                HEADER_IS("model-only") ||
                HEADER_IS("profile") || HEADER_IS("commit-limit") || HEADER_IS("layout") ||
                HEADER_IS("aslr-seed");
    if (!known)
        return fail_text(ps, "unknown header", word, wlen);
    if (ps->seen_op)
        return fail_text(ps, "header after an operation", word, wlen);
    if (len == 0)
        return fail_text(ps, "missing header value", "", 0);
    if (HEADER_IS("name")) {
        if (t->case_name)
            return fail_text(ps, "duplicate header", word, wlen);
        char **one = NULL;
        size_t n = 0;
        if (trace_add_string(&one, &n, v, len) != 0)
            return fail_oom(ps);
        t->case_name = one[0];
        free(one);
    } else if (HEADER_IS("source")) {
        if (trace_add_string(&t->sources, &t->n_sources, v, len) != 0)
            return fail_oom(ps);
    } else if (HEADER_IS("wine-deviates")) {
        if (trace_add_string(&t->wine_deviates, &t->n_wine_deviates, v, len) != 0)
            return fail_oom(ps);
    } else if (HEADER_IS("model-only")) {
        if (trace_add_string(&t->model_only, &t->n_model_only, v, len) != 0)
            return fail_oom(ps);
    } else if (HEADER_IS("profile")) {
        if (ps->seen_profile++)
            return fail_text(ps, "duplicate header", word, wlen);
        if (!trace_profile_parse(v, len, &t->profile))
            return fail_text(ps, "bad profile (x64, x86 or x86_laa)", v, len);
        if (t->layout != VAS_LAYOUT_EMPTY && t->profile != VAS_PROFILE_X64)
            return fail_text(ps, "layout: process needs profile x64", v, len);
    } else if (HEADER_IS("layout")) {
        if (ps->seen_layout++)
            return fail_text(ps, "duplicate header", word, wlen);
        if (len == 7 && memcmp(v, "process", 7) == 0)
            t->layout = VAS_LAYOUT_PROCESS;
        else if (!(len == 5 && memcmp(v, "empty", 5) == 0))
            return fail_text(ps, "bad layout (empty or process)", v, len);
        if (t->layout != VAS_LAYOUT_EMPTY && t->profile != VAS_PROFILE_X64)
            return fail_text(ps, "layout: process needs profile x64", v, len);
    } else if (HEADER_IS("aslr-seed")) {
        if (ps->seen_seed++)
            return fail_text(ps, "duplicate header", word, wlen);
        trace_token tok = {TOK_WORD, v, len};
        return number_of(ps, tok, &t->aslr_seed);
    } else {
        if (ps->seen_limit++)
            return fail_text(ps, "duplicate header", word, wlen);
        trace_token tok = {TOK_WORD, v, len};
        return number_of(ps, tok, &t->commit_limit);
    }
#undef HEADER_IS
    return 0;
}

/* ---- Lines ------------------------------------------------------------- */

static int parse_line(parser *ps, const char *line, const char *end)
{
    const char *p = line;
    while (p < end && is_blank(*p))
        p++;
    size_t wlen = header_word_len(p, end);
    if (wlen)
        return parse_header(ps, p, wlen, p + wlen + 1, end);
    trace_lex_init(&ps->lx, line, end);
    if (trace_lex_peek(&ps->lx).kind == TOK_END)
        return 0;  /* blank or comment */
    return parse_operation(ps);
}

trace *trace_parse(const char *file, const char *text, size_t len, char *err, size_t err_len)
{
    parser ps = {0};
    ps.err = err;
    ps.err_len = err_len;
    if (err && err_len)
        err[0] = '\0';
    ps.t = trace_new(file);
    if (!ps.t) {
        if (err && err_len)
            snprintf(err, err_len, "%s:0: error: out of memory near ''", file ? file : "<trace>");
        return NULL;
    }
    const char *p = text ? text : "", *end = p + (text ? len : 0);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        ps.line++;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;  /* CRLF */
        if (parse_line(&ps, p, line_end) != 0) {
            trace_free(ps.t);
            return NULL;
        }
        p = nl ? nl + 1 : end;
    }
    return ps.t;
}

trace *trace_parse_file(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (f) {
        for (;;) {
            if (len == cap) {
                size_t ncap = cap ? cap * 2 : 65536;
                char *nbuf = realloc(buf, ncap);
                if (!nbuf)
                    break;
                buf = nbuf;
                cap = ncap;
            }
            size_t n = fread(buf + len, 1, cap - len, f);
            len += n;
            if (n == 0)
                break;
        }
    }
    if (!f || ferror(f) || len == cap) {
        if (err && err_len)
            snprintf(err, err_len, "%s:0: error: cannot read the file (%s) near ''", path,
                     strerror(f ? (errno ? errno : EIO) : errno));
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    trace *t = trace_parse(path, buf, len, err, err_len);
    free(buf);
    return t;
}
