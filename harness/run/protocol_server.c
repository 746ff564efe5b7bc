/*
 * protocol_server.c - `vastrace serve`: one built-in backend behind the
 * backend protocol (docs/backend-protocol.md) on stdin/stdout.
 *
 * Each RUN is parsed with the trace parser and run with the runner's own
 * pieces (backend_run_open, op_execute, op_bind_result, the map walk), so
 * a server answers exactly what the in-process backend would.
 * Portable C (stdio only): also in vastrace.exe, serving the real Windows API.
 */
#include <stdlib.h>
#include <string.h>
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
static int encode_op(bytes *rec, const backend_run *r, uint32_t outcome, const op_result *res,
                     unsigned mode, region_map *map, region_map *prev, const char *note)
{
    const backend *b = r->b;
    int send_map = mode != PROTO_MAP_NONE && !maps_equal(map, prev);
    size_t note_len = note ? strlen(note) : 0;
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
    proto_put64(p + 40, b->commit_charge ? b->commit_charge(r->self) : 0);
    proto_put64(p + 48, mode != PROTO_MAP_NONE ? proto_map_digest(map->regions, map->n) : 0);
    proto_put_mbi(p + 56, &res->mbi);
    proto_put32(p + 104, (uint32_t)res->data_len);
    proto_put32(p + 108, mode == PROTO_MAP_NONE ? 0 : send_map ? (uint32_t)map->n : PROTO_MAP_UNCHANGED);
    proto_put32(p + 112, (uint32_t)note_len);
    if (res->data_len > 0) {
        if ((p = bytes_grow(rec, res->data_len)) == NULL)
            return -1;
        memcpy(p, res->data, res->data_len);
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

/* One RUN: a fresh address space, every operation, one record each. */
static void serve_run(const backend *b, const uint8_t *p, size_t len, FILE *out)
{
    uint32_t mode, flags, text_len;
    uint8_t end[8];
    char err[1024];
    trace *t;
    backend_run r;
    region_map map = {0}, prev = {0};
    op_result res = {0};
    bytes rec = {0};
    size_t i;

    if (len < 12 || (text_len = proto_get32(p + 8)) != len - 12
        || (mode = proto_get32(p)) > PROTO_MAP_NAMED) {
        send_error(out, PROTO_ERR_MALFORMED, "RUN: bad length or map mode");
        return;
    }
    flags = proto_get32(p + 4);
    t = trace_parse("<run>", (const char *)p + 12, text_len, err, sizeof err);
    if (t == NULL) {
        send_opened(out, PROTO_OPENED_MALFORMED, 0, err);
        send_frame(out, PROTO_END, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8);
        fflush(out);
        return;
    }
    if (backend_run_open(&r, b, t) != 0) {
        send_opened(out, PROTO_OPENED_NO_SPACE, 0, "cannot create an address space for this profile");
        send_frame(out, PROTO_END, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8);
        fflush(out);
        trace_free(t);
        return;
    }
    send_opened(out, PROTO_OPENED_OK, (uint32_t)t->n_ops, "");
    for (i = 0; i < t->n_ops; i++) {
        const trace_op *op = &t->ops[i];
        uint32_t outcome = PROTO_DONE;
        char note[512] = "";
        if (op->code == TRACE_CHARGE && b->commit_charge == NULL) {
            op_result_clear(&res);
            res.unsupported = 1;
            outcome = PROTO_UNSUPPORTED;
        } else if (op_execute(&r, op, &res) != 0) {
            outcome = PROTO_FAILED;
        } else if (res.unsupported) {
            outcome = PROTO_UNSUPPORTED;
        } else if (op->code == TRACE_WATCH) {
            /* The record has no field for GetWriteWatch's page list: the call
             * ran (its reset took effect) but its answer is not compared. */
            res.unsupported = 1;
            outcome = PROTO_UNSUPPORTED;
        }
        op_bind_result(&r, op, &res);
        if (mode != PROTO_MAP_NONE && proto_walk_map(&r, mode, &map) != 0)
            outcome = PROTO_FAILED;
        if (b->check != NULL && b->check(r.self, note, sizeof note) != 0 && note[0] == '\0')
            snprintf(note, sizeof note, "self-check failed");
        note[sizeof note - 1] = '\0';
        if (encode_op(&rec, &r, outcome, &res, mode, &map, &prev, note) != 0) {
            send_error(out, PROTO_ERR_INTERNAL, "out of memory");
            break;
        }
        send_frame(out, PROTO_OP, rec.p, rec.n);
        if (flags & PROTO_RUN_SYNC)
            fflush(out);
    }
    proto_put32(end, (uint32_t)i);
    proto_put32(end + 4, 0);
    send_frame(out, PROTO_END, end, sizeof end);
    fflush(out);
    free(rec.p);
    op_result_clear(&res);
    region_map_free(&map);
    region_map_free(&prev);
    backend_run_close(&r);
    trace_free(t);
}

static void send_hello_ok(const backend *b, FILE *out)
{
    size_t n = strlen(b->name);
    uint8_t *p = malloc(16 + n);
    uint32_t features = 0, profiles = 0;
    int k;
    if (p == NULL)
        return;
    if (b->deterministic_placement)
        features |= PROTO_DETERMINISTIC_PLACEMENT;
    if (b->commit_charge != NULL)
        features |= PROTO_COMMIT_CHARGE;
    if (b->check != NULL)
        features |= PROTO_SELF_CHECK;
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
