/*
 * cmd_random.c - `vastrace random`: differential testing with random traces.
 *
 *   vastrace random [--backends A,B,...] [--traces N] [--ops M] [--seed S]
 *                   [--save-dir DIR] [--corpus DIR]
 *
 * Each trace is random bytes decoded by trace_decode_binary (the same
 * decoder the fuzzers use, so its bias toward boundaries applies), run in
 * lockstep on the backends. A divergent trace is cut after the diverging
 * op, shrunk (ops whose removal keeps the same divergence are dropped) and
 * saved to DIR as .trace text and .bin encoding; its report is printed.
 * One kind of divergence is only counted: the oracle refusing a reservation
 * with ERROR_NOT_ENOUGH_MEMORY that another backend made (it keeps runs of
 * pages, so this happens only when the host's malloc fails: oracle.h). At
 * the end the benchmark figures: traces/s and ops/s of the whole loop, and
 * each backend's ops/s counting only the time inside its own calls.
 *
 * The bytes come from splitmix64 (trace_of_seed) seeded with S + trace index, so a run is
 * reproducible from its seed, and trace i alone from --seed S+i --traces 1.
 *
 * Uniform bytes mostly decode to calls that fail their argument checks. With
 * --corpus DIR (the fuzzers' .bin seeds, e.g. corpus/seed) each trace is
 * instead a seed file mutated AFL-style - bytes overwritten, flipped,
 * inserted, deleted, spliced from another seed, a random tail appended -
 * which keeps most of a seed's meaningful setup and varies what follows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#ifdef _WIN32
#include <direct.h>
#define make_dir(path) _mkdir(path)
#else
#include <sys/stat.h>
#define make_dir(path) mkdir(path, 0777)
#endif
#include "commands.h"
#include "wall_clock.h"
#include "harness/compare.h"

#define FULL_REPORTS 3    /* divergences after these get one line each */

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno == 0 && end != s && *end == '\0';
}

/* ---- Mutating seed files ------------------------------------------------- */

typedef struct seed_file {
    uint8_t *bytes;
    size_t len;
} seed_file;

typedef struct corpus {
    seed_file *files;
    size_t n;
} corpus;

/* Loads every *.bin of dir. Returns 0, or -1 when dir cannot be read or
 * holds none. */
static int corpus_load(const char *dir, corpus *c)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    memset(c, 0, sizeof *c);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        size_t name_len = strlen(e->d_name);
        char path[4096];
        FILE *f;
        long len;
        seed_file *grown;
        if (name_len < 5 || strcmp(e->d_name + name_len - 4, ".bin") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        grown = realloc(c->files, (c->n + 1) * sizeof *grown);
        if (grown != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0) {
            c->files = grown;
            c->files[c->n].bytes = malloc((size_t)len);
            c->files[c->n].len = (size_t)len;
            rewind(f);
            if (c->files[c->n].bytes != NULL
                && fread(c->files[c->n].bytes, 1, (size_t)len, f) == (size_t)len)
                c->n++;
            else
                free(c->files[c->n].bytes);
        } else if (grown != NULL) {
            c->files = grown;
        }
        fclose(f);
    }
    closedir(d);
    return c->n ? 0 : -1;
}

static void corpus_free(corpus *c)
{
    size_t i;
    for (i = 0; i < c->n; i++)
        free(c->files[i].bytes);
    free(c->files);
}

/* Bytes that mean something to the decoder's tables: small indexes, the
 * operand kinds (top two bits), the raw escape. */
static const uint8_t INTERESTING[] = {0, 1, 2, 3, 4, 7, 8, 15, 16, 0x3F, 0x40, 0x41, 0x7F, 0x80, 0xC0, 0xF0, 0xFF};

