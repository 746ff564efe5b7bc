/*
 * test_trace_binary.c - the fuzzers' byte form: decoding is total and
 * deterministic, respects max_ops, yields traces the printer and parser
 * agree on, and encode(decode(bytes)) decodes to the same trace; arguments
 * lean toward boundaries; encode refuses what it cannot express.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/trace.h"
#include "check.h"

static uint64_t rng = 1;   /* check_rand's state: the same inputs every run */

#define RANDOM_INPUTS 10000
#define MAX_OPS 64

/* Every decoded trace: no expectations, names r0.. in alloc order, every
 * name used is bound before its use. */
static int well_formed(const trace *t, size_t max_ops)
{
    size_t bound = 0;
    char want[32];
    if (t->n_ops > max_ops || t->case_name || t->n_sources || t->n_wine_deviates)
        return 0;
    for (size_t i = 0; i < t->n_ops; i++) {
        const trace_op *op = &t->ops[i];
        if (op->expect.kind != EXPECT_NONE || op->line != 0)
            return 0;
        if (op->addr.name >= (int)bound || op->size.name >= (int)bound ||
            op->thread.name >= (int)bound || op->process.name >= (int)bound ||
            op->buf.name >= (int)bound || op->handle.name >= (int)bound || op->offset.name >= (int)bound)
            return 0;
        if (trace_opcode_binds(op->code)) {
            snprintf(want, sizeof want, "r%zu", bound);
            if (op->result != (int)bound || strcmp(t->names[bound], want) != 0)
                return 0;
            bound++;
        } else if (op->result != -1) {
            return 0;
        }
        if ((op->code == TRACE_READ || op->code == TRACE_WRITE) && op->len > 2 * 4096 + 16)
            return 0;
    }
    return bound == t->n_names;
}

/* Ops whose address comes from the decoder's address operand; the others
 * take none (geterr, section, ...), a thread or a view by name, or map's
 * optional one, and say nothing about how often boundaries come up. */
static int decoded_address(trace_opcode code)
{
    switch (code) {
    case TRACE_SETERR: case TRACE_GETERR: case TRACE_CHARGE: case TRACE_WSSET: case TRACE_WSMIN:
    case TRACE_WSMAX: case TRACE_LOCKED: case TRACE_THREAD: case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE: case TRACE_TOUCH: case TRACE_SECTION: case TRACE_CLOSE: case TRACE_MAP:
    case TRACE_UNMAP: case TRACE_BULKALLOC: case TRACE_PROCESS: case TRACE_READPROC: case TRACE_WRITEPROC:
    case TRACE_MAP3: case TRACE_UNMAP2: case TRACE_UNMAPEX:
        return 0;
    default:
        return 1;
    }
}

static void test_random_round_trips(void)
{
    uint8_t bytes[512];
    size_t boundary_hits = 0, name_refs = 0, raw_flags = 0, ops = 0;
    uint64_t codes_seen = 0;   /* bit per opcode */
    for (int n = 0; n < RANDOM_INPUTS; n++) {
        size_t len = check_rand_below(&rng, sizeof bytes + 1);
        for (size_t i = 0; i < len; i++)
            bytes[i] = (uint8_t)check_rand(&rng);
        trace *t1 = trace_decode_binary(bytes, len, MAX_OPS);
        CHECK_MSG(t1 != NULL, "decode returned NULL (input %d)", n);
        if (!t1)
            continue;
        CHECK_MSG(well_formed(t1, MAX_OPS), "decoded trace malformed (input %d)", n);

        trace *again = trace_decode_binary(bytes, len, MAX_OPS);
        CHECK_MSG(again && trace_equal(t1, again), "decode is not deterministic (input %d)", n);
        trace_free(again);

        size_t enc_len = 0;
        uint8_t *enc = trace_encode_binary(t1, &enc_len);
        CHECK_MSG(enc != NULL, "encode refused a decoded trace (input %d)", n);
        if (enc) {
            trace *t2 = trace_decode_binary(enc, enc_len, MAX_OPS);
            CHECK_MSG(t2 && trace_equal(t1, t2), "decode(encode(t)) != t (input %d)", n);
            trace_free(t2);
            free(enc);
        }

        char *text = trace_print(t1);
        char err[512];
        trace *t3 = text ? trace_parse("<printed>", text, strlen(text), err, sizeof err) : NULL;
        CHECK_MSG(t3 && trace_equal(t1, t3), "parse(print(t)) != t (input %d): %s\n%s", n,
              t3 ? "differs" : err, text ? text : "");
        trace_free(t3);
        free(text);

        for (size_t i = 0; i < t1->n_ops; i++) {
            const trace_op *op = &t1->ops[i];
            uint64_t a = op->addr.offset;
            codes_seen |= (uint64_t)1 << op->code;
            if (!decoded_address(op->code))
                continue;
            ops++;
            if (op->addr.name >= 0)
                name_refs++;
            else if (a == 0x10000 || a == 0x7FFFFFFEFFFF || a == 0xFFF || a == UINT64_MAX)
                boundary_hits++;
            if (op->code == TRACE_ALLOC && (op->type & 0xFFFu) != 0)
                raw_flags++;
        }
        trace_free(t1);
    }
    printf("decoded %d random inputs: %zu ops with an address operand, %zu name operands, %zu boundary addresses, "
           "%zu allocs with unnamed type bits\n", RANDOM_INPUTS, ops, name_refs, boundary_hits,
           raw_flags);
    /* Bias: named and boundary operands must be common, not accidents. */
    CHECK_MSG(codes_seen == ((uint64_t)1 << TRACE_OPCODE_COUNT) - 1, "not every opcode decoded: %#llx",
              (unsigned long long)codes_seen);
    CHECK_MSG(name_refs > ops / 20, "too few name operands: %zu of %zu", name_refs, ops);
    CHECK_MSG(boundary_hits > ops / 100, "too few boundary addresses: %zu of %zu", boundary_hits, ops);
    CHECK_MSG(raw_flags > 0, "raw allocation types never decoded");
}

