/*
 * vas_process.c - processes: the spaces a space creates and the handles it
 * holds to them, the *Ex calls, ReadProcessMemory and WriteProcessMemory
 * (docs/semantics.md section 13.2).
 *
 * A call on another process runs the model's own call on that space and
 * then moves its outcome: a failure's error goes to the caller's
 * last-error, and the target's last-error is put back as it was.
 */
#include "vas_internal.h"

#include <stdlib.h>

#define HANDLE_STEP 4u
#define COPY_CHUNK 0x4000u

void processes_destroy(vas_t *v)
{
    for (size_t i = 0; i < v->n_children; i++)
        vas_destroy(v->children[i]);
    free(v->children);
    free(v->handles);
}

/* The lowest closed slot, or a new one; SIZE_MAX when out of memory. */
static size_t handle_slot(vas_t *v)
{
    for (size_t i = 0; i < v->n_handles; i++)
        if (!v->handles[i])
            return i;
    vas_t **grown = realloc(v->handles, (v->n_handles + 1) * sizeof *grown);
    /* fuzz-unreached: alloc-failure - realloc never fails while fuzzing */
    if (!grown)
        return SIZE_MAX;
    v->handles = grown;
    v->handles[v->n_handles] = NULL;
    return v->n_handles++;
}

uint64_t vas_process_create(vas_t *v, const vas_config *cfg)
{
    vas_t **grown = realloc(v->children, (v->n_children + 1) * sizeof *grown);
    /* fuzz-unreached: alloc-failure - realloc never fails while fuzzing */
    if (!grown)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    v->children = grown;
    size_t slot = handle_slot(v);
    vas_t *child = slot == SIZE_MAX ? NULL : vas_create(cfg ? cfg : &v->cfg);
    /* fuzz-unreached: alloc-failure - the fuzz targets' profiles always fit */
    if (!child)
        return fail(v, VAS_ERROR_NOT_ENOUGH_MEMORY);
    v->children[v->n_children++] = child;
    v->handles[slot] = child;
    return HANDLE_STEP * ((uint64_t)slot + 1);
}

/* The index of a handle v holds, or SIZE_MAX. */
static size_t held_index(const vas_t *v, uint64_t handle)
{
    if (handle == 0 || handle % HANDLE_STEP)
        return SIZE_MAX;
    uint64_t i = handle / HANDLE_STEP - 1;
    return i < v->n_handles && v->handles[i] ? (size_t)i : SIZE_MAX;
}

vas_t *vas_process_space(vas_t *v, uint64_t handle)
{
    if (handle == VAS_CURRENT_PROCESS)
        return v;   /* semantics: 13.1 13.2 */
    size_t i = held_index(v, handle);
    return i == SIZE_MAX ? NULL : v->handles[i];
}

int vas_close_handle(vas_t *v, uint64_t handle)
{
    if (handle == VAS_CURRENT_PROCESS || section_close_handle(v, handle))
        return 1;
    size_t i = held_index(v, handle);
    if (i == SIZE_MAX)
        return fail(v, VAS_ERROR_INVALID_HANDLE);
    v->handles[i] = NULL;
    return 1;
}

/* The target of a call, or NULL with ERROR_INVALID_HANDLE on the caller. */
static vas_t *target_of(vas_t *v, uint64_t handle)
{
    vas_t *t = vas_process_space(v, handle);
    if (!t)
        fail(v, VAS_ERROR_INVALID_HANDLE);   /* semantics: 13.2 */
    return t;
}

/* After a call made on t for v: a failure's error is v's, and t's own
 * last-error is what it was before (saved). */
static void settle(vas_t *v, vas_t *t, uint32_t saved, int ok)
{
    if (t == v)
        return;
    if (!ok)
        v->last_error = t->last_error;
    t->last_error = saved;
}

uint64_t vas_alloc_ex(vas_t *v, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                      uint32_t protect)
{
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;
    uint32_t saved = t->last_error;
    uint64_t r = vas_alloc(t, addr, size, type, protect);
    settle(v, t, saved, r != 0);
    return r;
}

int vas_free_ex(vas_t *v, uint64_t process, uint64_t addr, uint64_t size, uint32_t type)
{
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;
    uint32_t saved = t->last_error;
    int r = vas_free(t, addr, size, type);
    settle(v, t, saved, r);
    return r;
}

int vas_protect_ex(vas_t *v, uint64_t process, uint64_t addr, uint64_t size, uint32_t protect,
                   uint32_t *old)
{
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;
    uint32_t saved = t->last_error;
    int r = vas_protect(t, addr, size, protect, old);
    settle(v, t, saved, r);
    return r;
}

/* VirtualAlloc2 and MapViewOfFile3 take NULL as the calling process too. */
static vas_t *target_or_self(vas_t *v, uint64_t handle)
{
    return handle == 0 ? v : target_of(v, handle);
}

uint64_t vas_alloc2(vas_t *v, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                    uint32_t protect, const vas_ext_param *params, uint32_t count)
{
    vas_t *t = target_or_self(v, process);
    if (!t)
        return 0;  /* semantics: 12.10.1 */
    uint32_t saved = t->last_error;
    uint64_t r = space_alloc2(t, addr, size, type, protect, params, count);
    settle(v, t, saved, r != 0);
    return r;
}

uint64_t vas_map_view3(vas_t *v, uint64_t section, uint64_t process, uint64_t addr, uint64_t offset,
                       uint64_t size, uint32_t type, uint32_t protect, const vas_ext_param *params,
                       uint32_t count)
{
    vas_t *t = target_or_self(v, process);
    if (!t)
        return 0;  /* semantics: 12.11.1 */
    if (t != v)   /* views in other processes are not modelled (12.7) */
        return fail(v, VAS_ERROR_NOT_SUPPORTED);  /* semantics: 12.11.1 (X424) */
    return space_map_view3(v, section, addr, offset, size, type, protect, params, count);
}

