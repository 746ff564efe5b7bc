/*
 * mutator.c - structure-aware mutation of fuzz inputs, for libFuzzer
 * (LLVMFuzzerCustomMutator, LLVMFuzzerCustomCrossOver: linked into a
 * target) and AFL++ (afl_custom_init / fuzz / deinit: built as a shared
 * object and loaded with AFL_CUSTOM_MUTATOR_LIBRARY). One source, both
 * engines.
 *
 * A byte mutation of the binary trace encoding (harness/trace/
 * trace_binary.c) mostly changes one field of one operation, or shifts every
 * operation after it. This mutator decodes the input, changes whole
 * operations and re-encodes it:
 *   - insert a new operation (random bytes decoded in the context of the
 *     operations before it, sometimes a bulk alloc or bulk free), or churn at
 *     scale (a few operations that make hundreds or thousands of
 *     allocations, release them in a pattern and place or look up again:
 *     the index's inner nodes split, merge and share, and its separators
 *     and largest-gap summaries are used after removals), or a
 *     placeholder's life (reserve, split, replace a piece with private
 *     memory or a section's view, back to a placeholder, coalesce: calls
 *     that succeed only on exact pieces), delete one, duplicate one, swap
 *     two neighbours;
 *   - set an operand to a boundary of the state the operations before it
 *     left (run on the oracle): an allocation's base or end, a page or
 *     granule edge next to it, the profile's lowest or highest address, a
 *     size that reaches exactly to a region's end; or a bulk count to one
 *     that fills an inner level of the index;
 *   - splice two inputs (the front of one, the back of the other).
 * Names follow their operations: an operation that refers to a name whose
 * alloc (or thread) was deleted or moved after it refers to the latest name
 * bound before it instead. When the result cannot be encoded the engine's own
 * byte mutation runs instead; how often each engine's own mutations run
 * beside this one is said at its entry points below.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_helpers.h"
#include "harness/compare.h"

/* libFuzzer's own mutation; absent (NULL) in the AFL++ shared object. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

#define PAGE 0x1000u
#define GRANULE 0x10000u
#define SECOND_INPUT 0x100000  /* ids of the second input's operations start here */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned below(uint64_t *s, unsigned n)
{
    return n ? (unsigned)(next_random(s) % n) : 0;
}

/* ---- Operations with their names as the ids of the ops binding them ----- */

typedef struct op_list {
    trace_op *ops;   /* addr, size, thread .name: the id of the binding op, or -1 */
    int *id;
    size_t n, cap;
} op_list;

static void list_free(op_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ops[i].data);
    free(l->ops);
    free(l->id);
    memset(l, 0, sizeof *l);
}

/* Inserts a copy of op (its data copied) with id at position at. */
static int list_insert(op_list *l, size_t at, const trace_op *op, int id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        trace_op *ops = realloc(l->ops, cap * sizeof *ops);
        if (ops == NULL)
            return -1;
        l->ops = ops;
        int *ids = realloc(l->id, cap * sizeof *ids);
        if (ids == NULL)
            return -1;
        l->id = ids;
        l->cap = cap;
    }
    trace_op copy = *op;
    if (op->data != NULL) {
        copy.data = malloc(op->len ? op->len : 1);
        if (copy.data == NULL)
            return -1;
        memcpy(copy.data, op->data, op->len);
    }
    memmove(&l->ops[at + 1], &l->ops[at], (l->n - at) * sizeof *l->ops);
    memmove(&l->id[at + 1], &l->id[at], (l->n - at) * sizeof *l->id);
    l->ops[at] = copy;
    l->id[at] = id;
    l->n++;
    return 0;
}

static void list_delete(op_list *l, size_t at)
{
    free(l->ops[at].data);
    memmove(&l->ops[at], &l->ops[at + 1], (l->n - at - 1) * sizeof *l->ops);
    memmove(&l->id[at], &l->id[at + 1], (l->n - at - 1) * sizeof *l->id);
    l->n--;
}

/* The operands of op that can name an earlier result (a section's handle
 * and a process's among them, so that they follow their binders too). */
#define N_NAMED_OPERANDS 9
static size_t named_operands(trace_op *op, trace_expr *e[N_NAMED_OPERANDS])
{
    trace_expr *all[N_NAMED_OPERANDS] = {&op->addr, &op->size, &op->thread, &op->handle, &op->offset,
                                         &op->process, &op->buf, &op->ext.lowest, &op->ext.highest};
    memcpy(e, all, sizeof all);
    return N_NAMED_OPERANDS;
}

/* Name k of t -> the id of the op that binds it (ids: first_id + index). */
static int binder_id(const trace *t, int name, int first_id)
{
    for (size_t i = 0; name >= 0 && i < t->n_ops; i++)
        if (t->ops[i].result == name)
            return first_id + (int)i;
    return -1;
}

