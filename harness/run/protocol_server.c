/*
 * protocol_server.c - `vastrace serve`: one built-in backend behind the
 * backend protocol (docs/backend-protocol.md) on stdin/stdout.
 *
 * Each RUN is parsed with the trace parser and run by the one single-backend
 * loop (run_trace_ex) with an observer that sends each operation's record
 * as it completes, so a server answers exactly what the in-process backend
 * would. VAS_SERVE_TIMING=1 prints where each RUN's time went on stderr.
 * Portable C (stdio only): also in vastrace.exe, serving the real Windows API.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"
#include "harness/protocol.h"

/* Writes one frame; the caller flushes. */
static void send_frame(FILE *out, uint32_t type, const uint8_t *payload, size_t len)
{
    uint8_t head[8];
    proto_put32(head, (uint32_t)(len + 4));
    proto_put32(head + 4, type);
    fwrite(head, 1, sizeof head, out);
    if (len > 0)
        fwrite(payload, 1, len, out);
}

static void send_error(FILE *out, uint32_t code, const char *msg)
{
    size_t n = strlen(msg);
    uint8_t *p = malloc(8 + n);
    if (p == NULL)
        return;
    proto_put32(p, code);
    proto_put32(p + 4, (uint32_t)n);
    memcpy(p + 8, msg, n);
    send_frame(out, PROTO_ERROR, p, 8 + n);
    fflush(out);
    free(p);
}

/* Reads one frame into *buf (grown as needed). Returns 1 with *type and
 * *len set, 0 at a clean end of file, -1 when the length is unreadable
 * (the stream cannot be resynchronised). */
static int read_frame(FILE *in, uint8_t **buf, size_t *cap, uint32_t *type, size_t *len)
{
    uint8_t head[8];
    size_t got = fread(head, 1, 4, in);
    uint32_t n;
    if (got == 0)
        return 0;
    if (got != 4)
        return -1;
    n = proto_get32(head);
    if (n < 4 || n > PROTO_MAX_FRAME || fread(head + 4, 1, 4, in) != 4)
        return -1;
    *type = proto_get32(head + 4);
    *len = n - 4;
    if (*len > *cap) {
        uint8_t *grown = realloc(*buf, *len);
        if (grown == NULL)
            return -1;
        *buf = grown;
        *cap = *len;
    }
    return fread(*buf, 1, *len, in) == *len ? 1 : -1;
}

/* A growable byte buffer for one OP record. */
typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static uint8_t *bytes_grow(bytes *b, size_t add)
{
    if (b->n + add > b->cap) {
        size_t cap = (b->n + add) * 2;
        uint8_t *grown = realloc(b->p, cap);
        if (grown == NULL)
            return NULL;
        b->p = grown;
        b->cap = cap;
    }
    b->n += add;
    return b->p + b->n - add;
}

static int maps_equal(const region_map *a, const region_map *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->regions, b->regions, a->n * sizeof *a->regions) == 0);
}

/* Encodes one operation's record into rec (reset first). prev is the map
 * sent last; it becomes map when map differs from it. */
