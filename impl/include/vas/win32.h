/*
 * vas/win32.h - the Windows memory API over the model: a program written
 * for <windows.h> that manages memory (VirtualAlloc & co., write watch,
 * locking, IsBad*Ptr, the *Ex calls, sections and views) compiles unchanged
 * on Linux and runs against the model: put impl/include/vas/windows first
 * on the include path, and its windows.h includes this header.
 * docs/semantics.md section 13 holds the rules particular to the header.
 *
 * Names are Windows' names with Windows' values and types (winnt.h,
 * minwindef.h, memoryapi.h, ...). Functions behave as the model's calls of
 * vas.h do (docs/semantics.md); failures set the last-error value that
 * GetLastError returns, successes leave it alone.
 *
 * Conventions (the same for every call here and every call added later):
 * - The current address space. The functions work on one space: the one
 *   given to vas_win32_use(), or else a default space created on first
 *   use. The default is an x64 space; the environment chooses another
 *   before the first call: VAS_WIN32_PROFILE=x64|x86|x86-laa picks the
 *   profile, VAS_WIN32_HOST_BACKED=1 mirrors it into real memory (Linux).
 *   That lets one binary run under each profile unchanged.
 * - Process memory is simulated. Every address that designates process
 *   memory is a simulated address carried in a pointer type: what
 *   VirtualAlloc returns, the addresses of the *Ex calls, views,
 *   placeholders, stacks, and BOTH buffers of ReadProcessMemory /
 *   WriteProcessMemory (the local buffer lives in the simulated space too,
 *   so VirtualProtect on it takes effect).
 * - Parameter blocks are host memory: MEMORY_BASIC_INFORMATION, SYSTEM_INFO,
 *   old-protection out-parameters, GetWriteWatch's address array, count and
 *   granularity, working-set sizes, byte counts, extended-parameter arrays.
 * - Touching process memory. Through vas_read / vas_write on
 *   vas_win32_space() (guard pages, write watch and faults follow the
 *   model's rules). In a host-backed space whose window sits at the same
 *   numeric addresses (an x86 profile usually does, see vas_host_pointer),
 *   real pointers work too: the MMU enforces protections, a guard page
 *   fires once and the access completes, GetWriteWatch sees real stores
 *   (vas_host.h; docs/semantics.md section 15).
 *
 * MEMORY_BASIC_INFORMATION and the profile (decision, docs/semantics.md
 * section 13): the structure is the one <windows.h> gives a program built
 * for the host's pointer size (48 bytes on a 64-bit host, 28 on a 32-bit
 * one), and VirtualQuery / VirtualQueryEx return exactly that size in every
 * profile; dwLength below it fails with ERROR_BAD_LENGTH. A 64-bit program
 * working on an x86 space is then what a 64-bit Windows program is when it
 * queries a 32-bit (WoW64) process with VirtualQueryEx: 48-byte records
 * whose addresses and sizes all lie in the 32-bit range. So a program never
 * sees a return value that disagrees with its own sizeof. (The model's own
 * vas_query answers with the profile's size, 28 on x86: that is the trace
 * language's view, where the program is as wide as the profile.)
 * A 32-bit host can only run 32-bit profiles: an x64 address does not fit
 * its pointers.
 *
 * Types that differ from the host's C types: LONG and ULONG are 32 bits as
 * on Windows (not the host's long), WCHAR is 16 bits (L"" literals are
 * wchar_t, 32 bits on Linux: build wide strings as WCHAR arrays). DWORD is
 * uint32_t: print it with a cast, (unsigned)x, in portable programs.
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

/* ---- Calling conventions and basic types (minwindef.h, winnt.h) ------- */

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef VOID
#define VOID void
#endif

