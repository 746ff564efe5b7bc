/*
 * result_compare.c - compares what two backends produced for one operation
 * (op results and memory maps) and describes results and differences in the
 * trace language's own words.
 *
 * Two ways to compare an address. When both backends place allocations
 * deterministically (impl, oracle, host) an address is compared as a number.
 * Otherwise (real Windows picks its own addresses) each address is first
 * rewritten as "name+offset" with the backend's own bindings - the nearest
 * bound address at or below it inside the same allocation - and those texts
 * are compared: the same trace then matches on every backend by shape.
 *
 * Constants are written by trace_const_format, as the printer writes them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "harness/compare.h"

/* A constant's name (trace_const_format) into the local array buf. */
#define CONST_NAME(kind, value, buf) trace_const_format(kind, value, buf, sizeof buf)

/* Appends formatted text at *pos, never past len (output is truncated). */
static void appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (*pos >= len)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos = (size_t)n >= len - *pos ? len - 1 : *pos + (size_t)n;
}

/* ---- Addresses ---------------------------------------------------------- */

const char *describe_address(const backend_run *r, const region_map *map, uint64_t addr,
                             char *buf, size_t len)
{
    const vas_mbi *reg = map ? region_map_find(map, addr) : NULL;
    int best = -1;
    size_t i;

    if (reg != NULL && reg->state != VAS_MEM_FREE && reg->allocation_base != 0) {
        /* Any binding in [alloc_base, addr] lies in this allocation: the
         * map holds no hole between an allocation's base and its pages. */
        uint64_t lo = reg->allocation_base;
        for (i = 0; i < r->n_names; i++) {
            uint64_t v = r->values[i];
            if (!backend_run_local(r, i) || v < lo || v > addr)
                continue;
            if (best < 0 || v > r->values[best])
                best = (int)i;
        }
    }
    if (best < 0) {
        snprintf(buf, len, "0x%" PRIX64, addr);
    } else {
        uint64_t off = addr - r->values[best];
        const char *name = r->names ? r->names[best] : "?";
        if (off == 0)
            snprintf(buf, len, "%s", name);
        else
            snprintf(buf, len, "%s+0x%" PRIX64, name, off);
    }
    return buf;
}

int compare_by_shape(const backend_run *a, const backend_run *b)
{
    return !(a->b->deterministic_placement && b->b->deterministic_placement);
}

/* ---- Describing one result ---------------------------------------------- */

/* Read data: a fill when every byte is equal, else hex, cut after 64 bytes. */
static void append_data(char *buf, size_t len, size_t *pos, const uint8_t *data, size_t n)
{
    size_t i;
    int uniform = n > 1;
    for (i = 1; i < n && uniform; i++)
        uniform = data[i] == data[0];
    if (uniform) {
        appendf(buf, len, pos, "fill=0x%02X*0x%zX", data[0], n);
        return;
    }
    for (i = 0; i < n && i < 64; i++)
        appendf(buf, len, pos, "%02x", data[i]);
    if (n > 64)
        appendf(buf, len, pos, "... (%zu bytes)", n);
}

