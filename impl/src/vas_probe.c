/*
 * vas_probe.c - IsBadReadPtr, IsBadWritePtr, IsBadCodePtr, IsBadStringPtr
 * (docs/semantics.md section 10): a simulated access that reports a fault
 * as TRUE instead of raising it. Guard pages fire, as they do on Windows.
 */
#include "vas_internal.h"

int vas_is_bad_read_ptr(vas_t *v, uint64_t addr, uint64_t size)
{
    uint64_t fault;
    /* semantics: 10 */
    return (size != 0 || PLANT(42)) && space_check_access(v, addr, size ? size : 1, ACCESS_READ, &fault) != VAS_STATUS_SUCCESS;
}

int vas_is_bad_code_ptr(vas_t *v, uint64_t addr)
{
    return vas_is_bad_read_ptr(v, addr, 1);
}

/* The probe writes back one byte per page, so the pages before the first
 * refusing one were written (write watch sees them). */
int vas_is_bad_write_ptr(vas_t *v, uint64_t addr, uint64_t size)
{
    if (size == 0)
        return 0;
    uint64_t fault = 0;
    uint32_t status = space_check_access(v, addr, size, ACCESS_WRITE, &fault);
    uint64_t last = addr + (size - 1) < addr ? UINT64_MAX : addr + (size - 1);
    uint64_t end = status == VAS_STATUS_SUCCESS ? round_down(last, PAGE_BYTES) + PAGE_BYTES
                                                : round_down(fault, PAGE_BYTES);
    for (uint64_t page = round_down(addr, PAGE_BYTES); page < end;) {
        allocation *a = alloc_tree_find(v, page);
        uint64_t to = end < a->end ? end : a->end;
        if (!watch_mark_written(a, page, to))
            return 1;   /* out of memory: report the pointer as bad, as a probe would */
        if (a->write_watch)
            space_sync_host(v, page, to);   /* reported pages take real writes (section 15) */
        page = to;
    }
    return status != VAS_STATUS_SUCCESS;   /* semantics: 10 */
}

int vas_is_bad_string_ptr(vas_t *v, uint64_t addr, uint64_t max_chars, unsigned char_size)
{
    /* Reads character by character up to the terminator or max_chars; one
     * page check covers every character of that page. */
    uint64_t done = 0;
    while (done < max_chars) {
        uint64_t at = addr + done * char_size;
        if (at < addr)
            return 1;   /* wrapped past the top of the address space */
        uint64_t fault;
        if (space_check_access(v, at, char_size, ACCESS_READ, &fault) != VAS_STATUS_SUCCESS)
            return 1;   /* semantics: 10 */
        uint8_t c[2] = {0, 0};
        vas_read(v, at, c, char_size, NULL);
        if (c[0] == 0 && (char_size == 1 || c[1] == 0))
            return 0;
        done++;
    }
    return 0;
}
