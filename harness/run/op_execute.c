/*
 * op_execute.c - runs one trace operation on one backend instance, with that
 * backend's own name bindings, and records everything the call produced.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

size_t profile_mbi_size(vas_profile profile)
{
    return profile == VAS_PROFILE_X64 ? VAS_MBI_SIZE_X64 : VAS_MBI_SIZE_X86;
}

int backend_run_open(backend_run *r, const backend *b, const trace *t)
{
    memset(r, 0, sizeof *r);
    r->b = b;
    vas_config_default(&r->cfg, t->profile);
    r->cfg.commit_limit = t->commit_limit;
    r->cfg.layout = t->layout;
    r->cfg.aslr_seed = t->aslr_seed;
    r->n_names = t->n_names;
    r->names = t->names;
    /* calloc(0) may return NULL: always ask for at least one slot. */
    r->values = calloc(t->n_names + 1, sizeof *r->values);
    r->bound = calloc(t->n_names + 1, 1);
    r->elsewhere = calloc(t->n_names + 1, 1);
    if (r->values == NULL || r->bound == NULL || r->elsewhere == NULL) {
        backend_run_close(r);
        return -1;
    }
    if (b->run_whole != NULL) {
        int rc = b->run_whole(b, t, &r->self, r->failure, sizeof r->failure);
        if (rc != 0) {
            backend_run_close(r);
            return rc == 1 ? -1 : rc == 2 ? -2 : -3;
        }
        return 0;
    }
    r->self = b->create(&r->cfg);
    if (r->self == NULL) {
        backend_run_close(r);
        return -1;
    }
    return 0;
}

void backend_run_close(backend_run *r)
{
    if (r->self != NULL)
        r->b->destroy(r->self);
    free(r->values);
    free(r->bound);
    free(r->elsewhere);
    r->self = NULL;
    r->values = NULL;
    r->bound = NULL;
    r->elsewhere = NULL;
}

uint64_t backend_run_eval(const backend_run *r, trace_expr e)
{
    uint64_t base = 0;
    if (e.name >= 0 && (size_t)e.name < r->n_names && r->bound[e.name])
        base = r->values[e.name];
    return base + e.offset;  /* wraps modulo 2^64, as the text's '-' does */
}

void op_result_clear(op_result *res)
{
    free(res->data);
    free(res->pages);
    memset(res, 0, sizeof *res);
}

int op_supported(const backend *b, const trace_op *op)
{
    if (b->supports != NULL)
        return b->supports(b, op);
    if (op->has_process) {
        switch (op->code) {
        case TRACE_ALLOC: return b->alloc_ex != NULL;
        case TRACE_FREE: return b->free_ex != NULL;
        case TRACE_PROTECT: return b->protect_ex != NULL;
        default: return b->query_ex != NULL;
        }
    }
    switch (op->code) {
    case TRACE_CHARGE: return b->commit_charge != NULL;
    case TRACE_WATCH: return b->get_write_watch != NULL;
    case TRACE_RESETWATCH: return b->reset_write_watch != NULL;
    case TRACE_LOCK: return b->lock != NULL;
    case TRACE_UNLOCK: return b->unlock != NULL;
    case TRACE_WSSET: return b->set_working_set != NULL;
    case TRACE_WSMIN:
    case TRACE_WSMAX: return b->get_working_set != NULL;
    case TRACE_LOCKED: return b->locked_bytes != NULL;
    case TRACE_ISBADREAD: return b->is_bad_read != NULL;
    case TRACE_ISBADWRITE: return b->is_bad_write != NULL;
    case TRACE_ISBADCODE: return b->is_bad_code != NULL;
    case TRACE_ISBADSTR: return b->is_bad_string != NULL;
    case TRACE_THREAD: return b->create_thread != NULL;
    case TRACE_THREAD_EXIT: return b->exit_thread != NULL;
    case TRACE_GUARANTEE: return b->set_stack_guarantee != NULL;
    case TRACE_TOUCH: return b->thread_read != NULL && b->thread_probe != NULL;
    case TRACE_PROCESS: return b->process_create != NULL;
    case TRACE_CLOSE: return b->close_handle != NULL;
    case TRACE_READPROC: return b->read_process != NULL;
    case TRACE_WRITEPROC: return b->write_process != NULL;
    case TRACE_SECTION: return b->create_section != NULL;
    case TRACE_MAP: return b->map_view != NULL;
    case TRACE_UNMAP: return b->unmap_view != NULL;
    case TRACE_ALLOC2: return b->alloc2 != NULL;
    case TRACE_MAP3: return b->map_view3 != NULL;
    case TRACE_UNMAP2: return b->unmap_view2 != NULL;
    case TRACE_UNMAPEX: return b->unmap_view_ex != NULL;
    default: return 1;
    }
}