typedef int BOOL;
typedef BOOL *PBOOL, *LPBOOL;
typedef uint8_t BOOLEAN;
typedef char CHAR;
typedef uint8_t BYTE, UCHAR;
typedef BYTE *PBYTE, *LPBYTE;
typedef uint16_t WORD, USHORT, WCHAR;
typedef int16_t SHORT;
typedef int INT;
typedef unsigned int UINT;
typedef int32_t LONG;
typedef uint32_t ULONG, DWORD;
typedef ULONG *PULONG;
typedef DWORD *PDWORD, *LPDWORD;
typedef int64_t LONGLONG, LONG64;
typedef uint64_t ULONGLONG, ULONG64, DWORD64;
typedef intptr_t INT_PTR, LONG_PTR;
typedef uintptr_t UINT_PTR, ULONG_PTR, DWORD_PTR;
typedef ULONG_PTR *PULONG_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T;
typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;
typedef void *HANDLE;
typedef HANDLE *PHANDLE, *LPHANDLE;
/* Unprototyped, as in minwindef.h: any function pointer casts to it. */
typedef INT_PTR (WINAPI *FARPROC)();

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Also what GetCurrentProcess returns: the same value, (HANDLE)-1. */
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

/* ---- flAllocationType, dwFreeType, State and Type (winnt.h) ----------- */

#define MEM_COMMIT                  VAS_MEM_COMMIT      /* 0x00001000 */
#define MEM_RESERVE                 VAS_MEM_RESERVE     /* 0x00002000 */
#define MEM_REPLACE_PLACEHOLDER     VAS_MEM_REPLACE_PLACEHOLDER /* 0x00004000 */
#define MEM_DECOMMIT                VAS_MEM_DECOMMIT    /* 0x00004000 */
#define MEM_RELEASE                 VAS_MEM_RELEASE     /* 0x00008000 */
#define MEM_FREE                    VAS_MEM_FREE        /* 0x00010000 */
#define MEM_PRIVATE                 VAS_MEM_PRIVATE     /* 0x00020000 */
#define MEM_RESERVE_PLACEHOLDER     VAS_MEM_RESERVE_PLACEHOLDER /* 0x00040000 */
#define MEM_MAPPED                  VAS_MEM_MAPPED      /* 0x00040000 */
#define MEM_RESET                   VAS_MEM_RESET       /* 0x00080000 */
#define MEM_TOP_DOWN                VAS_MEM_TOP_DOWN    /* 0x00100000 */
#define MEM_WRITE_WATCH             VAS_MEM_WRITE_WATCH /* 0x00200000 */
#define MEM_PHYSICAL                VAS_MEM_PHYSICAL    /* 0x00400000 */
#define MEM_ROTATE                  0x00800000u
#define MEM_DIFFERENT_IMAGE_BASE_OK 0x00800000u
#define MEM_RESET_UNDO              VAS_MEM_RESET_UNDO  /* 0x01000000 */
#define MEM_IMAGE                   VAS_MEM_IMAGE       /* 0x01000000 */
#define MEM_LARGE_PAGES             VAS_MEM_LARGE_PAGES /* 0x20000000 */
#define MEM_4MB_PAGES               0x80000000u
#define MEM_64K_PAGES               (MEM_LARGE_PAGES | MEM_PHYSICAL)
/* dwFreeType modifiers of MEM_RELEASE (placeholders) */
#define MEM_COALESCE_PLACEHOLDERS   VAS_MEM_COALESCE_PLACEHOLDERS /* 0x00000001 */
#define MEM_PRESERVE_PLACEHOLDER    VAS_MEM_PRESERVE_PLACEHOLDER  /* 0x00000002 */
/* UnmapViewOfFile2 */
#define MEM_UNMAP_WITH_TRANSIENT_BOOST VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST /* 0x00000001 */
/* MapViewOfFile's and NtMapViewOfSection's AllocationType (wdm.h) */
#define AT_ROUND_TO_PAGE            0x40000000u

/* GetWriteWatch's dwFlags */
#define WRITE_WATCH_FLAG_RESET      VAS_WRITE_WATCH_FLAG_RESET /* 0x01 */

/* ---- Page protections (winnt.h) --------------------------------------- */