const char *op_result_describe(const backend_run *r, const region_map *map,
                               const trace_op *op, const op_result *res, char *buf, size_t len)
{
    char e[32], p[64], a[64], s[16], t[16];
    size_t pos = 0;
    if (len > 0)
        buf[0] = '\0';
    switch (op->code) {
    case TRACE_SECTION:
        /* A handle's value means nothing to compare: only that there is one. */
        if (res->value == 0)
            appendf(buf, len, &pos, "0 err=%s", CONST_NAME(CONST_ERROR, res->error, e));
        else
            appendf(buf, len, &pos, "nonzero");
        break;
    case TRACE_ALLOC:
    case TRACE_THREAD:
    case TRACE_BULKALLOC:
    case TRACE_MAP:
    case TRACE_ALLOC2:
    case TRACE_MAP3:
    case TRACE_FREE:
    case TRACE_UNMAP:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
    case TRACE_PROTECT:
    case TRACE_QUERY:
        if (res->value == 0) {
            appendf(buf, len, &pos, "0 err=%s", CONST_NAME(CONST_ERROR, res->error, e));
            if (op->code == TRACE_PROTECT && res->old != OP_OLD_UNTOUCHED)
                appendf(buf, len, &pos, " old=%s", CONST_NAME(CONST_PROTECT, res->old, p));
        } else if (op_places(op->code)) {
            /* The address the system chose is the news: print it as a number. */
            appendf(buf, len, &pos, "0x%" PRIX64, res->value);
        } else if (op->code == TRACE_QUERY) {
            const vas_mbi *m = &res->mbi;
            appendf(buf, len, &pos, "{base=%s", describe_address(r, map, m->base_address, a, sizeof a));
            appendf(buf, len, &pos, " alloc_base=%s", describe_address(r, map, m->allocation_base, a, sizeof a));
            appendf(buf, len, &pos, " alloc_protect=%s", CONST_NAME(CONST_PROTECT, m->allocation_protect, p));
            appendf(buf, len, &pos, " size=0x%" PRIX64, m->region_size);
            appendf(buf, len, &pos, " state=%s", CONST_NAME(CONST_MEM_STATE, m->state, s));
            appendf(buf, len, &pos, " protect=%s", CONST_NAME(CONST_PROTECT, m->protect, p));
            appendf(buf, len, &pos, " type=%s", CONST_NAME(CONST_MEM_STATE, m->type, t));
            appendf(buf, len, &pos, " ret=%" PRIu64 "}", res->value);
        } else {
            appendf(buf, len, &pos, "%" PRIu64, res->value);
            if (op->code == TRACE_PROTECT && res->old != OP_OLD_UNTOUCHED)
                appendf(buf, len, &pos, " old=%s", CONST_NAME(CONST_PROTECT, res->old, p));
        }
        break;
    case TRACE_READ:
    case TRACE_WRITE:
    case TRACE_EXEC:
    case TRACE_TOUCH:
        if (res->status == VAS_STATUS_INVALID_HANDLE && op->code == TRACE_TOUCH) {
            appendf(buf, len, &pos, "NOTHREAD");
        } else if (res->status == VAS_STATUS_SUCCESS) {
            appendf(buf, len, &pos, "ok");
            if (op->code == TRACE_READ && res->data_len > 0) {
                appendf(buf, len, &pos, " data=");
                append_data(buf, len, &pos, res->data, res->data_len);
            }
        } else {
            if (res->status == VAS_STATUS_ACCESS_VIOLATION)
                appendf(buf, len, &pos, "AV");
            else if (res->status == VAS_STATUS_GUARD_PAGE_VIOLATION)
                appendf(buf, len, &pos, "GUARD");
            else if (res->status == VAS_STATUS_STACK_OVERFLOW)
                appendf(buf, len, &pos, "OVERFLOW");
            else
                appendf(buf, len, &pos, "status=0x%08" PRIX32, res->status);
            appendf(buf, len, &pos, " at=%s", describe_address(r, map, res->fault, a, sizeof a));
        }
        break;
    case TRACE_SETERR:
        appendf(buf, len, &pos, "(done)");
        break;
    case TRACE_GETERR:
    case TRACE_BULKFREE:
        appendf(buf, len, &pos, "%" PRIu64, res->value);
        break;
    case TRACE_CHARGE:
    case TRACE_WSMIN:
    case TRACE_WSMAX:
    case TRACE_LOCKED:
        appendf(buf, len, &pos, "0x%" PRIX64, res->value);
        break;
    case TRACE_LOCK:
    case TRACE_UNLOCK:
    case TRACE_WSSET:
    case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE:
        if (res->value == 0)
            appendf(buf, len, &pos, "0 err=%s", CONST_NAME(CONST_ERROR, res->error, e));
        else
            appendf(buf, len, &pos, "%" PRIu64, res->value);
        if (op->code == TRACE_GUARANTEE)
            appendf(buf, len, &pos, " old=0x%" PRIX32, res->old);
        break;
    case TRACE_ISBADREAD:
    case TRACE_ISBADWRITE:
    case TRACE_ISBADCODE:
    case TRACE_ISBADSTR:
        appendf(buf, len, &pos, "%" PRIu64, res->value);
        break;
    case TRACE_PROCESS:
        if (res->value == 0)
            appendf(buf, len, &pos, "0 err=%s", CONST_NAME(CONST_ERROR, res->error, e));
        else
            appendf(buf, len, &pos, "nonzero (0x%" PRIX64 ")", res->value);
        break;
    case TRACE_CLOSE:
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        if (res->value == 0)
            appendf(buf, len, &pos, "0 err=%s", CONST_NAME(CONST_ERROR, res->error, e));
        else
            appendf(buf, len, &pos, "%" PRIu64, res->value);
        if (op->code == TRACE_CLOSE)
            break;
        if (res->aux == TRACE_COUNT_UNTOUCHED)
            appendf(buf, len, &pos, " n=none");
        else
            appendf(buf, len, &pos, " n=0x%" PRIX64, res->aux);
        break;
    case TRACE_WATCH:
    case TRACE_RESETWATCH:
        if (res->value != 0) {
            appendf(buf, len, &pos, "0x%" PRIX64 " err=%s", res->value, CONST_NAME(CONST_ERROR, res->error, e));
        } else if (op->code == TRACE_RESETWATCH) {
            appendf(buf, len, &pos, "0");
        } else {
            appendf(buf, len, &pos, "{");
            for (uint64_t i = 0; i < res->n_pages; i++)
                appendf(buf, len, &pos, "%s%s", i ? " " : "", describe_address(r, map, res->pages[i], a, sizeof a));
            appendf(buf, len, &pos, "}");
        }
        break;
    }
    return buf;
}

