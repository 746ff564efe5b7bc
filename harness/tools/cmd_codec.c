/*
 * cmd_codec.c - the commands that only translate traces, without running
 * them: `vastrace fmt FILE` (canonical text), `vastrace encode IN OUT` (text
 * to the fuzzers' byte form) and `vastrace decode IN [--max-ops N]` (bytes
 * to text). Exit 0 on success, 2 on bad usage or input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "harness/trace.h"

/* The default cap on decoded operations: enough for any input a fuzzer
 * keeps, small enough that decoding a large file stays readable. */
#define DECODE_DEFAULT_MAX_OPS 1024

/* Reads a whole file; NULL (with a message printed) on failure. */
static uint8_t *read_file(const char *cmd, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (!f) {
        fprintf(stderr, "vastrace %s: %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (*len == cap) {
            uint8_t *p = realloc(buf, cap ? cap * 2 : 65536);
            if (!p)
                break;
            buf = p;
            cap = cap ? cap * 2 : 65536;
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f) || *len == cap;
    fclose(f);
    if (bad) {
        fprintf(stderr, "vastrace %s: %s: cannot read the file\n", cmd, path);
        free(buf);
        return NULL;
    }
    return buf;
}

static int print_trace(const trace *t)
{
    char *text = trace_print(t);
    if (!text) {
        fprintf(stderr, "vastrace: out of memory\n");
        return 2;
    }
    fputs(text, stdout);
    free(text);
    return fflush(stdout) == 0 ? 0 : 2;
}

int cmd_fmt(int argc, char **argv)
{
    char err[512];
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: vastrace fmt FILE\n");
        return 2;
    }
    trace *t = trace_parse_file(argv[1], err, sizeof err);
    if (!t) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int rc = print_trace(t);
    trace_free(t);
    return rc;
}

int cmd_encode(int argc, char **argv)
{
    char err[512];
    size_t len;
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        fprintf(stderr, "usage: vastrace encode IN.trace OUT.bin\n");
        return 2;
    }
    trace *t = trace_parse_file(argv[1], err, sizeof err);
    if (!t) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    uint8_t *bytes = trace_encode_binary(t, &len);
    trace_free(t);
    if (!bytes) {
        fprintf(stderr, "vastrace encode: %s: the binary form cannot express this trace "
                "(it has expectations, a name/source/wine-deviates/model-only header, "
                "layout: process with a commit limit, an alloc that binds no name, or a "
                "read/write longer than 2 pages + 16 bytes)\n", argv[1]);
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    int ok = f && fwrite(bytes, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(bytes);
    if (!ok) {
        fprintf(stderr, "vastrace encode: %s: cannot write the file\n", argv[2]);
        return 2;
    }
    return 0;
}

int cmd_decode(int argc, char **argv)
{
    const char *path = NULL;
    size_t max_ops = DECODE_DEFAULT_MAX_OPS, len;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-ops") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(argv[++i], &end, 0);
            if (errno || *end || end == argv[i] || argv[i][0] == '-') {
                fprintf(stderr, "vastrace decode: bad --max-ops '%s'\n", argv[i]);
                return 2;
            }
            max_ops = (size_t)n;
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: vastrace decode IN.bin [--max-ops N]\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "usage: vastrace decode IN.bin [--max-ops N]\n");
        return 2;
    }
    uint8_t *bytes = read_file("decode", path, &len);
    if (!bytes)
        return 2;
    trace *t = trace_decode_binary(bytes, len, max_ops);
    free(bytes);
    if (!t) {
        fprintf(stderr, "vastrace decode: out of memory\n");
        return 2;
    }
    int rc = print_trace(t);
    trace_free(t);
    return rc;
}