#define PAGE_NOACCESS                   VAS_PAGE_NOACCESS          /* 0x01 */
#define PAGE_READONLY                   VAS_PAGE_READONLY          /* 0x02 */
#define PAGE_READWRITE                  VAS_PAGE_READWRITE         /* 0x04 */
#define PAGE_WRITECOPY                  VAS_PAGE_WRITECOPY         /* 0x08 */
#define PAGE_EXECUTE                    VAS_PAGE_EXECUTE           /* 0x10 */
#define PAGE_EXECUTE_READ               VAS_PAGE_EXECUTE_READ      /* 0x20 */
#define PAGE_EXECUTE_READWRITE          VAS_PAGE_EXECUTE_READWRITE /* 0x40 */
#define PAGE_EXECUTE_WRITECOPY          VAS_PAGE_EXECUTE_WRITECOPY /* 0x80 */
#define PAGE_GUARD                      VAS_PAGE_GUARD             /* 0x100 */
#define PAGE_NOCACHE                    VAS_PAGE_NOCACHE           /* 0x200 */
#define PAGE_WRITECOMBINE               VAS_PAGE_WRITECOMBINE      /* 0x400 */
/* Accepted by the graphics and enclave APIs only; VirtualAlloc rejects them. */
#define PAGE_GRAPHICS_NOACCESS          0x00000800u
#define PAGE_GRAPHICS_READONLY          0x00001000u
#define PAGE_GRAPHICS_READWRITE         0x00002000u
#define PAGE_GRAPHICS_EXECUTE           0x00004000u
#define PAGE_GRAPHICS_EXECUTE_READ      0x00008000u
#define PAGE_GRAPHICS_EXECUTE_READWRITE 0x00010000u
#define PAGE_GRAPHICS_COHERENT          0x00020000u
#define PAGE_GRAPHICS_NOCACHE           0x00040000u
#define PAGE_ENCLAVE_DECOMMIT           0x10000000u
#define PAGE_ENCLAVE_UNVALIDATED        0x20000000u
#define PAGE_TARGETS_INVALID            0x40000000u
#define PAGE_TARGETS_NO_UPDATE          0x40000000u
#define PAGE_ENCLAVE_THREAD_CONTROL     0x80000000u
#define PAGE_REVERT_TO_FILE_MAP         0x80000000u

/* ---- Last-error values (winerror.h) ----------------------------------- */

#define ERROR_SUCCESS            VAS_ERROR_SUCCESS           /* 0 */
#define NO_ERROR                 VAS_ERROR_SUCCESS
#define ERROR_INVALID_FUNCTION   1u
#define ERROR_ACCESS_DENIED      VAS_ERROR_ACCESS_DENIED     /* 5 */
#define ERROR_INVALID_HANDLE     VAS_ERROR_INVALID_HANDLE    /* 6 */
#define ERROR_NOT_ENOUGH_MEMORY  VAS_ERROR_NOT_ENOUGH_MEMORY /* 8 */
#define ERROR_OUTOFMEMORY        14u
#define ERROR_BAD_LENGTH         VAS_ERROR_BAD_LENGTH        /* 24 */
#define ERROR_INVALID_PARAMETER  VAS_ERROR_INVALID_PARAMETER /* 87 */
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_NOT_LOCKED         VAS_ERROR_NOT_LOCKED        /* 158 */
#define ERROR_PARTIAL_COPY       VAS_ERROR_PARTIAL_COPY      /* 299 */
#define ERROR_INVALID_ADDRESS    VAS_ERROR_INVALID_ADDRESS   /* 487 */
#define ERROR_NOACCESS           VAS_ERROR_NOACCESS          /* 998 */
#define ERROR_INVALID_FLAGS      1004u
#define ERROR_PRIVILEGE_NOT_HELD 1314u
#define ERROR_WORKING_SET_QUOTA  VAS_ERROR_WORKING_SET_QUOTA /* 1453 */
#define ERROR_COMMITMENT_LIMIT   VAS_ERROR_COMMITMENT_LIMIT  /* 1455 */

/* NTSTATUS values: exception codes, and VirtualLock's last-error on a
 * guard page (docs/semantics.md section 9). */