/* Appends ops [from, to) of t to l. */
static int list_append(op_list *l, const trace *t, size_t from, size_t to, int first_id)
{
    for (size_t i = from; i < to && i < t->n_ops; i++) {
        trace_op op = t->ops[i];
        trace_expr *e[N_NAMED_OPERANDS];
        for (size_t j = named_operands(&op, e); j-- > 0;)
            e[j]->name = binder_id(t, e[j]->name, first_id);
        if (list_insert(l, l->n, &op, first_id + (int)i) != 0)
            return -1;
    }
    return 0;
}

static int find_name(const int *binder, size_t n_bound, int id)
{
    for (size_t k = 0; k < n_bound; k++)
        if (binder[k] == id)
            return (int)k;
    return -1;
}

/* Replaces t's operations and names by l's (moved out of l): names are
 * r0, r1, ... in binding order; a reference to an op not bound before the
 * referring one becomes the latest name bound by then. */
static int list_to_trace(op_list *l, trace *t)
{
    int *binder = malloc((l->n + 1) * sizeof *binder);
    char **names = calloc(l->n + 1, sizeof *names);
    size_t n_bound = 0;
    if (binder == NULL || names == NULL) {
        free(binder);
        free(names);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        trace_op *op = &l->ops[i];
        trace_expr *e[N_NAMED_OPERANDS];
        for (size_t j = named_operands(op, e); j-- > 0;) {
            if (e[j]->name < 0)
                continue;
            int k = find_name(binder, n_bound, e[j]->name);
            e[j]->name = k >= 0 ? k : n_bound ? (int)n_bound - 1 : -1;
        }
        if (op->result >= 0) {
            char buf[24];
            snprintf(buf, sizeof buf, "r%zu", n_bound);
            names[n_bound] = strdup(buf);
            if (names[n_bound] == NULL)
                break;
            binder[n_bound] = l->id[i];
            op->result = (int)n_bound++;
        }
    }
    for (size_t i = 0; i < t->n_ops; i++)
        free(t->ops[i].data);
    free(t->ops);
    for (size_t k = 0; k < t->n_names; k++)
        free(t->names[k]);
    free(t->names);
    t->ops = l->ops;
    t->n_ops = l->n;
    t->names = names;
    t->n_names = n_bound;
    free(l->id);
    memset(l, 0, sizeof *l);
    free(binder);
    return 0;
}

/* ---- Boundaries of the state ------------------------------------------- */

/* The state after ops [0, at) of t, on the oracle (no planted bugs there):
 * r and its map. Returns 0, or -1 when it cannot be run. */
static int run_prefix(const trace *t, size_t at, backend_run *r, region_map *m)
{
    const backend *b = backend_find("oracle");
    op_result res;
    if (b == NULL || backend_run_open(r, b, t) != 0)
        return -1;
    memset(&res, 0, sizeof res);
    for (size_t i = 0; i < at; i++) {
        if (op_execute(r, &t->ops[i], &res) == 0)
            op_bind_result(r, &t->ops[i], &res);
    }
    op_result_clear(&res);
    memset(m, 0, sizeof *m);
    if (region_map_walk(r, m) != 0) {
        backend_run_close(r);
        return -1;
    }
    return 0;
}

/* A boundary near region reg, or of the profile: an address. */
static uint64_t boundary_address(const vas_mbi *reg, const vas_config *cfg, uint64_t *rng)
{
    uint64_t base = reg->base_address, end = base + reg->region_size;
    switch (below(rng, 12)) {
    case 0: return base;
    case 1: return end;
    case 2: return end - 1;
    case 3: return end - PAGE;
    case 4: return base - 1;
    case 5: return base + PAGE;
    case 6: return base + PAGE - 1;
    case 7: return (end + GRANULE - 1) & ~(uint64_t)(GRANULE - 1);
    case 8: return reg->allocation_base ? reg->allocation_base : base;
    case 9: return below(rng, 2) ? cfg->min_address : cfg->min_address - PAGE;
    case 10: return below(rng, 2) ? cfg->max_address : cfg->max_address + 1;
    default: return (cfg->max_address + 1) - PAGE;
    }
}

/* A size from addr that ends at a boundary of region reg. */
static uint64_t boundary_size(uint64_t addr, const vas_mbi *reg, uint64_t *rng)
{
    uint64_t end = reg->base_address + reg->region_size;
    uint64_t to_end = end > addr ? end - addr : PAGE;
    switch (below(rng, 6)) {
    case 0: return to_end;
    case 1: return to_end + 1;
    case 2: return to_end - 1;
    case 3: return to_end + PAGE;
    case 4: return reg->region_size;
    default: return GRANULE - (addr & (GRANULE - 1));
    }
}

