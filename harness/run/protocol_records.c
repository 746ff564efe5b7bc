/*
 * protocol_records.c - the fixed layouts of the backend protocol
 * (docs/backend-protocol.md): MBIs on the wire, the map digest, and
 * decoding one OP record into what the runner replays.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

void proto_put_mbi(uint8_t *p, const vas_mbi *m)
{
    memset(p, 0, PROTO_MBI_SIZE);
    proto_put64(p, m->base_address);
    proto_put64(p + 8, m->allocation_base);
    proto_put32(p + 16, m->allocation_protect);
    p[20] = (uint8_t)m->partition_id;
    p[21] = (uint8_t)(m->partition_id >> 8);
    proto_put64(p + 24, m->region_size);
    proto_put32(p + 32, m->state);
    proto_put32(p + 36, m->protect);
    proto_put32(p + 40, m->type);
}

void proto_get_mbi(const uint8_t *p, vas_mbi *m)
{
    memset(m, 0, sizeof *m);
    m->base_address = proto_get64(p);
    m->allocation_base = proto_get64(p + 8);
    m->allocation_protect = proto_get32(p + 16);
    m->partition_id = (uint16_t)(p[20] | p[21] << 8);
    m->region_size = proto_get64(p + 24);
    m->state = proto_get32(p + 32);
    m->protect = proto_get32(p + 36);
    m->type = proto_get32(p + 40);
}

uint64_t proto_map_digest(const vas_mbi *regions, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i, k;
    for (i = 0; i < n; i++) {
        uint8_t rec[PROTO_MBI_SIZE];
        proto_put_mbi(rec, &regions[i]);
        for (k = 0; k < sizeof rec; k++) {
            h ^= rec[k];
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

void remote_results_free(remote_results *rr)
{
    size_t i;
    for (i = 0; i < rr->n_ops; i++) {
        op_result_clear(&rr->ops[i].res);
        free(rr->ops[i].note);
    }
    for (i = 0; i < rr->n_maps; i++)
        region_map_free(&rr->maps[i]);
    free(rr->ops);
    free(rr->maps);
    memset(rr, 0, sizeof *rr);
}

int remote_results_copy(remote_results *dst, const remote_results *src)
{
    size_t i;
    memset(dst, 0, sizeof *dst);
    dst->ops = calloc(src->n_ops + 1, sizeof *dst->ops);
    dst->maps = calloc(src->n_maps + 1, sizeof *dst->maps);
    if (dst->ops == NULL || dst->maps == NULL)
        goto oom;
    for (i = 0; i < src->n_ops; i++, dst->n_ops++) {
        const remote_op *from = &src->ops[i];
        remote_op *to = &dst->ops[i];
        *to = *from;
        to->res.data = NULL;
        to->res.pages = NULL;
        to->note = NULL;
        if (from->res.data_len > 0 && (to->res.data = malloc(from->res.data_len)) == NULL)
            goto oom;
        if (from->res.data_len > 0)
            memcpy(to->res.data, from->res.data, from->res.data_len);
        if (from->note != NULL && (to->note = strdup(from->note)) == NULL)
            goto oom;
    }
    for (i = 0; i < src->n_maps; i++, dst->n_maps++) {
        const region_map *from = &src->maps[i];
        region_map *to = &dst->maps[i];
        if (from->n > 0 && (to->regions = malloc(from->n * sizeof *to->regions)) == NULL)
            goto oom;
        if (from->n > 0)
            memcpy(to->regions, from->regions, from->n * sizeof *to->regions);
        to->n = to->cap = from->n;
    }
    return 0;
oom:
    remote_results_free(dst);
    return -1;
}

/* A new map slot at the end of rr->maps; NULL when out of memory. */
static region_map *maps_push(remote_results *rr)
{
    region_map *grown = realloc(rr->maps, (rr->n_maps + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    rr->maps = grown;
    memset(&rr->maps[rr->n_maps], 0, sizeof rr->maps[0]);
    return &rr->maps[rr->n_maps++];
}

int remote_decode_op(const uint8_t *p, size_t len, remote_results *rr, remote_op *op,
                     char *err, size_t err_len)
{
    uint32_t data_len, regions, note_len;
    uint64_t need;
    size_t i;

    memset(op, 0, sizeof *op);
    if (len < PROTO_RECORD_SIZE) {
        snprintf(err, err_len, "OP record of %zu bytes (at least %u expected)", len, PROTO_RECORD_SIZE);
        return -1;
    }
    op->outcome = proto_get32(p);
    op->res.error = proto_get32(p + 4);
    op->res.value = proto_get64(p + 8);
    op->res.aux = proto_get64(p + 16);
    op->res.old = proto_get32(p + 24);
    op->res.status = proto_get32(p + 28);
    op->res.fault = proto_get64(p + 32);
    op->charge = proto_get64(p + 40);
    op->digest = proto_get64(p + 48);
    proto_get_mbi(p + 56, &op->res.mbi);
    data_len = proto_get32(p + 104);
    regions = proto_get32(p + 108);
    note_len = proto_get32(p + 112);
    need = (uint64_t)PROTO_RECORD_SIZE + data_len + note_len
         + (regions == PROTO_MAP_UNCHANGED ? 0 : (uint64_t)regions * PROTO_MBI_SIZE);
    if (op->outcome > PROTO_FAILED) {
        snprintf(err, err_len, "OP record with outcome %u (0, 1 or 2 expected)", op->outcome);
        return -1;
    }
    if (need != len) {
        snprintf(err, err_len, "OP record of %zu bytes, its fields add up to %llu", len,
                 (unsigned long long)need);
        return -1;
    }
    op->res.unsupported = op->outcome == PROTO_UNSUPPORTED;
    p += PROTO_RECORD_SIZE;
    if (data_len > 0) {
        op->res.data = malloc(data_len);
        if (op->res.data == NULL)
            goto oom;
        memcpy(op->res.data, p, data_len);
        op->res.data_len = data_len;
        p += data_len;
    }
    op->map = rr->n_maps - 1;
    if (regions != PROTO_MAP_UNCHANGED) {
        region_map *m = maps_push(rr);
        if (m == NULL || (regions > 0 && (m->regions = malloc(regions * sizeof *m->regions)) == NULL))
            goto oom;
        for (i = 0; i < regions; i++, p += PROTO_MBI_SIZE)
            proto_get_mbi(p, &m->regions[i]);
        m->n = m->cap = regions;
        op->map = rr->n_maps - 1;
    }
    if (note_len > 0) {
        op->note = malloc(note_len + 1);
        if (op->note == NULL)
            goto oom;
        memcpy(op->note, p, note_len);
        op->note[note_len] = '\0';
    }
    return 0;
oom:
    op_result_clear(&op->res);
    snprintf(err, err_len, "out of memory decoding an OP record");
    return -1;
}

/* The operations a server runs only with a HELLO_OK feature: one table for
 * both ends (what a server declares, what a client sends it). */
static const struct {
    trace_opcode code;
    uint32_t features;  /* any of these */
} op_features[] = {
    {TRACE_CHARGE, PROTO_COMMIT_CHARGE},
    {TRACE_WATCH, PROTO_WRITE_WATCH}, {TRACE_RESETWATCH, PROTO_WRITE_WATCH},
    {TRACE_LOCK, PROTO_LOCKING}, {TRACE_UNLOCK, PROTO_LOCKING}, {TRACE_WSSET, PROTO_LOCKING},
    {TRACE_WSMIN, PROTO_LOCKING}, {TRACE_WSMAX, PROTO_LOCKING}, {TRACE_LOCKED, PROTO_LOCKING},
    {TRACE_ISBADREAD, PROTO_PROBES}, {TRACE_ISBADWRITE, PROTO_PROBES},
    {TRACE_ISBADCODE, PROTO_PROBES}, {TRACE_ISBADSTR, PROTO_PROBES},
    {TRACE_THREAD, PROTO_THREADS}, {TRACE_THREAD_EXIT, PROTO_THREADS},
    {TRACE_GUARANTEE, PROTO_THREADS}, {TRACE_TOUCH, PROTO_THREADS},
    {TRACE_PROCESS, PROTO_PROCESSES}, {TRACE_READPROC, PROTO_PROCESSES},
    {TRACE_WRITEPROC, PROTO_PROCESSES}, {TRACE_CLOSE, PROTO_PROCESSES | PROTO_SECTIONS},
    {TRACE_SECTION, PROTO_SECTIONS}, {TRACE_MAP, PROTO_SECTIONS}, {TRACE_UNMAP, PROTO_SECTIONS},
    {TRACE_ALLOC2, PROTO_PLACEHOLDERS}, {TRACE_MAP3, PROTO_PLACEHOLDERS},
    {TRACE_UNMAP2, PROTO_PLACEHOLDERS}, {TRACE_UNMAPEX, PROTO_PLACEHOLDERS},
};

uint32_t proto_op_features(const trace_op *op)
{
    size_t i;
    if (op->has_process)  /* alloc, free, protect, query in=: the *Ex calls */
        return PROTO_PROCESSES;
    for (i = 0; i < sizeof op_features / sizeof op_features[0]; i++)
        if (op_features[i].code == op->code)
            return op_features[i].features;
    return 0;
}

static const struct { const char *name; uint32_t bit; } family_names[] = {
    {"write-watch", PROTO_WRITE_WATCH}, {"locking", PROTO_LOCKING}, {"probes", PROTO_PROBES},
    {"threads", PROTO_THREADS}, {"processes", PROTO_PROCESSES}, {"sections", PROTO_SECTIONS},
    {"placeholders", PROTO_PLACEHOLDERS},
};

int proto_families_parse(const char *list, uint32_t *mask, char *err, size_t err_len)
{
    const char *p = list;
    *mask = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ","), i;
        for (i = 0; i < sizeof family_names / sizeof family_names[0]; i++)
            if (strlen(family_names[i].name) == n && strncmp(p, family_names[i].name, n) == 0)
                break;
        if (i == sizeof family_names / sizeof family_names[0]) {
            snprintf(err, err_len, "unknown operation family '%.*s' (write-watch, locking, probes, "
                     "threads, processes, sections, placeholders)", (int)n, p);
            return -1;
        }
        *mask |= family_names[i].bit;
        p += n + (p[n] == ',');
    }
    return 0;
}

