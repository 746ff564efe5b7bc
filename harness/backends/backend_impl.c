/*
 * backend_impl.c - the fast model (impl/, library vas) behind the backend
 * interface. Each function only adapts a signature: the backend struct
 * passes its instance as void *, the vas API takes a vas_t *.
 */
#include "harness/backend.h"
#include "vas/vas.h"
#include "vas/vas_debug.h"

#include <stdio.h>

static void *impl_create(const vas_config *cfg) { return vas_create(cfg); }
static void impl_destroy(void *self) { vas_destroy(self); }

static uint64_t impl_alloc(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return vas_alloc(self, addr, size, type, protect);
}

static int impl_free(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    return vas_free(self, addr, size, type);
}

static int impl_protect(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    return vas_protect(self, addr, size, protect, old);
}

static size_t impl_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    return vas_query(self, addr, out, len);
}

static uint32_t impl_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return vas_read(self, addr, buf, len, fault);
}

static uint32_t impl_write(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    return vas_write(self, addr, buf, len, fault);
}

static uint32_t impl_exec(void *self, uint64_t addr, uint64_t *fault) { return vas_exec(self, addr, fault); }
static uint32_t impl_last_error(void *self) { return vas_last_error(self); }
static void impl_set_last_error(void *self, uint32_t error) { vas_set_last_error(self, error); }
static uint64_t impl_commit_charge(void *self) { return vas_commit_charge(self); }

/* After every operation the model checks its own structure (B+tree order and
 * gap summaries, run tiling, charge): a broken invariant is a divergence even
 * when every answer so far was right. */
static int impl_check(void *self, char *msg, size_t msg_len)
{
    if (vas_debug_check_invariants(self))
        return 0;
    snprintf(msg, msg_len, "impl: internal invariant broken (the first one is printed on stderr)");
    return 1;
}

/* Issue 13: write watch, locking, probes (docs/semantics.md sections 8-10). */
static uint32_t impl_get_write_watch(void *self, uint32_t flags, uint64_t addr, uint64_t size,
                                  uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    return vas_get_write_watch(self, flags, addr, size, addresses, count, granularity);
}

static uint32_t impl_reset_write_watch(void *self, uint64_t addr, uint64_t size)
{
    return vas_reset_write_watch(self, addr, size);
}

static int impl_lock(void *self, uint64_t addr, uint64_t size) { return vas_lock(self, addr, size); }
static int impl_unlock(void *self, uint64_t addr, uint64_t size) { return vas_unlock(self, addr, size); }

static int impl_get_working_set(void *self, uint64_t *lo, uint64_t *hi)
{
    return vas_get_working_set(self, lo, hi);
}

static int impl_set_working_set(void *self, uint64_t lo, uint64_t hi)
{
    return vas_set_working_set(self, lo, hi);
}

static uint64_t impl_locked_bytes(void *self) { return vas_locked_bytes(self); }
static int impl_is_bad_read(void *self, uint64_t addr, uint64_t size) { return vas_is_bad_read_ptr(self, addr, size); }
static int impl_is_bad_write(void *self, uint64_t addr, uint64_t size) { return vas_is_bad_write_ptr(self, addr, size); }
static int impl_is_bad_code(void *self, uint64_t addr) { return vas_is_bad_code_ptr(self, addr); }

static int impl_is_bad_string(void *self, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    return vas_is_bad_string_ptr(self, addr, max_chars, char_size);
}

static uint64_t impl_create_thread(void *self, uint64_t stack_size, int size_is_reservation)
{
    return vas_create_thread(self, stack_size, size_is_reservation);
}

static int impl_exit_thread(void *self, uint64_t stack)
{
    return vas_exit_thread(self, stack);
}

static int impl_set_stack_guarantee(void *self, uint64_t stack, uint32_t *size)
{
    return vas_set_thread_stack_guarantee(self, stack, size);
}

static uint32_t impl_thread_read(void *self, uint64_t stack, uint64_t addr, void *buf, size_t len,
                             uint64_t *fault)
{
    return vas_thread_read(self, stack, addr, buf, len, fault);
}

static uint32_t impl_thread_probe(void *self, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    return vas_thread_probe(self, stack, addr, fault);
}
/* Issue 12: sections and views (docs/semantics.md section 12). */
static uint64_t impl_create_section(void *self, uint64_t size, uint32_t protect_and_flags)
{
    return vas_create_section(self, size, protect_and_flags);
}


