/*
 * vas.h - a reference model of the Windows user-mode virtual address space.
 *
 * One vas_t is one process address space. Every call behaves as the Win32
 * call of the same name does on Windows: same rounding of addresses and
 * sizes, same states and protections reported by query, same error codes in
 * last-error, and a failed call changes nothing. The exact rules, with the
 * source of each, are in docs/semantics.md; this header states the contract.
 *
 * Addresses are simulated: a uint64_t in the profile's user range. Nothing
 * here touches host memory unless the address space was created host-backed
 * (vas_config.host_backed), in which case the same ranges are mirrored into
 * a window of real memory (see vas_host_pointer).
 *
 * Not thread-safe: one vas_t is used by one thread at a time.
 */
#ifndef VAS_VAS_H
#define VAS_VAS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ----------------------------------------------------------- */

/* The library's version (CMake reads it from here); MAJOR changes when a
 * declaration here changes incompatibly. */
#define VAS_VERSION_MAJOR 0
#define VAS_VERSION_MINOR 1
#define VAS_VERSION_PATCH 0

/* ---- Sizes ------------------------------------------------------------ */

#define VAS_PAGE_SIZE               0x1000u   /* dwPageSize */
#define VAS_ALLOCATION_GRANULARITY  0x10000u  /* dwAllocationGranularity */

/* ---- flAllocationType / dwFreeType (Windows values) ------------------- */

#define VAS_MEM_COMMIT       0x00001000u
#define VAS_MEM_RESERVE      0x00002000u
#define VAS_MEM_DECOMMIT     0x00004000u
#define VAS_MEM_RELEASE      0x00008000u
#define VAS_MEM_FREE         0x00010000u  /* a State value; invalid as a free type */
#define VAS_MEM_PRIVATE      0x00020000u  /* a Type value */
#define VAS_MEM_MAPPED       0x00040000u  /* a Type value: a view of a section */
#define VAS_MEM_RESET        0x00080000u
#define VAS_MEM_TOP_DOWN     0x00100000u
#define VAS_MEM_WRITE_WATCH  0x00200000u  /* with MEM_RESERVE: pages written are recorded */
#define VAS_MEM_PHYSICAL     0x00400000u  /* rejected */
#define VAS_MEM_IMAGE        0x01000000u  /* a Type value: the images of VAS_LAYOUT_PROCESS */
#define VAS_MEM_RESET_UNDO   0x01000000u  /* same bit as MEM_IMAGE, as on Windows */
#define VAS_MEM_LARGE_PAGES  0x20000000u  /* rejected */

/* ---- flProtect (Windows values) --------------------------------------- */

#define VAS_PAGE_NOACCESS          0x01u
#define VAS_PAGE_READONLY          0x02u
#define VAS_PAGE_READWRITE         0x04u
#define VAS_PAGE_WRITECOPY         0x08u  /* rejected for private memory */
#define VAS_PAGE_EXECUTE           0x10u
#define VAS_PAGE_EXECUTE_READ      0x20u
#define VAS_PAGE_EXECUTE_READWRITE 0x40u
#define VAS_PAGE_EXECUTE_WRITECOPY 0x80u  /* rejected for private memory */
#define VAS_PAGE_GUARD             0x100u
#define VAS_PAGE_NOCACHE           0x200u
#define VAS_PAGE_WRITECOMBINE      0x400u

/* ---- Win32 error codes (GetLastError values) -------------------------- */

#define VAS_ERROR_SUCCESS            0u
#define VAS_ERROR_ACCESS_DENIED      5u
#define VAS_ERROR_INVALID_HANDLE     6u
#define VAS_ERROR_NOT_ENOUGH_MEMORY  8u
#define VAS_ERROR_BAD_LENGTH         24u
#define VAS_ERROR_NOT_SUPPORTED      50u
#define VAS_ERROR_NOT_LOCKED         158u
#define VAS_ERROR_INVALID_PARAMETER  87u
#define VAS_ERROR_PARTIAL_COPY       299u
#define VAS_ERROR_INVALID_ADDRESS    487u
#define VAS_ERROR_NOACCESS           998u
#define VAS_ERROR_MAPPED_ALIGNMENT   1132u
#define VAS_ERROR_WORKING_SET_QUOTA  1453u
#define VAS_ERROR_COMMITMENT_LIMIT   1455u

