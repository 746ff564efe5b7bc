/*
 * trace_binary.c - the compact byte form of a trace, for fuzzers: decoding
 * turns any byte string into a valid trace, encoding turns a trace back into
 * bytes that decode to it.
 *
 * THE BYTE FORMAT
 *
 * Bytes are read front to back. A read past the end gives 0, so decoding
 * is total; multi-byte values are little-endian. Decoding is deterministic
 * and never fails.
 *
 *   trace     := HEADER OP*        ops are read while bytes remain (checked
 *                                  before each op) and fewer than max_ops
 *                                  have been read; the rest is ignored.
 *   HEADER    := h [u64 limit]     profile = {x64, x86, x86_laa, x64}[h & 3]
 *                                  commit-limit = LIMITS[(h >> 2) & 7];
 *                                  index 7 means "a raw u64 follows".
 *                                  Bits 5..7 are ignored.
 *   OP        := c ARGS            opcode = OPCODES[c & 15], flag = bit 4;
 *                                  bits 5..7 are ignored.
 *     alloc    OPERAND addr, OPERAND size, ATYPE, PROT; binds a new name
 *     free     OPERAND addr, OPERAND size, FTYPE
 *     protect  OPERAND addr, OPERAND size, PROT; flag = nullold
 *     query    OPERAND addr; flag = "len=" and an OPERAND follows
 *     read     OPERAND addr, u16 n: LEN = n % (DATA_MAX + 1)
 *     write    OPERAND addr, then flag 0: byte b, u16 n: fill=b*(n % (DATA_MAX+1))
 *                                 flag 1: u16 n, then n % (DATA_MAX+1) raw bytes
 *     exec     OPERAND addr
 *     seterr   ERROR
 *     geterr, charge: nothing
 *   OPERAND   := m ...             kind = m >> 6, i = m & 63:
 *     kind 0: CONSTS[i % 32]                               (boundary numbers)
 *     kind 1: byte k; name + OFFSETS[i % 32]               (page/granule +-1)
 *     kind 2: (i & 7) + 1 bytes of raw value
 *     kind 3: byte k, then (i & 7) + 1 bytes: name + raw offset
 *     The name of kinds 1 and 3 is the (k % n)-th most recent of the n names
 *     bound so far (k = 0: the latest). With no names yet, kind 1 reads as
 *     kind 0 and kind 3 as kind 2 (and no k byte is read).
 *   ATYPE, FTYPE, PROT, ERROR := b [u32 raw]
 *     b >= 0xF0: a raw u32 follows (any flag mix, valid or not);
 *     otherwise ATYPE = ALLOC_TYPES[b % 16], FTYPE = FREE_TYPES[b % 8],
 *     ERROR = ERRORS[b % 12], PROT = BASE_PROTECTS[b & 15] | PROTECT_MODIFIERS[(b >> 4) & 7].
 *
 * The tables are below. Every alloc binds a fresh name r0, r1, ... in
 * order. Decoded traces have no expectations and no name/source headers;
 * op lines are 0 and the file is "<bytes>".
 *
 * Encoding picks, for every field, the first byte that decodes to the
 * value, or the raw escape; it returns NULL for a trace it cannot express:
 * one with expectations, a name/source/wine-deviates header, an alloc that
 * binds no name, a name used more than 255 binds after it was made, or a
 * read/write longer than DATA_MAX. Names are not stored: a trace whose
 * names are not r0, r1, ... decodes renamed (same structure).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "trace_internal.h"

#define DATA_MAX (2 * VAS_PAGE_SIZE + 16)
#define RAW_ESCAPE 0xF0u

static const uint64_t LIMITS[7] = {
    0, 0x10000, 0x100000, 0x1000000, 0x40000000, 0x3000, 0x20000
};

static const trace_opcode OPCODES[16] = {
    TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_FREE, TRACE_FREE,
    TRACE_PROTECT, TRACE_PROTECT, TRACE_QUERY, TRACE_QUERY, TRACE_READ, TRACE_WRITE,
    TRACE_EXEC, TRACE_SETERR, TRACE_GETERR, TRACE_CHARGE
};

/* Numbers where address-space code has edges: 0, pages and granules +-1,
 * the user-space ends of each profile, 31/32/63/64-bit limits. */
