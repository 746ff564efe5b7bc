/*
 * backend_oracle.c - the simple model (oracle/, library vas_oracle) behind
 * the backend interface. Each function only adapts a signature: the backend
 * struct passes its instance as void *, the oracle API takes an oracle_t *.
 */
#include "harness/backend.h"
#include "oracle.h"

/* The oracle's limits are its own (oracle.h), not the caller's, which come
 * from impl's vas_config_default: a wrong default must show as a
 * difference between the models instead of changing both. */
static void *oracle_be_create(const vas_config *cfg)
{
    vas_config own = *cfg;
    own.min_address = own.max_address = 0;
    return oracle_create(&own);
}
static void oracle_be_destroy(void *self) { oracle_destroy(self); }

static uint64_t oracle_be_alloc(void *self, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect)
{
    return oracle_alloc(self, addr, size, type, protect);
}

static int oracle_be_free(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    return oracle_free(self, addr, size, type);
}

static int oracle_be_protect(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    return oracle_protect(self, addr, size, protect, old);
}

static size_t oracle_be_query(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    return oracle_query(self, addr, out, len);
}

static uint32_t oracle_be_read(void *self, uint64_t addr, void *buf, size_t len, uint64_t *fault)
{
    return oracle_read(self, addr, buf, len, fault);
}

static uint32_t oracle_be_write(void *self, uint64_t addr, const void *buf, size_t len, uint64_t *fault)
{
    return oracle_write(self, addr, buf, len, fault);
}

static uint32_t oracle_be_exec(void *self, uint64_t addr, uint64_t *fault) { return oracle_exec(self, addr, fault); }
static uint32_t oracle_be_last_error(void *self) { return oracle_last_error(self); }
static void oracle_be_set_last_error(void *self, uint32_t error) { oracle_set_last_error(self, error); }
static uint64_t oracle_be_commit_charge(void *self) { return oracle_commit_charge(self); }

/* Issue 13: write watch, locking, probes (docs/semantics.md sections 8-10). */
static uint32_t oracle_be_get_write_watch(void *self, uint32_t flags, uint64_t addr, uint64_t size,
                                  uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    return oracle_get_write_watch(self, flags, addr, size, addresses, count, granularity);
}

static uint32_t oracle_be_reset_write_watch(void *self, uint64_t addr, uint64_t size)
{
    return oracle_reset_write_watch(self, addr, size);
}

static int oracle_be_lock(void *self, uint64_t addr, uint64_t size) { return oracle_lock(self, addr, size); }
static int oracle_be_unlock(void *self, uint64_t addr, uint64_t size) { return oracle_unlock(self, addr, size); }

static int oracle_be_get_working_set(void *self, uint64_t *lo, uint64_t *hi)
{
    return oracle_get_working_set(self, lo, hi);
}

static int oracle_be_set_working_set(void *self, uint64_t lo, uint64_t hi)
{
    return oracle_set_working_set(self, lo, hi);
}

static uint64_t oracle_be_locked_bytes(void *self) { return oracle_locked_bytes(self); }
static int oracle_be_is_bad_read(void *self, uint64_t addr, uint64_t size) { return oracle_is_bad_read_ptr(self, addr, size); }
static int oracle_be_is_bad_write(void *self, uint64_t addr, uint64_t size) { return oracle_is_bad_write_ptr(self, addr, size); }
static int oracle_be_is_bad_code(void *self, uint64_t addr) { return oracle_is_bad_code_ptr(self, addr); }

static int oracle_be_is_bad_string(void *self, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    return oracle_is_bad_string_ptr(self, addr, max_chars, char_size);
}

static uint64_t oracle_be_create_thread(void *self, uint64_t stack_size, int size_is_reservation)
{
    return oracle_create_thread(self, stack_size, size_is_reservation);
}

static int oracle_be_exit_thread(void *self, uint64_t stack)
{
    return oracle_exit_thread(self, stack);
}

static int oracle_be_set_stack_guarantee(void *self, uint64_t stack, uint32_t *size)
{
    return oracle_set_thread_stack_guarantee(self, stack, size);
}

static uint32_t oracle_be_thread_read(void *self, uint64_t stack, uint64_t addr, void *buf, size_t len,
                             uint64_t *fault)
{
    return oracle_thread_read(self, stack, addr, buf, len, fault);
}

static uint32_t oracle_be_thread_probe(void *self, uint64_t stack, uint64_t addr, uint64_t *fault)
{
    return oracle_thread_probe(self, stack, addr, fault);
}
/* Processes (docs/semantics.md section 13.2). */
static uint64_t oracle_be_process_create(void *self) { return oracle_process_create(self, NULL); }
static int oracle_be_close_handle(void *self, uint64_t h) { return oracle_close_handle(self, h); }
static uint64_t oracle_be_alloc_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t type,
                                   uint32_t protect) { return oracle_alloc_ex(self, h, addr, size, type, protect); }