int op_keeps_map(trace_opcode code)
{
    switch (code) {
    case TRACE_QUERY: case TRACE_SETERR: case TRACE_GETERR: case TRACE_CHARGE:
    case TRACE_WSMIN: case TRACE_WSMAX: case TRACE_LOCKED:
        return 1;
    default:
        return 0;
    }
}

int op_window(const trace_op *op, uint64_t addr, uint64_t size, const uint64_t whole[2],
              const op_result *res, uint64_t w[2])
{
    uint64_t lo = addr, hi;
    if (op_keeps_map(op->code))
        return 0;
    switch (op->code) {
    case TRACE_ALLOC:
        if (res->value != 0 && (lo == 0 || res->value < lo))
            lo = res->value;  /* a reservation's base is rounded down */
        if (lo == 0)
            return 0;         /* failed, and named no address */
        hi = (addr > res->value ? addr : res->value) + size;
        break;
    case TRACE_FREE:
        if (size == 0) {      /* the whole allocation, or the region to its end */
            lo = whole[0] < lo ? whole[0] : lo;
            hi = whole[1] > addr + 1 ? whole[1] : addr + 1;
        } else {
            hi = addr + size;
        }
        break;
    case TRACE_PROTECT:
        hi = addr + size;
        break;
    case TRACE_READ:
    case TRACE_WRITE:
        hi = addr + op->len;
        break;
    case TRACE_EXEC:
    case TRACE_ISBADCODE:
        hi = addr + 1;
        break;
    case TRACE_ISBADREAD:
    case TRACE_ISBADWRITE:
        hi = addr + size;
        break;
    case TRACE_ISBADSTR:   /* MAX characters of 1 or 2 bytes, at most */
        if (size > UINT64_MAX / 2)
            return -1;
        hi = addr + size * (op->flags == 2 ? 2 : 1);
        break;
    default:
        return -1;
    }
    if (hi < lo || hi > UINT64_MAX - 2 * VAS_PAGE_SIZE)
        return -1;            /* wraps: let the walk see everything */
    lo &= ~(uint64_t)(VAS_PAGE_SIZE - 1);
    w[0] = lo >= VAS_PAGE_SIZE ? lo - VAS_PAGE_SIZE : 0;
    w[1] = ((hi + VAS_PAGE_SIZE - 1) & ~(uint64_t)(VAS_PAGE_SIZE - 1)) + VAS_PAGE_SIZE;
    return 1;
}

int op_places(trace_opcode code)
{
    switch (code) {
    case TRACE_ALLOC: case TRACE_THREAD: case TRACE_BULKALLOC: case TRACE_MAP:
    case TRACE_ALLOC2: case TRACE_MAP3:
        return 1;
    default:
        return 0;
    }
}

static void expr_unbind(trace_expr *e, const unsigned char *dropped)
{
    if (e->name >= 0 && dropped[e->name])
        e->name = -1;
}

