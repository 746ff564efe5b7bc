/*
 * oracle.h - a second, deliberately simple model of the Windows address space.
 *
 * The oracle implements docs/semantics.md a second time, for the differential
 * fuzzer to compare against impl/. It is written to be read, not to be fast:
 * a sorted list of allocations, each describing its pages as runs of pages
 * alike (state, protection) with the written pages' bytes kept apart, and
 * every answer is computed by scanning those lists.
 * It shares no code with impl/: only the public types and constants of
 * vas/vas.h are used.
 *
 * Every function has the contract of the vas_* function of the same name in
 * vas/vas.h (return values, last-error, what a failed call leaves unchanged).
 *
 * Cost: every lookup is a linear scan (allocations, runs, written pages), so
 * a call costs time proportional to how many of those exist; a reservation
 * of the whole address space costs no more than one of a single page.
 *
 * Not thread-safe: one oracle_t is used by one thread at a time.
 */
#ifndef VAS_ORACLE_H
#define VAS_ORACLE_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct oracle oracle_t;

/* An empty address space. cfg NULL means the x64 profile, no commit
 * limit. With cfg->min_address and cfg->max_address both 0 the profile's
 * own user space is used, as docs/semantics.md states it (x64
 * 0x10000..0x7FFFFFFEFFFF, x86 0x10000..0x7FFEFFFF, x86-LAA
 * 0x10000..0xFFFEFFFF); the harness's oracle backend always asks for that,
 * so impl's vas_config_default is not what the oracle is checked against.
 * cfg->host_backed is ignored (the oracle never touches host memory).
 * Returns NULL when cfg is inconsistent (unknown profile, max below min,
 * bounds not page-aligned) or memory is short. */
oracle_t *oracle_create(const vas_config *cfg);
void oracle_destroy(oracle_t *o);

/* VirtualAlloc: as vas_alloc. */
uint64_t oracle_alloc(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect);

/* VirtualFree: as vas_free. */
int oracle_free(oracle_t *o, uint64_t addr, uint64_t size, uint32_t type);

/* VirtualProtect: as vas_protect (old NULL fails with ERROR_NOACCESS). */
int oracle_protect(oracle_t *o, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old);

/* VirtualQuery: as vas_query. Returns 48 (x64) or 28 (x86 profiles) on
 * success, 0 with last-error set; *out is written only on success. */
size_t oracle_query(oracle_t *o, uint64_t addr, vas_mbi *out, size_t len);

/* Simulated accesses: as vas_read / vas_write / vas_exec. *fault is written
 * only when the access faults. Last-error is never touched. */
uint32_t oracle_read(oracle_t *o, uint64_t addr, void *buf, size_t len, uint64_t *fault);
uint32_t oracle_write(oracle_t *o, uint64_t addr, const void *buf, size_t len, uint64_t *fault);
uint32_t oracle_exec(oracle_t *o, uint64_t addr, uint64_t *fault);

/* GetLastError / SetLastError. */
uint32_t oracle_last_error(const oracle_t *o);
void oracle_set_last_error(oracle_t *o, uint32_t error);

/* Committed pages times the page size. */
uint64_t oracle_commit_charge(const oracle_t *o);

/* GetWriteWatch / ResetWriteWatch: as vas_get_write_watch /
 * vas_reset_write_watch (0, or VAS_WATCH_FAILED with last-error). */
uint32_t oracle_get_write_watch(oracle_t *o, uint32_t flags, uint64_t addr, uint64_t size,
                                uint64_t *addresses, uint64_t *count, uint32_t *granularity);
uint32_t oracle_reset_write_watch(oracle_t *o, uint64_t addr, uint64_t size);

/* VirtualLock / VirtualUnlock and the working-set sizes: as vas_lock,
 * vas_unlock, vas_locked_bytes, vas_get_working_set, vas_set_working_set. */
int oracle_lock(oracle_t *o, uint64_t addr, uint64_t size);
int oracle_unlock(oracle_t *o, uint64_t addr, uint64_t size);
uint64_t oracle_locked_bytes(const oracle_t *o);
int oracle_get_working_set(oracle_t *o, uint64_t *min_bytes, uint64_t *max_bytes);
int oracle_set_working_set(oracle_t *o, uint64_t min_bytes, uint64_t max_bytes);

/* IsBadReadPtr & co.: as vas_is_bad_read_ptr, vas_is_bad_write_ptr,
 * vas_is_bad_code_ptr, vas_is_bad_string_ptr. */