/* ---- Outcomes of simulated CPU accesses (NTSTATUS values) ------------- */

#define VAS_STATUS_SUCCESS              0x00000000u
#define VAS_STATUS_GUARD_PAGE_VIOLATION 0x80000001u
#define VAS_STATUS_ACCESS_VIOLATION     0xC0000005u
#define VAS_STATUS_INVALID_HANDLE       0xC0000008u  /* an access by a thread that does not exist */
#define VAS_STATUS_STACK_OVERFLOW       0xC00000FDu

/* ---- Address-space profiles ------------------------------------------- */

typedef enum vas_profile {
    VAS_PROFILE_X64 = 0,     /* user space 0x10000 .. 0x7FFFFFFEFFFF */
    VAS_PROFILE_X86 = 1,     /* user space 0x10000 .. 0x7FFEFFFF     */
    VAS_PROFILE_X86_LAA = 2  /* user space 0x10000 .. 0xFFFEFFFF (large-address-aware under WoW64) */
} vas_profile;

/* What a fresh space already holds (docs/semantics.md section 11.2). */
typedef enum vas_layout {
    VAS_LAYOUT_EMPTY = 0,   /* nothing: every address free (the default) */
    VAS_LAYOUT_PROCESS = 1  /* a fresh 64-bit process of Windows 10 22H2: its images, PEB,
                             * TEB, parameters, KUSER_SHARED_DATA, heap and stack (x64 only) */
} vas_layout;

typedef struct vas_config {
    vas_profile profile;
    uint64_t min_address;   /* lpMinimumApplicationAddress */
    uint64_t max_address;   /* lpMaximumApplicationAddress: the last usable byte */
    uint64_t commit_limit;  /* bytes of commit charge allowed; 0 = no limit */
    int host_backed;        /* 1 = mirror into real memory (see vas_host_pointer) */
    vas_layout layout;      /* what the space starts with */
    uint64_t aslr_seed;     /* 0 = first fit; else system-chosen addresses are randomised
                             * from this seed (docs/semantics.md section 11.1) */
} vas_config;

/* One allocation of a layout, as docs/semantics.md 11.2 lists it: for
 * tools that name what they show (`vastrace map`). */
typedef struct vas_layout_entry {
    const char *name;       /* "ntdll.dll", "PEB", "main thread stack", ... */
    const char *role;       /* "image", "stack", "heap" or "system" / "private" */
    uint64_t base, size;
} vas_layout_entry;

/* The allocations layout creates, ascending by base; *n their count (0
 * for VAS_LAYOUT_EMPTY). */
const vas_layout_entry *vas_layout_entries(vas_layout layout, size_t *n);

/* Fills *cfg with the profile's limits, no commit limit, not host-backed. */
void vas_config_default(vas_config *cfg, vas_profile profile);

/* ---- MEMORY_BASIC_INFORMATION ----------------------------------------- */

/* Field for field the x64 MEMORY_BASIC_INFORMATION (48 bytes). */
typedef struct vas_mbi {
    uint64_t base_address;       /* queried address rounded down to a page */
    uint64_t allocation_base;    /* 0 for free memory */
    uint32_t allocation_protect; /* protection given when the allocation was made; 0 if free */
    uint16_t partition_id;       /* always 0 */
    uint16_t reserved0;
    uint64_t region_size;        /* bytes from base_address to the end of the run */
    uint32_t state;              /* VAS_MEM_COMMIT, VAS_MEM_RESERVE or VAS_MEM_FREE */
    uint32_t protect;            /* 0 when reserved; PAGE_NOACCESS when free */
    uint32_t type;               /* VAS_MEM_PRIVATE, or 0 when free */
    uint32_t reserved1;
} vas_mbi;

