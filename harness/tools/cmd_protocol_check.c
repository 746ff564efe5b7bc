/*
 * cmd_protocol_check.c - `vastrace protocol-check 'exec:COMMAND'`: what an
 * implementer runs against their protocol server (docs/backend-protocol.md)
 * before anything else. One line per check, PASS or FAIL with the reason;
 * exit 0 when all pass, 1 otherwise, 2 on bad usage.
 *
 * The checks of the protocol itself (handshake, version mismatch, malformed
 * requests, fresh-space isolation) speak raw frames on their own server
 * processes, so that a server broken by one check cannot spoil the next.
 * "every operation" runs one trace per operation family (op_rows: every
 * opcode of the trace language, the binary slots 28-31 included) through
 * the exec: backend and run_trace_ex, as every runner does, and for a server
 * that places deterministically diffs each against the built-in model.
 */
#define _GNU_SOURCE  /* asprintf */
#include <stdio.h>
#include <string.h>
#include "commands.h"

#ifdef _WIN32
int cmd_protocol_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vastrace protocol-check: not available in the Windows build\n");
    return 2;
}
#else
#include <stdlib.h>
#include <sys/wait.h>
#include "harness/protocol.h"

static int failures;

static void verdict(const char *check, int ok, const char *why)
{
    printf("%s %-28s %s\n", ok ? "PASS" : "FAIL", check, ok ? "" : why);
    fflush(stdout);
    failures += !ok;
}

/* A raw session with its own server process. */
typedef struct session {
    proto_conn c;
    uint8_t *buf;
    size_t cap, len;
    uint32_t type;
    char err[256];
} session;

/* Per answer; each check starts its own server, and a runtime such as Wine
 * may take seconds to start on a loaded machine. */
static double timeout(void)
{
    const char *s = getenv("VAS_EXEC_TIMEOUT");
    return s && atof(s) > 0 ? atof(s) : 30.0;
}

static int session_start(session *s, const char *command)
{
    memset(s, 0, sizeof *s);
    return proto_conn_start(&s->c, command, s->err, sizeof s->err);
}

static int recv_frame(session *s)
{
    return proto_conn_recv(&s->c, &s->type, &s->buf, &s->cap, &s->len, proto_now() + timeout(),
                           s->err, sizeof s->err);
}

static int hello(session *s, uint32_t version)
{
    uint8_t p[8];
    proto_put32(p, version);
    proto_put32(p + 4, 0);
    /* A first start may have to set up a runtime (a Wine prefix): 3 x. */
    if (proto_conn_send(&s->c, PROTO_HELLO, p, 8, proto_now() + 3 * timeout()) != PROTO_IO_OK)
        return -1;
    return proto_conn_recv(&s->c, &s->type, &s->buf, &s->cap, &s->len, proto_now() + 3 * timeout(),
                           s->err, sizeof s->err);
}

static void session_end(session *s)
{
    proto_conn_close(&s->c, 2.0, NULL, 0);
    free(s->buf);
}

/* Sends RUN with text; reads OPENED. Returns the OPENED status, or -1. */
static int run_text(session *s, const char *text, uint32_t mode)
{
    size_t n = strlen(text);
    uint8_t *p = malloc(12 + n);
    int rc;
    if (p == NULL)
        return -1;
    proto_put32(p, mode);
    proto_put32(p + 4, 0);
    proto_put32(p + 8, (uint32_t)n);
    memcpy(p + 12, text, n);
    rc = proto_conn_send(&s->c, PROTO_RUN, p, 12 + n, proto_now() + timeout());
    free(p);
    if (rc != PROTO_IO_OK || recv_frame(s) != PROTO_IO_OK || s->type != PROTO_OPENED || s->len < 12)
        return -1;
    return (int)proto_get32(s->buf);
}

/* Reads n OP records then END; 0 when all arrived well-formed, records
 * decoded into rr (may be NULL). */