static int encode_op(bytes *rec, uint64_t charge, uint32_t outcome, const op_result *res,
                     unsigned mode, region_map *map, region_map *prev, const char *note)
{
    int send_map = mode != PROTO_MAP_NONE && !maps_equal(map, prev);
    size_t note_len = note ? strlen(note) : 0;
    /* watch: the page list travels as data, 8 bytes an address. */
    size_t data_len = res->pages != NULL ? (size_t)res->n_pages * 8 : res->data_len;
    size_t i;
    uint8_t *p;

    rec->n = 0;
    p = bytes_grow(rec, PROTO_RECORD_SIZE);
    if (p == NULL)
        return -1;
    memset(p, 0, PROTO_RECORD_SIZE);
    proto_put32(p, outcome);
    proto_put32(p + 4, res->error);
    proto_put64(p + 8, res->value);
    proto_put64(p + 16, res->aux);
    proto_put32(p + 24, res->old);
    proto_put32(p + 28, res->status);
    proto_put64(p + 32, res->fault);
    proto_put64(p + 40, charge);
    proto_put64(p + 48, mode != PROTO_MAP_NONE ? proto_map_digest(map->regions, map->n) : 0);
    proto_put_mbi(p + 56, &res->mbi);
    if (res->pages != NULL)
        proto_put64(p + 16, res->granularity);
    proto_put32(p + 104, (uint32_t)data_len);
    proto_put32(p + 108, mode == PROTO_MAP_NONE ? 0 : send_map ? (uint32_t)map->n : PROTO_MAP_UNCHANGED);
    proto_put32(p + 112, (uint32_t)note_len);
    if (data_len > 0) {
        if ((p = bytes_grow(rec, data_len)) == NULL)
            return -1;
        if (res->pages != NULL)
            for (i = 0; i < res->n_pages; i++)
                proto_put64(p + i * 8, res->pages[i]);
        else
            memcpy(p, res->data, data_len);
    }
    if (send_map) {
        if ((p = bytes_grow(rec, map->n * PROTO_MBI_SIZE)) == NULL)
            return -1;
        for (i = 0; i < map->n; i++)
            proto_put_mbi(p + i * PROTO_MBI_SIZE, &map->regions[i]);
        /* prev takes map's content; map is rewritten by the next walk. */
        region_map swap = *prev;
        *prev = *map;
        *map = swap;
    }
    if (note_len > 0) {
        if ((p = bytes_grow(rec, note_len)) == NULL)
            return -1;
        memcpy(p, note, note_len);
    }
    return 0;
}

static void send_opened(FILE *out, uint32_t status, uint32_t n_ops, const char *msg)
{
    size_t n = strlen(msg);
    uint8_t *p = malloc(12 + n);
    if (p == NULL)
        return;
    proto_put32(p, status);
    proto_put32(p + 4, n_ops);
    proto_put32(p + 8, (uint32_t)n);
    memcpy(p + 12, msg, n);
    send_frame(out, PROTO_OPENED, p, 12 + n);
    free(p);
}

static void send_end(FILE *out, uint32_t n_records)
{
    uint8_t end[8];
    proto_put32(end, n_records);
    proto_put32(end + 4, 0);
    send_frame(out, PROTO_END, end, sizeof end);
    fflush(out);
}

/* Where one RUN's time went (VAS_SERVE_TIMING): the server's side of the
 * exec backend's cost, without the pipe and the client. */
typedef struct serve_timing {
    int on;
    double start, mark;     /* RUN received; the end of the previous step */
    double parse, ops, maps, send, close;
    double slowest;         /* the slowest op (the first includes creating the space) */
    size_t slowest_at;
} serve_timing;

/* One RUN being served: the observer of run_trace_ex. */
typedef struct serve_run_ctx {
    FILE *out;
    unsigned mode;
    uint32_t flags;
    int opened;             /* OPENED sent */
    size_t sent;            /* OP records sent */
    int failed;             /* out of memory: ERROR sent, the run stops */
    region_map map, prev;   /* the map after this op, the one sent last */
    bytes rec;
    serve_timing tm;
} serve_run_ctx;

static uint32_t step_outcome(const run_step *s)
{
    if (!s->executed)  /* charge without commit_charge, or a call it could not make */
        return op_supported(s->run->b, s->op) ? PROTO_FAILED : PROTO_UNSUPPORTED;
    return s->res->unsupported ? PROTO_UNSUPPORTED : PROTO_DONE;
}

/* The map after s's op into c->map. A named map (a real system's) is
 * walked in full where the lockstep comparer walks (diff_walk_due: after
 * ops 1, 2, 4, ..., every 256th and the last) and in between only where
 * the op could have changed it (proto_walk_named_after): a change outside
 * that window, which no rule allows, shows at the next full walk. */
static int walk_after(serve_run_ctx *c, run_step *s)
{
    if (c->mode != PROTO_MAP_NAMED || c->sent == 0 || !s->executed || s->res->unsupported
        || diff_walk_due(&DIFF_SAMPLED, s->index, s->t->n_ops))
        return proto_walk_map(s->run, c->mode, &c->map);
    return proto_walk_named_after(s->run, s->op, s->res, &c->prev, &c->map);
}