/* What VirtualQuery returns on success: sizeof(MEMORY_BASIC_INFORMATION)
 * of the profile's bitness (48 on x64, 28 on 32-bit profiles). */
#define VAS_MBI_SIZE_X64 48u
#define VAS_MBI_SIZE_X86 28u

/* ---- The address space ------------------------------------------------ */

typedef struct vas vas_t;

/* Creates an empty address space; cfg NULL means vas_config_default(X64).
 * Returns NULL if cfg is inconsistent or memory (or the host window) is
 * unavailable. */
vas_t *vas_create(const vas_config *cfg);
void vas_destroy(vas_t *vas);

/* The configuration the space was created with. */
const vas_config *vas_get_config(const vas_t *vas);

/* VirtualAlloc. Returns the base of the affected range (the 64 KiB-rounded
 * base for a reservation, the page-rounded base for a commit or reset), or 0
 * with last-error set. */
uint64_t vas_alloc(vas_t *vas, uint64_t addr, uint64_t size, uint32_t type, uint32_t protect);

/* VirtualFree. type is exactly VAS_MEM_DECOMMIT or VAS_MEM_RELEASE, or
 * VAS_MEM_RELEASE with VAS_MEM_PRESERVE_PLACEHOLDER or
 * VAS_MEM_COALESCE_PLACEHOLDERS (placeholders, below).
 * Returns 1 on success, 0 with last-error set. */
int vas_free(vas_t *vas, uint64_t addr, uint64_t size, uint32_t type);

/* VirtualProtect. old may be NULL (the call then fails with
 * ERROR_NOACCESS, as Windows does). Returns 1 or 0. */
int vas_protect(vas_t *vas, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old);

/* VirtualQuery. Returns the profile's MBI size (see above) or 0 with
 * last-error set; len is the caller's dwLength. */
size_t vas_query(vas_t *vas, uint64_t addr, vas_mbi *out, size_t len);

/* GetLastError / SetLastError. Successful calls leave it unchanged. */
uint32_t vas_last_error(const vas_t *vas);
void vas_set_last_error(vas_t *vas, uint32_t error);

/* The process commit charge in bytes: committed private memory and the
 * pages of copy-on-write views (docs/semantics.md sections 7 and 12). */
uint64_t vas_commit_charge(const vas_t *vas);

/* ---- Simulated CPU accesses ------------------------------------------- */
/*
 * A read or write of len bytes at addr, or an instruction fetch at addr.
 * The pages are checked in ascending order before anything moves: the
 * first page that does not allow the access decides the outcome and nothing
 * is transferred. A guard page raises VAS_STATUS_GUARD_PAGE_VIOLATION and
 * loses its guard (one shot); any other refusal raises
 * VAS_STATUS_ACCESS_VIOLATION. *fault (if not NULL) receives the first
 * faulting byte address. len 0 always succeeds. Last-error is not touched.
 */
uint32_t vas_read(vas_t *vas, uint64_t addr, void *buf, size_t len, uint64_t *fault);
uint32_t vas_write(vas_t *vas, uint64_t addr, const void *buf, size_t len, uint64_t *fault);
uint32_t vas_exec(vas_t *vas, uint64_t addr, uint64_t *fault);

/* ---- Write watch (GetWriteWatch / ResetWriteWatch) ------------------- */
/*
 * An allocation reserved with VAS_MEM_WRITE_WATCH records every page a
 * successful vas_write touched. GetWriteWatch lists those pages of
 * [addr, addr + size) (rounded to pages; one write-watched allocation),
 * ascending, at most *count of them, into addresses; *count becomes how
 * many, *granularity the page size. VAS_WRITE_WATCH_FLAG_RESET clears the
 * pages listed (only those). ResetWriteWatch clears the range. A decommit
 * forgets writes, except writes a later VirtualProtect over the page saw.
 * Both return 0, or VAS_WATCH_FAILED with last-error: ERROR_INVALID_PARAMETER
 * (unknown flags, size 0, *count 0, a range not inside one write-watched
 * allocation), ERROR_NOACCESS (count or granularity NULL, addresses NULL
 * while *count > 0). The address array, count and granularity are the
 * caller's memory, not simulated memory.
 */