int proto_op_only_in(const trace_op *op, uint32_t mask)
{
    uint32_t need = proto_op_features(op);
    return need != 0 && (need & ~mask) == 0;
}

uint32_t proto_backend_features(const backend *b)
{
    static const trace_opcode ex_calls[] = {TRACE_ALLOC, TRACE_FREE, TRACE_PROTECT, TRACE_QUERY};
    uint32_t features = PROTO_FAMILIES;
    trace_op probe;
    size_t i;

    memset(&probe, 0, sizeof probe);
    for (i = 0; i < sizeof op_features / sizeof op_features[0]; i++) {
        probe.code = op_features[i].code;
        if (!op_supported(b, &probe))
            features &= ~op_features[i].features;
    }
    probe.has_process = 1;
    for (i = 0; i < sizeof ex_calls / sizeof ex_calls[0]; i++) {
        probe.code = ex_calls[i];
        if (!op_supported(b, &probe))
            features &= ~(uint32_t)PROTO_PROCESSES;
    }
    if (b->deterministic_placement)
        features |= PROTO_DETERMINISTIC_PLACEMENT;
    if (b->commit_charge != NULL)
        features |= PROTO_COMMIT_CHARGE;
    if (b->check != NULL)
        features |= PROTO_SELF_CHECK;
    return features;
}
