/*
 * test_named_maps.c - the named map a protocol server sends between its
 * full walks (proto_walk_named_after: only the allocations an operation's
 * window meets are walked again) is the full named walk after every
 * operation of random traces on impl and oracle, which follow the rules
 * that keep every change inside the window; and a window that misses what
 * an operation changed gives another map, so the comparison can fail.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"
#include "check.h"

#define SEEDS 600
#define OPS 64

static int maps_equal(const region_map *a, const region_map *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->regions, b->regions, a->n * sizeof *a->regions) == 0);
}

typedef struct walk_check {
    region_map prev, full, window;
    int started;
    unsigned long windowed, compared;
} walk_check;

static int after_each_op(void *ctx, run_step *s)
{
    walk_check *c = ctx;
    if (s->op == NULL)
        return RUN_STOP;
    CHECK(proto_walk_map(s->run, PROTO_MAP_NAMED, &c->full) == 0);
    if (c->started && s->executed && !s->res->unsupported && !op_keeps_map(s->op->code)) {
        CHECK(proto_walk_named_after(s->run, s->op, s->res, &c->prev, &c->window) == 0);
        CHECK_MSG(maps_equal(&c->full, &c->window),
                  "%s: op %zu: window walk %zu regions, full walk %zu", s->run->b->name,
                  s->index + 1, c->window.n, c->full.n);
        c->compared++;
        c->windowed += c->full.n > 0;
    }
    region_map swap = c->prev;
    c->prev = c->full;
    c->full = swap;
    c->started = 1;
    return RUN_CONTINUE;
}

static void test_window_walk_equals_full_walk(const char *name)
{
    const backend *b = backend_find(name);
    uint8_t *bytes = NULL;
    size_t cap = 0;
    walk_check c;
    run_observer obs = {after_each_op, &c};
    memset(&c, 0, sizeof c);
    CHECK(b != NULL);
    for (uint64_t seed = 1; b != NULL && seed <= SEEDS; seed++) {
        trace *t = trace_of_seed(seed, OPS, &bytes, &cap);
        c.started = 0;
        run_trace_ex(b, t, &obs);
        trace_free(t);
    }
    /* Enough of them to mean something: most ops change a named map. */
    CHECK_MSG(c.compared > SEEDS * OPS / 4, "%s: only %lu ops compared", name, c.compared);
    CHECK_MSG(c.windowed > SEEDS * OPS / 8, "%s: only %lu with a named map", name, c.windowed);
    printf("%s: %lu ops, window walk equal to the full walk after each\n", name, c.compared);
    free(bytes);
    region_map_free(&c.prev);
    region_map_free(&c.full);
    region_map_free(&c.window);
}

/* An alloc outside the window given: the window walk keeps the map before
 * it and misses the new allocation the full walk shows. */
static int alloc_then_wrong_window(void *ctx, run_step *s)
{
    walk_check *c = ctx;
    uint64_t w[2] = {0x10000, 0x11000};
    CHECK(proto_walk_map(s->run, PROTO_MAP_NAMED, &c->full) == 0);
    if (s->index == 1) {
        CHECK(proto_walk_named_window(s->run, &c->prev, w, &c->window) == 0);
        CHECK(!maps_equal(&c->full, &c->window));
        CHECK_EQ(c->window.n + 1, c->full.n);
        c->compared++;
    }
    region_map swap = c->prev;
    c->prev = c->full;
    c->full = swap;
    return RUN_CONTINUE;
}

static void test_wrong_window_misses_a_change(void)
{
    static const char text[] = "a = alloc 0x7FF000000000 0x10000 RESERVE READWRITE\n"
                               "b = alloc 0x7FE000000000 0x10000 RESERVE READWRITE\n";
    char err[256];
    trace *t = trace_parse("<test>", text, sizeof text - 1, err, sizeof err);
    walk_check c;
    run_observer obs = {alloc_then_wrong_window, &c};
    memset(&c, 0, sizeof c);
    CHECK(t != NULL);
    if (t != NULL)
        run_trace_ex(backend_find("impl"), t, &obs);
    CHECK_EQ(c.compared, 1);
    trace_free(t);
    region_map_free(&c.prev);
    region_map_free(&c.full);
    region_map_free(&c.window);
}

int main(void)
{
    test_window_walk_equals_full_walk("impl");
    test_window_walk_equals_full_walk("oracle");
    test_wrong_window_misses_a_change();
    return check_report("test_named_maps");
}