#define VAS_WRITE_WATCH_FLAG_RESET 0x01u
#define VAS_WATCH_FAILED           0xFFFFFFFFu  /* (UINT)-1 */

uint32_t vas_get_write_watch(vas_t *vas, uint32_t flags, uint64_t addr, uint64_t size,
                             uint64_t *addresses, uint64_t *count, uint32_t *granularity);
uint32_t vas_reset_write_watch(vas_t *vas, uint64_t addr, uint64_t size);

/* ---- Locking (VirtualLock / VirtualUnlock, working-set sizes) -------- */
/*
 * VirtualLock: every page of [addr, addr + size) (rounded to pages) must be
 * committed and accessible; pages are examined in ascending order and the
 * first that is not decides: reserved or free ERROR_INVALID_ADDRESS, a guard
 * page loses its guard and the call fails with STATUS_GUARD_PAGE_VIOLATION
 * (0x80000001) as last-error, PAGE_NOACCESS ERROR_NOACCESS. The pages
 * locked may not exceed the minimum working set less 8 pages
 * (ERROR_WORKING_SET_QUOTA). Locking twice is fine; there is no lock count.
 * VirtualUnlock needs every page locked (else ERROR_NOT_LOCKED). Decommit
 * and release unlock their pages. Returns 1, or 0 with last-error.
 * Working-set sizes are in bytes (defaults 50 and 345 pages); see
 * docs/semantics.md section 9 for SetProcessWorkingSetSize's rules.
 */
int vas_lock(vas_t *vas, uint64_t addr, uint64_t size);
int vas_unlock(vas_t *vas, uint64_t addr, uint64_t size);
uint64_t vas_locked_bytes(const vas_t *vas);
int vas_get_working_set(vas_t *vas, uint64_t *min_bytes, uint64_t *max_bytes);
int vas_set_working_set(vas_t *vas, uint64_t min_bytes, uint64_t max_bytes);

/* ---- Pointer probes (IsBadReadPtr & co.) ------------------------------ */
/*
 * 1 (TRUE) when a simulated access to the range would fault, else 0. They
 * are accesses: a guard page on the way fires (loses its guard) and makes
 * the answer 1; IsBadWritePtr writes back a byte per page, so the pages it
 * got through count as written for write watch. size 0 (max_chars 0) is
 * always 0. IsBadCodePtr reads one byte. IsBadStringPtr reads characters of
 * char_size bytes (1: A, 2: W) up to a NUL or max_chars. Last-error is not
 * touched. docs/semantics.md section 10.
 */
int vas_is_bad_read_ptr(vas_t *vas, uint64_t addr, uint64_t size);
int vas_is_bad_write_ptr(vas_t *vas, uint64_t addr, uint64_t size);
int vas_is_bad_code_ptr(vas_t *vas, uint64_t addr);
int vas_is_bad_string_ptr(vas_t *vas, uint64_t addr, uint64_t max_chars, unsigned char_size);

/* ---- Processes (docs/semantics.md section 13.2) ------------------------ */
/*
 * A space can create further spaces, its processes, and holds a handle to
 * each. Every call below takes a process handle that it resolves in the
 * calling space vas: VAS_CURRENT_PROCESS (GetCurrentProcess's (HANDLE)-1)
 * is vas itself, a handle vas holds is its process, anything else fails
 * with ERROR_INVALID_HANDLE. Failures set vas's last-error, never the
 * target's.
 */
#define VAS_CURRENT_PROCESS UINT64_MAX

/* A new, empty process with configuration cfg (NULL: vas's), living until
 * vas is destroyed. Returns its handle (a non-zero multiple of 4), or 0
 * with ERROR_NOT_ENOUGH_MEMORY when it cannot be made (out of memory, no
 * room for its host window, an inconsistent cfg). */