#define STATUS_GUARD_PAGE_VIOLATION VAS_STATUS_GUARD_PAGE_VIOLATION /* 0x80000001 */
#define STATUS_ACCESS_VIOLATION     VAS_STATUS_ACCESS_VIOLATION     /* 0xC0000005 */
#define STATUS_STACK_OVERFLOW       VAS_STATUS_STACK_OVERFLOW       /* 0xC00000FD */
#define EXCEPTION_GUARD_PAGE        STATUS_GUARD_PAGE_VIOLATION
#define EXCEPTION_ACCESS_VIOLATION  STATUS_ACCESS_VIOLATION
#define EXCEPTION_STACK_OVERFLOW    STATUS_STACK_OVERFLOW

/* ---- Structures ------------------------------------------------------- */

/* The host-width record (see the top of this header): 48 bytes on a
 * 64-bit host (with PartitionId, as in the x64 SDK), 28 on a 32-bit one. */
typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    DWORD AllocationProtect;
#if UINTPTR_MAX > 0xFFFFFFFFu
    WORD PartitionId;
#endif
    SIZE_T RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

/* The fixed-width records of winnt.h, for programs that name a bitness. */
typedef struct _MEMORY_BASIC_INFORMATION32 {
    DWORD BaseAddress;
    DWORD AllocationBase;
    DWORD AllocationProtect;
    DWORD RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
} MEMORY_BASIC_INFORMATION32, *PMEMORY_BASIC_INFORMATION32;

typedef struct _MEMORY_BASIC_INFORMATION64 {
    ULONGLONG BaseAddress;
    ULONGLONG AllocationBase;
    DWORD AllocationProtect;
    DWORD __alignment1;
    ULONGLONG RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
    DWORD __alignment2;
} MEMORY_BASIC_INFORMATION64, *PMEMORY_BASIC_INFORMATION64;

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

#define PROCESSOR_ARCHITECTURE_INTEL   0
#define PROCESSOR_ARCHITECTURE_AMD64   9
#define PROCESSOR_ARCHITECTURE_UNKNOWN 0xFFFF
#define PROCESSOR_INTEL_PENTIUM        586
#define PROCESSOR_AMD_X8664            8664

/* ---- Errors and system information ------------------------------------ */

DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);
/* x64 profile: AMD64, 0x10000..0x7FFFFFFEFFFF; x86: INTEL,
 * 0x10000..0x7FFEFFFF; x86-LAA: INTEL, 0x10000..0xFFFEFFFF. Page size
 * 0x1000, granularity 0x10000, one processor. */
void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo);
/* The same as GetSystemInfo: the model has no WoW64 layer between them. */
void WINAPI GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo);

/* ---- Processes -------------------------------------------------------- */

/* The pseudo-handle (HANDLE)-1 that names the current process in every
 * call taking a process handle. It needs no closing. */
HANDLE WINAPI GetCurrentProcess(void);
/* Closes a process handle (the process lives on), a thread handle or a
 * section handle (its views live on); the pseudo-handle closes
 * successfully and stays valid. Anything else fails with
 * ERROR_INVALID_HANDLE. */
BOOL WINAPI CloseHandle(HANDLE hObject);
/* Nothing to flush in the model: TRUE for a valid process handle, else
 * FALSE with ERROR_INVALID_HANDLE. A JIT calls it after writing code (MS
 * FlushInstructionCache). */
BOOL WINAPI FlushInstructionCache(HANDLE hProcess, LPCVOID lpBaseAddress, SIZE_T dwSize);

/* ---- Threads (processthreadsapi.h; docs/semantics.md section 11) ------ */

