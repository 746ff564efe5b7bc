/*
 * fuzz_diff_wine.c - fuzz target: the model (impl) against the real Windows
 * API, served by vastrace.exe under Wine (docs/backend-protocol.md).
 *
 * One long-lived Wine process per fuzzer process: the exec: backend starts
 * `wine vastrace.exe serve` on the first input and keeps it; every input is
 * one RUN, which the server runs on a fresh view of its address space (it
 * frees what the previous input allocated). Inputs are x64 traces without a
 * commit limit (what a real process offers).
 *
 * Wine departs from Windows in known ways. A divergence whose signature
 * (wine_deviations.h) is in fuzz/wine-known-deviations.tsv is counted and
 * the input runs on without that operation (wine_run_past_known), so a
 * deviation every query shows does not hide what follows it. Signatures
 * are counted by deviation (wine_signature_group: argument-class variants
 * of one deviation together, each variant with its own count). A new
 * deviation's first trace is shrunk and written with each backend's result and the rule it breaks to
 * $VAS_WINE_FINDINGS (default wine-findings/), and fuzzing goes on: Wine's
 * deviations are findings to report, not crashes of ours. A crash or hang of
 * the server on an input is a new deviation too (signature "trace | ...").
 * At exit a summary goes to stderr and to $VAS_WINE_FINDINGS/summary.tsv.
 *
 * Allocation sizes between 64 MiB and the top of the user range are cut to
 * 64 MiB and bulk counts to 16 (bound_wine_costs: what Wine's page table
 * and calls cost); operations at
 * plain addresses inside the user range, which meet the server's own
 * memory, are dropped and handles used as addresses lose their name
 * (drop_plain_user_addresses).
 *
 * The server runs `--without threads,processes` by default, and the
 * operations of families it leaves out are dropped from each input
 * (trace_drop_unsupported, as every fuzz target does): under Wine 8 a new
 * thread costs 3-5 ms and a new process about 27 ms, against 0.05 ms for a
 * whole run without them, and every thread stack Wine makes is committed
 * whole, a known deviation (docs/outside-implementations.md has the
 * figures). On Windows, or to fuzz them anyway, set VAS_WINE_SERVER to a
 * server without --without (wine_fuzz.sh --without '').
 *
 * Environment: VAS_WINE_SERVER (default "wine build-win32/vastrace.exe
 * serve --without threads,processes"), VAS_WINE_KNOWN (default
 * fuzz/wine-known-deviations.tsv), VAS_WINE_FINDINGS. Linux only (the
 * exec: backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz_helpers.h"
#include "wine_deviations.h"

static const char *backend_names[2] = {"impl", NULL};

const fuzz_target FUZZ_TARGET = {
    "fuzz_diff_wine", backend_names, 2, 1, VAS_PROFILE_X64
};

/* Deviations seen in this process (signature groups, wine_deviations.h),
 * with counts, and the signatures of each (its variants), with counts. */
typedef struct variant {
    char *sig;
    unsigned long count;
} variant;

typedef struct seen {
    char *sig;               /* the group */
    const char *known_case;  /* NULL: new */
    unsigned long count;
    char *file;              /* report of a new one */
    variant *variants;
    size_t n_variants;
} seen;

static struct {
    const backend *pair[2];
    wine_known known;
    seen *seen;
    size_t n_seen;
    unsigned long inputs, agreed, errors;
    unsigned long long ops;  /* operations the inputs held after bound_wine_costs and the drops */
    const char *findings;
} w;

/* "SIG (N); SIG (N)": a deviation's variants, most frequent first. */
static int by_count(const void *a, const void *b)
{
    const variant *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->sig, y->sig);
}

static void print_variants(FILE *f, seen *s, const char *before, const char *between)
{
    size_t i;
    qsort(s->variants, s->n_variants, sizeof *s->variants, by_count);
    for (i = 0; i < s->n_variants; i++)
        fprintf(f, "%s%s (%lu)", i ? between : before, s->variants[i].sig, s->variants[i].count);
}

static void summary(void)
{
    char path[4096];
    FILE *f;
    size_t i;
    unsigned long known = 0, fresh = 0, known_groups = 0;
    if (w.pair[1] == NULL)
        return;
    for (i = 0; i < w.n_seen; i++) {
        if (w.seen[i].known_case) {
            known += w.seen[i].count;
            known_groups++;
        } else {
            fresh++;
        }
    }
    snprintf(path, sizeof path, "%s/summary.tsv", w.findings);
    f = fopen(path, "w");
    fprintf(stderr, "fuzz_diff_wine: %lu inputs (%.1f operations each after the drops), %lu agreed, %lu known "
            "deviations hit (%lu distinct), %lu new deviations, %lu errors\n", w.inputs,
            w.inputs ? (double)w.ops / (double)w.inputs : 0.0, w.agreed, known, known_groups, fresh, w.errors);
    if (f)
        fprintf(f, "# inputs %lu agreed %lu known %lu (distinct %lu) new %lu errors %lu\n"
                "# kind\tcount\tdeviation\tcase-or-report\tvariants (signature (count); ...)\n",
                w.inputs, w.agreed, known, known_groups, fresh, w.errors);
    for (i = 0; i < w.n_seen; i++) {
        seen *s = &w.seen[i];
        fprintf(stderr, "  %-5s %6lu  %s  (%s)\n", s->known_case ? "known" : "NEW", s->count, s->sig,
                s->known_case ? s->known_case : s->file ? s->file : "no report");
        print_variants(stderr, s, "          variant ", "\n          variant ");
        fprintf(stderr, "\n");
        if (f) {
            fprintf(f, "%s\t%lu\t%s\t%s", s->known_case ? "known" : "new", s->count, s->sig,
                    s->known_case ? s->known_case : s->file ? s->file : "");
            print_variants(f, s, "\t", "; ");
            fprintf(f, "\n");
        }
    }
    if (f)
        fclose(f);
}