static void test_edges(void)
{
    trace *t = trace_decode_binary(NULL, 0, 10);
    CHECK_MSG(t && t->n_ops == 0 && t->profile == VAS_PROFILE_X64 && t->commit_limit == 0,
          "empty input");
    trace_free(t);

    /* Header 0x01|15<<2: x86, raw commit limit; then 8 limit bytes. */
    uint8_t head[] = {0x01 | 15 << 2, 0x00, 0x30, 0, 0, 0, 0, 0, 0};
    t = trace_decode_binary(head, sizeof head, 10);
    CHECK_MSG(t && t->profile == VAS_PROFILE_X86 && t->commit_limit == 0x3000 && t->n_ops == 0,
          "header");
    trace_free(t);

    /* 100 geterr opcodes (0x0E), max_ops 5: the rest is ignored. */
    uint8_t many[101];
    memset(many, 0x0E, sizeof many);
    many[0] = 0;
    t = trace_decode_binary(many, sizeof many, 5);
    CHECK_MSG(t && t->n_ops == 5 && t->ops[4].code == TRACE_GETERR, "max_ops");
    trace_free(t);
    t = trace_decode_binary(many, sizeof many, 0);
    CHECK_MSG(t && t->n_ops == 0, "max_ops 0");
    trace_free(t);

    /* Name bytes prefer live names: r0 is a plausible reservation, r1 has
     * an invalid protection (dead). Name byte 0 then picks r0, the latest
     * live name; 0xE0 (distance 0 over all names) picks r1. Opcode 0x0A is
     * read, mode 0x00 is name + NAMED(0) = name + 0, LEN byte 0 is 1. */
    uint8_t live[] = {0,
                      0x00, 0x02, 0x02, 0x00, 0x00,    /* r0 = alloc 0 0x1000 R|C READWRITE */
                      0x00, 0x02, 0xF6, 0x00, 0x00,    /* r1 = alloc 0 0x1000 R|C WRITECOPY */
                      0x0A, 0x00, 0x00, 0x00,          /* read r0 1 */
                      0x0A, 0x00, 0xE0, 0x00};         /* read r1 1 */
    t = trace_decode_binary(live, sizeof live, 10);
    CHECK_MSG(t && t->n_ops == 4 && t->ops[0].type == (VAS_MEM_RESERVE | VAS_MEM_COMMIT) &&
          t->ops[0].protect == VAS_PAGE_READWRITE && t->ops[0].size.offset == 0x1000 &&
          t->ops[1].protect == VAS_PAGE_WRITECOPY && t->ops[2].code == TRACE_READ &&
          t->ops[2].addr.name == 0 && t->ops[2].addr.offset == 0 && t->ops[2].len == 1 &&
          t->ops[3].addr.name == 1, "live names first");
    trace_free(t);

    /* An alloc cut short: missing bytes read as 0 (COMMIT, NOACCESS, addr 0, size 0x1000). */
    uint8_t cut[] = {0, 0x00};
    t = trace_decode_binary(cut, sizeof cut, 10);
    CHECK_MSG(t && t->n_ops == 1 && t->ops[0].code == TRACE_ALLOC && t->ops[0].type == VAS_MEM_COMMIT &&
          t->ops[0].protect == VAS_PAGE_NOACCESS && t->ops[0].addr.offset == 0 &&
          t->ops[0].size.offset == 0x1000 && t->n_names == 1, "truncated op");
    trace_free(t);
}

static void test_encode_refuses(void)
{
    static const char *const refused[] = {
        "geterr -> SUCCESS\n",
        "name: x\ngeterr\n",
        "source: y\ngeterr\n",
        "wine-deviates: z\ngeterr\n",
        "alloc 0 0x1000 RESERVE NOACCESS\n",            /* binds no name */
        "read 0 0x2011\n",                               /* longer than DATA_MAX */
        "write 0 fill=1*0x2011\n",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char err[256];
        size_t len;
        trace *t = trace_parse("t", refused[i], strlen(refused[i]), err, sizeof err);
        CHECK_MSG(t != NULL, "parse: %s", err);
        if (!t)
            continue;
        uint8_t *b = trace_encode_binary(t, &len);
        CHECK_MSG(b == NULL, "encode accepted: %s", refused[i]);
        free(b);
        trace_free(t);
    }

    /* Any names are accepted and come back as r0, r1 (documented). */
    const char *text = "buf = alloc 0 0x1000 RESERVE NOACCESS\nx = alloc buf 1 COMMIT READWRITE\n"
                       "query x+0x123456789\n";
    char err[256];
    size_t len;
    trace *t = trace_parse("t", text, strlen(text), err, sizeof err);
    uint8_t *b = t ? trace_encode_binary(t, &len) : NULL;
    trace *back = b ? trace_decode_binary(b, len, 100) : NULL;
    CHECK_MSG(back && back->n_names == 2 && strcmp(back->names[1], "r1") == 0 &&
          back->ops[2].addr.name == 1 && back->ops[2].addr.offset == 0x123456789,
          "renaming round trip");
    trace_free(back);
    free(b);
    trace_free(t);
}

int main(void)
{
    test_edges();
    test_encode_refuses();
    test_random_round_trips();
    return check_report("test_trace_binary");
}