/* One record per operation, sent as soon as it ran. */
static int serve_step(void *ctx, run_step *s)
{
    serve_run_ctx *c = ctx;
    const backend *b = s->run->b;
    static const op_result none;
    const op_result *res = s->executed ? s->res : &none;
    region_map *map = &c->map;
    uint32_t outcome;
    double t0 = c->tm.on ? proto_now() : 0, t1, t2;

    if (s->op == NULL) {
        send_opened(c->out, PROTO_OPENED_NO_SPACE, 0, "cannot create an address space for this profile");
        c->opened = 1;
        return RUN_STOP;
    }
    if (c->tm.on) {
        c->tm.ops += t0 - c->tm.mark;
        if (t0 - c->tm.mark > c->tm.slowest) {
            c->tm.slowest = t0 - c->tm.mark;
            c->tm.slowest_at = s->index;
        }
    }
    if (!c->opened) {
        send_opened(c->out, PROTO_OPENED_OK, (uint32_t)s->t->n_ops, "");
        c->opened = 1;
    }
    outcome = step_outcome(s);
    /* Walking costs a query per region (under Wine, one that scans the
     * region's pages): not after an op that cannot change the map, whose
     * map is then the one sent last. */
    if (c->mode != PROTO_MAP_NONE && c->sent > 0 && op_keeps_map(s->op->code))
        map = &c->prev;
    else if (c->mode != PROTO_MAP_NONE && walk_after(c, s) != 0)
        outcome = PROTO_FAILED;
    t1 = c->tm.on ? proto_now() : 0;
    if (encode_op(&c->rec, b->commit_charge ? b->commit_charge(s->run->self) : 0, outcome, res,
                  c->mode, map, &c->prev, s->check_failed) != 0) {
        send_error(c->out, PROTO_ERR_INTERNAL, "out of memory");
        c->failed = 1;
        return RUN_STOP;
    }
    send_frame(c->out, PROTO_OP, c->rec.p, c->rec.n);
    c->sent++;
    if (c->flags & PROTO_RUN_SYNC)
        fflush(c->out);
    if (c->tm.on) {
        t2 = proto_now();
        c->tm.maps += t1 - t0;
        c->tm.send += t2 - t1;
        c->tm.mark = t2;
    }
    /* An op the backend could not perform or lacks is answered; go on. */
    return RUN_CONTINUE;
}

static void timing_print(const serve_run_ctx *c, const trace *t)
{
    char op[256] = "";
    const serve_timing *tm = &c->tm;
    if (tm->slowest_at < t->n_ops)
        trace_print_op(t, &t->ops[tm->slowest_at], op, sizeof op);
    fprintf(stderr, "vastrace serve: RUN of %zu ops: %.3f ms (parse %.3f, ops %.3f, maps %.3f, "
            "encode+send %.3f, close %.3f); slowest op %zu, %.3f ms: %s\n",
            t->n_ops, (proto_now() - tm->start) * 1e3, tm->parse * 1e3, tm->ops * 1e3,
            tm->maps * 1e3, tm->send * 1e3, tm->close * 1e3, tm->slowest_at + 1,
            tm->slowest * 1e3, op);
}

