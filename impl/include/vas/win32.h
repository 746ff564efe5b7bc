/*
 * vas/win32.h - the Windows memory API over the model, so that a Windows
 * program using VirtualAlloc & co. compiles unchanged on Linux.
 *
 * Include it instead of <windows.h>. The functions work on one current
 * address space: by default an x64 space created on first use;
 * vas_win32_use() makes any other space current (for example an x86 one,
 * or one with a commit limit).
 *
 * Pointers are simulated addresses carried in pointer types: the values
 * VirtualAlloc returns can be passed back to VirtualFree / VirtualProtect /
 * VirtualQuery and compared, but dereferencing them only works in a
 * host-backed space whose window sits at the same numeric addresses (see
 * vas_host_pointer). To touch memory portably, use vas_read / vas_write on
 * vas_win32_space().
 *
 * Not for Windows itself (the names would clash with <windows.h>), and not
 * thread-safe, like the model.
 */
#ifndef VAS_WIN32_H
#define VAS_WIN32_H

#include <stddef.h>
#include <stdint.h>

#include "vas/vas.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WINAPI
#define WINAPI
#endif

typedef int BOOL;
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef uint32_t DWORD;
typedef DWORD *PDWORD;
typedef size_t SIZE_T;
typedef uintptr_t ULONG_PTR;
typedef uintptr_t DWORD_PTR;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Same layout as the Windows x64 structure (48 bytes on 64-bit hosts). */
typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    DWORD AllocationProtect;
    WORD PartitionId;
    SIZE_T RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

typedef struct _SYSTEM_INFO {
    union {
        DWORD dwOemId;
        struct {
            WORD wProcessorArchitecture;
            WORD wReserved;
        };
    };
    DWORD dwPageSize;
    LPVOID lpMinimumApplicationAddress;
    LPVOID lpMaximumApplicationAddress;
    DWORD_PTR dwActiveProcessorMask;
    DWORD dwNumberOfProcessors;
    DWORD dwProcessorType;
    DWORD dwAllocationGranularity;
    WORD wProcessorLevel;
    WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;

#define PROCESSOR_ARCHITECTURE_INTEL 0
#define PROCESSOR_ARCHITECTURE_AMD64 9

#define MEM_COMMIT       VAS_MEM_COMMIT
#define MEM_RESERVE      VAS_MEM_RESERVE
#define MEM_DECOMMIT     VAS_MEM_DECOMMIT
#define MEM_RELEASE      VAS_MEM_RELEASE
#define MEM_FREE         VAS_MEM_FREE
#define MEM_PRIVATE      VAS_MEM_PRIVATE
#define MEM_MAPPED       VAS_MEM_MAPPED
#define MEM_RESET        VAS_MEM_RESET
#define MEM_TOP_DOWN     VAS_MEM_TOP_DOWN
#define MEM_WRITE_WATCH  VAS_MEM_WRITE_WATCH
#define MEM_PHYSICAL     VAS_MEM_PHYSICAL
#define MEM_IMAGE        VAS_MEM_IMAGE
#define MEM_RESET_UNDO   VAS_MEM_RESET_UNDO
#define MEM_LARGE_PAGES  VAS_MEM_LARGE_PAGES

#define PAGE_NOACCESS          VAS_PAGE_NOACCESS
#define PAGE_READONLY          VAS_PAGE_READONLY
#define PAGE_READWRITE         VAS_PAGE_READWRITE
#define PAGE_WRITECOPY         VAS_PAGE_WRITECOPY
#define PAGE_EXECUTE           VAS_PAGE_EXECUTE
#define PAGE_EXECUTE_READ      VAS_PAGE_EXECUTE_READ
#define PAGE_EXECUTE_READWRITE VAS_PAGE_EXECUTE_READWRITE
#define PAGE_EXECUTE_WRITECOPY VAS_PAGE_EXECUTE_WRITECOPY
#define PAGE_GUARD             VAS_PAGE_GUARD
#define PAGE_NOCACHE           VAS_PAGE_NOCACHE
#define PAGE_WRITECOMBINE      VAS_PAGE_WRITECOMBINE

#define ERROR_SUCCESS            VAS_ERROR_SUCCESS
#define ERROR_ACCESS_DENIED      VAS_ERROR_ACCESS_DENIED
#define ERROR_INVALID_HANDLE     VAS_ERROR_INVALID_HANDLE
#define ERROR_NOT_ENOUGH_MEMORY  VAS_ERROR_NOT_ENOUGH_MEMORY
#define ERROR_BAD_LENGTH         VAS_ERROR_BAD_LENGTH
#define ERROR_INVALID_PARAMETER  VAS_ERROR_INVALID_PARAMETER
#define ERROR_INVALID_ADDRESS    VAS_ERROR_INVALID_ADDRESS
#define ERROR_NOACCESS           VAS_ERROR_NOACCESS
#define ERROR_COMMITMENT_LIMIT   VAS_ERROR_COMMITMENT_LIMIT

#define STATUS_GUARD_PAGE_VIOLATION VAS_STATUS_GUARD_PAGE_VIOLATION
#define STATUS_ACCESS_VIOLATION     VAS_STATUS_ACCESS_VIOLATION

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect);
BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect);
SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength);
DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);
/* Page size, granularity and address limits of the current space's profile. */
void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo);

/* Makes vas the current space (not owned: the caller destroys it later).
 * NULL goes back to the default x64 space. */
void vas_win32_use(vas_t *vas);
/* The current space, creating the default one if needed (NULL only if
 * that creation ran out of memory). */
vas_t *vas_win32_space(void);

#ifdef __cplusplus
}
#endif

#endif /* VAS_WIN32_H */