void trace_drop_unsupported(trace *t, const backend *const *backends, size_t n)
{
    size_t kept = 0;
    unsigned char *dropped = calloc(t->n_names + 1, 1);
    for (size_t i = 0; i < t->n_ops; i++) {
        trace_op *op = &t->ops[i];
        int ok = 1;
        for (size_t k = 0; k < n && ok; k++)
            ok = op_supported(backends[k], op);
        if (ok) {
            if (dropped != NULL) {
                expr_unbind(&op->addr, dropped);
                expr_unbind(&op->size, dropped);
                expr_unbind(&op->handle, dropped);
                expr_unbind(&op->offset, dropped);
                expr_unbind(&op->thread, dropped);
                expr_unbind(&op->process, dropped);
                expr_unbind(&op->buf, dropped);
                expr_unbind(&op->ext.lowest, dropped);
                expr_unbind(&op->ext.highest, dropped);
            }
            t->ops[kept++] = *op;
            continue;
        }
        if (op->result >= 0 && dropped != NULL)
            dropped[op->result] = 1;
        free(op->data);
        free(op->expect.data);
        free(op->expect.pages);
    }
    t->n_ops = kept;
    free(dropped);
}

/* An optional member the backend leaves NULL: the runner reports the op
 * as unsupported and the comparer skips it (backend.h). */
static int unsupported(op_result *res)
{
    res->unsupported = 1;
    return 0;
}

/* Issue 11's operations (thread stacks). */
static int op_execute_thread(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                             op_result *res)
{
    const backend *b = r->b;
    uint64_t thread = backend_run_eval(r, op->thread);
    if (!op_supported(b, op))
        return unsupported(res);
    switch (op->code) {
    case TRACE_THREAD:
        res->value = b->create_thread(r->self, size, op->flags != 0);
        return 0;
    case TRACE_THREAD_EXIT:
        res->value = (uint64_t)b->exit_thread(r->self, thread);
        return 0;
    case TRACE_GUARANTEE: {
        uint32_t bytes = (uint32_t)size;   /* a ULONG */
        res->value = (uint64_t)b->set_stack_guarantee(r->self, thread, &bytes);
        res->old = bytes;
        return 0;
    }
    default: {
        uint8_t byte;
        if (op->flags)
            res->status = b->thread_probe(r->self, thread, addr, &res->fault);
        else
            res->status = b->thread_read(r->self, thread, addr, &byte, 1, &res->fault);
        return 0;
    }
    }
}

/* Processes: create, close, Read/WriteProcessMemory (the *Ex calls are
 * alloc, free, protect and query with in=, op_execute_ex). */
static int op_execute_process(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                              op_result *res)
{
    const backend *b = r->b;
    uint64_t process = backend_run_eval(r, op->process);
    switch (op->code) {
    case TRACE_PROCESS:
        if (b->process_create == NULL)
            return unsupported(res);
        res->value = b->process_create(r->self);
        return 0;
    case TRACE_CLOSE:
        if (b->close_handle == NULL)
            return unsupported(res);
        res->value = (uint64_t)b->close_handle(r->self, process);
        return 0;
    default: {   /* readproc, writeproc */
        int reading = op->code == TRACE_READPROC;
        if ((reading ? b->read_process : b->write_process) == NULL)
            return unsupported(res);
        res->aux = TRACE_COUNT_UNTOUCHED;
        res->value = (uint64_t)(reading ? b->read_process : b->write_process)(
            r->self, process, addr, backend_run_eval(r, op->buf), size, &res->aux);
        return 0;
    }
    }
}

/* alloc, free, protect, query with in=PROCESS: the *Ex calls. */
static int op_execute_ex(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                         op_result *res)
{
    const backend *b = r->b;
    void *s = r->self;
    uint64_t process = backend_run_eval(r, op->process);
    switch (op->code) {
    case TRACE_ALLOC:
        if (b->alloc_ex == NULL)
            return unsupported(res);
        res->value = b->alloc_ex(s, process, addr, size, op->type, op->protect);
        return 0;
    case TRACE_FREE:
        if (b->free_ex == NULL)
            return unsupported(res);
        res->value = (uint64_t)b->free_ex(s, process, addr, size, op->type);
        return 0;
    case TRACE_PROTECT:
        if (b->protect_ex == NULL)
            return unsupported(res);
        res->value = (uint64_t)b->protect_ex(s, process, addr, size, op->protect,
                                             op->null_old ? NULL : &res->old);
        return 0;
    default: {   /* query */
        uint64_t len = op->has_len ? op->query_len : profile_mbi_size(r->cfg.profile);
        if (b->query_ex == NULL)
            return unsupported(res);
        res->value = b->query_ex(s, process, addr, &res->mbi, len > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)len);
        return 0;
    }
    }
}