/* One RUN: a fresh address space, every operation, one record each. */
static void serve_run(const backend *b, const uint8_t *p, size_t len, FILE *out)
{
    uint32_t text_len;
    char err[1024];
    trace *t;
    serve_run_ctx c;
    run_observer obs = {serve_step, &c};
    size_t i;

    memset(&c, 0, sizeof c);
    c.out = out;
    c.tm.on = getenv("VAS_SERVE_TIMING") != NULL && strcmp(getenv("VAS_SERVE_TIMING"), "0") != 0;
    c.tm.start = c.tm.on ? proto_now() : 0;
    if (len < 12 || (text_len = proto_get32(p + 8)) != len - 12
        || (c.mode = proto_get32(p)) > PROTO_MAP_NAMED) {
        send_error(out, PROTO_ERR_MALFORMED, "RUN: bad length or map mode");
        return;
    }
    c.flags = proto_get32(p + 4);
    t = trace_parse("<run>", (const char *)p + 12, text_len, err, sizeof err);
    if (t == NULL) {
        send_opened(out, PROTO_OPENED_MALFORMED, 0, err);
        send_end(out, 0);
        return;
    }
    if (c.tm.on)
        c.tm.mark = proto_now(), c.tm.parse = c.tm.mark - c.tm.start;
    run_trace_ex(b, t, &obs);
    if (c.tm.on)
        c.tm.close = proto_now() - c.tm.mark;
    if (!c.failed) {
        if (!c.opened)  /* a trace without operations */
            send_opened(out, PROTO_OPENED_OK, 0, "");
        /* A failed self-check ends the run: the ops after it did not run. */
        for (i = c.sent; c.opened && i < t->n_ops && c.sent > 0; i++) {
            static const op_result none;
            if (encode_op(&c.rec, 0, PROTO_FAILED, &none, c.mode, &c.prev, &c.prev,
                          "not run: the self-check failed on an earlier operation") != 0)
                break;
            send_frame(out, PROTO_OP, c.rec.p, c.rec.n);
            c.sent++;
        }
        send_end(out, (uint32_t)c.sent);
    }
    if (c.tm.on)
        timing_print(&c, t);
    free(c.rec.p);
    region_map_free(&c.map);
    region_map_free(&c.prev);
    trace_free(t);
}

static void send_hello_ok(const backend *b, FILE *out)
{
    size_t n = strlen(b->name);
    uint8_t *p = malloc(16 + n);
    uint32_t features = proto_backend_features(b), profiles = 0;
    int k;
    if (p == NULL)
        return;
    for (k = VAS_PROFILE_X64; k <= VAS_PROFILE_X86_LAA; k++) {
        vas_config cfg;
        void *self;
        vas_config_default(&cfg, (vas_profile)k);
        if (b->create != NULL && (self = b->create(&cfg)) != NULL) {
            profiles |= 1u << k;
            b->destroy(self);
        }
    }
    proto_put32(p, PROTO_VERSION);
    proto_put32(p + 4, features);
    proto_put32(p + 8, profiles);
    proto_put32(p + 12, (uint32_t)n);
    memcpy(p + 16, b->name, n);
    send_frame(out, PROTO_HELLO_OK, p, 16 + n);
    fflush(out);
    free(p);
}

int protocol_serve(const backend *b, FILE *in, FILE *out)
{
    uint8_t *buf = NULL;
    size_t cap = 0, len;
    uint32_t type;
    int greeted = 0, rc;

    while ((rc = read_frame(in, &buf, &cap, &type, &len)) == 1) {
        if (type == PROTO_HELLO) {
            uint32_t version = len >= 4 ? proto_get32(buf) : 0;
            if (len != 8 || version != PROTO_VERSION) {
                char msg[160];
                snprintf(msg, sizeof msg, "protocol version %u requested; this server speaks version %u",
                         version, PROTO_VERSION);
                send_error(out, PROTO_ERR_VERSION, msg);
                fprintf(stderr, "vastrace serve: %s\n", msg);
                free(buf);
                return 1;
            }
            send_hello_ok(b, out);
            greeted = 1;
        } else if (type == PROTO_RUN && greeted) {
            serve_run(b, buf, len, out);
        } else {
            char msg[96];
            snprintf(msg, sizeof msg, greeted ? "unknown frame type %u" : "frame type %u before HELLO", type);
            send_error(out, PROTO_ERR_MALFORMED, msg);
        }
    }
    free(buf);
    if (rc < 0) {
        send_error(out, PROTO_ERR_MALFORMED, "unreadable frame (truncated, or length out of range)");
        fprintf(stderr, "vastrace serve: unreadable frame; stopping\n");
        return 1;
    }
    return 0;
}