static const uint64_t CONSTS[32] = {
    0, 1, 0xFFF, 0x1000, 0x1001, 0x2000, 0x3000, 0xFFFF,
    0x10000, 0x10001, 0x11000, 0x20000, 0x100000, 0x7FFFFFFEFFFF, 0x7FFFFFFEF000,
    0x7FFFFFFF0000, 0x7FFEFFFF, 0x7FFEF000, 0x7FFF0000, 0xFFFEFFFF, 0xFFFEF000,
    0xFFFF0000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x800000000000,
    0x8000000000000000, UINT64_MAX, UINT64_MAX - 0xFFF, 0x7FFFFFFFFFFF, 0x1F000
};

#define M1 ((uint64_t)0 - 1)
#define NEG(x) ((uint64_t)0 - (uint64_t)(x))
static const uint64_t OFFSETS[32] = {
    0, M1, 1,
    0x1000, 0x1000 - 1, 0x1000 + 1,
    0x2000, 0x2000 - 1, 0x2000 + 1,
    0x3000, 0x3000 - 1, 0x3000 + 1,
    0xF000, 0xF000 - 1, 0xF000 + 1,
    0x10000, 0x10000 - 1, 0x10000 + 1,
    0x11000, 0x11000 - 1, 0x11000 + 1,
    0x20000, 0x20000 - 1, 0x20000 + 1,
    NEG(0x1000), NEG(0x1000) - 1, NEG(0x1000) + 1,
    NEG(0x10000), NEG(0x10000) - 1, NEG(0x10000) + 1,
    0x800, 0x8000
};

static const uint32_t ALLOC_TYPES[16] = {
    VAS_MEM_COMMIT, VAS_MEM_RESERVE, VAS_MEM_RESERVE | VAS_MEM_COMMIT,
    VAS_MEM_COMMIT | VAS_MEM_TOP_DOWN, VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_TOP_DOWN,
    VAS_MEM_RESERVE | VAS_MEM_TOP_DOWN, VAS_MEM_RESET, VAS_MEM_RESET_UNDO,
    VAS_MEM_DECOMMIT, VAS_MEM_RELEASE, VAS_MEM_RESERVE | VAS_MEM_WRITE_WATCH,
    VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_MEM_COMMIT, VAS_MEM_RESERVE, 0,
    VAS_MEM_RESERVE | VAS_MEM_PHYSICAL
};

static const uint32_t FREE_TYPES[8] = {
    VAS_MEM_RELEASE, VAS_MEM_DECOMMIT, VAS_MEM_RELEASE, VAS_MEM_DECOMMIT,
    VAS_MEM_RELEASE | VAS_MEM_DECOMMIT, 0, VAS_MEM_COMMIT, VAS_MEM_RELEASE | VAS_MEM_FREE
};

static const uint32_t BASE_PROTECTS[16] = {
    VAS_PAGE_NOACCESS, VAS_PAGE_READONLY, VAS_PAGE_READWRITE, VAS_PAGE_WRITECOPY,
    VAS_PAGE_EXECUTE, VAS_PAGE_EXECUTE_READ, VAS_PAGE_EXECUTE_READWRITE,
    VAS_PAGE_EXECUTE_WRITECOPY, VAS_PAGE_READWRITE, VAS_PAGE_READONLY, VAS_PAGE_NOACCESS,
    VAS_PAGE_EXECUTE_READ, VAS_PAGE_READWRITE, 0, VAS_PAGE_READONLY | VAS_PAGE_READWRITE,
    VAS_PAGE_READWRITE
};

static const uint32_t PROTECT_MODIFIERS[8] = {
    0, 0, 0, 0, VAS_PAGE_GUARD, VAS_PAGE_GUARD, VAS_PAGE_NOCACHE, VAS_PAGE_WRITECOMBINE
};

