/*
 * vas_write_watch.c - GetWriteWatch and ResetWriteWatch (docs/semantics.md
 * section 8). The checks run in the documented order; a failed call
 * changes nothing and returns VAS_WATCH_FAILED.
 */
#include "vas_internal.h"

static uint32_t watch_fail(vas_t *v, uint32_t error)
{
    v->last_error = error;
    return VAS_WATCH_FAILED;
}

/* The write-watched allocation holding every page of [addr, addr + size),
 * or NULL. */
static allocation *watched_range(vas_t *v, uint64_t addr, uint64_t size, uint64_t *lo, uint64_t *hi)
{
    uint64_t last = addr + (size - 1);
    if (addr > space_max(v) || last < addr || last > space_max(v))
        return NULL;
    *lo = round_down(addr, PAGE_BYTES);
    *hi = round_up(last + 1, PAGE_BYTES);
    allocation *a = alloc_tree_find(v, *lo);
    if (!a || !a->write_watch || *hi > a->end)
        return NULL;
    return a;
}

uint32_t vas_get_write_watch(vas_t *v, uint32_t flags, uint64_t addr, uint64_t size,
                             uint64_t *addresses, uint64_t *count, uint32_t *granularity)
{
    if (flags & ~VAS_WRITE_WATCH_FLAG_RESET)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.getwritewatch.1 */
    if (size == 0)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.getwritewatch.2 */
    if (!count || !granularity || (!addresses && *count != 0))
        return watch_fail(v, VAS_ERROR_NOACCESS);  /* semantics: 8.getwritewatch.3 */
    if (*count == 0)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.getwritewatch.4 */
    uint64_t lo, hi;
    allocation *a = watched_range(v, addr, size, &lo, &hi);
    if (!a)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.getwritewatch.5 */
    *count = watch_collect(a, lo, hi, addresses, *count, flags & VAS_WRITE_WATCH_FLAG_RESET);   /* semantics: 8.getwritewatch */
    *granularity = VAS_PAGE_SIZE;  /* semantics: 8.getwritewatch.6 */
    /* The pages cleared must see their next real write again (section 15). */
    if ((flags & VAS_WRITE_WATCH_FLAG_RESET) && *count)
        space_sync_host(v, addresses[0], addresses[*count - 1] + PAGE_BYTES);
    return 0;
}

uint32_t vas_reset_write_watch(vas_t *v, uint64_t addr, uint64_t size)
{
    if (size == 0)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.resetwritewatch */
    uint64_t lo, hi;
    allocation *a = watched_range(v, addr, size, &lo, &hi);
    if (!a)
        return watch_fail(v, VAS_ERROR_INVALID_PARAMETER);  /* semantics: 8.resetwritewatch */
    watch_reset(a, lo, hi);  /* semantics: 8.resetwritewatch */
    space_sync_host(v, lo, hi);  /* re-arms the real pages (section 15) */
    return 0;
}