typedef DWORD (WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;
typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

#define STACK_SIZE_PARAM_IS_A_RESERVATION VAS_STACK_SIZE_PARAM_IS_A_RESERVATION /* 0x00010000 */
#define CREATE_SUSPENDED   0x00000004u
#define INFINITE           0xFFFFFFFFu
#define WAIT_OBJECT_0      0x00000000u
#define WAIT_FAILED        0xFFFFFFFFu
#define STILL_ACTIVE       0x00000103u

/* Makes the thread's stack as CreateThread does (dwStackSize, with
 * STACK_SIZE_PARAM_IS_A_RESERVATION the reservation) and runs
 * lpStartAddress(lpParameter) at once, to its end, as that thread: its
 * accesses through vas_read / vas_write on vas_win32_space() are the
 * thread's, so a touch of its guard page grows its stack, and
 * GetCurrentThreadStackLimits answers for it. When the function returns
 * the thread exits and its stack is released, as Windows does; the handle
 * stays until CloseHandle. CREATE_SUSPENDED is accepted and changes
 * nothing (the model has no scheduler). NULL with last-error when the
 * stack cannot be made. */
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId);
/* A thread handle is signalled (its thread has run): WAIT_OBJECT_0;
 * anything else WAIT_FAILED with ERROR_INVALID_HANDLE. */
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
/* The thread function's return value. */
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
/* The running thread's stack: [DeallocationStack, StackBase). Outside a
 * thread function: the main thread's stack of the process layout, or 0
 * and 0 in a space without one. Both out-parameters are host memory. */
VOID WINAPI GetCurrentThreadStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit);
/* SetThreadStackGuarantee for the running thread (docs/semantics.md
 * section 11); outside a thread function it fails with ERROR_INVALID_HANDLE
 * unless the layout gives the main thread a stack. */
BOOL WINAPI SetThreadStackGuarantee(PULONG StackSizeInBytes);

/* ---- Vectored exception handlers (winnt.h, errhandlingapi.h) ---------- */
/*
 * In a host-backed space (Linux), a real load, store or instruction fetch
 * that Windows would turn into an exception is delivered to these
 * handlers with Windows' record (docs/semantics.md section 15.2):
 * ExceptionCode STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION or
 * STATUS_STACK_OVERFLOW, NumberParameters 2, ExceptionInformation[0] the
 * access (EXCEPTION_READ_FAULT, _WRITE_FAULT, _EXECUTE_FAULT),
 * ExceptionInformation[1] the address accessed, ExceptionAddress the
 * faulting instruction. EXCEPTION_CONTINUE_EXECUTION runs the instruction
 * again; EXCEPTION_CONTINUE_SEARCH goes on to the next handler. When none
 * continues, an access violation ends the process (as an unhandled one
 * does), and a guard page or stack overflow is recorded (vas_host.h's
 * host_take_fault, standing in for the frame-based handler a Windows
 * program would have) and the access completes. CONTEXT is opaque: a
 * handler cannot change registers. Handlers run on the faulting thread,
 * inside the signal handler. Accesses through vas_read / vas_write return
 * their status instead and call no handler.
 */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_CONTINUE_EXECUTION ((LONG)-1)
#define EXCEPTION_CONTINUE_SEARCH    ((LONG)0)
#define EXCEPTION_EXECUTE_HANDLER    ((LONG)1)
#define EXCEPTION_READ_FAULT    0
#define EXCEPTION_WRITE_FAULT   1
#define EXCEPTION_EXECUTE_FAULT 8
#define EXCEPTION_NONCONTINUABLE 0x1u

typedef struct _EXCEPTION_RECORD {
    DWORD ExceptionCode;
    DWORD ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    DWORD NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

typedef struct _CONTEXT CONTEXT, *PCONTEXT;   /* opaque here */

typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

typedef LONG (WINAPI *PVECTORED_EXCEPTION_HANDLER)(struct _EXCEPTION_POINTERS *ExceptionInfo);

/* First nonzero: called before the handlers already added; 0: after
 * them. Returns the handler's handle, or NULL (out of memory). */
PVOID WINAPI AddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler);
/* Nonzero when Handle was a registered handler (now removed), else 0. */
ULONG WINAPI RemoveVectoredExceptionHandler(PVOID Handle);

/* ---- Virtual memory (memoryapi.h) ------------------------------------- */

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect);
BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect);
/* Returns sizeof(MEMORY_BASIC_INFORMATION) in every profile (see the top). */
SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength);