static uint64_t impl_map_view(void *self, uint64_t handle, uint32_t access, uint64_t offset,
                         uint64_t size, uint64_t addr)
{
    return vas_map_view(self, handle, access, offset, size, addr);
}

static int impl_unmap_view(void *self, uint64_t addr) { return vas_unmap_view(self, addr); }

/* Issue 12: placeholders (docs/semantics.md 12.9-12.14). */
static uint64_t impl_alloc2(void *self, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                            uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    return vas_alloc2(self, process, addr, size, type, protect, params, count);
}

static uint64_t impl_map_view3(void *self, uint64_t handle, uint64_t process, uint64_t addr,
                               uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,
                               const vas_ext_param *params, uint32_t count)
{
    return vas_map_view3(self, handle, process, addr, offset, size, type, protect, params, count);
}

static int impl_unmap_view2(void *self, uint64_t process, uint64_t addr, uint32_t flags)
{
    return vas_unmap_view2(self, process, addr, flags);
}

static int impl_unmap_view_ex(void *self, uint64_t addr, uint32_t flags)
{
    return vas_unmap_view2(self, VAS_CURRENT_PROCESS, addr, flags);
}

/* Processes (docs/semantics.md section 13.2). */
static uint64_t impl_process_create(void *self) { return vas_process_create(self, NULL); }
static int impl_close_handle(void *self, uint64_t h) { return vas_close_handle(self, h); }

static uint64_t impl_alloc_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t type,
                              uint32_t protect)
{
    return vas_alloc_ex(self, h, addr, size, type, protect);
}

static int impl_free_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t type)
{
    return vas_free_ex(self, h, addr, size, type);
}

static int impl_protect_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t protect,
                           uint32_t *old)
{
    return vas_protect_ex(self, h, addr, size, protect, old);
}

static size_t impl_query_ex(void *self, uint64_t h, uint64_t addr, vas_mbi *out, size_t len)
{
    return vas_query_ex(self, h, addr, out, len);
}

static int impl_read_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                             uint64_t *done)
{
    return vas_read_process_memory(self, h, addr, buf, size, done);
}

static int impl_write_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                              uint64_t *done)
{
    return vas_write_process_memory(self, h, addr, buf, size, done);
}

const backend backend_impl = {
    .name = "impl",
    .create = impl_create,
    .destroy = impl_destroy,
    .alloc = impl_alloc,
    .free = impl_free,
    .protect = impl_protect,
    .query = impl_query,
    .read = impl_read,
    .write = impl_write,
    .exec = impl_exec,
    .last_error = impl_last_error,
    .set_last_error = impl_set_last_error,
    .commit_charge = impl_commit_charge,
    .check = impl_check,
    .get_write_watch = impl_get_write_watch,
    .reset_write_watch = impl_reset_write_watch,
    .lock = impl_lock,
    .unlock = impl_unlock,
    .get_working_set = impl_get_working_set,
    .set_working_set = impl_set_working_set,
    .locked_bytes = impl_locked_bytes,
    .is_bad_read = impl_is_bad_read,
    .is_bad_write = impl_is_bad_write,
    .is_bad_code = impl_is_bad_code,
    .is_bad_string = impl_is_bad_string,
    .create_thread = impl_create_thread,
    .exit_thread = impl_exit_thread,
    .set_stack_guarantee = impl_set_stack_guarantee,
    .thread_read = impl_thread_read,
    .thread_probe = impl_thread_probe,
    .process_create = impl_process_create,
    .close_handle = impl_close_handle,
    .alloc_ex = impl_alloc_ex,
    .free_ex = impl_free_ex,
    .protect_ex = impl_protect_ex,
    .query_ex = impl_query_ex,
    .read_process = impl_read_process,
    .write_process = impl_write_process,
    .create_section = impl_create_section,
    .map_view = impl_map_view,
    .unmap_view = impl_unmap_view,
    .alloc2 = impl_alloc2,
    .map_view3 = impl_map_view3,
    .unmap_view2 = impl_unmap_view2,
    .unmap_view_ex = impl_unmap_view_ex,
    .deterministic_placement = 1,
};