static int read_records(session *s, uint32_t n, remote_results *rr, char *why, size_t why_len)
{
    remote_results local = {0};
    region_map empty = {0};
    uint32_t i;
    if (rr == NULL)
        rr = &local;
    if (rr->n_maps == 0) {
        rr->maps = calloc(1, sizeof *rr->maps);
        if (rr->maps == NULL)
            return -1;
        rr->maps[0] = empty;
        rr->n_maps = 1;
    }
    rr->ops = calloc(n + 1, sizeof *rr->ops);
    for (i = 0; i < n; i++) {
        char err[256];
        if (recv_frame(s) != PROTO_IO_OK || s->type != PROTO_OP) {
            snprintf(why, why_len, "record %u of %u missing (frame type %u)", i + 1, n, s->type);
            remote_results_free(&local);
            return -1;
        }
        if (rr->ops == NULL || remote_decode_op(s->buf, s->len, rr, &rr->ops[i], err, sizeof err) != 0) {
            snprintf(why, why_len, "record %u: %s", i + 1, err);
            remote_results_free(&local);
            return -1;
        }
        rr->n_ops = i + 1;
    }
    remote_results_free(&local);
    if (recv_frame(s) != PROTO_IO_OK || s->type != PROTO_END) {
        snprintf(why, why_len, "no END after %u records", n);
        return -1;
    }
    return 0;
}

static void check_handshake(const char *command, uint32_t *features)
{
    session s;
    char why[512] = "";
    int ok = 0;
    if (session_start(&s, command) != 0) {
        verdict("handshake", 0, s.err);
        return;
    }
    if (hello(&s, PROTO_VERSION) != PROTO_IO_OK)
        snprintf(why, sizeof why, "no frame in answer to HELLO (%s)", s.err);
    else if (s.type != PROTO_HELLO_OK || s.len < 16 || proto_get32(s.buf + 12) != s.len - 16)
        snprintf(why, sizeof why, "answer is frame type %u of %zu bytes, not a well-formed HELLO_OK", s.type, s.len);
    else if (proto_get32(s.buf) != PROTO_VERSION)
        snprintf(why, sizeof why, "HELLO_OK says version %u", proto_get32(s.buf));
    else if ((proto_get32(s.buf + 8) & 7) == 0)
        snprintf(why, sizeof why, "HELLO_OK lists no profile");
    else if (s.len == 16)
        snprintf(why, sizeof why, "HELLO_OK has an empty name");
    else {
        ok = 1;
        *features = proto_get32(s.buf + 4);
        printf("     server '%.*s', features 0x%X, profiles 0x%X\n", (int)(s.len - 16),
               (const char *)s.buf + 16, *features, proto_get32(s.buf + 8));
    }
    verdict("handshake", ok, why);
    session_end(&s);
}

static void check_version_mismatch(const char *command)
{
    session s;
    char why[256] = "", how[128] = "";
    int ok = 0, status;
    if (session_start(&s, command) != 0) {
        verdict("version mismatch", 0, s.err);
        return;
    }
    if (hello(&s, 999) != PROTO_IO_OK)
        snprintf(why, sizeof why, "no answer to HELLO version 999");
    else if (s.type != PROTO_ERROR || s.len < 8 || proto_get32(s.buf) != PROTO_ERR_VERSION)
        snprintf(why, sizeof why, "answered frame type %u, not ERROR VERSION", s.type);
    else
        ok = 1;
    /* ... and then exits by itself. */
    status = proto_conn_close(&s.c, 3.0, how, sizeof how);
    if (ok && status == -1) {
        ok = 0;
        snprintf(why, sizeof why, "did not exit after ERROR VERSION (%s)", how);
    }
    free(s.buf);
    verdict("version mismatch", ok, why);
}