static const uint32_t ERRORS[12] = {
    VAS_ERROR_SUCCESS, VAS_ERROR_INVALID_PARAMETER, VAS_ERROR_INVALID_ADDRESS,
    VAS_ERROR_NOACCESS, VAS_ERROR_ACCESS_DENIED, VAS_ERROR_NOT_ENOUGH_MEMORY,
    VAS_ERROR_COMMITMENT_LIMIT, VAS_ERROR_BAD_LENGTH, VAS_ERROR_INVALID_HANDLE,
    1, 0xFFFFFFFFu, 0x20000000u
};

typedef enum field_kind { FIELD_ATYPE, FIELD_FTYPE, FIELD_PROTECT, FIELD_ERROR } field_kind;

/* The table value byte b (< RAW_ESCAPE) stands for. */
static uint32_t field_from_byte(field_kind kind, unsigned b)
{
    switch (kind) {
    case FIELD_ATYPE: return ALLOC_TYPES[b % 16];
    case FIELD_FTYPE: return FREE_TYPES[b % 8];
    case FIELD_PROTECT: return BASE_PROTECTS[b & 15] | PROTECT_MODIFIERS[(b >> 4) & 7];
    case FIELD_ERROR: return ERRORS[b % 12];
    }
    return 0;
}

/* ---- Decoding ---------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t len, pos;
} reader;

static unsigned read_byte(reader *r)
{
    return r->pos < r->len ? r->p[r->pos++] : 0;
}

static uint64_t read_uint(reader *r, unsigned nbytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++)
        v |= (uint64_t)read_byte(r) << (8 * i);
    return v;
}

static uint32_t read_field(reader *r, field_kind kind)
{
    unsigned b = read_byte(r);
    return b >= RAW_ESCAPE ? (uint32_t)read_uint(r, 4) : field_from_byte(kind, b);
}

static int read_name(reader *r, const trace *t)
{
    unsigned k = read_byte(r);
    return (int)(t->n_names - 1 - k % t->n_names);
}

static trace_expr read_operand(reader *r, const trace *t)
{
    unsigned m = read_byte(r), kind = m >> 6, i = m & 63;
    trace_expr e = {-1, 0};
    if (t->n_names == 0 && (kind == 1 || kind == 3))
        kind -= 1;
    switch (kind) {
    case 0: e.offset = CONSTS[i % 32]; break;
    case 1: e.name = read_name(r, t); e.offset = OFFSETS[i % 32]; break;
    case 2: e.offset = read_uint(r, (i & 7) + 1); break;
    default: e.name = read_name(r, t); e.offset = read_uint(r, (i & 7) + 1); break;
    }
    return e;
}

static size_t read_data_len(reader *r)
{
    return (size_t)(read_uint(r, 2) % (DATA_MAX + 1));
}

/* Reads one operation's arguments; returns -1 only on OOM. */
static int decode_op(reader *r, trace *t, trace_op *op, int flag)
{
    switch (op->code) {
    case TRACE_ALLOC: {
        char name[24];
        op->addr = read_operand(r, t);
        op->size = read_operand(r, t);
        op->type = read_field(r, FIELD_ATYPE);
        op->protect = read_field(r, FIELD_PROTECT);
        snprintf(name, sizeof name, "r%zu", t->n_names);
        op->result = trace_add_name(t, name, strlen(name));
        return op->result < 0 ? -1 : 0;
    }
    case TRACE_FREE:
        op->addr = read_operand(r, t);
        op->size = read_operand(r, t);
        op->type = read_field(r, FIELD_FTYPE);
        return 0;
    case TRACE_PROTECT:
        op->addr = read_operand(r, t);
        op->size = read_operand(r, t);
        op->protect = read_field(r, FIELD_PROTECT);
        op->null_old = flag;
        return 0;
    case TRACE_QUERY:
        op->addr = read_operand(r, t);
        op->has_len = flag;
        if (flag)
            op->query_len = read_operand(r, t).offset;
        return 0;
    case TRACE_READ:
        op->addr = read_operand(r, t);
        op->len = read_data_len(r);
        return 0;
    case TRACE_WRITE: {
        unsigned fill = 0;
        op->addr = read_operand(r, t);
        if (!flag)
            fill = read_byte(r);
        op->len = read_data_len(r);
        op->data = malloc(op->len ? op->len : 1);
        if (!op->data)
            return -1;
        for (size_t i = 0; i < op->len; i++)
            op->data[i] = (uint8_t)(flag ? read_byte(r) : fill);
        return 0;
    }
    case TRACE_EXEC:
        op->addr = read_operand(r, t);
        return 0;
    case TRACE_SETERR:
        op->value = read_field(r, FIELD_ERROR);
        return 0;
    case TRACE_GETERR:
    case TRACE_CHARGE:
        return 0;
    }
    return 0;
}