/* A mutated seed: at most cap bytes written to out; returns the length. */
static size_t corpus_mutate(const corpus *c, uint64_t *state, uint8_t *out, size_t cap, size_t tail)
{
    const seed_file *s = &c->files[trace_rand(state) % c->n];
    size_t len = s->len < cap ? s->len : cap, rounds, r;
    memcpy(out, s->bytes, len);
    rounds = 1 + trace_rand(state) % 8;
    for (r = 0; r < rounds && len > 0; r++) {
        uint64_t x = trace_rand(state);
        size_t at = (size_t)(x >> 8) % len, n = 1 + (size_t)(x >> 40) % 16;
        switch (x % 6) {
        case 0: out[at] = (uint8_t)(x >> 32); break;
        case 1: out[at] ^= (uint8_t)(1u << ((x >> 32) % 8)); break;
        case 2: out[at] = INTERESTING[(x >> 32) % sizeof INTERESTING]; break;
        case 3:  /* insert n random bytes at at */
            if (len + n <= cap) {
                size_t i;
                memmove(out + at + n, out + at, len - at);
                for (i = 0; i < n; i++)
                    out[at + i] = (uint8_t)trace_rand(state);
                len += n;
            }
            break;
        case 4:  /* delete n bytes at at */
            if (n > len - at)
                n = len - at;
            memmove(out + at, out + at + n, len - at - n);
            len -= n;
            break;
        case 5: {  /* splice: the rest comes from another seed */
            const seed_file *o = &c->files[(x >> 32) % c->n];
            size_t from = o->len ? (size_t)(x >> 16) % o->len : 0, take = o->len - from;
            if (at + take > cap)
                take = cap - at;
            memcpy(out + at, o->bytes + from, take);
            len = at + take;
            break;
        }
        }
    }
    if (trace_rand(state) % 2) {  /* a random tail: more ops after the setup */
        size_t i;
        for (i = 0; i < tail && len < cap; i++)
            out[len++] = (uint8_t)trace_rand(state);
    }
    return len;
}

/* ---- Shrinking a divergent trace ---------------------------------------- */

/* 1 when op i binds a name that a later kept op uses. */
static int op_binding_used(const trace *t, const unsigned char *keep, size_t i)
{
    int name = t->ops[i].result;
    size_t j;
    if (name < 0)
        return 0;
    for (j = i + 1; j < t->n_ops; j++) {
        const trace_op *op = &t->ops[j];
        if (!keep[j])
            continue;
        if (op->result == name)
            return 0;  /* rebound: later uses see the new binding */
        if (op->addr.name == name || op->size.name == name)
            return 1;
    }
    return 0;
}

/* Builds into *view the ops of t marked in keep (a shallow copy: the ops
 * still own their data through t). */
static size_t view_keep(const trace *t, const unsigned char *keep, trace_op *ops, trace *view)
{
    size_t i, n = 0;
    *view = *t;
    for (i = 0; i < t->n_ops; i++)
        if (keep[i])
            ops[n++] = t->ops[i];
    view->ops = ops;
    view->n_ops = n;
    return n;
}

/* Drops ops one at a time, last to first, keeping each removal after which
 * the trace still diverges at its (new) last op. The diverging op itself
 * stays last. Greedy, one pass per round until nothing more goes. */
static trace shrink_divergence(const backend *const *backends, size_t n, const trace *t,
                               unsigned char *keep, trace_op *ops)
{
    trace view;
    diff_outcome outcome;
    size_t i;
    int changed = 1;
    memset(keep, 1, t->n_ops);
    while (changed) {
        changed = 0;
        for (i = t->n_ops - 1; i-- > 0;) {
            if (!keep[i] || op_binding_used(t, keep, i))
                continue;
            keep[i] = 0;
            view_keep(t, keep, ops, &view);
            if (diff_trace_ex(backends, n, &view, NULL, &outcome, NULL) == 1 && outcome.at == view.n_ops - 1)
                changed = 1;
            else
                keep[i] = 1;
        }
    }
    view_keep(t, keep, ops, &view);
    return view;
}

