/*
 * remote_replay.c - the runner's side of a whole-trace backend: the server
 * has already run the trace, so each op_execute hands out the next recorded
 * result and region_map_walk the map recorded after it. Every runner (run,
 * check, record, diff, the fuzzers) thereby drives a protocol server through
 * the same code as a built-in backend.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

remote_cursor *remote_cursor_new(void)
{
    remote_cursor *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    /* maps[0]: the map before the first record that carries one. */
    c->rr.maps = calloc(1, sizeof *c->rr.maps);
    if (c->rr.maps == NULL) {
        free(c);
        return NULL;
    }
    c->rr.n_maps = 1;
    return c;
}

void remote_cursor_free(void *self)
{
    remote_cursor *c = self;
    if (c == NULL)
        return;
    remote_results_free(&c->rr);
    free(c);
}

uint32_t remote_last_error(void *self)
{
    const remote_cursor *c = self;
    return c->cur ? c->cur->res.error : 0;
}

void remote_set_last_error(void *self, uint32_t error)
{
    (void)self;  /* the server ran the trace's seterr already */
    (void)error;
}

uint64_t remote_commit_charge(void *self)
{
    const remote_cursor *c = self;
    return c->cur ? c->cur->charge : 0;
}

int remote_check(void *self, char *msg, size_t msg_len)
{
    const remote_cursor *c = self;
    if (c->cur == NULL || c->cur->note == NULL)
        return 0;
    snprintf(msg, msg_len, "%s", c->cur->note);
    return 1;
}

size_t remote_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    const remote_cursor *c = self;
    const region_map *m = &c->rr.maps[c->cur ? c->cur->map : 0];
    const vas_mbi *reg = region_map_find(m, addr);
    uint64_t base = addr & ~(uint64_t)(VAS_PAGE_SIZE - 1);
    (void)len;
    if (reg == NULL)
        return 0;
    *out = *reg;
    out->base_address = base;
    out->region_size = reg->base_address + reg->region_size - base;
    return c->mbi_size;
}

int remote_replay_op(void *self, const trace_op *op, op_result *res)
{
    remote_cursor *c = self;
    const remote_op *rec;
    op_result_clear(res);
    if (c->next >= c->rr.n_ops)
        return -1;
    rec = &c->rr.ops[c->next++];
    c->cur = rec;
    if (rec->outcome == PROTO_FAILED)
        return -1;
    *res = rec->res;
    if (op->code == TRACE_WATCH) {
        /* The page list came as data, 8 bytes an address; aux the granularity. */
        res->data = NULL;
        res->data_len = 0;
        res->n_pages = rec->res.data_len / 8;
        res->granularity = (uint32_t)rec->res.aux;
        res->aux = 0;
        res->pages = calloc(res->n_pages ? res->n_pages : 1, sizeof *res->pages);
        if (res->pages == NULL)
            return -1;
        for (size_t i = 0; i < res->n_pages; i++)
            res->pages[i] = proto_get64(rec->res.data + i * 8);
        return 0;
    }
    if (rec->res.data_len > 0) {
        res->data = malloc(rec->res.data_len);
        if (res->data == NULL)
            return -1;
        memcpy(res->data, rec->res.data, rec->res.data_len);
    }
    return 0;
}

int remote_replay_map(void *self, region_map *m)
{
    const remote_cursor *c = self;
    return region_map_copy(m, &c->rr.maps[c->cur ? c->cur->map : 0]);
}
