/*
 * bench_exec.c - measures executions per second of a fuzz target on one
 * core, the figure that decides how much a fuzzing hour explores.
 *
 *   TARGET_bench [--ops N] [--inputs K] [--seconds S] [--seed X] [DIR]
 *
 * Without DIR it makes K pseudo-random inputs that each decode to exactly
 * N operations (default 32, FUZZ_MAX_OPS: the longest input a fuzzer
 * runs), then calls LLVMFuzzerTestOneInput on them round-robin for S
 * seconds. With DIR it cycles over the files there (a corpus) instead.
 * Prints executions per second; a benchmark, so it asserts nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input { uint8_t *data; size_t len; } input;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: reproducible inputs from a seed. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

/* Random bytes, cut right after the n-th operation. Literal writes may eat
 * many bytes, so the buffer is generous; returns 0 when the bytes did not
 * reach n operations (the caller tries another seed). */
static int make_input(uint64_t *state, size_t n_ops, input *in)
{
    size_t cap = 64 * 1024, lo, hi;
    uint8_t *buf = malloc(cap);
    trace *t;
    if (buf == NULL)
        return 0;
    for (size_t i = 0; i < cap; i++)
        buf[i] = (uint8_t)next_random(state);
    t = trace_decode_binary(buf, cap, n_ops);
    if (t == NULL || t->n_ops < n_ops) {
        trace_free(t);
        free(buf);
        return 0;
    }
    trace_free(t);
    /* The shortest prefix that still decodes to n operations. */
    lo = 1;
    hi = cap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        t = trace_decode_binary(buf, mid, n_ops);
        if (t != NULL && t->n_ops >= n_ops)
            hi = mid;
        else
            lo = mid + 1;
        trace_free(t);
    }
    in->data = buf;
    in->len = lo;
    return 1;
}

static size_t load_directory(const char *path, input **out)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    size_t n = 0, cap = 0;
    input *ins = NULL;
    if (dir == NULL)
        return 0;
    while ((e = readdir(dir)) != NULL) {
        char file[4096];
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        f = fopen(file, "rb");
        if (f == NULL)
            continue;
        if (n == cap) {
            input *grown = realloc(ins, (cap ? cap * 2 : 64) * sizeof *ins);
            if (grown == NULL) {
                fclose(f);
                break;
            }
            ins = grown;
            cap = cap ? cap * 2 : 64;
        }
        ins[n].data = malloc(1 << 16);
        ins[n].len = ins[n].data ? fread(ins[n].data, 1, 1 << 16, f) : 0;
        fclose(f);
        if (ins[n].data != NULL)
            n++;
    }
    closedir(dir);
    *out = ins;
    return n;
}

int main(int argc, char **argv)
{
    size_t n_ops = FUZZ_MAX_OPS, n_inputs = 256, n = 0, i;
    double seconds = 5;
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    const char *dir = NULL;
    input *ins = NULL;
    unsigned long execs = 0;
    double start, elapsed;
    size_t total_len = 0;

    /* A divergence is reported and counted, not fatal: the figure is what
     * this benchmark is for. */
    fuzz_abort_on_divergence = 0;
    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--ops") == 0 && i + 1 < (size_t)argc)
            n_ops = strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--inputs") == 0 && i + 1 < (size_t)argc)
            n_inputs = strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < (size_t)argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < (size_t)argc)
            state = strtoull(argv[++i], NULL, 0) | 1;
        else
            dir = argv[i];
    }
    if (dir != NULL) {
        n = load_directory(dir, &ins);
    } else {
        ins = calloc(n_inputs, sizeof *ins);
        while (ins != NULL && n < n_inputs)
            n += (size_t)make_input(&state, n_ops, &ins[n]);
    }
    if (n == 0) {
        fprintf(stderr, "bench: no inputs\n");
        return 2;
    }
    for (i = 0; i < n; i++)
        total_len += ins[i].len;

    start = now_seconds();
    do {
        for (i = 0; i < n; i++)
            LLVMFuzzerTestOneInput(ins[i].data, ins[i].len);
        execs += n;
        elapsed = now_seconds() - start;
    } while (elapsed < seconds);

    printf("%s: %lu executions in %.2f s = %.0f exec/s (%zu inputs, %s, mean %zu bytes)\n",
           FUZZ_TARGET.name, execs, elapsed, (double)execs / elapsed, n,
           dir ? dir : "random, each exactly --ops operations", total_len / n);
    if (fuzz_divergence_count)
        printf("%s: %lu executions diverged (reported above)\n", FUZZ_TARGET.name,
               fuzz_divergence_count);
    for (i = 0; i < n; i++)
        free(ins[i].data);
    free(ins);
    return 0;
}