/* ---- Comparing one result ----------------------------------------------- */

/* The pair being compared, so that each check is one line. */
typedef struct pair {
    const backend_run *ra, *rb;
    const region_map *ma, *mb;
    int shape;
    char *desc;
    size_t desc_len;
} pair;

static int differ_number(const pair *c, const char *what, uint64_t a, uint64_t b)
{
    if (a == b)
        return 0;
    snprintf(c->desc, c->desc_len, "%s differs: %s 0x%" PRIX64 ", %s 0x%" PRIX64,
             what, c->ra->b->name, a, c->rb->b->name, b);
    return 1;
}

static int differ_protect(const pair *c, const char *what, uint32_t a, uint32_t b)
{
    char pa[64], pb[64];
    if (a == b)
        return 0;
    snprintf(c->desc, c->desc_len, "%s differs: %s %s, %s %s", what,
             c->ra->b->name, a == OP_OLD_UNTOUCHED ? "(not written)" : CONST_NAME(CONST_PROTECT, a, pa),
             c->rb->b->name, b == OP_OLD_UNTOUCHED ? "(not written)" : CONST_NAME(CONST_PROTECT, b, pb));
    return 1;
}

static int differ_error(const pair *c, uint32_t a, uint32_t b)
{
    char ea[32], eb[32];
    if (a == b)
        return 0;
    snprintf(c->desc, c->desc_len, "last error differs: %s %s, %s %s",
             c->ra->b->name, CONST_NAME(CONST_ERROR, a, ea),
             c->rb->b->name, CONST_NAME(CONST_ERROR, b, eb));
    return 1;
}

static int differ_address(const pair *c, const char *what, uint64_t a, uint64_t b)
{
    char ta[64], tb[64];
    describe_address(c->ra, c->ma, a, ta, sizeof ta);
    describe_address(c->rb, c->mb, b, tb, sizeof tb);
    if (c->shape ? strcmp(ta, tb) == 0 : a == b)
        return 0;
    snprintf(c->desc, c->desc_len, "%s differs: %s %s (0x%" PRIX64 "), %s %s (0x%" PRIX64 ")",
             what, c->ra->b->name, ta, a, c->rb->b->name, tb, b);
    return 1;
}

/* By shape, two successful allocs match when the system chose both
 * addresses (NULL requested: the op's own name binds each), or when each
 * lies at the same offset from the address the op asked for; the name the
 * result would be described by may differ (a reused address). */
static int differ_alloc(const pair *c, const trace_op *op, uint64_t a, uint64_t b)
{
    if (c->shape && a != 0 && b != 0) {
        uint64_t wa = backend_run_eval(c->ra, op->addr), wb = backend_run_eval(c->rb, op->addr);
        if ((wa == 0 && wb == 0) || a - wa == b - wb)
            return 0;
    }
    return differ_address(c, "alloc result", a, b);
}