/* ---- Saving ----------------------------------------------------------------- */

static void save_divergence(const char *dir, uint64_t seed, const trace *t)
{
    char path[4096], err[256];
    char *text = trace_print(t);
    size_t bin_len = 0;
    uint8_t *bin = NULL;
    FILE *f;

    /* Encode what the text says: a shrunk trace keeps the original's name
     * table, with gaps the encoder cannot express; the reparsed text has none. */
    if (text != NULL) {
        trace *reparsed = trace_parse("<shrunk>", text, strlen(text), err, sizeof err);
        if (reparsed != NULL)
            bin = trace_encode_binary(reparsed, &bin_len);
        trace_free(reparsed);
    }

    make_dir(dir);  /* may exist already: fopen below tells whether it worked */
    snprintf(path, sizeof path, "%s/random-%016" PRIx64 ".trace", dir, seed);
    f = fopen(path, "w");
    if (f != NULL && text != NULL) {
        fputs(text, f);
        fclose(f);
        printf("saved %s\n", path);
    } else {
        if (f)
            fclose(f);
        fprintf(stderr, "vastrace random: cannot write %s\n", path);
    }
    snprintf(path, sizeof path, "%s/random-%016" PRIx64 ".bin", dir, seed);
    f = bin ? fopen(path, "wb") : NULL;
    if (f != NULL) {
        fwrite(bin, 1, bin_len, f);
        fclose(f);
    }
    free(text);
    free(bin);
}

/* ---- The command --------------------------------------------------------- */


static int usage(void)
{
    fprintf(stderr, "usage: vastrace random [--backends A,B,...] [--traces N] [--ops M] [--seed S]"
                    " [--save-dir DIR] [--corpus DIR] [--compare sampled|walk]\n");
    return 2;
}