/* v as an expression: the latest name bound at or below v within 4 GiB,
 * plus the rest; else the number. */
static trace_expr express(const backend_run *r, uint64_t v)
{
    trace_expr e = {-1, v};
    uint64_t best = UINT64_MAX;
    for (size_t k = 0; k < r->n_names; k++) {
        if (r->bound[k] && r->values[k] != 0 && v - r->values[k] < best && v - r->values[k] < (1ull << 32)) {
            best = v - r->values[k];
            e.name = (int)k;
            e.offset = best;
        }
    }
    return e;
}

static int has_addr(const trace_op *op)
{
    switch (op->code) {
    case TRACE_SETERR: case TRACE_GETERR: case TRACE_CHARGE: case TRACE_BULKALLOC:
    case TRACE_WSSET: case TRACE_WSMIN: case TRACE_WSMAX: case TRACE_LOCKED:
    case TRACE_THREAD: case TRACE_THREAD_EXIT: case TRACE_GUARANTEE:
        return 0;
    default:
        return 1;
    }
}

static int has_size(const trace_op *op)
{
    switch (op->code) {
    case TRACE_ALLOC: case TRACE_FREE: case TRACE_PROTECT: case TRACE_WATCH: case TRACE_RESETWATCH:
    case TRACE_LOCK: case TRACE_UNLOCK: case TRACE_ISBADREAD: case TRACE_ISBADWRITE:
        return 1;
    default:
        return 0;
    }
}

/* Bulk counts that fill one leaf, one inner node, or go past them. */
static const uint64_t SCALE_COUNTS[] = {16, 17, 255, 256, 257, 272, 300, 513, 1000, 4096};

/* Sets one operand of op at of t to a boundary of the state before it.
 * Returns 0, or -1 when t has no operand to set. */
static int set_boundary(trace *t, size_t at, uint64_t *rng)
{
    trace_op *op = &t->ops[at];
    backend_run r;
    region_map m;
    if (op->code == TRACE_BULKALLOC || (op->code == TRACE_BULKFREE && below(rng, 3) == 0)) {
        op->max = SCALE_COUNTS[below(rng, sizeof SCALE_COUNTS / sizeof SCALE_COUNTS[0])];
        return 0;
    }
    if (!has_addr(op) || run_prefix(t, at, &r, &m) != 0)
        return -1;
    const vas_mbi *reg = m.n ? &m.regions[below(rng, (unsigned)m.n)] : NULL;
    vas_mbi none = {0};
    if (reg == NULL)
        reg = &none;
    if (has_size(op) && below(rng, 3) == 0) {
        op->size.name = -1;
        op->size.offset = boundary_size(backend_run_eval(&r, op->addr), reg, rng);
    } else {
        op->addr = express(&r, boundary_address(reg, &r.cfg, rng));
    }
    region_map_free(&m);
    backend_run_close(&r);
    return 0;
}

/* ---- Mutations --------------------------------------------------------- */

/* ---- Churn at scale ----------------------------------------------------- */

/* Operations of one churn, inserted one after the other into l; r0 is the
 * id of its first bulk alloc, which later ones address relative to. */
typedef struct churn {
    op_list *l;
    size_t at;
    int id, r0;
    uint64_t *rng;
} churn;

#define CHURN_MAX_OPS 8   /* the longest recipe below */
#define GRANULES(n) ((uint64_t)(n) * GRANULE)

static trace_op blank_op(trace_opcode code)
{
    trace_op op;
    trace_op_init(&op, code);
    return op;
}

static int churn_add(churn *c, const trace_op *op)
{
    return list_insert(c->l, c->at++, op, c->id++);
}

/* r0 = bulk alloc count 0x1000 type READWRITE: one granule each. */
static int churn_bulk_alloc(churn *c, uint64_t count, uint64_t size, uint32_t type)
{
    trace_op op = blank_op(TRACE_BULKALLOC);
    op.result = 0;   /* binds a name (list_to_trace numbers it) */
    op.size.offset = size;
    op.type = type;
    op.protect = VAS_PAGE_READWRITE;
    op.max = count;
    c->r0 = c->id;
    return churn_add(c, &op);
}

/* bulk free from r0 + granules (or from address 0), count, stride. */
static int churn_bulk_free(churn *c, int from_r0, uint64_t granules, uint64_t count, uint32_t stride)
{
    trace_op op = blank_op(TRACE_BULKFREE);
    op.addr.name = from_r0 ? c->r0 : -1;
    op.addr.offset = GRANULES(granules);
    op.max = count;
    op.stride = stride;
    return churn_add(c, &op);
}