uint64_t vas_process_create(vas_t *vas, const vas_config *cfg);
/* CloseHandle: 1, or 0 with ERROR_INVALID_HANDLE. The pseudo-handle closes
 * and stays valid; the process lives on. It closes section handles too
 * (see vas_create_section). */
int vas_close_handle(vas_t *vas, uint64_t handle);
/* The space a handle held by vas names, or NULL (last-error untouched). */
vas_t *vas_process_space(vas_t *vas, uint64_t handle);

/* VirtualAllocEx, VirtualFreeEx, VirtualProtectEx, VirtualQueryEx: the
 * calls above on the process the handle names (its profile, its MBI size). */
uint64_t vas_alloc_ex(vas_t *vas, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                      uint32_t protect);
int vas_free_ex(vas_t *vas, uint64_t process, uint64_t addr, uint64_t size, uint32_t type);
int vas_protect_ex(vas_t *vas, uint64_t process, uint64_t addr, uint64_t size, uint32_t protect,
                   uint32_t *old);
size_t vas_query_ex(vas_t *vas, uint64_t process, uint64_t addr, vas_mbi *out, size_t len);

/* ReadProcessMemory: [addr, addr + size) of the process into [buf,
 * buf + size) of vas (both simulated). All or nothing: a source page that
 * refuses the read gives ERROR_PARTIAL_COPY, a buffer page that refuses the
 * write ERROR_NOACCESS; *done (may be NULL) gets the bytes copied, 0 on any
 * failure. WriteProcessMemory: [buf, buf + size) of vas into [addr,
 * addr + size) of the process, decided by the protection of the target
 * region at addr (writable: copied; EXECUTE or EXECUTE_READ: made writable
 * for the copy; else ERROR_NOACCESS with *done untouched); a target page
 * that refuses stops the copy there with ERROR_PARTIAL_COPY and *done the
 * bytes written. Both return 1 or 0. */
int vas_read_process_memory(vas_t *vas, uint64_t process, uint64_t addr, uint64_t buf, uint64_t size,
                            uint64_t *done);
int vas_write_process_memory(vas_t *vas, uint64_t process, uint64_t addr, uint64_t buf, uint64_t size,
                             uint64_t *done);
/* ---- Sections and views (CreateFileMapping & co.) --------------------- */
/*
 * Pagefile-backed sections (CreateFileMapping with INVALID_HANDLE_VALUE)
 * and their views; docs/semantics.md section 12 has every rule.
 *
 * vas_create_section: CreateFileMapping's flProtect is a page protection
 * (READONLY, READWRITE, WRITECOPY, EXECUTE_READ, EXECUTE_READWRITE,
 * EXECUTE_WRITECOPY) or'ed with VAS_SEC_COMMIT (the default) or
 * VAS_SEC_RESERVE; size is the 64-bit dwMaximumSizeHigh:Low. Returns a
 * handle (nonzero, never one a process has), or 0 with last-error.
 * SEC_COMMIT charges the system, not the process (vas_commit_charge does
 * not show it; the commit limit counts it). vas_close_handle (above)
 * closes section handles too; a view outlives its section's handle.
 * vas_map_view: MapViewOfFileEx (addr 0: the system chooses, as
 * MapViewOfFile). Returns the view's base or 0 with last-error. A view is
 * an allocation of type MEM_MAPPED; views of one section share contents,
 * except pages a copy-on-write view (FILE_MAP_COPY) wrote, which became
 * its own. vas_unmap_view: UnmapViewOfFile, any address inside the view.
 */
#define VAS_SEC_RESERVE          0x04000000u
#define VAS_SEC_COMMIT           0x08000000u

#define VAS_FILE_MAP_COPY        0x00000001u
#define VAS_FILE_MAP_WRITE       0x00000002u
#define VAS_FILE_MAP_READ        0x00000004u
#define VAS_FILE_MAP_ALL_ACCESS  0x000F001Fu
#define VAS_FILE_MAP_EXECUTE     0x00000020u