/* Issue 12's operations (sections and views). */
static int op_execute_sections(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                               op_result *res)
{
    const backend *b = r->b;
    void *s = r->self;
    if (!op_supported(b, op))
        return unsupported(res);
    switch (op->code) {
    case TRACE_SECTION:
        res->value = b->create_section(s, size, op->protect | op->type);
        return 0;
    case TRACE_MAP:
        res->value = b->map_view(s, backend_run_eval(r, op->handle), op->flags,
                                 backend_run_eval(r, op->offset), size, addr);
        return 0;
    default:
        res->value = (uint64_t)b->unmap_view(s, addr);
        return 0;
    }
}

/* Issue 12's placeholder operations (docs/semantics.md 12.9-12.14): the
 * trace's REQ words become the MEM_EXTENDED_PARAMETER array they stand for. */
static void op_execute_placeholders(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                                    op_result *res)
{
    const backend *b = r->b;
    void *s = r->self;
    vas_ext_param params[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    const vas_ext_param *array = params;
    uint32_t count = 1;
    if (!op_supported(b, op)) {
        unsupported(res);
        return;
    }
    switch (op->ext.shape) {
    case TRACE_EXT_NONE: array = NULL; count = 0; break;
    case TRACE_EXT_INVALID: params[0].type = VAS_MEM_EXT_INVALID_TYPE; break;
    case TRACE_EXT_MAX: params[0].type = VAS_MEM_EXT_MAX; break;
    case TRACE_EXT_NULL: array = NULL; break;
    case TRACE_EXT_REQ:
    case TRACE_EXT_TWICE:
        params[0].type = VAS_MEM_EXT_ADDRESS_REQUIREMENTS;
        params[0].lowest = backend_run_eval(r, op->ext.lowest);
        params[0].highest = backend_run_eval(r, op->ext.highest);
        params[0].alignment = op->ext.align;
        params[1] = params[0];
        count = op->ext.shape == TRACE_EXT_TWICE ? 2 : 1;
        break;
    }
    switch (op->code) {
    case TRACE_ALLOC2:
        res->value = b->alloc2(s, backend_run_eval(r, op->process), addr, size, op->type, op->protect,
                               array, count);
        break;
    case TRACE_MAP3:
        res->value = b->map_view3(s, backend_run_eval(r, op->handle), backend_run_eval(r, op->process),
                                  addr, backend_run_eval(r, op->offset), size, op->type, op->protect,
                                  array, count);
        break;
    case TRACE_UNMAP2:
        res->value = (uint64_t)b->unmap_view2(s, backend_run_eval(r, op->process), addr, op->flags);
        break;
    default:
        res->value = (uint64_t)b->unmap_view_ex(s, addr, op->flags);
        break;
    }
}

/* Issue 13's operations (write watch, locking, probes); -1 when memory is
 * short or the backend cannot make this call. */
static int op_execute_memapi(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                             op_result *res)
{
    const backend *b = r->b;
    void *s = r->self;
    switch (op->code) {
    case TRACE_WATCH: {
        uint64_t count = op->max;
        if (b->get_write_watch == NULL)
            return unsupported(res);
        res->pages = calloc(op->max ? op->max : 1, sizeof *res->pages);
        if (res->pages == NULL)
            return -1;
        res->value = b->get_write_watch(s, op->flags, addr, size,
                                        op->nulls & WATCH_NULL_ADDRS ? NULL : res->pages,
                                        op->nulls & WATCH_NULL_COUNT ? NULL : &count,
                                        op->nulls & WATCH_NULL_GRAN ? NULL : &res->granularity);
        res->n_pages = res->value == 0 && !(op->nulls & WATCH_NULL_COUNT) ? count : 0;
        return res->n_pages <= op->max ? 0 : -1;
    }
    case TRACE_RESETWATCH:
        if (b->reset_write_watch == NULL)
            return unsupported(res);
        res->value = b->reset_write_watch(s, addr, size);
        return 0;
    case TRACE_LOCK:
    case TRACE_UNLOCK:
        if ((op->code == TRACE_LOCK ? b->lock : b->unlock) == NULL)
            return unsupported(res);
        res->value = (uint64_t)(op->code == TRACE_LOCK ? b->lock : b->unlock)(s, addr, size);
        return 0;
    case TRACE_WSSET:
        if (b->set_working_set == NULL)
            return unsupported(res);
        res->value = (uint64_t)b->set_working_set(s, addr, size);
        return 0;
    case TRACE_WSMIN:
    case TRACE_WSMAX: {
        uint64_t lo = 0, hi = 0;
        if (b->get_working_set == NULL)
            return unsupported(res);
        if (!b->get_working_set(s, &lo, &hi))
            return -1;
        res->value = op->code == TRACE_WSMIN ? lo : hi;
        return 0;
    }
    case TRACE_LOCKED:
        if (b->locked_bytes == NULL)
            return unsupported(res);
        res->value = b->locked_bytes(s);
        return 0;
    case TRACE_ISBADREAD:
    case TRACE_ISBADWRITE:
    case TRACE_ISBADCODE:
    case TRACE_ISBADSTR: {
        int bad;
        if (op->code == TRACE_ISBADREAD ? !b->is_bad_read : op->code == TRACE_ISBADWRITE ? !b->is_bad_write
            : op->code == TRACE_ISBADCODE ? !b->is_bad_code : !b->is_bad_string)
            return unsupported(res);
        if (op->code == TRACE_ISBADREAD)
            bad = b->is_bad_read(s, addr, size);
        else if (op->code == TRACE_ISBADWRITE)
            bad = b->is_bad_write(s, addr, size);
        else if (op->code == TRACE_ISBADCODE)
            bad = b->is_bad_code(s, addr);
        else
            bad = b->is_bad_string(s, addr, size, op->flags);
        if (bad < 0)
            return -1;
        res->value = (uint64_t)bad;
        return 0;
    }
    default:
        return -1;
    }
}

/* bulk free's walk: at most this many queries, so that a model whose
 * regions are wrongly tiny cannot keep one operation busy for hours. */
#define BULK_WALK_MAX (1u << 20)

/* bulk alloc: count system-placed allocations, stopping at the first that
 * fails; the result is the first one's address. bulk free: from addr up,
 * every stride-th allocation that starts at or above addr is released
 * (found by query, as a program walking its address space would), until
 * count are released or the walk runs off user space; the result is how
 * many were. docs/semantics.md section 14. */
static void op_execute_bulk(backend_run *r, const trace_op *op, uint64_t addr, uint64_t size,
                            op_result *res)
{
    const backend *b = r->b;
    size_t len = profile_mbi_size(r->cfg.profile);
    uint64_t at = addr, seen = 0, steps = 0, stride = op->stride ? op->stride : 1;
    if (op->code == TRACE_BULKALLOC) {
        for (uint64_t i = 0; i < op->max; i++) {
            uint64_t got = b->alloc(r->self, 0, size, op->type, op->protect);
            if (got == 0)
                return;
            if (res->value == 0)
                res->value = got;
        }
        return;
    }
    while (res->value < op->max && steps++ < BULK_WALK_MAX) {
        vas_mbi m;
        if (b->query(r->self, at, &m, len) == 0)
            return;
        uint64_t next = m.base_address + m.region_size;
        int starts = m.state != VAS_MEM_FREE && m.allocation_base == m.base_address && m.base_address >= addr;
        if (starts && seen++ % stride == 0 && b->free(r->self, m.base_address, 0, VAS_MEM_RELEASE))
            res->value++;
        if (next <= at)
            return;
        at = next;
    }
}

int op_execute(backend_run *r, const trace_op *op, op_result *res)
{
    const backend *b = r->b;
    uint64_t addr = backend_run_eval(r, op->addr);
    uint64_t size = backend_run_eval(r, op->size);

    if (b->run_whole != NULL)
        return remote_replay_op(r->self, op, res);
    op_result_clear(res);
    res->old = OP_OLD_UNTOUCHED;
    /* A backend that says which operations it runs (a plugin, a server
     * narrowed by --without) is asked first; the others by their members. */
    if (b->supports != NULL && !b->supports(b, op))
        return unsupported(res);
    if (op->has_process) {
        int rc = op_execute_ex(r, op, addr, size, res);
        if (rc != 0 || res->unsupported)
            return rc;
        res->error = b->last_error(r->self);
        return 0;
    }
    switch (op->code) {
    case TRACE_ALLOC:
        res->value = b->alloc(r->self, addr, size, op->type, op->protect);
        break;
    case TRACE_FREE:
        res->value = (uint64_t)b->free(r->self, addr, size, op->type);
        break;
    case TRACE_PROTECT:
        res->value = (uint64_t)b->protect(r->self, addr, size, op->protect,
                                          op->null_old ? NULL : &res->old);
        break;
    case TRACE_QUERY: {
        uint64_t len = op->has_len ? op->query_len : profile_mbi_size(r->cfg.profile);
        /* dwLength is a SIZE_T: on a 32-bit host a larger len cannot be
         * expressed; clamp it, which only matters to len= beyond 4 GiB. */
        size_t host_len = len > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)len;
        res->value = b->query(r->self, addr, &res->mbi, host_len);
        break;
    }
    case TRACE_READ:
        res->data = malloc(op->len ? op->len : 1);
        if (res->data == NULL)
            return -1;
        res->status = b->read(r->self, addr, res->data, op->len, &res->fault);
        if (res->status == VAS_STATUS_SUCCESS) {
            res->data_len = op->len;
        } else {
            free(res->data);
            res->data = NULL;
        }
        break;
    case TRACE_WRITE:
        res->status = b->write(r->self, addr, op->data, op->len, &res->fault);
        break;
    case TRACE_EXEC:
        res->status = b->exec(r->self, addr, &res->fault);
        break;
    case TRACE_SETERR:
        b->set_last_error(r->self, op->value);
        break;
    case TRACE_GETERR:
        res->value = b->last_error(r->self);
        break;
    case TRACE_CHARGE:
        if (b->commit_charge == NULL)
            return -1;
        res->value = b->commit_charge(r->self);
        break;
    case TRACE_THREAD:
    case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE:
    case TRACE_TOUCH:
        op_execute_thread(r, op, addr, size, res);
        break;
    case TRACE_BULKALLOC:
    case TRACE_BULKFREE:
        op_execute_bulk(r, op, addr, size, res);
        break;
    case TRACE_PROCESS:
    case TRACE_CLOSE:
    case TRACE_READPROC:
    case TRACE_WRITEPROC: {
        int rc = op_execute_process(r, op, addr, size, res);
        if (rc != 0)
            return rc;
        break;
    }
    case TRACE_SECTION:
    case TRACE_MAP:
    case TRACE_UNMAP:
        op_execute_sections(r, op, addr, size, res);
        break;
    case TRACE_ALLOC2:
    case TRACE_MAP3:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
        op_execute_placeholders(r, op, addr, size, res);
        break;
    default: {
        int rc = op_execute_memapi(r, op, addr, size, res);
        if (rc != 0)
            return rc;
        break;
    }
    }
    /* A fault address means something only when the access faulted. */
    if (res->status == VAS_STATUS_SUCCESS || res->status == VAS_STATUS_INVALID_HANDLE)
        res->fault = 0;
    res->error = b->last_error(r->self);
    return 0;
}

void op_bind_result(backend_run *r, const trace_op *op, const op_result *res)
{
    if (op->result >= 0 && (size_t)op->result < r->n_names) {
        r->values[op->result] = res->value;
        r->bound[op->result] = 1;
        uint64_t p = backend_run_eval(r, op->process);
        r->elsewhere[op->result] = op->code == TRACE_PROCESS ||
            (op->has_process && p != TRACE_CURRENT_PROCESS) ||
            (op->code == TRACE_ALLOC2 && p != 0 && p != TRACE_CURRENT_PROCESS);
    }
}