/* A single alloc of size at r0 + granules, or placed by the system (at < 0). */
static int churn_alloc(churn *c, int64_t at, uint64_t size, uint32_t type)
{
    trace_op op = blank_op(TRACE_ALLOC);
    op.result = 0;
    op.addr.name = at >= 0 ? c->r0 : -1;
    op.addr.offset = at >= 0 ? GRANULES(at) : 0;
    op.size.offset = size;
    op.type = type;
    op.protect = VAS_PAGE_READWRITE;
    return churn_add(c, &op);
}

/* Holes made by a bulk free with a stride in a bulk alloc, often filled
 * again by a second bulk alloc (splits in the middle of full nodes). */
static int churn_holes(churn *c)
{
    static const uint32_t strides[] = {2, 3, 16, 17};
    static const uint64_t refills[] = {64, 257, 300};
    uint32_t type = below(c->rng, 2) ? VAS_MEM_RESERVE | VAS_MEM_COMMIT : VAS_MEM_RESERVE;
    uint64_t count = SCALE_COUNTS[4 + below(c->rng, sizeof SCALE_COUNTS / sizeof SCALE_COUNTS[0] - 4)];
    if (churn_bulk_alloc(c, count, PAGE, type) != 0
        || churn_bulk_free(c, 1, below(c->rng, 2) ? 0 : below(c->rng, 64), count, strides[below(c->rng, 4)]) != 0)
        return -1;
    if (below(c->rng, 2))
        return 0;
    return churn_bulk_alloc(c, refills[below(c->rng, 3)], PAGE, type | (below(c->rng, 2) ? VAS_MEM_TOP_DOWN : 0));
}

/* Holes at the low end, then allocations too large for them: top-down,
 * each goes below everything (splits at the index's left edge, inner
 * nodes below the root among them, their right halves holding the
 * holes); then one that fits a hole. */
static int churn_fill_below(churn *c)
{
    static const uint64_t counts[] = {300, 600, 1000};
    static const uint64_t fills[] = {257, 300, 513};
    uint32_t dir = below(c->rng, 4) ? VAS_MEM_TOP_DOWN : 0;
    if (churn_bulk_alloc(c, counts[below(c->rng, 3)], PAGE, VAS_MEM_RESERVE | dir) != 0
        || churn_bulk_free(c, 0, 0, 4 + below(c->rng, 61), 2) != 0
        || churn_bulk_alloc(c, fills[below(c->rng, 3)], GRANULES(2), VAS_MEM_RESERVE | dir) != 0)
        return -1;
    return churn_alloc(c, -1, PAGE, VAS_MEM_RESERVE | dir);
}

/* A run released at a random place, passes releasing every second
 * allocation (leaves and inner nodes fall below their minimum and merge
 * while gaps differ between siblings), a last short pass, and a
 * placement of a random size that the largest-gap summaries steer. */
static int churn_deplete(churn *c)
{
    static const uint64_t counts[] = {600, 1000, 2000, 4096};
    static const uint32_t strides[] = {1, 2, 3, 9, 17, 64, 255};
    uint64_t count = counts[below(c->rng, 4)];
    if (churn_bulk_alloc(c, count, PAGE, VAS_MEM_RESERVE) != 0
        || churn_bulk_free(c, 1, below(c->rng, (unsigned)count), 8 + below(c->rng, 193), 1) != 0)
        return -1;
    for (unsigned pass = 1 + below(c->rng, 3); pass > 0; pass--)
        if (churn_bulk_free(c, 1, 0, 4096, 2) != 0)
            return -1;
    if (churn_bulk_free(c, 1, 0, 1 + below(c->rng, 64), strides[below(c->rng, 7)]) != 0)
        return -1;
    return churn_alloc(c, -1, GRANULES(1 + below(c->rng, 64)), VAS_MEM_RESERVE | (below(c->rng, 2) ? VAS_MEM_TOP_DOWN : 0));
}

/* A short run released, a reservation over it at its first granule, and
 * an operation on its last granule: where the run crossed two leaves, the
 * separator between them is now below the second leaf's first key, and a
 * lookup there must find the reservation in the leaf before. */