uint64_t vas_create_section(vas_t *vas, uint64_t size, uint32_t protect_and_flags);
uint64_t vas_map_view(vas_t *vas, uint64_t section, uint32_t access, uint64_t offset,
                      uint64_t size, uint64_t addr);
int vas_unmap_view(vas_t *vas, uint64_t addr);

/* ---- Placeholders (VirtualAlloc2, MapViewOfFile3, UnmapViewOfFile2) --- */
/*
 * docs/semantics.md 12.9-12.14 has every rule. A placeholder is a reserved
 * allocation (VirtualQuery: MEM_RESERVE, MEM_PRIVATE, AllocationProtect
 * NOACCESS) that VirtualAlloc2 or MapViewOfFile3 can replace with a private
 * allocation or a view of exactly its range (VAS_MEM_REPLACE_PLACEHOLDER),
 * and that vas_free splits (VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER)
 * and merges (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS). What
 * replaced a placeholder goes back to one with vas_free (private) or
 * vas_unmap_view2 (a view) and VAS_MEM_PRESERVE_PLACEHOLDER.
 *
 * vas_alloc2: VirtualAlloc2. process 0 (NULL) or VAS_CURRENT_PROCESS is
 * vas itself, else a process handle vas holds. params/count are the
 * MEM_EXTENDED_PARAMETER array (count > 0 with params NULL fails with
 * ERROR_INVALID_PARAMETER). Returns the base, or 0 with last-error.
 * vas_map_view3: MapViewOfFile3; protect is a page protection (not a
 * FILE_MAP_* access); process as vas_alloc2 (another process: the call
 * fails with ERROR_NOT_SUPPORTED). vas_unmap_view2: UnmapViewOfFile2
 * (process 0 is ERROR_INVALID_HANDLE, as on Windows); UnmapViewOfFileEx is
 * vas_unmap_view2(vas, VAS_CURRENT_PROCESS, addr, flags).
 */
#define VAS_MEM_REPLACE_PLACEHOLDER         0x00004000u  /* VirtualAlloc2, MapViewOfFile3 */
#define VAS_MEM_RESERVE_PLACEHOLDER         0x00040000u  /* VirtualAlloc2, with MEM_RESERVE */
#define VAS_MEM_COALESCE_PLACEHOLDERS       0x00000001u  /* VirtualFree, with MEM_RELEASE */
#define VAS_MEM_PRESERVE_PLACEHOLDER        0x00000002u  /* VirtualFree, UnmapViewOfFile2 */
#define VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST  0x00000001u  /* UnmapViewOfFile2: a hint, no effect */

/* MEM_EXTENDED_PARAMETER_TYPE: only address requirements are modelled;
 * every other type fails with ERROR_INVALID_PARAMETER. */
#define VAS_MEM_EXT_INVALID_TYPE          0u
#define VAS_MEM_EXT_ADDRESS_REQUIREMENTS  1u
#define VAS_MEM_EXT_MAX                   7u

/* One MEM_EXTENDED_PARAMETER; for VAS_MEM_EXT_ADDRESS_REQUIREMENTS the
 * MEM_ADDRESS_REQUIREMENTS it points to: LowestStartingAddress,
 * HighestEndingAddress (inclusive), Alignment (0: 64 KiB). */
typedef struct vas_ext_param {
    uint32_t type;
    uint64_t lowest, highest, alignment;
} vas_ext_param;

uint64_t vas_alloc2(vas_t *vas, uint64_t process, uint64_t addr, uint64_t size, uint32_t type,
                    uint32_t protect, const vas_ext_param *params, uint32_t count);
uint64_t vas_map_view3(vas_t *vas, uint64_t section, uint64_t process, uint64_t addr, uint64_t offset,
                       uint64_t size, uint32_t type, uint32_t protect, const vas_ext_param *params,
                       uint32_t count);