trace *trace_decode_binary(const uint8_t *bytes, size_t len, size_t max_ops)
{
    static const vas_profile profiles[4] = {
        VAS_PROFILE_X64, VAS_PROFILE_X86, VAS_PROFILE_X86_LAA, VAS_PROFILE_X64
    };
    reader r = {bytes, bytes ? len : 0, 0};
    trace *t = trace_new("<bytes>");
    if (!t)
        return NULL;
    unsigned h = read_byte(&r), limit = (h >> 2) & 7;
    t->profile = profiles[h & 3];
    t->commit_limit = limit == 7 ? read_uint(&r, 8) : LIMITS[limit];
    while (r.pos < r.len && t->n_ops < max_ops) {
        unsigned c = read_byte(&r);
        trace_op *op = trace_append_op(t, OPCODES[c & 15]);
        if (!op || decode_op(&r, t, op, (c >> 4) & 1) != 0) {
            trace_free(t);
            return NULL;
        }
    }
    return t;
}

/* ---- Encoding ---------------------------------------------------------- */

typedef struct writer {
    uint8_t *buf;
    size_t len, cap;
    int failed;   /* OOM or a trace this format cannot express */
} writer;

static void write_byte(writer *w, unsigned b)
{
    if (w->failed)
        return;
    if (w->len == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        uint8_t *p = realloc(w->buf, cap);
        if (!p) {
            w->failed = 1;
            return;
        }
        w->buf = p;
        w->cap = cap;
    }
    w->buf[w->len++] = (uint8_t)b;
}

static void write_uint(writer *w, uint64_t v, unsigned nbytes)
{
    for (unsigned i = 0; i < nbytes; i++)
        write_byte(w, (unsigned)(v >> (8 * i)) & 0xFF);
}

static unsigned width_of(uint64_t v)
{
    unsigned n = 1;
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    return n;
}

static void write_field(writer *w, field_kind kind, uint32_t value)
{
    for (unsigned b = 0; b < RAW_ESCAPE; b++) {
        if (field_from_byte(kind, b) == value) {
            write_byte(w, b);
            return;
        }
    }
    write_byte(w, 0xFF);
    write_uint(w, value, 4);
}

static int index_of(const uint64_t *table, uint64_t v)
{
    for (int i = 0; i < 32; i++)
        if (table[i] == v)
            return i;
    return -1;
}

/* n_bound: names bound before this operation. */
static void write_operand(writer *w, trace_expr e, size_t n_bound)
{
    if (e.name < 0) {
        int i = index_of(CONSTS, e.offset);
        if (i >= 0) {
            write_byte(w, (unsigned)i);
        } else {
            unsigned n = width_of(e.offset);
            write_byte(w, (2u << 6) | (n - 1));
            write_uint(w, e.offset, n);
        }
        return;
    }
    if ((size_t)e.name >= n_bound || n_bound - 1 - (size_t)e.name > 255) {
        w->failed = 1;
        return;
    }
    unsigned k = (unsigned)(n_bound - 1 - (size_t)e.name);
    int i = index_of(OFFSETS, e.offset);
    if (i >= 0) {
        write_byte(w, (1u << 6) | (unsigned)i);
        write_byte(w, k);
    } else {
        unsigned n = width_of(e.offset);
        write_byte(w, (3u << 6) | (n - 1));
        write_byte(w, k);
        write_uint(w, e.offset, n);
    }
}