static int churn_span(churn *c)
{
    static const uint64_t counts[] = {257, 300, 600, 1000};
    uint64_t count = counts[below(c->rng, 4)], run = 2 + below(c->rng, 7);
    uint64_t at = below(c->rng, (unsigned)(count - run));
    if (churn_bulk_alloc(c, count, PAGE, VAS_MEM_RESERVE | VAS_MEM_COMMIT) != 0
        || churn_bulk_free(c, 1, at, run, 1) != 0
        || churn_alloc(c, (int64_t)at, GRANULES(run), VAS_MEM_RESERVE | VAS_MEM_COMMIT) != 0)
        return -1;
    trace_op op = blank_op(TRACE_READ);
    op.addr.name = c->r0;
    op.addr.offset = GRANULES(at + run - 1);
    switch (below(c->rng, 3)) {
    case 0:
        op.len = 4;
        return churn_add(c, &op);
    case 1:
        return churn_alloc(c, (int64_t)(at + run - 1), PAGE, VAS_MEM_RESERVE);
    default:
        op.code = TRACE_PROTECT;
        op.size.offset = PAGE;
        op.protect = VAS_PAGE_READONLY;
        return churn_add(c, &op);
    }
}

/* Churn at scale inserted at position at of l: hundreds or thousands of
 * allocations made, released in patterns and placed again, so that the
 * index's inner nodes split, merge and share, and its separators and
 * largest-gap summaries are used after removals. */
static int insert_churn(op_list *l, size_t at, uint64_t *rng)
{
    churn c = {l, at, SECOND_INPUT * 4 + (int)below(rng, SECOND_INPUT), -1, rng};
    switch (below(rng, 4)) {
    case 0: return churn_holes(&c);
    case 1: return churn_fill_below(&c);
    case 2: return churn_deplete(&c);
    default: return churn_span(&c);
    }
}

/* ---- Placeholder recipes ------------------------------------------------ */

/* A call on a placeholder succeeds only on an exact piece of a live one
 * (split, replace, map3, unmap2, coalesce), which random operands almost
 * never name (issue 12: on 5,000 random inputs no split or coalesce
 * succeeded). These recipes insert a placeholder's life - reserve, split,
 * replace a piece with private memory or a view, back to a placeholder,
 * coalesce - and stop at a random step, so that the operations after them
 * meet a live placeholder, piece or view. Operations go in as churn's do;
 * r0 is the placeholder's id. */
#define PLACE_MAX_OPS 8   /* the longest recipe below */
#define PLACE_RESERVE (VAS_MEM_RESERVE | VAS_MEM_RESERVE_PLACEHOLDER)
#define PLACE_SPLIT (VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER)
#define PLACE_COALESCE (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS)

/* A piece of a placeholder of size bytes: its offset and length, at 64 KiB
 * or (one in three) page boundaries, never the whole placeholder. */
typedef struct piece { uint64_t at, len; } piece;

static piece place_piece(uint64_t size, uint64_t *rng)
{
    uint64_t unit = below(rng, 3) ? GRANULE : PAGE, units = size / unit;
    piece p;
    p.at = unit * below(rng, (unsigned)units);
    p.len = unit * (1 + below(rng, (unsigned)(units - p.at / unit)));
    if (p.at == 0 && p.len == size)
        p.len -= unit;
    return p;
}

/* r0 = alloc2 0 0 size RESERVE|RESERVE_PLACEHOLDER NOACCESS */
static int place_reserve(churn *c, uint64_t size)
{
    trace_op op = blank_op(TRACE_ALLOC2);
    op.result = 0;
    op.process.offset = 0;   /* NULL: the calling process */
    op.size.offset = size;
    op.type = PLACE_RESERVE;
    op.protect = VAS_PAGE_NOACCESS;
    c->r0 = c->id;
    return churn_add(c, &op);
}

/* free r0+at len TYPE: a split (PLACE_SPLIT), a piece back to a
 * placeholder (PLACE_SPLIT too) or a coalesce (PLACE_COALESCE). */
static int place_free(churn *c, piece p, uint32_t type)
{
    trace_op op = blank_op(TRACE_FREE);
    op.addr.name = c->r0;
    op.addr.offset = p.at;
    op.size.offset = p.len;
    op.type = type;
    return churn_add(c, &op);
}

/* write ADDR+at 4 bytes: the new memory is used. */
static int place_write(churn *c, int name, uint64_t at)
{
    uint8_t bytes[4] = {0xA1, 0xB2, 0xC3, (uint8_t)below(c->rng, 256)};
    trace_op op = blank_op(TRACE_WRITE);
    op.addr.name = name;
    op.addr.offset = at;
    op.data = bytes;   /* list_insert copies it */
    op.len = sizeof bytes;
    return churn_add(c, &op);
}

/* s = section size READWRITE COMMIT; returns its id. */
static int place_section(churn *c, uint64_t size)
{
    trace_op op = blank_op(TRACE_SECTION);
    int id = c->id;
    op.result = 0;
    op.size.offset = size;
    op.protect = VAS_PAGE_READWRITE;
    op.type = VAS_SEC_COMMIT;
    return churn_add(c, &op) != 0 ? -1 : id;
}

