/*
 * seed_encode.c - turns a text trace written for people (conformance case,
 * harness test, handcrafted seed) into a fuzzer input, for fuzz.py seeds.
 *
 *   seed_encode IN.trace OUT.bin
 *   seed_encode --check IN.trace IN.bin   exit 0 when IN.bin decodes to IN.trace
 *
 * The binary form carries less than the text (trace_encode_binary in
 * harness/trace.h), so the trace is first reduced to what it runs:
 *   - expectations and the name/source/wine-deviates headers are dropped;
 *   - every alloc, bulk alloc, thread, process, section and map binds a fresh name in order
 *     (r0, r1, ...), because the binary form binds one name per such op: an unnamed one gets one, and a
 *     name bound twice becomes two names, each use pointing at the binding
 *     that was current when it ran (a use before any binding is the number
 *     it evaluates to, the offset alone);
 *   - a read or write longer than the binary form allows is cut to the
 *     limit (reported on stderr).
 * Exit status: 0 written (or --check: matches), 1 the trace could not be
 * encoded (or --check: IN.bin decodes to another trace), 2 bad usage or input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/trace.h"

/* What the binary form can hold for a read or write (trace_binary.c). */
#define SEED_DATA_MAX (2 * VAS_PAGE_SIZE + 16)

static void expect_clear(trace_expect *e)
{
    free(e->data);
    memset(e, 0, sizeof *e);
    e->kind = EXPECT_NONE;
    e->value.name = e->q_base.name = e->q_alloc_base.name = e->at.name = -1;
}

static void strings_free(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

/* Rewrites e from old name indices to binding numbers: current[j] is the
 * binding that old name j refers to now, -1 when it is unbound. */
static void expr_rebind(trace_expr *e, const int *current)
{
    if (e->name >= 0)
        e->name = current[e->name];  /* -1: unbound evaluates to its offset */
}

/* Reduces t in place to the form described above. Returns 0 or -1 (OOM). */
static int trace_reduce_for_binary(trace *t, const char *path)
{
    size_t n_allocs = 0, i;
    int *current = malloc((t->n_names + 1) * sizeof *current);
    if (current == NULL)
        return -1;
    for (i = 0; i < t->n_names; i++)
        current[i] = -1;
    for (i = 0; i < t->n_ops; i++) {
        trace_op *op = &t->ops[i];
        expect_clear(&op->expect);
        expr_rebind(&op->addr, current);
        expr_rebind(&op->size, current);
        expr_rebind(&op->thread, current);
        expr_rebind(&op->process, current);
        expr_rebind(&op->buf, current);
        expr_rebind(&op->handle, current);
        expr_rebind(&op->offset, current);
        expr_rebind(&op->ext.lowest, current);
        expr_rebind(&op->ext.highest, current);
        if ((op->code == TRACE_READ || op->code == TRACE_WRITE) && op->len > SEED_DATA_MAX) {
            fprintf(stderr, "%s: operation %zu: %zu bytes cut to %u\n", path, i + 1, op->len,
                    SEED_DATA_MAX);
            op->len = SEED_DATA_MAX;
        }
        if (trace_opcode_binds(op->code)) {
            if (op->result >= 0)
                current[op->result] = (int)n_allocs;
            op->result = (int)n_allocs++;
        } else {
            op->result = -1;
        }
    }
    free(current);

    strings_free(&t->names, &t->n_names);
    t->names = calloc(n_allocs + 1, sizeof *t->names);
    if (t->names == NULL)
        return -1;
    for (i = 0; i < n_allocs; i++) {
        t->names[i] = malloc(24);
        if (t->names[i] == NULL)
            return -1;
        snprintf(t->names[i], 24, "r%zu", i);
        t->n_names = i + 1;
    }
    free(t->case_name);
    t->case_name = NULL;
    strings_free(&t->sources, &t->n_sources);
    strings_free(&t->wine_deviates, &t->n_wine_deviates);
    strings_free(&t->model_only, &t->n_model_only);
    return 0;
}

/* The format's promise, checked on every seed: the bytes decode to the
 * same trace (compared as printed text). */
static int decodes_back(const trace *t, const uint8_t *bytes, size_t len)
{
    trace *back = trace_decode_binary(bytes, len, t->n_ops);
    char *a = trace_print(t), *b = back ? trace_print(back) : NULL;
    int same = a != NULL && b != NULL && strcmp(a, b) == 0;
    free(a);
    free(b);
    trace_free(back);
    return same;
}

/* Reads a whole (small) file; NULL on error. */
static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)size, f);
        if (*len != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    char err[512];
    trace *t;
    uint8_t *bytes;
    size_t len = 0;
    FILE *out;
    int check = argc == 4 && strcmp(argv[1], "--check") == 0;

    if (argc != 3 && !check) {
        fprintf(stderr, "usage: %s IN.trace OUT.bin | --check IN.trace IN.bin\n", argv[0]);
        return 2;
    }
    if (check)
        argv++;
    t = trace_parse_file(argv[1], err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (trace_reduce_for_binary(t, argv[1]) != 0) {
        fprintf(stderr, "%s: out of memory\n", argv[1]);
        trace_free(t);
        return 1;
    }
    if (check) {
        int same;
        bytes = read_bytes(argv[2], &len);
        if (bytes == NULL) {
            fprintf(stderr, "%s: cannot read\n", argv[2]);
            trace_free(t);
            return 2;
        }
        same = decodes_back(t, bytes, len);
        trace_free(t);
        free(bytes);
        return same ? 0 : 1;
    }
    bytes = trace_encode_binary(t, &len);
    if (bytes == NULL) {
        fprintf(stderr, "%s: cannot be expressed in the binary form\n", argv[1]);
        trace_free(t);
        return 1;
    }
    if (!decodes_back(t, bytes, len)) {
        fprintf(stderr, "%s: the encoding does not decode back to the trace "
                "(trace_binary.c's encoder and decoder disagree)\n", argv[1]);
        trace_free(t);
        free(bytes);
        return 1;
    }
    trace_free(t);
    out = fopen(argv[2], "wb");
    if (out == NULL || fwrite(bytes, 1, len, out) != len || fclose(out) != 0) {
        fprintf(stderr, "%s: cannot write\n", argv[2]);
        free(bytes);
        return 2;
    }
    free(bytes);
    return 0;
}