static void check_malformed(const char *command)
{
    session s;
    char why[512] = "";
    int ok = 1;
    static const uint8_t bogus_type[8] = {4, 0, 0, 0, 99, 0, 0, 0};
    uint8_t bad_run[16];

    if (session_start(&s, command) != 0) {
        verdict("malformed requests", 0, s.err);
        return;
    }
    /* A frame before HELLO. */
    if (proto_conn_send_raw(&s.c, bogus_type, 8, proto_now() + timeout()) != PROTO_IO_OK
        || recv_frame(&s) != PROTO_IO_OK || s.type != PROTO_ERROR) {
        ok = 0;
        snprintf(why, sizeof why, "a frame before HELLO was not answered with ERROR");
    }
    if (ok && (hello(&s, PROTO_VERSION) != PROTO_IO_OK || s.type != PROTO_HELLO_OK)) {
        ok = 0;
        snprintf(why, sizeof why, "no HELLO_OK after an ERROR");
    }
    /* An unknown frame type. */
    if (ok && (proto_conn_send_raw(&s.c, bogus_type, 8, proto_now() + timeout()) != PROTO_IO_OK
               || recv_frame(&s) != PROTO_IO_OK || s.type != PROTO_ERROR
               || s.len < 8 || proto_get32(s.buf) != PROTO_ERR_MALFORMED)) {
        ok = 0;
        snprintf(why, sizeof why, "frame type 99 was not answered with ERROR MALFORMED");
    }
    /* A RUN whose text length disagrees with the frame. */
    proto_put32(bad_run, PROTO_MAP_NONE);
    proto_put32(bad_run + 4, 0);
    proto_put32(bad_run + 8, 1000);
    memcpy(bad_run + 12, "geterr", 4);
    if (ok && (proto_conn_send(&s.c, PROTO_RUN, bad_run, sizeof bad_run, proto_now() + timeout()) != PROTO_IO_OK
               || recv_frame(&s) != PROTO_IO_OK || s.type != PROTO_ERROR)) {
        ok = 0;
        snprintf(why, sizeof why, "a RUN with a wrong text length was not answered with ERROR");
    }
    /* A malformed trace: OPENED status 2, END. */
    if (ok) {
        int st = run_text(&s, "alloc 0 0x1000 NOT_A_TYPE READWRITE\n", PROTO_MAP_NONE);
        if (st != PROTO_OPENED_MALFORMED || recv_frame(&s) != PROTO_IO_OK || s.type != PROTO_END) {
            ok = 0;
            snprintf(why, sizeof why, "a malformed trace got OPENED status %d (2 and END expected)", st);
        }
    }
    /* ... and the session still works. */
    if (ok) {
        int st = run_text(&s, "geterr\n", PROTO_MAP_NONE);
        if (st != PROTO_OPENED_OK || read_records(&s, 1, NULL, why, sizeof why) != 0) {
            ok = 0;
            if (!why[0])
                snprintf(why, sizeof why, "a valid RUN after the malformed ones failed");
        }
    }
    /* A length out of range: the server must not hang. */
    if (ok) {
        static const uint8_t short_len[8] = {2, 0, 0, 0, 3, 0, 0, 0};
        char how[128] = "";
        proto_conn_send_raw(&s.c, short_len, sizeof short_len, proto_now() + timeout());
        if (proto_conn_close(&s.c, 3.0, how, sizeof how) == -1) {
            ok = 0;
            snprintf(why, sizeof why, "hung on a frame of length 2 (%s)", how);
        }
    } else {
        proto_conn_close(&s.c, 2.0, NULL, 0);
    }
    free(s.buf);
    verdict("malformed requests", ok, why);
}

static void check_isolation(const char *command)
{
    static const char first[] = "a = alloc 0 0x10000 RESERVE|COMMIT READWRITE\nwrite a 5a\n";
    session s;
    remote_results rr = {0};
    char why[512] = "", text[128];
    uint64_t addr = 0;
    int ok = 0;

    if (session_start(&s, command) != 0 || hello(&s, PROTO_VERSION) != PROTO_IO_OK || s.type != PROTO_HELLO_OK) {
        snprintf(why, sizeof why, "no handshake (frame type %u) %s", s.type, s.err);
        verdict("fresh-space isolation", 0, why);
        session_end(&s);
        return;
    }
    if (run_text(&s, first, PROTO_MAP_NONE) == PROTO_OPENED_OK && read_records(&s, 2, &rr, why, sizeof why) == 0)
        addr = rr.ops[0].res.value;
    remote_results_free(&rr);
    if (addr == 0) {
        snprintf(why + strlen(why), sizeof why - strlen(why), " (the first run's alloc failed)");
    } else {
        snprintf(text, sizeof text, "query 0x%llx\n", (unsigned long long)addr);
        if (run_text(&s, text, PROTO_MAP_NONE) == PROTO_OPENED_OK && read_records(&s, 1, &rr, why, sizeof why) == 0) {
            const vas_mbi *m = &rr.ops[0].res.mbi;
            if (rr.ops[0].res.value != 0 && m->state == VAS_MEM_FREE)
                ok = 1;
            else
                snprintf(why, sizeof why, "the second run sees 0x%llx as state 0x%X: the first run's memory was not freed",
                         (unsigned long long)addr, m->state);
        }
        remote_results_free(&rr);
    }
    verdict("fresh-space isolation", ok, why);
    session_end(&s);
}

/* Every operation kind of the trace language, a family a row, each row a
 * trace of its own so that a family the server does not offer (answered
 * UNSUPPORTED) leaves the others whole. check_every_op fails when an
 * opcode has no row: a new operation kind gets one here. */