/* By shape, a fault in memory that is no allocation (released, never
 * reserved) has no name to be described by; it still matches when it lies
 * at the same offset from the operation's own address on both backends. */
static int differ_fault(const pair *c, const trace_op *op, uint64_t a, uint64_t b)
{
    if (c->shape && a - backend_run_eval(c->ra, op->addr) == b - backend_run_eval(c->rb, op->addr))
        return 0;
    return differ_address(c, "fault address", a, b);
}

static int differ_mbi(const pair *c, const vas_mbi *a, const vas_mbi *b)
{
    /* By shape, a free region's base and size depend on where the system
     * put the neighbouring allocations: only its kind is comparable. */
    int free_by_shape = c->shape && a->state == VAS_MEM_FREE && b->state == VAS_MEM_FREE;
    if (!free_by_shape) {
        if (differ_address(c, "query base", a->base_address, b->base_address))
            return 1;
        if (differ_number(c, "query size", a->region_size, b->region_size))
            return 1;
    }
    return differ_address(c, "query alloc_base", a->allocation_base, b->allocation_base)
        || differ_protect(c, "query alloc_protect", a->allocation_protect, b->allocation_protect)
        || differ_number(c, "query state", a->state, b->state)
        || differ_protect(c, "query protect", a->protect, b->protect)
        || differ_number(c, "query type", a->type, b->type)
        || differ_number(c, "query partition_id", a->partition_id, b->partition_id);
}

static int differ_data(const pair *c, const op_result *a, const op_result *b)
{
    size_t i;
    if (a->data_len != b->data_len)
        return differ_number(c, "read length", a->data_len, b->data_len);
    for (i = 0; i < a->data_len; i++) {
        if (a->data[i] != b->data[i]) {
            snprintf(c->desc, c->desc_len, "read data differs at byte 0x%zX: %s %02x, %s %02x",
                     i, c->ra->b->name, a->data[i], c->rb->b->name, b->data[i]);
            return 1;
        }
    }
    return 0;
}

/* watch: the same pages reported (by shape when placement is not exact). */
static int differ_pages(const pair *c, const op_result *a, const op_result *b)
{
    if (a->n_pages != b->n_pages)
        return differ_number(c, "write-watch count", a->n_pages, b->n_pages);
    for (uint64_t i = 0; i < a->n_pages; i++)
        if (differ_address(c, "write-watch page", a->pages[i], b->pages[i]))
            return 1;
    return a->n_pages ? differ_number(c, "write-watch granularity", a->granularity, b->granularity) : 0;
}