static void write_opcode(writer *w, trace_opcode code, int flag)
{
    unsigned i = 0;
    while (OPCODES[i] != code)
        i++;
    write_byte(w, i | (flag ? 0x10u : 0));
}

static void encode_op(writer *w, const trace_op *op, size_t n_bound)
{
    switch (op->code) {
    case TRACE_ALLOC:
        write_opcode(w, op->code, 0);
        write_operand(w, op->addr, n_bound);
        write_operand(w, op->size, n_bound);
        write_field(w, FIELD_ATYPE, op->type);
        write_field(w, FIELD_PROTECT, op->protect);
        break;
    case TRACE_FREE:
        write_opcode(w, op->code, 0);
        write_operand(w, op->addr, n_bound);
        write_operand(w, op->size, n_bound);
        write_field(w, FIELD_FTYPE, op->type);
        break;
    case TRACE_PROTECT:
        write_opcode(w, op->code, op->null_old);
        write_operand(w, op->addr, n_bound);
        write_operand(w, op->size, n_bound);
        write_field(w, FIELD_PROTECT, op->protect);
        break;
    case TRACE_QUERY:
        write_opcode(w, op->code, op->has_len);
        write_operand(w, op->addr, n_bound);
        if (op->has_len)
            write_operand(w, (trace_expr){-1, op->query_len}, n_bound);
        break;
    case TRACE_READ:
        if (op->len > DATA_MAX)
            w->failed = 1;
        write_opcode(w, op->code, 0);
        write_operand(w, op->addr, n_bound);
        write_uint(w, op->len, 2);
        break;
    case TRACE_WRITE: {
        size_t same = 0;
        while (same < op->len && op->data[same] == op->data[0])
            same++;
        int literal = same < op->len;
        if (op->len > DATA_MAX)
            w->failed = 1;
        write_opcode(w, op->code, literal);
        write_operand(w, op->addr, n_bound);
        if (!literal)
            write_byte(w, op->len ? op->data[0] : 0);
        write_uint(w, op->len, 2);
        for (size_t i = 0; literal && i < op->len; i++)
            write_byte(w, op->data[i]);
        break;
    }
    case TRACE_EXEC:
        write_opcode(w, op->code, 0);
        write_operand(w, op->addr, n_bound);
        break;
    case TRACE_SETERR:
        write_opcode(w, op->code, 0);
        write_field(w, FIELD_ERROR, op->value);
        break;
    case TRACE_GETERR:
    case TRACE_CHARGE:
        write_opcode(w, op->code, 0);
        break;
    }
}

uint8_t *trace_encode_binary(const trace *t, size_t *out_len)
{
    writer w = {0};
    if (t->case_name || t->n_sources || t->n_wine_deviates || (unsigned)t->profile > 2)
        return NULL;
    unsigned limit = 0;
    while (limit < 7 && LIMITS[limit] != t->commit_limit)
        limit++;
    write_byte(&w, (unsigned)t->profile | limit << 2);
    if (limit == 7)
        write_uint(&w, t->commit_limit, 8);
    size_t n_bound = 0;
    for (size_t i = 0; i < t->n_ops && !w.failed; i++) {
        const trace_op *op = &t->ops[i];
        int binds = op->code == TRACE_ALLOC;
        if (op->expect.kind != EXPECT_NONE ||
            (binds ? op->result != (int)n_bound : op->result != -1)) {
            w.failed = 1;
            break;
        }
        encode_op(&w, op, n_bound);
        n_bound += (size_t)binds;
    }
    if (w.failed || n_bound != t->n_names) {
        free(w.buf);
        return NULL;
    }
    *out_len = w.len;
    return w.buf;
}