/* The same calls on the process hProcess names. A handle that names no
 * process fails with ERROR_INVALID_HANDLE (NULL included, G033). */
LPVOID WINAPI VirtualAllocEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flAllocationType, DWORD flProtect);
BOOL WINAPI VirtualFreeEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
BOOL WINAPI VirtualProtectEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                             DWORD flNewProtect, PDWORD lpflOldProtect);
SIZE_T WINAPI VirtualQueryEx(HANDLE hProcess, LPCVOID lpAddress,
                             PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength);

/* Both buffers are simulated addresses (lpBuffer in the current process);
 * the byte counts are host memory (docs/semantics.md section 13.2). */
BOOL WINAPI ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress, LPVOID lpBuffer, SIZE_T nSize,
                              SIZE_T *lpNumberOfBytesRead);
BOOL WINAPI WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress, LPCVOID lpBuffer, SIZE_T nSize,
                               SIZE_T *lpNumberOfBytesWritten);

/* Write watch (docs/semantics.md section 8). Returns 0, or (UINT)-1 with
 * last-error. lpAddresses, lpdwCount and lpdwGranularity are host memory. */
UINT WINAPI GetWriteWatch(DWORD dwFlags, PVOID lpBaseAddress, SIZE_T dwRegionSize,
                          PVOID *lpAddresses, ULONG_PTR *lpdwCount, LPDWORD lpdwGranularity);
UINT WINAPI ResetWriteWatch(LPVOID lpBaseAddress, SIZE_T dwRegionSize);

/* Locking and the working-set quota (docs/semantics.md section 9). */
BOOL WINAPI VirtualLock(LPVOID lpAddress, SIZE_T dwSize);
BOOL WINAPI VirtualUnlock(LPVOID lpAddress, SIZE_T dwSize);
BOOL WINAPI GetProcessWorkingSetSize(HANDLE hProcess, PSIZE_T lpMinimumWorkingSetSize,
                                     PSIZE_T lpMaximumWorkingSetSize);
BOOL WINAPI SetProcessWorkingSetSize(HANDLE hProcess, SIZE_T dwMinimumWorkingSetSize,
                                     SIZE_T dwMaximumWorkingSetSize);

/* ---- Sections and views (memoryapi.h, winbase.h; docs/semantics.md 12) - */

/* CreateFileMapping's flProtect attributes, or'ed with a page protection
 * (winnt.h). Only SEC_COMMIT (the default) and SEC_RESERVE are modelled;
 * the others are refused with ERROR_INVALID_PARAMETER (section 12.1). */
#define SEC_PARTITION_OWNER_HANDLE  0x00040000u
#define SEC_64K_PAGES               0x00080000u
#define SEC_FILE                    0x00800000u
#define SEC_IMAGE                   0x01000000u
#define SEC_PROTECTED_IMAGE         0x02000000u
#define SEC_RESERVE                 VAS_SEC_RESERVE /* 0x04000000 */
#define SEC_COMMIT                  VAS_SEC_COMMIT  /* 0x08000000 */
#define SEC_NOCACHE                 0x10000000u
#define SEC_WRITECOMBINE            0x40000000u
#define SEC_LARGE_PAGES             0x80000000u
#define SEC_IMAGE_NO_EXECUTE        (SEC_IMAGE | SEC_NOCACHE)

/* Section access rights (winnt.h) and MapViewOfFile's dwDesiredAccess
 * (memoryapi.h). The view's protection follows from the access as section
 * 12.3 says: FILE_MAP_COPY alone makes a copy-on-write view. */