/* v = map3 s -1 r0+at offset len REPLACE_PLACEHOLDER READWRITE; returns its id. */
static int place_map3(churn *c, int section, piece p, uint64_t offset)
{
    trace_op op = blank_op(TRACE_MAP3);
    int id = c->id;
    op.result = 0;
    op.handle.name = section;
    op.process.offset = TRACE_CURRENT_PROCESS;
    op.addr.name = c->r0;
    op.addr.offset = p.at;
    op.offset.offset = offset;
    op.size.offset = p.len;
    op.type = VAS_MEM_REPLACE_PLACEHOLDER;
    op.protect = VAS_PAGE_READWRITE;
    return churn_add(c, &op) != 0 ? -1 : id;
}

/* unmap2 -1 v PRESERVE_PLACEHOLDER: the view's range is a placeholder again. */
static int place_unmap2(churn *c, int view)
{
    trace_op op = blank_op(TRACE_UNMAP2);
    op.process.offset = TRACE_CURRENT_PROCESS;
    op.addr.name = view;
    op.flags = VAS_MEM_PRESERVE_PLACEHOLDER;
    return churn_add(c, &op);
}

/* A placeholder of 2 to 8 granules split into pieces (one or two splits)
 * and, mostly, coalesced again. */
static int place_split_coalesce(churn *c)
{
    uint64_t size = GRANULES(2 + below(c->rng, 7));
    if (place_reserve(c, size) != 0 || place_free(c, place_piece(size, c->rng), PLACE_SPLIT) != 0)
        return -1;
    if (below(c->rng, 2) && place_free(c, place_piece(size, c->rng), PLACE_SPLIT) != 0)
        return -1;
    return below(c->rng, 4) ? place_free(c, (piece){0, size}, PLACE_COALESCE) : 0;
}

/* A piece replaced by committed private memory (VirtualAlloc2 with
 * MEM_REPLACE_PLACEHOLDER), written, freed back to a placeholder and
 * coalesced. */
static int place_replace_private(churn *c)
{
    uint64_t size = GRANULES(2 + below(c->rng, 7));
    piece p = place_piece(size, c->rng);
    if (place_reserve(c, size) != 0 || place_free(c, p, PLACE_SPLIT) != 0)
        return -1;
    trace_op op = blank_op(TRACE_ALLOC2);
    op.result = 0;
    op.addr.name = c->r0;
    op.addr.offset = p.at;
    op.size.offset = p.len;
    op.type = VAS_MEM_RESERVE | VAS_MEM_COMMIT | VAS_MEM_REPLACE_PLACEHOLDER;
    op.protect = VAS_PAGE_READWRITE;
    if (churn_add(c, &op) != 0 || place_write(c, c->r0, p.at) != 0 || place_free(c, p, PLACE_SPLIT) != 0)
        return -1;
    return place_free(c, (piece){0, size}, PLACE_COALESCE);
}

/* A piece replaced by a view of a section (MapViewOfFile3), written,
 * unmapped back to a placeholder (UnmapViewOfFile2) and coalesced. */
static int place_map_view(churn *c)
{
    uint64_t size = GRANULES(2 + below(c->rng, 7));
    piece p = place_piece(size, c->rng);
    int section, view;
    if (place_reserve(c, size) != 0 || place_free(c, p, PLACE_SPLIT) != 0
        || (section = place_section(c, size)) < 0 || (view = place_map3(c, section, p, p.at)) < 0
        || place_write(c, view, 0) != 0 || place_unmap2(c, view) != 0)
        return -1;
    return place_free(c, (piece){0, size}, PLACE_COALESCE);
}

/* A ring buffer: a placeholder of twice a section's size split in halves,
 * the section mapped into both, written through the first view (the
 * second sees it), then both unmapped back to placeholders. */
static int place_ring(churn *c)
{
    uint64_t half = GRANULES(1 + below(c->rng, 4));
    piece low = {0, half}, high = {half, half};
    int section, first, second;
    if (place_reserve(c, 2 * half) != 0 || place_free(c, low, PLACE_SPLIT) != 0
        || (section = place_section(c, half)) < 0 || (first = place_map3(c, section, low, 0)) < 0
        || (second = place_map3(c, section, high, 0)) < 0 || place_write(c, first, half - 4) != 0)
        return -1;
    return place_unmap2(c, first) != 0 ? -1 : place_unmap2(c, second);
}

/* A placeholder recipe inserted at position at of l, cut after a random
 * number of its operations (half of the time it runs to the end). */