int vas_unmap_view2(vas_t *v, uint64_t process, uint64_t addr, uint32_t flags)
{
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;  /* semantics: 12.13.1 (G429) */
    uint32_t saved = t->last_error;
    int r = space_unmap_view2(t, addr, flags);
    settle(v, t, saved, r);
    return r;
}

size_t vas_query_ex(vas_t *v, uint64_t process, uint64_t addr, vas_mbi *out, size_t len)
{
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;
    uint32_t saved = t->last_error;
    size_t r = vas_query(t, addr, out, len);
    settle(v, t, saved, r != 0);
    return r;
}

/* 1 when [a, a + size) (size > 0) wraps or reaches past s's MAX. */
static int range_leaves(const vas_t *s, uint64_t a, uint64_t size)
{
    uint64_t last = a + (size - 1);
    return last < a || last > space_max(s);
}

/* Moves len bytes from `from` at src to `to` at dst, both ranges checked
 * already; backwards when they overlap in one space with dst above src,
 * as memmove does. */
static void copy_between(vas_t *from, uint64_t src, vas_t *to, uint64_t dst, uint64_t len)
{
    uint8_t chunk[COPY_CHUNK];
    int backwards = from == to && dst > src && dst - src < len;
    for (uint64_t moved = 0; moved < len;) {
        uint64_t n = len - moved < COPY_CHUNK ? len - moved : COPY_CHUNK;
        uint64_t off = backwards ? len - moved - n : moved;
        vas_read(from, src + off, chunk, (size_t)n, NULL);
        vas_write(to, dst + off, chunk, (size_t)n, NULL);
        moved += n;
    }
}

int vas_read_process_memory(vas_t *v, uint64_t process, uint64_t addr, uint64_t buf, uint64_t size,
                            uint64_t *done)
{
    if (done)
        *done = 0;
    vas_t *t = target_of(v, process);
    if (!t)
        return 0;
    if (size == 0)
        return 1;
    if (range_leaves(t, addr, size) || range_leaves(v, buf, size))
        return fail(v, VAS_ERROR_NOACCESS);
    if (space_check_access(t, addr, size, ACCESS_READ, NULL) != VAS_STATUS_SUCCESS)
        return fail(v, PLANT(44) ? VAS_ERROR_NOACCESS : VAS_ERROR_PARTIAL_COPY);   /* semantics: 13.2 */
    if (space_check_access(v, buf, size, ACCESS_WRITE, NULL) != VAS_STATUS_SUCCESS)
        return fail(v, VAS_ERROR_NOACCESS);
    copy_between(t, addr, v, buf, size);
    if (done)
        *done = size;
    return 1;
}

/* NtWriteVirtualMemory: the target pages before the first that refuses are
 * written; *done always gets the count. */
static int copy_into(vas_t *v, vas_t *t, uint64_t addr, uint64_t buf, uint64_t size, uint64_t *done)
{
    if (done)
        *done = 0;
    if (size == 0)
        return 1;
    if (range_leaves(t, addr, size) || range_leaves(v, buf, size))
        return fail(v, VAS_ERROR_NOACCESS);
    if (space_check_access(v, buf, size, ACCESS_READ, NULL) != VAS_STATUS_SUCCESS)
        return fail(v, VAS_ERROR_NOACCESS);
    uint64_t fault = addr;
    uint64_t good = space_check_access(t, addr, size, ACCESS_WRITE, &fault) == VAS_STATUS_SUCCESS
                        ? size : fault - addr;
    copy_between(v, buf, t, addr, good);
    if (done)
        *done = good;
    return good == size ? 1 : fail(v, VAS_ERROR_PARTIAL_COPY);   /* semantics: 13.2 */
}

static int writable(uint32_t protect)
{
    return protect == VAS_PAGE_READWRITE || protect == VAS_PAGE_WRITECOPY ||
           protect == VAS_PAGE_EXECUTE_READWRITE || protect == VAS_PAGE_EXECUTE_WRITECOPY;
}

int vas_write_process_memory(vas_t *v, uint64_t process, uint64_t addr, uint64_t buf, uint64_t size,
                             uint64_t *done)
{
    vas_mbi m;
    if (vas_query_ex(v, process, addr, &m, sizeof m) == 0)
        return 0;
    vas_t *t = vas_process_space(v, process);
    if (writable(m.protect))
        return copy_into(v, t, addr, buf, size, done);
    if (m.protect != VAS_PAGE_EXECUTE && m.protect != VAS_PAGE_EXECUTE_READ)
        return fail(v, VAS_ERROR_NOACCESS);
    if (size == 0 || range_leaves(t, addr, size))
        return copy_into(v, t, addr, buf, size, done);   /* nothing to make writable */
    /* Executable: the region's part of the range becomes writable for the
     * copy and gets the region's protection back. */
    uint64_t lo = m.base_address, hi = round_up(addr + size, PAGE_BYTES);
    if (hi > m.base_address + m.region_size)
        hi = m.base_address + m.region_size;
    uint32_t saved = t->last_error, old;
    vas_protect(t, lo, hi - lo, VAS_PAGE_EXECUTE_READWRITE, &old);
    int ok = copy_into(v, t, addr, buf, size, done);
    vas_protect(t, lo, hi - lo, m.protect, &old);
    if (t != v)
        t->last_error = saved;
    return ok;
}