int op_result_compare(const backend_run *ra, const region_map *ma, const op_result *a,
                      const backend_run *rb, const region_map *mb, const op_result *b,
                      const trace_op *op, char *desc, size_t desc_len)
{
    pair c = {ra, rb, ma, mb, compare_by_shape(ra, rb), desc, desc_len};
    if (desc_len > 0)
        desc[0] = '\0';
    switch (op->code) {
    case TRACE_ALLOC:
    case TRACE_THREAD:
    case TRACE_BULKALLOC:
        if (differ_alloc(&c, op, a->value, b->value))
            return 1;
        break;
    case TRACE_GUARANTEE:
        if (differ_number(&c, "result", a->value, b->value)
            || differ_number(&c, "old guarantee", a->old, b->old))
            return 1;
        break;
    case TRACE_MAP:
    case TRACE_ALLOC2:
    case TRACE_MAP3:
        if (differ_alloc(&c, op, a->value, b->value))
            return 1;
        break;
    case TRACE_SECTION:
        if (differ_number(&c, "section created", a->value != 0, b->value != 0))
            return 1;
        break;
    case TRACE_UNMAP:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
    case TRACE_FREE:
    case TRACE_GETERR:
    case TRACE_CHARGE:
    case TRACE_BULKFREE:
        if (differ_number(&c, "result", a->value, b->value))
            return 1;
        break;
    case TRACE_PROTECT:
        if (differ_number(&c, "result", a->value, b->value)
            || differ_protect(&c, "old protection", a->old, b->old))
            return 1;
        break;
    case TRACE_QUERY:
        if (differ_number(&c, "query result", a->value, b->value))
            return 1;
        if (a->value != 0 && differ_mbi(&c, &a->mbi, &b->mbi))
            return 1;
        break;
    case TRACE_READ:
    case TRACE_WRITE:
    case TRACE_EXEC:
    case TRACE_TOUCH:
        if (differ_number(&c, "access status", a->status, b->status))
            return 1;
        if (a->status != VAS_STATUS_SUCCESS && a->status != VAS_STATUS_INVALID_HANDLE
            && differ_fault(&c, op, a->fault, b->fault))
            return 1;
        if (op->code == TRACE_READ && a->status == VAS_STATUS_SUCCESS && differ_data(&c, a, b))
            return 1;
        break;
    case TRACE_SETERR:
        break;
    case TRACE_WATCH:
        if (differ_number(&c, "result", a->value, b->value) || (a->value == 0 && differ_pages(&c, a, b)))
            return 1;
        break;
    case TRACE_RESETWATCH:
    case TRACE_LOCK:
    case TRACE_UNLOCK:
    case TRACE_THREAD_EXIT:
    case TRACE_WSSET:
    case TRACE_WSMIN:
    case TRACE_WSMAX:
    case TRACE_LOCKED:
    case TRACE_ISBADREAD:
    case TRACE_ISBADWRITE:
    case TRACE_ISBADCODE:
    case TRACE_ISBADSTR:
    case TRACE_CLOSE:
        if (differ_number(&c, "result", a->value, b->value))
            return 1;
        break;
    case TRACE_PROCESS:   /* handle values are each system's own */
        if (differ_number(&c, "process created", a->value != 0, b->value != 0))
            return 1;
        break;
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        if (differ_number(&c, "result", a->value, b->value) ||
            differ_number(&c, "bytes copied", a->aux, b->aux))
            return 1;
        break;
    }
    return differ_error(&c, a->error, b->error);
}

/* ---- Comparing memory maps ----------------------------------------------- */

const char *describe_region(const vas_mbi *m, uint64_t origin, char *buf, size_t len)
{
    char s[16], p[64], ap[64];
    const char *rel = origin ? "+" : "";  /* relative to an allocation, or absolute */
    snprintf(buf, len, "{base=%s0x%" PRIX64 " size=0x%" PRIX64 " %s %s alloc_base=%s0x%" PRIX64 " alloc_protect=%s}",
             rel, m->base_address - origin, m->region_size, CONST_NAME(CONST_MEM_STATE, m->state, s),
             CONST_NAME(CONST_PROTECT, m->protect, p), rel,
             m->allocation_base ? m->allocation_base - origin : 0,
             CONST_NAME(CONST_PROTECT, m->allocation_protect, ap));
    return buf;
}

/* Regions a and b, each relative to its origin, are the same. */
static int region_equal(const vas_mbi *a, uint64_t oa, const vas_mbi *b, uint64_t ob)
{
    return a->base_address - oa == b->base_address - ob
        && a->region_size == b->region_size && a->state == b->state
        && a->protect == b->protect && a->type == b->type
        && a->allocation_protect == b->allocation_protect
        && (a->allocation_base ? a->allocation_base - oa : 0)
               == (b->allocation_base ? b->allocation_base - ob : 0);
}

static int map_broken(const pair *c)
{
    const backend_run *r = c->ma->broken ? c->ra : c->rb;
    const region_map *m = c->ma->broken ? c->ma : c->mb;
    if (!m->broken)
        return 0;
    snprintf(c->desc, c->desc_len, "memory map: %s: query failed or did not advance at 0x%" PRIX64,
             r->b->name, m->broken_at);
    return 1;
}

/* Index of the first region of the allocation based at base, or m->n. */
static size_t alloc_first_region(const region_map *m, uint64_t base)
{
    const vas_mbi *reg = region_map_find(m, base);
    return reg ? (size_t)(reg - m->regions) : m->n;
}