#define SECTION_QUERY               0x0001u
#define SECTION_MAP_WRITE           0x0002u
#define SECTION_MAP_READ            0x0004u
#define SECTION_MAP_EXECUTE         0x0008u
#define SECTION_EXTEND_SIZE         0x0010u
#define SECTION_MAP_EXECUTE_EXPLICIT 0x0020u
#define SECTION_ALL_ACCESS          0x000F001Fu
#define FILE_MAP_COPY               VAS_FILE_MAP_COPY       /* 0x01 */
#define FILE_MAP_WRITE              VAS_FILE_MAP_WRITE      /* 0x02 */
#define FILE_MAP_READ               VAS_FILE_MAP_READ       /* 0x04 */
#define FILE_MAP_EXECUTE            VAS_FILE_MAP_EXECUTE    /* 0x20 */
#define FILE_MAP_ALL_ACCESS         VAS_FILE_MAP_ALL_ACCESS /* 0xF001F */
#define FILE_MAP_LARGE_PAGES        0x20000000u
#define FILE_MAP_TARGETS_INVALID    0x40000000u
#define FILE_MAP_RESERVE            0x80000000u

#define ERROR_NOT_SUPPORTED         VAS_ERROR_NOT_SUPPORTED    /* 50 */
#define ERROR_MAPPED_ALIGNMENT      VAS_ERROR_MAPPED_ALIGNMENT /* 1132 */

/* Pagefile-backed sections only: hFile must be INVALID_HANDLE_VALUE (any
 * other handle names no file the model has: ERROR_INVALID_HANDLE), and
 * lpName NULL (named sections are not modelled: ERROR_NOT_SUPPORTED).
 * The security attributes are ignored. The size is
 * dwMaximumSizeHigh:dwMaximumSizeLow. Returns the section's handle, which
 * CloseHandle closes (a view outlives it), or NULL with last-error. */
HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                 DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow,
                                 LPCSTR lpName);
HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                 DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow,
                                 LPCWSTR lpName);
#ifdef UNICODE
#define CreateFileMapping CreateFileMappingW
#else
#define CreateFileMapping CreateFileMappingA
#endif
/* The view's base (a simulated address), or NULL with last-error. The
 * offset is dwFileOffsetHigh:dwFileOffsetLow; lpBaseAddress NULL lets the
 * model choose, as MapViewOfFile does. */
LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh,
                            DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap);
LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
                              DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
                              SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress);
/* Any address inside a view unmaps the whole view. */
BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress);

/* ---- Placeholders (memoryapi.h, winnt.h; docs/semantics.md 12.9-12.14) - */

/* MEM_EXTENDED_PARAMETER's types (winnt.h). Only
 * MemExtendedParameterAddressRequirements is modelled; a parameter of any
 * other type fails with ERROR_INVALID_PARAMETER (section 12.14). */
typedef enum MEM_EXTENDED_PARAMETER_TYPE {
    MemExtendedParameterInvalidType = 0,
    MemExtendedParameterAddressRequirements,
    MemExtendedParameterNumaNode,
    MemExtendedParameterPartitionHandle,
    MemExtendedParameterUserPhysicalHandle,
    MemExtendedParameterAttributeFlags,
    MemExtendedParameterImageMachine,
    MemExtendedParameterMax
} MEM_EXTENDED_PARAMETER_TYPE, *PMEM_EXTENDED_PARAMETER_TYPE;

#define MEM_EXTENDED_PARAMETER_TYPE_BITS 8

/* Host memory, as the array that points to it. */
typedef struct _MEM_ADDRESS_REQUIREMENTS {
    PVOID LowestStartingAddress;   /* a multiple of 64 KiB; NULL: no lower limit */
    PVOID HighestEndingAddress;    /* inclusive; NULL: no upper limit */
    SIZE_T Alignment;              /* a power of two >= 64 KiB; 0: 64 KiB */
} MEM_ADDRESS_REQUIREMENTS, *PMEM_ADDRESS_REQUIREMENTS;

typedef struct MEM_EXTENDED_PARAMETER {
    struct {
        DWORD64 Type : MEM_EXTENDED_PARAMETER_TYPE_BITS;
        DWORD64 Reserved : 64 - MEM_EXTENDED_PARAMETER_TYPE_BITS;
    };
    union {
        DWORD64 ULong64;
        PVOID Pointer;     /* MemExtendedParameterAddressRequirements: a MEM_ADDRESS_REQUIREMENTS */
        SIZE_T Size;
        HANDLE Handle;
        DWORD ULong;
    };
} MEM_EXTENDED_PARAMETER, *PMEM_EXTENDED_PARAMETER;