int cmd_random(int argc, char **argv)
{
    const char *spec = DIFF_DEFAULT_BACKENDS, *dir = "vastrace-divergences", *corpus_dir = NULL;
    const diff_policy *policy = &DIFF_SAMPLED;
    corpus seeds = {0};
    const backend *backends[MAX_BACKENDS];
    double seconds[MAX_BACKENDS] = {0};
    diff_timing timing = {wall_clock_seconds, seconds};
    uint64_t traces = 1000, max_ops = 100, seed = 1, t_i, total_ops = 0, divergences = 0, refusals = 0;
    uint64_t unsupported = 0;
    size_t n, k;
    uint8_t *bytes;
    size_t n_bytes;
    double start, elapsed;
    char err[256];
    int i;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (val == NULL)
            return usage();
        if (strcmp(arg, "--backends") == 0)
            spec = val;
        else if (strcmp(arg, "--save-dir") == 0)
            dir = val;
        else if (strcmp(arg, "--corpus") == 0)
            corpus_dir = val;
        else if (strcmp(arg, "--compare") == 0 && strcmp(val, "sampled") == 0)
            policy = &DIFF_SAMPLED;
        else if (strcmp(arg, "--compare") == 0 && strcmp(val, "walk") == 0)
            policy = &DIFF_WALK_EVERY_OP;  /* the comparison before sampling, for the benchmark */
        else if (!((strcmp(arg, "--traces") == 0 && parse_u64(val, &traces))
                   || (strcmp(arg, "--ops") == 0 && parse_u64(val, &max_ops) && max_ops > 0
                       && max_ops < 1000000)
                   || (strcmp(arg, "--seed") == 0 && parse_u64(val, &seed))))
            return usage();
        i++;
    }
    n = backends_parse(spec, backends, MAX_BACKENDS, err, sizeof err);
    if (n == 0) {
        fprintf(stderr, "vastrace random: %s\n", err);
        return 2;
    }
    n_bytes = 0;
    bytes = NULL;
    if (corpus_dir != NULL) {
        if (corpus_load(corpus_dir, &seeds) != 0) {
            fprintf(stderr, "vastrace random: no .bin seeds readable in %s\n", corpus_dir);
            return 2;
        }
        n_bytes = 1 << 20;
        bytes = malloc(n_bytes);
        if (bytes == NULL)
            return 2;
    }

    start = wall_clock_seconds();
    for (t_i = 0; t_i < traces; t_i++) {
        diff_outcome outcome;
        trace *t;
        int rc;
        if (seeds.n) {
            uint64_t state = seed + t_i;
            size_t len = corpus_mutate(&seeds, &state, bytes, n_bytes, (size_t)max_ops * 8);
            t = trace_decode_binary(bytes, len, (size_t)max_ops);
        } else {
            t = trace_of_seed(seed + t_i, (size_t)max_ops, &bytes, &n_bytes);
        }
        if (t != NULL)
            trace_drop_unsupported(t, backends, n);
        if (t == NULL) {
            fprintf(stderr, "vastrace random: out of memory (seed %" PRIu64 ")\n", seed + t_i);
            free(bytes);
            return 2;
        }
        rc = diff_trace_policy(backends, n, t, NULL, &outcome, &timing, policy);
        if (rc == 0)
            total_ops += t->n_ops;
        else if (outcome.no_space == NULL)
            total_ops += outcome.at + 1;
        if (rc == 1 && outcome.refused != NULL && strcmp(outcome.refused->name, "oracle") == 0) {
            /* The oracle ran out of host memory (oracle.h: oracle_create
             * and its calls fail when memory is short). Not a disagreement
             * about the semantics; counted, and the rest of the trace is
             * dropped. */
            refusals++;
        } else if (rc == 2 && outcome.no_space != NULL) {
            /* A backend without this profile (win32 has only x64). */
            unsupported++;
        } else if (rc != 0) {
            unsigned char *keep = malloc(t->n_ops + 1);
            trace_op *ops = malloc((t->n_ops + 1) * sizeof *ops);
            divergences++;
            printf("== divergence in trace %" PRIu64 " (--seed %" PRIu64 " --traces 1 --ops %" PRIu64 "): %s\n",
                   t_i, seed + t_i, max_ops, outcome.what);
            if (rc == 1 && keep != NULL && ops != NULL) {
                trace cut = *t, small;
                cut.n_ops = outcome.at + 1;
                small = shrink_divergence(backends, n, &cut, keep, ops);
                save_divergence(dir, seed + t_i, &small);
                diff_trace_ex(backends, n, &small, divergences <= FULL_REPORTS ? stdout : NULL, NULL, NULL);
                if (divergences > FULL_REPORTS)
                    printf("(report omitted: run vastrace diff on the saved trace)\n");
            } else {
                diff_trace_ex(backends, n, t, stdout, NULL, NULL);
            }
            free(keep);
            free(ops);
        }
        trace_free(t);
    }
    elapsed = wall_clock_seconds() - start;
    free(bytes);
    corpus_free(&seeds);

    printf("%" PRIu64 " traces, %" PRIu64 " ops on %s, seed %" PRIu64 ": %" PRIu64 " divergent\n",
           traces, total_ops, spec, seed, divergences);
    if (unsupported)
        printf("%" PRIu64 " traces skipped: a backend could not create their profile's address space\n",
               unsupported);
    if (refusals)
        printf("%" PRIu64 " traces cut short where the oracle refused a reservation for lack of host"
               " memory\n", refusals);
    if (elapsed > 0)
        printf("benchmark: %.0f traces/s, %.0f ops/s (whole loop: decode, run, compare, %.2f s)\n",
               traces / elapsed, total_ops / elapsed, elapsed);
    for (k = 0; k < n; k++)
        if (seconds[k] > 0)
            printf("benchmark: %-8s %.0f ops/s (its own calls only, %.3f s)\n", backends[k]->name,
                   total_ops / seconds[k], seconds[k]);
    return divergences ? 1 : 0;
}