/* Compares the allocation holding name i in both maps, relative to its base. */
static int differ_named_alloc(const pair *c, size_t i)
{
    const vas_mbi *ra = region_map_find(c->ma, c->ra->values[i]);
    const vas_mbi *rb = region_map_find(c->mb, c->rb->values[i]);
    int in_a = ra && ra->state != VAS_MEM_FREE, in_b = rb && rb->state != VAS_MEM_FREE;
    uint64_t oa, ob;
    size_t ia, ib;
    char da[160], db[160];

    if (!in_a && !in_b)
        return 0;
    if (in_a != in_b) {
        snprintf(c->desc, c->desc_len, "memory map: name %s is in an allocation on %s only",
                 c->ra->names[i], in_a ? c->ra->b->name : c->rb->b->name);
        return 1;
    }
    oa = ra->allocation_base;
    ob = rb->allocation_base;
    ia = alloc_first_region(c->ma, oa);
    ib = alloc_first_region(c->mb, ob);
    for (;; ia++, ib++) {
        int more_a = ia < c->ma->n && c->ma->regions[ia].allocation_base == oa
                     && c->ma->regions[ia].state != VAS_MEM_FREE;
        int more_b = ib < c->mb->n && c->mb->regions[ib].allocation_base == ob
                     && c->mb->regions[ib].state != VAS_MEM_FREE;
        if (!more_a && !more_b)
            return 0;
        if (more_a && more_b && region_equal(&c->ma->regions[ia], oa, &c->mb->regions[ib], ob))
            continue;
        snprintf(c->desc, c->desc_len, "memory map of %s's allocation differs: %s %s, %s %s",
                 c->ra->names[i],
                 c->ra->b->name, more_a ? describe_region(&c->ma->regions[ia], oa, da, sizeof da) : "(end)",
                 c->rb->b->name, more_b ? describe_region(&c->mb->regions[ib], ob, db, sizeof db) : "(end)");
        return 1;
    }
}

int region_map_compare(const backend_run *ra, const region_map *ma,
                       const backend_run *rb, const region_map *mb, char *desc, size_t desc_len)
{
    pair c = {ra, rb, ma, mb, compare_by_shape(ra, rb), desc, desc_len};
    size_t i;
    char da[160], db[160];

    if (desc_len > 0)
        desc[0] = '\0';
    if (map_broken(&c))
        return 1;
    if (c.shape) {
        for (i = 0; i < ra->n_names && i < rb->n_names; i++)
            if (backend_run_local(ra, i) && backend_run_local(rb, i) && differ_named_alloc(&c, i))
                return 1;
        return 0;
    }
    for (i = 0; i < ma->n || i < mb->n; i++) {
        if (i < ma->n && i < mb->n && region_equal(&ma->regions[i], 0, &mb->regions[i], 0))
            continue;
        snprintf(desc, desc_len, "memory map differs at region %zu: %s %s, %s %s", i,
                 ra->b->name, i < ma->n ? describe_region(&ma->regions[i], 0, da, sizeof da) : "(end)",
                 rb->b->name, i < mb->n ? describe_region(&mb->regions[i], 0, db, sizeof db) : "(end)");
        return 1;
    }
    return 0;
}

int region_sample_compare(const backend_run *ra, const region_sample *sa,
                          const backend_run *rb, const region_sample *sb, char *desc, size_t desc_len)
{
    size_t i;
    char da[160], db[160];
    for (i = 0; i < sa->n || i < sb->n; i++) {
        const region_probe *a = i < sa->n ? &sa->entries[i] : NULL;
        const region_probe *b = i < sb->n ? &sb->entries[i] : NULL;
        if (a && b && a->addr == b->addr && a->ret == b->ret
            && (a->ret == 0 || (region_equal(&a->mbi, 0, &b->mbi, 0)
                                && a->mbi.partition_id == b->mbi.partition_id)))
            continue;
        snprintf(desc, desc_len, "memory map: query at 0x%" PRIX64 " differs: %s %s, %s %s",
                 a ? a->addr : b->addr,
                 ra->b->name, !a ? "(not queried)" : a->ret ? describe_region(&a->mbi, 0, da, sizeof da) : "(failed)",
                 rb->b->name, !b ? "(not queried)" : b->ret ? describe_region(&b->mbi, 0, db, sizeof db) : "(failed)");
        return 1;
    }
    return 0;
}