/* VirtualAlloc2: VirtualAllocEx with placeholders (MEM_RESERVE |
 * MEM_RESERVE_PLACEHOLDER with PAGE_NOACCESS makes one;
 * MEM_RESERVE | MEM_REPLACE_PLACEHOLDER at a placeholder's exact address
 * and size replaces it with private memory) and address requirements.
 * Process NULL is the current process. Split, merge and free back with
 * VirtualFree (MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER,
 * MEM_RELEASE | MEM_COALESCE_PLACEHOLDERS) at any page (section 12.9). */
PVOID WINAPI VirtualAlloc2(HANDLE Process, PVOID BaseAddress, SIZE_T Size, ULONG AllocationType,
                           ULONG PageProtection, MEM_EXTENDED_PARAMETER *ExtendedParameters,
                           ULONG ParameterCount);
/* MapViewOfFile3: a view with a page protection (not a FILE_MAP_* access);
 * AllocationType 0, MEM_REPLACE_PLACEHOLDER (into a placeholder of exactly
 * the view's address and size; address and offset page-aligned) or
 * MEM_TOP_DOWN. Process NULL or the current process: views in other
 * processes are not modelled (ERROR_NOT_SUPPORTED). */
PVOID WINAPI MapViewOfFile3(HANDLE FileMapping, HANDLE Process, PVOID BaseAddress, ULONG64 Offset,
                            SIZE_T ViewSize, ULONG AllocationType, ULONG PageProtection,
                            MEM_EXTENDED_PARAMETER *ExtendedParameters, ULONG ParameterCount);
/* UnmapFlags: MEM_PRESERVE_PLACEHOLDER turns a view that replaced a
 * placeholder back into one; MEM_UNMAP_WITH_TRANSIENT_BOOST is a hint. */
BOOL WINAPI UnmapViewOfFile2(HANDLE Process, PVOID BaseAddress, ULONG UnmapFlags);
BOOL WINAPI UnmapViewOfFileEx(PVOID BaseAddress, ULONG UnmapFlags);

/* ---- Pointer probes (winbase.h; docs/semantics.md section 10) --------- */

/* Simulated accesses: TRUE when one would fault; a guard page on the way
 * fires. Last-error is not touched. */
BOOL WINAPI IsBadReadPtr(const void *lp, UINT_PTR ucb);
BOOL WINAPI IsBadWritePtr(LPVOID lp, UINT_PTR ucb);
BOOL WINAPI IsBadCodePtr(FARPROC lpfn);
BOOL WINAPI IsBadStringPtrA(LPCSTR lpsz, UINT_PTR ucchMax);
BOOL WINAPI IsBadStringPtrW(LPCWSTR lpsz, UINT_PTR ucchMax);
#ifdef UNICODE
#define IsBadStringPtr IsBadStringPtrW
#else
#define IsBadStringPtr IsBadStringPtrA
#endif

/* ---- The current space (not Windows API) ------------------------------ */

/* Stands in for CreateProcess (suspended) + its process handle: a new,
 * empty process of configuration cfg (NULL: the current space's) that the
 * current space holds a handle to; NULL with last-error on failure. */
HANDLE vas_win32_create_process(const vas_config *cfg);

/* Makes vas the current space (not owned: the caller destroys it later).
 * NULL goes back to the default space. */
void vas_win32_use(vas_t *vas);
/* The current space, creating the default one if needed (see the top for
 * VAS_WIN32_PROFILE and VAS_WIN32_HOST_BACKED). NULL only if that creation
 * failed (out of memory, no room for a host window, or a profile name it
 * does not know, which it reports on stderr); every call then fails with
 * ERROR_NOT_ENOUGH_MEMORY. */
vas_t *vas_win32_space(void);

#ifdef __cplusplus
}
#endif

#endif /* VAS_WIN32_H */