static const struct op_row {
    const char *family;
    const char *text;
} op_rows[] = {
    {"memory (alloc free protect query read write exec)",
     "a = alloc 0 0x20000 RESERVE NOACCESS\n"
     "alloc a 0x2000 COMMIT READWRITE\n"
     "write a 0102030405\n"
     "read a 5\n"
     "read a+0x3000 1\n"
     "protect a 0x1000 READONLY\n"
     "protect a 0x1000 READWRITE nullold\n"
     "write a 01\n"
     "protect a+0x1000 0x1000 READWRITE|GUARD\n"
     "read a+0x1000 1\n"
     "exec a\n"
     "query a\n"
     "query a+0x1000 len=8\n"
     "free a+0x1000 0x1000 DECOMMIT\n"
     "free a 0 RELEASE\n"
     "query a\n"},
    {"last error, commit charge (seterr geterr charge)",
     "seterr 1234\n"
     "geterr\n"
     "charge\n"
     "alloc 0 0 RESERVE READWRITE\n"
     "geterr\n"},
    {"write watch, slot 28 (watch resetwatch)",
     "a = alloc 0 0x10000 RESERVE|COMMIT|WRITE_WATCH READWRITE\n"
     "write a+0x1001 44\n"
     "write a+0x4008 11\n"
     "watch a 0x10000\n"
     "watch a 0x10000 reset max=1\n"
     "watch a 0x10000 nullcount\n"
     "resetwatch a 0x10000\n"
     "watch a 0x10000\n"},
    {"locking, slot 28 (lock unlock wsset wsmin wsmax locked)",
     "a = alloc 0 0x10000 RESERVE|COMMIT READWRITE\n"
     "lock a 0x2000\n"
     "locked\n"
     "unlock a 0x1000\n"
     "unlock a 0x1000\n"
     "wsmin\n"
     "wsmax\n"
     "wsset 0x200000 0x100000\n"},
    {"probes, slot 28 (isbadread isbadwrite isbadcode isbadstr)",
     "a = alloc 0 0x2000 RESERVE|COMMIT READONLY\n"
     "write a 41\n"
     "isbadread a 0x2000\n"
     "isbadread a 0x2001\n"
     "isbadwrite a 0x1000\n"
     "isbadcode a\n"
     "isbadstr a 100\n"
     "isbadstr a 100 wide\n"
     "isbadstr 0 5\n"},
    {"processes, slot 28 (process close readproc writeproc, alloc free protect query in=)",
     "p = process\n"
     "r = alloc 0 0x10000 RESERVE|COMMIT READWRITE in=p\n"
     "src = alloc 0 0x10000 RESERVE|COMMIT READWRITE\n"
     "write src 0102030405\n"
     "writeproc p r src 0x10\n"
     "readproc p r src+0x100 0x10\n"
     "read src+0x100 5\n"
     "protect r 0x1000 READONLY in=p\n"
     "query r in=p\n"
     "writeproc p r src 0x10\n"
     "free r 0 RELEASE in=p\n"
     "close p\n"
     "close p\n"},
    {"sections and views, slot 29 (section map unmap)",
     "s = section 0x10000 READWRITE COMMIT\n"
     "v = map s WRITE 0 0\n"
     "write v+0x10 0102\n"
     "map s READ 0x10000 0x1000\n"
     "w = map s READ 0 0x1000\n"
     "read w+0x10 2\n"
     "unmap v\n"
     "unmap w\n"
     "unmap w\n"
     "close s\n"},
    {"thread stacks, slot 30 (thread thread_exit guarantee touch)",
     "t = thread 0x10000 reserve\n"
     "touch t t+0xF000\n"
     "touch t t+0xC000 down\n"
     "guarantee t 0x2000\n"
     "thread_exit t\n"
     "touch t t+0xF000\n"},
    {"bulk, slot 31 (bulk alloc, bulk free)",
     "a = bulk alloc 5 0x1000 RESERVE|COMMIT READWRITE\n"
     "bulk free a 1 2\n"
     "bulk alloc 0 0x1000 RESERVE NOACCESS\n"},
    {"placeholders (alloc2 map3 unmap2 unmapex, free PRESERVE_PLACEHOLDER)",
     "p = alloc2 0 0 0x30000 RESERVE|RESERVE_PLACEHOLDER NOACCESS\n"
     "free p 0x10000 RELEASE|PRESERVE_PLACEHOLDER\n"
     "s = section 0x10000 READWRITE COMMIT\n"
     "v = map3 s 0 p 0 0x10000 REPLACE_PLACEHOLDER READWRITE\n"
     "write v 01\n"
     "unmap2 0 v PRESERVE_PLACEHOLDER\n"
     "q = alloc2 0 p 0x10000 RESERVE|REPLACE_PLACEHOLDER READWRITE\n"
     "query q\n"
     "w = map3 s 0 0 0 0x10000 0 READONLY\n"
     "unmapex w 0\n"
     "close s\n"},
};
#define N_ROWS (sizeof op_rows / sizeof op_rows[0])