static int insert_placeholders(op_list *l, size_t at, uint64_t *rng)
{
    churn c = {l, at, SECOND_INPUT * 5 + (int)below(rng, SECOND_INPUT), -1, rng};
    int rc;
    switch (below(rng, 4)) {
    case 0: rc = place_split_coalesce(&c); break;
    case 1: rc = place_replace_private(&c); break;
    case 2: rc = place_map_view(&c); break;
    default: rc = place_ring(&c); break;
    }
    size_t keep = c.at - at;
    if (rc == 0 && below(rng, 2) && keep > 2)
        for (size_t cut = 2 + below(rng, (unsigned)(keep - 2)); keep > cut; keep--)
            list_delete(l, at + keep - 1);
    return rc;
}

/* A new operation for position at of t (decoded from random bytes after the
 * encoded ops before it, so its names are t's), inserted into l. */
static int insert_random(op_list *l, trace *t, size_t at, uint64_t *rng)
{
    size_t keep_ops = t->n_ops, keep_names = t->n_names, len = 0;
    size_t names_before = 0;
    for (size_t i = 0; i < at; i++)
        names_before += t->ops[i].result >= 0;
    t->n_ops = at;
    t->n_names = names_before;
    uint8_t *prefix = trace_encode_binary(t, &len);
    t->n_ops = keep_ops;
    t->n_names = keep_names;
    if (prefix == NULL)
        return -1;
    uint8_t *bytes = realloc(prefix, len + 24);
    if (bytes == NULL) {
        free(prefix);
        return -1;
    }
    for (size_t i = 0; i < 24; i++)
        bytes[len + i] = (uint8_t)next_random(rng);
    if (below(rng, 6) == 0) {        /* scale: a bulk operation */
        bytes[len] = 31;
        bytes[len + 1] = (uint8_t)below(rng, 2);
    }
    trace *u = trace_decode_binary(bytes, len + 24, at + 1);
    free(bytes);
    int rc = -1;
    if (u != NULL && u->n_ops == at + 1) {
        trace_op op = u->ops[at];
        trace_expr *e[N_NAMED_OPERANDS];
        for (size_t j = named_operands(&op, e); j-- > 0;)
            e[j]->name = binder_id(u, e[j]->name, 0);
        rc = list_insert(l, at, &op, SECOND_INPUT * 2 + (int)below(rng, SECOND_INPUT));
    }
    trace_free(u);
    return rc;
}

/* One structural change of t (decoded from an input) into bytes. Returns
 * the encoded length, or 0 when it could not be done or does not fit. */
static size_t mutate_trace(trace *t, const trace *other, uint8_t *out, size_t max_size, uint64_t *rng)
{
    op_list l = {0};
    size_t n = t->n_ops, len = 0;
    unsigned kind = below(rng, other ? 1 : 6);
    int rc = list_append(&l, t, 0, n, 0);
    if (rc == 0 && other != NULL) {             /* splice: our front, its back */
        size_t cut = below(rng, (unsigned)n + 1);
        while (l.n > cut)
            list_delete(&l, l.n - 1);
        rc = list_append(&l, other, below(rng, (unsigned)other->n_ops + 1), other->n_ops, SECOND_INPUT);
    } else if (rc == 0 && (kind == 0 || n == 0)) {
        size_t at = below(rng, (unsigned)n + 1);
        unsigned recipe = below(rng, 6);
        if (n + CHURN_MAX_OPS <= FUZZ_MAX_OPS && recipe == 0)
            rc = insert_churn(&l, at, rng);
        else if (n + PLACE_MAX_OPS <= FUZZ_MAX_OPS && recipe == 1)
            rc = insert_placeholders(&l, at, rng);
        else
            rc = n < FUZZ_MAX_OPS ? insert_random(&l, t, at, rng) : -1;
    } else if (rc == 0 && kind == 1) {
        list_delete(&l, below(rng, (unsigned)n));
    } else if (rc == 0 && kind == 2) {
        size_t i = below(rng, (unsigned)n);
        trace_op op = l.ops[i];   /* list_insert may move the array */
        rc = n < FUZZ_MAX_OPS ? list_insert(&l, i + 1, &op, SECOND_INPUT * 3 + (int)below(rng, SECOND_INPUT)) : -1;
    } else if (rc == 0 && kind == 3 && n >= 2) {
        size_t i = below(rng, (unsigned)n - 1);
        trace_op op = l.ops[i];
        int id = l.id[i];
        l.ops[i] = l.ops[i + 1];
        l.id[i] = l.id[i + 1];
        l.ops[i + 1] = op;
        l.id[i + 1] = id;
    }
    while (rc == 0 && l.n > FUZZ_MAX_OPS)
        list_delete(&l, l.n - 1);
    if (rc != 0 || list_to_trace(&l, t) != 0) {
        list_free(&l);
        return 0;
    }
    if (kind >= 4 && other == NULL && t->n_ops > 0 && set_boundary(t, below(rng, (unsigned)t->n_ops), rng) != 0)
        return 0;
    uint8_t *bytes = trace_encode_binary(t, &len);
    if (bytes == NULL || len > max_size || len == 0) {
        free(bytes);
        return 0;
    }
    memcpy(out, bytes, len);
    free(bytes);
    return len;
}