static int oracle_be_free_ex(void *self, uint64_t h, uint64_t addr, uint64_t size,
                             uint32_t type) { return oracle_free_ex(self, h, addr, size, type); }
static int oracle_be_protect_ex(void *self, uint64_t h, uint64_t addr, uint64_t size, uint32_t protect,
                                uint32_t *old) { return oracle_protect_ex(self, h, addr, size, protect, old); }
static size_t oracle_be_query_ex(void *self, uint64_t h, uint64_t addr, vas_mbi *out,
                                 size_t len) { return oracle_query_ex(self, h, addr, out, len); }
static int oracle_be_read_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                                  uint64_t *done) { return oracle_read_process_memory(self, h, addr, buf, size, done); }
static int oracle_be_write_process(void *self, uint64_t h, uint64_t addr, uint64_t buf, uint64_t size,
                                   uint64_t *done) { return oracle_write_process_memory(self, h, addr, buf, size, done); }
/* Issue 12: sections and views (docs/semantics.md section 12). */
static uint64_t oracle_be_create_section(void *self, uint64_t size, uint32_t protect_and_flags)
{
    return oracle_create_section(self, size, protect_and_flags);
}


static uint64_t oracle_be_map_view(void *self, uint64_t handle, uint32_t access, uint64_t offset,
                         uint64_t size, uint64_t addr)
{
    return oracle_map_view(self, handle, access, offset, size, addr);
}

static int oracle_be_unmap_view(void *self, uint64_t addr) { return oracle_unmap_view(self, addr); }

/* Issue 12: placeholders (docs/semantics.md 12.9-12.14). */
static uint64_t oracle_be_alloc2(void *self, uint64_t process, uint64_t addr, uint64_t size,
                                 uint32_t type, uint32_t protect, const vas_ext_param *params,
                                 uint32_t count)
{
    return oracle_alloc2(self, process, addr, size, type, protect, params, count);
}

static uint64_t oracle_be_map_view3(void *self, uint64_t handle, uint64_t process, uint64_t addr,
                                    uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,
                                    const vas_ext_param *params, uint32_t count)
{
    return oracle_map_view3(self, handle, process, addr, offset, size, type, protect, params, count);
}

static int oracle_be_unmap_view2(void *self, uint64_t process, uint64_t addr, uint32_t flags)
{
    return oracle_unmap_view2(self, process, addr, flags);
}

/* UnmapViewOfFileEx: UnmapViewOfFile2 on the calling process (12.13). */
static int oracle_be_unmap_view_ex(void *self, uint64_t addr, uint32_t flags)
{
    return oracle_unmap_view2(self, VAS_CURRENT_PROCESS, addr, flags);
}

const backend backend_oracle = {
    .name = "oracle",
    .create = oracle_be_create,
    .destroy = oracle_be_destroy,
    .alloc = oracle_be_alloc,
    .free = oracle_be_free,
    .protect = oracle_be_protect,
    .query = oracle_be_query,
    .read = oracle_be_read,
    .write = oracle_be_write,
    .exec = oracle_be_exec,
    .last_error = oracle_be_last_error,
    .set_last_error = oracle_be_set_last_error,
    .commit_charge = oracle_be_commit_charge,
    .check = NULL,
    .get_write_watch = oracle_be_get_write_watch,
    .reset_write_watch = oracle_be_reset_write_watch,
    .lock = oracle_be_lock,
    .unlock = oracle_be_unlock,
    .get_working_set = oracle_be_get_working_set,
    .set_working_set = oracle_be_set_working_set,
    .locked_bytes = oracle_be_locked_bytes,
    .is_bad_read = oracle_be_is_bad_read,
    .is_bad_write = oracle_be_is_bad_write,
    .is_bad_code = oracle_be_is_bad_code,
    .is_bad_string = oracle_be_is_bad_string,
    .create_thread = oracle_be_create_thread,
    .exit_thread = oracle_be_exit_thread,
    .set_stack_guarantee = oracle_be_set_stack_guarantee,
    .thread_read = oracle_be_thread_read,
    .thread_probe = oracle_be_thread_probe,
    .process_create = oracle_be_process_create,
    .close_handle = oracle_be_close_handle,
    .alloc_ex = oracle_be_alloc_ex,
    .free_ex = oracle_be_free_ex,
    .protect_ex = oracle_be_protect_ex,
    .query_ex = oracle_be_query_ex,
    .read_process = oracle_be_read_process,
    .write_process = oracle_be_write_process,
    .create_section = oracle_be_create_section,
    .map_view = oracle_be_map_view,
    .unmap_view = oracle_be_unmap_view,
    .alloc2 = oracle_be_alloc2,
    .map_view3 = oracle_be_map_view3,
    .unmap_view2 = oracle_be_unmap_view2,
    .unmap_view_ex = oracle_be_unmap_view_ex,
    .deterministic_placement = 1,
};