static void setup(void)
{
    const char *server = getenv("VAS_WINE_SERVER");
    const char *known = getenv("VAS_WINE_KNOWN");
    static char spec[4096];
    char err[512];

    w.findings = getenv("VAS_WINE_FINDINGS") ? getenv("VAS_WINE_FINDINGS") : "wine-findings";
    snprintf(spec, sizeof spec, "exec:%s", server ? server : "wine build-win32/vastrace.exe serve --without threads,processes");
    backend_names[1] = spec;
    w.pair[0] = backend_find("impl");
    w.pair[1] = backend_find(spec);
    if (w.pair[0] == NULL || w.pair[1] == NULL) {
        fprintf(stderr, "fuzz_diff_wine: cannot start %s\n", spec);
        exit(2);
    }
    if (wine_known_load(known ? known : "fuzz/wine-known-deviations.tsv", &w.known, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_diff_wine: %s\n", err);
        exit(2);
    }
    mkdir(w.findings, 0777);
    atexit(summary);
}

static void count_variant(seen *s, const char *sig)
{
    size_t i;
    variant *grown;
    for (i = 0; i < s->n_variants; i++)
        if (strcmp(s->variants[i].sig, sig) == 0) {
            s->variants[i].count++;
            return;
        }
    grown = realloc(s->variants, (s->n_variants + 1) * sizeof *grown);
    if (grown == NULL || (grown[s->n_variants].sig = strdup(sig)) == NULL)
        abort();
    s->variants = grown;
    s->variants[s->n_variants++].count = 1;
}

/* The deviation sig is a variant of, counted once more. */
static seen *remember(const char *sig)
{
    char group[1024];
    size_t i;
    seen *grown, *s = NULL;
    wine_signature_group(sig, group, sizeof group);
    for (i = 0; i < w.n_seen && s == NULL; i++)
        if (strcmp(w.seen[i].sig, group) == 0)
            s = &w.seen[i];
    if (s == NULL) {
        grown = realloc(w.seen, (w.n_seen + 1) * sizeof *grown);
        if (grown == NULL)
            abort();
        w.seen = grown;
        s = &w.seen[w.n_seen++];
        memset(s, 0, sizeof *s);
        s->sig = strdup(group);
        s->known_case = wine_known_find(&w.known, sig);
    }
    count_variant(s, sig);
    s->count++;
    return s;
}

/* A new deviation: shrink the trace, write its report. */
static void report_new(seen *s, const trace *t, size_t at, const char *sig)
{
    char path[4096];
    trace *small = wine_minimize(w.pair, t, at, sig);
    FILE *f;
    snprintf(path, sizeof path, "%s/new-%03zu.txt", w.findings, w.n_seen);
    f = fopen(path, "w");
    if (f != NULL) {
        wine_report(f, w.pair, small ? small : t, sig);
        fclose(f);
        s->file = strdup(path);
    }
    fprintf(stderr, "fuzz_diff_wine: NEW deviation: %s -> %s\n", sig, path);
    trace_free(small);
}

/* Wine keeps one byte per page of every reservation and scans or fills
 * them on each reserve, release, protect and query: a 1 TiB reservation
 * costs it about a second and 256 MiB of memory it never gives back, and a
 * few such inputs made the target's throughput and the server's memory
 * (9 GiB) those of Wine's page table. An alloc whose size is a number
 * between this bound and the top of the user range asks for the bound
 * instead: the same paths at a bounded cost (no rule of docs/semantics.md
 * tells 64 MiB from 4 GiB in a process without a commit limit; at 4 GiB
 * the scans were still a tenth of the target's time). An alloc size that
 * names an address (r0+0x1DF0012E00FE: 30 TiB when r0 is 0, 27 s and 7.8
 * GiB in Wine) loses the name first. Sizes beyond the user range, which
 * fail before anything is reserved, are kept, as are the golden cases'
 * huge sizes (checked under Wine by the conformance suite).
 *
 * A bulk alloc or free makes up to 4096 calls so that the model's index
 * meets scale (docs/semantics.md 14); Wine's calls cost the same each, and
 * 16 of them take the same paths: the count is cut to 16. */
#define WINE_ALLOC_BOUND 0x4000000ull  /* 64 MiB */
#define WINE_BULK_MAX 16u
#define USER_RANGE_TOP 0x7FFFFFFF0000ull

static void bound_wine_costs(trace *t)
{
    size_t i;
    for (i = 0; i < t->n_ops; i++) {
        trace_op *op = &t->ops[i];
        uint64_t bound;
        if ((op->code == TRACE_BULKALLOC || op->code == TRACE_BULKFREE) && op->max > WINE_BULK_MAX)
            op->max = WINE_BULK_MAX;
        if (op->code != TRACE_ALLOC && op->code != TRACE_BULKALLOC)
            continue;
        /* bulk alloc: the bound holds for all COUNT allocations together. */
        bound = op->code == TRACE_BULKALLOC && op->max > 1 ? WINE_ALLOC_BOUND / op->max : WINE_ALLOC_BOUND;
        op->size.name = -1;
        if (op->size.offset > bound && op->size.offset <= USER_RANGE_TOP)
            op->size.offset = bound;
    }
}

/* The server's addresses are not the model's: a plain number inside the
 * user range names the server process's own memory (its image, DLLs,
 * heaps; the runner refuses to change it) where the model has free space
 * or, first fit, the trace's own allocations; and a section or process
 * handle is a number of each system's choosing. So an operand naming a
 * handle loses the name (it becomes its plain offset), and an operation
 * other than alloc whose address is then a plain user-range number is
 * dropped: either would compare the two processes' layouts, not Wine's
 * calls (a fixed-address alloc stays: it fails cleanly where the server
 * has memory, a known signature). 0 and addresses past the range stay. */
#define USER_RANGE_BOTTOM 0x10000ull

static void unbind(trace_expr *e, const unsigned char *handle)
{
    if (e->name >= 0 && handle[e->name])
        e->name = -1;
}

/* Whether op's addr is an address in the calling process that op uses
 * without creating anything there. */
static int addresses_own_memory(const trace_op *op)
{
    if (op->has_process)
        return 0;
    switch (op->code) {
    case TRACE_FREE: case TRACE_PROTECT: case TRACE_QUERY: case TRACE_READ: case TRACE_WRITE:
    case TRACE_EXEC: case TRACE_WATCH: case TRACE_RESETWATCH: case TRACE_LOCK: case TRACE_UNLOCK:
    case TRACE_ISBADREAD: case TRACE_ISBADWRITE: case TRACE_ISBADCODE: case TRACE_ISBADSTR:
    case TRACE_TOUCH: case TRACE_BULKFREE: case TRACE_UNMAP: case TRACE_UNMAP2: case TRACE_UNMAPEX:
        return 1;
    default:
        return 0;
    }
}

static void drop_plain_user_addresses(trace *t)
{
    unsigned char *handle = calloc(t->n_names + 1, 1);
    size_t i, kept = 0;
    if (handle == NULL)
        return;
    for (i = 0; i < t->n_ops; i++) {
        trace_op *op = &t->ops[i];
        unbind(&op->addr, handle);
        unbind(&op->size, handle);
        unbind(&op->offset, handle);
        unbind(&op->buf, handle);
        if (op->result >= 0 && (op->code == TRACE_SECTION || op->code == TRACE_PROCESS))
            handle[op->result] = 1;
        if (addresses_own_memory(op) && op->addr.name < 0
            && op->addr.offset >= USER_RANGE_BOTTOM && op->addr.offset < USER_RANGE_TOP) {
            free(op->data);
            free(op->expect.data);
            free(op->expect.pages);
            continue;
        }
        t->ops[kept++] = *op;
    }
    t->n_ops = kept;
    free(handle);
}

/* Known deviations an input runs past (wine_run_past_known), at most. */
#define KNOWN_SKIP_MAX 16

static void count_known(void *ctx, const char *sig)
{
    (void)ctx;
    remember(sig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    trace *t;
    diff_outcome o;
    char sig[1024];
    int rc;

    if (w.pair[1] == NULL)
        setup();
    t = fuzz_decode(&FUZZ_TARGET, data, size);
    if (t == NULL)
        return 0;
    t->commit_limit = 0;  /* a real process has no per-trace limit */
    /* The model's layout puts what Windows randomises at addresses of its
     * own choosing (docs/semantics.md 11.2): compared with a real process it
     * would only report those choices. */
    t->layout = VAS_LAYOUT_EMPTY;
    t->aslr_seed = 0;     /* nor the model's seeded placement */
    bound_wine_costs(t);
    drop_plain_user_addresses(t);
    trace_drop_unsupported(t, w.pair, 2);  /* the families the server leaves out */
    w.inputs++;
    w.ops += t->n_ops;
    rc = wine_run_past_known(w.pair, t, &w.known, KNOWN_SKIP_MAX, count_known, NULL, &o, sig, sizeof sig);
    if (rc == 0) {
        w.agreed++;
    } else if (rc == 1) {
        seen *s = remember(sig);
        if (s->count == 1 && s->known_case == NULL)
            report_new(s, t, o.at, sig);
    } else {
        if (w.errors++ < 5)
            fprintf(stderr, "fuzz_diff_wine: %s\n", o.what);
    }
    trace_free(t);
    return 0;
}