int vas_unmap_view2(vas_t *vas, uint64_t process, uint64_t addr, uint32_t flags);

/* ---- Thread stacks (CreateThread, SetThreadStackGuarantee) ----------- */
/*
 * A thread is known by its stack: vas_create_thread reserves a stack as
 * CreateThread does and returns its allocation base (DeallocationStack, the
 * low limit GetCurrentThreadStackLimits reports; the high limit is the end
 * of that allocation). The initial commit sits at the top with guard pages
 * below it; the rest stays reserved. stack_size is CreateThread's
 * dwStackSize: the initial commit, or with size_is_reservation
 * (STACK_SIZE_PARAM_IS_A_RESERVATION) the reservation; 0 takes the
 * executable's defaults (1 MiB reserved, 4 KiB committed). Returns 0 with
 * last-error ERROR_NOT_ENOUGH_MEMORY (no room) or ERROR_COMMITMENT_LIMIT.
 *
 * vas_thread_read / vas_thread_write are vas_read / vas_write made by that
 * thread: a guard page of its own stack is handled inside the system (the
 * page is committed, the guard moves down, the access goes on) until the
 * stack cannot grow, where the access raises VAS_STATUS_STACK_OVERFLOW.
 * Guard pages anywhere else, and accesses made with vas_read / vas_write
 * (another thread), raise VAS_STATUS_GUARD_PAGE_VIOLATION as usual. An
 * unknown thread gives VAS_STATUS_INVALID_HANDLE (*fault untouched).
 *
 * vas_exit_thread releases the stack (the thread returns from its function);
 * a thread whose stack was released with VirtualFree is gone too.
 * vas_set_thread_stack_guarantee is SetThreadStackGuarantee called on that
 * thread: *size in, the previous guarantee out. The other calls fail with
 * ERROR_INVALID_HANDLE for an unknown thread. docs/semantics.md section 11.
 */
#define VAS_STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000u
#define VAS_STACK_DEFAULT_RESERVE 0x100000u   /* the executable's SizeOfStackReserve */
#define VAS_STACK_DEFAULT_COMMIT  0x1000u     /* the executable's SizeOfStackCommit */

uint64_t vas_create_thread(vas_t *vas, uint64_t stack_size, int size_is_reservation);
int vas_exit_thread(vas_t *vas, uint64_t stack);
int vas_set_thread_stack_guarantee(vas_t *vas, uint64_t stack, uint32_t *size);
int vas_thread_stack_limits(vas_t *vas, uint64_t stack, uint64_t *low, uint64_t *high);
uint32_t vas_thread_read(vas_t *vas, uint64_t stack, uint64_t addr, void *buf, size_t len,
                         uint64_t *fault);
uint32_t vas_thread_write(vas_t *vas, uint64_t stack, uint64_t addr, const void *buf, size_t len,
                          uint64_t *fault);
/* A stack probe (__chkstk) by that thread down to addr: one byte read on
 * each page from the top page of its stack down to addr's page (not below
 * the stack's base), then at addr itself; the first fault ends it. */
uint32_t vas_thread_probe(vas_t *vas, uint64_t stack, uint64_t addr, uint64_t *fault);
/* The thread vas_read, vas_write, vas_exec and the probes act as (0: none
 * of the model's threads, the default): with a thread set they are that
 * thread's accesses, so its own guard pages grow its stack. vas/win32.h
 * sets it while a thread function runs. Its exit sets it back to 0. */
void vas_set_current_thread(vas_t *vas, uint64_t stack);
uint64_t vas_current_thread(const vas_t *vas);

/* ---- Host-backed mode ------------------------------------------------- */

/* In a host-backed space, the real address that mirrors simulated address
 * addr (equal to addr when the window could be placed at the same numeric
 * addresses); NULL when not host-backed or addr is outside the window. */
void *vas_host_pointer(const vas_t *vas, uint64_t addr);

#ifdef __cplusplus
}
#endif

#endif /* VAS_VAS_H */