/* The observer of one row: how many operations the server answered, how
 * many it does not offer, and the first it could not perform. */
typedef struct row_tally {
    size_t ran, unsupported;
    char why[512];
} row_tally;

static int tally_step(void *ctx, run_step *s)
{
    row_tally *tally = ctx;
    char text[256], expected[8];
    if (s->op == NULL) {
        snprintf(tally->why, sizeof tally->why, "%s",
                 s->open_failure ? s->open_failure : "cannot provide the x64 profile");
        return RUN_STOP;
    }
    if (!s->executed || s->check_failed) {
        op_print_split(s->t, s->op, text, sizeof text, expected, sizeof expected);
        snprintf(tally->why, sizeof tally->why, "op %zu (%s): %s", s->index + 1, text,
                 s->check_failed ? s->check_failed : "FAILED");
        return RUN_STOP;
    }
    tally->ran++;
    tally->unsupported += s->res->unsupported != 0;
    return RUN_CONTINUE;
}

/* Every operation kind through the exec: backend as the runners use it
 * (run_trace_ex); for a server that places deterministically each row it
 * offers in full is also diffed against the built-in model. */
static void check_every_op(const char *spec)
{
    const backend *b = backend_find(spec);
    const backend *model = backend_find("impl");
    unsigned char covered[TRACE_OPCODE_COUNT] = {0};
    char err[512], why[1024] = "";
    size_t i, k, offered = 0, full = 0, equal = 0;
    int ok = 1;

    if (b == NULL) {
        verdict("every operation", 0, "the backend could not be opened");
        return;
    }
    for (i = 0; i < N_ROWS && ok; i++) {
        trace *t = trace_parse(op_rows[i].family, op_rows[i].text, strlen(op_rows[i].text), err,
                               sizeof err);
        row_tally tally = {0};
        run_observer obs = {tally_step, &tally};
        if (t == NULL) {
            ok = 0;
            snprintf(why, sizeof why, "vastrace's own row does not parse: %s", err);
            break;
        }
        for (k = 0; k < t->n_ops; k++)
            covered[t->ops[k].code] = 1;
        if (run_trace_ex(b, t, &obs) == 2 || tally.ran != t->n_ops) {
            ok = 0;
            snprintf(why, sizeof why, "%s: %s", op_rows[i].family,
                     tally.why[0] ? tally.why : "stopped early");
        } else if (tally.unsupported == t->n_ops) {
            printf("     %s: not offered (UNSUPPORTED)\n", op_rows[i].family);
        } else if (tally.unsupported) {
            /* Run without the rest, the offered part would differ from the
             * model for no fault of the server's: it is not compared. */
            offered++;
            printf("     %s: %zu of %zu operations UNSUPPORTED\n", op_rows[i].family,
                   tally.unsupported, t->n_ops);
        } else {
            offered++;
            full++;
            if (b->deterministic_placement && model != NULL) {
                const backend *pair[2] = {model, b};
                diff_outcome o;
                if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 0)
                    equal++;
                else
                    printf("     note: %s differs from the built-in model at op %zu: %s\n",
                           op_rows[i].family, o.at + 1, o.what);
            }
        }
        trace_free(t);
    }
    for (k = 0; k < TRACE_OPCODE_COUNT && ok; k++) {
        if (!covered[k]) {
            ok = 0;
            snprintf(why, sizeof why, "vastrace's table has no row for opcode %zu", k);
        }
    }
    if (ok && offered == 0) {
        ok = 0;
        snprintf(why, sizeof why, "every operation answered UNSUPPORTED");
    }
    verdict("every operation", ok, why);
    if (ok && b->deterministic_placement && equal == full)
        printf("     results, maps and last errors equal to the built-in model's in the %zu of %zu "
               "families offered in full\n", full, N_ROWS);
}

int cmd_protocol_check(int argc, char **argv)
{
    const char *spec = argc == 2 ? argv[1] : NULL;
    char *command;
    uint32_t features = 0;

    if (spec == NULL || strncmp(spec, "exec:", 5) != 0) {
        fprintf(stderr, "usage: vastrace protocol-check 'exec:COMMAND ARGS'\n");
        return 2;
    }
    if (asprintf(&command, "exec %s", spec + 5) < 0)
        return 2;
    check_handshake(command, &features);
    check_version_mismatch(command);
    check_malformed(command);
    check_isolation(command);
    check_every_op(spec);
    free(command);
    printf("%s: %d check%s failed\n", spec, failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
#endif