int oracle_is_bad_read_ptr(oracle_t *o, uint64_t addr, uint64_t size);
int oracle_is_bad_write_ptr(oracle_t *o, uint64_t addr, uint64_t size);
int oracle_is_bad_code_ptr(oracle_t *o, uint64_t addr);
int oracle_is_bad_string_ptr(oracle_t *o, uint64_t addr, uint64_t max_chars, unsigned char_size);

/* The configuration the oracle was created with (its limits filled in). */
const vas_config *oracle_config(const oracle_t *o);

/* Processes: as vas_process_create, vas_close_handle, vas_process_space,
 * the vas_*_ex calls, vas_read_process_memory and vas_write_process_memory
 * (docs/semantics.md section 13.2). */
uint64_t oracle_process_create(oracle_t *o, const vas_config *cfg);
int oracle_close_handle(oracle_t *o, uint64_t handle);
oracle_t *oracle_process_space(oracle_t *o, uint64_t handle);
uint64_t oracle_alloc_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                         uint32_t protect);
int oracle_free_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type);
int oracle_protect_ex(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t protect,
                      uint32_t *old);
size_t oracle_query_ex(oracle_t *o, uint64_t process, uint64_t addr, vas_mbi *out, size_t len);
int oracle_read_process_memory(oracle_t *o, uint64_t process, uint64_t addr, uint64_t buf,
                               uint64_t size, uint64_t *done);
int oracle_write_process_memory(oracle_t *o, uint64_t process, uint64_t addr, uint64_t buf,
                                uint64_t size, uint64_t *done);
/* CreateFileMapping (pagefile-backed), MapViewOfFileEx, UnmapViewOfFile:
 * as vas_create_section, vas_map_view, vas_unmap_view (docs/semantics.md
 * section 12). oracle_close_handle closes section handles too: it asks
 * oracle_close_section first, which closes handle when it is an open
 * section's and returns 1, else returns 0 and changes nothing. */
uint64_t oracle_create_section(oracle_t *o, uint64_t size, uint32_t protect_and_flags);
int oracle_close_section(oracle_t *o, uint64_t handle);
uint64_t oracle_map_view(oracle_t *o, uint64_t handle, uint32_t access, uint64_t offset,
                         uint64_t size, uint64_t addr);
int oracle_unmap_view(oracle_t *o, uint64_t addr);

/* Placeholders (docs/semantics.md 12.9-12.14): VirtualAlloc2,
 * MapViewOfFile3 and UnmapViewOfFile2 as vas_alloc2, vas_map_view3 and
 * vas_unmap_view2 (UnmapViewOfFileEx is oracle_unmap_view2 with
 * VAS_CURRENT_PROCESS). oracle_free takes VAS_MEM_RELEASE with
 * VAS_MEM_PRESERVE_PLACEHOLDER or VAS_MEM_COALESCE_PLACEHOLDERS. */
uint64_t oracle_alloc2(oracle_t *o, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                       uint32_t protect, const vas_ext_param *params, uint32_t count);
uint64_t oracle_map_view3(oracle_t *o, uint64_t handle, uint64_t process, uint64_t addr,
                          uint64_t offset, uint64_t size, uint32_t type, uint32_t protect,
                          const vas_ext_param *params, uint32_t count);
int oracle_unmap_view2(oracle_t *o, uint64_t process, uint64_t addr, uint32_t flags);

/* Thread stacks (docs/semantics.md section 11): as vas_create_thread,
 * vas_exit_thread, vas_set_thread_stack_guarantee, vas_thread_stack_limits,
 * vas_thread_read, vas_thread_write. */
uint64_t oracle_create_thread(oracle_t *o, uint64_t stack_size, int size_is_reservation);
int oracle_exit_thread(oracle_t *o, uint64_t stack);
int oracle_set_thread_stack_guarantee(oracle_t *o, uint64_t stack, uint32_t *size);
int oracle_thread_stack_limits(oracle_t *o, uint64_t stack, uint64_t *low, uint64_t *high);
uint32_t oracle_thread_read(oracle_t *o, uint64_t stack, uint64_t addr, void *buf, size_t len,
                            uint64_t *fault);
uint32_t oracle_thread_write(oracle_t *o, uint64_t stack, uint64_t addr, const void *buf,
                             size_t len, uint64_t *fault);
uint32_t oracle_thread_probe(oracle_t *o, uint64_t stack, uint64_t addr, uint64_t *fault);

#ifdef __cplusplus
}
#endif

#endif /* VAS_ORACLE_H */