/* A byte-level change when no structural one applies. */
static size_t mutate_bytes(uint8_t *data, size_t size, size_t max_size, uint64_t *rng)
{
    if (LLVMFuzzerMutate != NULL)
        return LLVMFuzzerMutate(data, size, max_size);
    if (size == 0 && max_size > 0)
        data[size++] = 0;
    if (size > 0)
        data[below(rng, (unsigned)size)] ^= (uint8_t)(1u << below(rng, 8));
    return size;
}

/* One structural change of data (spliced with data2 when given), or, when
 * none applies, a byte-level one. */
static size_t mutate_structure(uint8_t *data, size_t size, size_t max_size, uint64_t *rng,
                               const uint8_t *data2, size_t size2)
{
    size_t len = 0;
    if (size > 0) {
        trace *t = trace_decode_binary(data, size, FUZZ_MAX_OPS);
        trace *other = data2 != NULL ? trace_decode_binary(data2, size2, FUZZ_MAX_OPS) : NULL;
        if (t != NULL && (data2 == NULL || other != NULL))
            len = mutate_trace(t, other, data, max_size, rng);
        trace_free(t);
        trace_free(other);
    }
    return len ? len : mutate_bytes(data, size, max_size, rng);
}

/* ---- libFuzzer --------------------------------------------------------- */

/* libFuzzer calls the custom mutator for every mutation: its own
 * (LLVMFuzzerMutate: byte changes, the dictionary, values seen in
 * comparisons) must keep most of them, or the field-level bugs an operand's
 * exact value finds are found later than without this mutator. */
#define LIBFUZZER_STRUCTURAL_IN 3   /* one mutation in 3 is structural */

static size_t mutate_libfuzzer(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
                               const uint8_t *data2, size_t size2)
{
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
    if (below(&rng, LIBFUZZER_STRUCTURAL_IN) != 0)
        return mutate_bytes(data, size, max_size, &rng);
    return mutate_structure(data, size, max_size, &rng, data2, size2);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    return mutate_libfuzzer(data, size, max_size, seed, NULL, 0);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed)
{
    size_t n = size1 < max_out_size ? size1 : max_out_size;
    memcpy(out, data1, n);
    return mutate_structure(out, n, max_out_size, &(uint64_t){seed * 0x9E3779B97F4A7C15ull + 1}, data2, size2);
}

/* ---- AFL++ -------------------------------------------------------------- */

/* AFL++ runs this mutator as a stage of its own, before its havoc stage,
 * and (without AFL_CUSTOM_MUTATOR_ONLY) keeps all of its own mutations: so
 * here every call is structural, and afl_custom_fuzz_count keeps the stage
 * short, leaving most executions to AFL++'s own mutations. By default the
 * stage would take as many executions as havoc does. */
#define AFL_CALLS_PER_ENTRY 32

typedef struct afl_mutator {
    uint64_t rng;
    uint8_t *buf;
    size_t cap;
} afl_mutator;

void *afl_custom_init(void *afl, unsigned int seed);
unsigned int afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    afl_mutator *m = calloc(1, sizeof *m);
    (void)afl;
    if (m != NULL)
        m->rng = (uint64_t)seed * 0x9E3779B97F4A7C15ull + 1;
    return m;
}

unsigned int afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size)
{
    (void)data;
    (void)buf;
    (void)buf_size;
    return AFL_CALLS_PER_ENTRY;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size)
{
    afl_mutator *m = data;
    size_t want = buf_size > max_size ? buf_size : max_size;
    if (m->cap < want) {
        uint8_t *grown = realloc(m->buf, want);
        if (grown == NULL) {
            *out_buf = buf;
            return buf_size;
        }
        m->buf = grown;
        m->cap = want;
    }
    if (buf_size > max_size)
        buf_size = max_size;
    memcpy(m->buf, buf, buf_size);
    int splice = add_buf != NULL && add_buf_size > 0 && below(&m->rng, 8) == 0;
    *out_buf = m->buf;
    return mutate_structure(m->buf, buf_size, max_size, &m->rng, splice ? add_buf : NULL,
                            splice ? add_buf_size : 0);
}

void afl_custom_deinit(void *data)
{
    afl_mutator *m = data;
    if (m != NULL)
        free(m->buf);
    free(m);
}
