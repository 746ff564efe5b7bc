/*
 * win32_space.c - the space vas/win32.h works on (chosen, or a default one
 * made from the environment on first use), last-error, system information
 * and process handles.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc-style wrapper
 */
#include "win32_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vas_t *default_space;   /* created on first use, never destroyed */
static int default_tried;      /* a failed creation is not retried */
static vas_t *chosen_space;    /* set by vas_win32_use, owned by the caller */

void vas_win32_use(vas_t *vas)
{
    chosen_space = vas;
}

/* VAS_WIN32_PROFILE: 1 and *profile, or 0 for a name it does not know. */
static int profile_from_environment(vas_profile *profile)
{
    static const struct { const char *name; vas_profile profile; } names[] = {
        { "x64", VAS_PROFILE_X64 }, { "x86", VAS_PROFILE_X86 }, { "x86-laa", VAS_PROFILE_X86_LAA },
    };
    const char *s = getenv("VAS_WIN32_PROFILE");
    *profile = VAS_PROFILE_X64;
    if (!s || !*s)
        return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *profile = names[i].profile;
            return 1;
        }
    fprintf(stderr, "vas/win32.h: VAS_WIN32_PROFILE=%s is not x64, x86 or x86-laa\n", s);
    return 0;
}

static vas_t *default_create(void)
{
    vas_profile profile;
    if (!profile_from_environment(&profile))
        return NULL;
    vas_config cfg;
    vas_config_default(&cfg, profile);
    const char *host = getenv("VAS_WIN32_HOST_BACKED");
    cfg.host_backed = host && strcmp(host, "1") == 0;
    vas_t *v = vas_create(&cfg);
    if (!v)
        fprintf(stderr, "vas/win32.h: the default %s space could not be created\n",
                cfg.host_backed ? "host-backed" : "model");
    return v;
}

vas_t *vas_win32_space(void)
{
    if (chosen_space)
        return chosen_space;
    if (!default_tried) {
        default_tried = 1;
        default_space = default_create();
    }
    return default_space;
}

DWORD WINAPI GetLastError(void)
{
    vas_t *v = vas_win32_space();
    return v ? vas_last_error(v) : ERROR_NOT_ENOUGH_MEMORY;
}

void WINAPI SetLastError(DWORD dwErrCode)
{
    vas_t *v = vas_win32_space();
    if (v)
        vas_set_last_error(v, dwErrCode);
}

void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo)
{
    vas_t *v = vas_win32_space();
    vas_config def;
    const vas_config *cfg = v ? vas_get_config(v) : (vas_config_default(&def, VAS_PROFILE_X64), &def);
    int x64 = cfg->profile == VAS_PROFILE_X64;
    memset(lpSystemInfo, 0, sizeof *lpSystemInfo);
    lpSystemInfo->wProcessorArchitecture = x64 ? PROCESSOR_ARCHITECTURE_AMD64 : PROCESSOR_ARCHITECTURE_INTEL;
    lpSystemInfo->dwPageSize = VAS_PAGE_SIZE;
    lpSystemInfo->lpMinimumApplicationAddress = shim_pointer(cfg->min_address);
    lpSystemInfo->lpMaximumApplicationAddress = shim_pointer(cfg->max_address);
    lpSystemInfo->dwActiveProcessorMask = 1;
    lpSystemInfo->dwNumberOfProcessors = 1;
    lpSystemInfo->dwProcessorType = x64 ? PROCESSOR_AMD_X8664 : PROCESSOR_INTEL_PENTIUM;
    lpSystemInfo->dwAllocationGranularity = VAS_ALLOCATION_GRANULARITY;
    lpSystemInfo->wProcessorLevel = 6;
}

void WINAPI GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo)
{
    GetSystemInfo(lpSystemInfo);
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return INVALID_HANDLE_VALUE;
}

vas_t *shim_process(HANDLE hProcess)
{
    vas_t *v = vas_win32_space();
    if (!v)
        return NULL;
    vas_t *t = vas_process_space(v, shim_handle(hProcess));
    if (!t)
        vas_set_last_error(v, ERROR_INVALID_HANDLE);
    return t;
}

HANDLE vas_win32_create_process(const vas_config *cfg)
{
    vas_t *v = vas_win32_space();
    return v ? (HANDLE)(uintptr_t)vas_process_create(v, cfg) : NULL;
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    vas_t *v = vas_win32_space();
    if (shim_close_thread(hObject))
        return TRUE;
    return v ? vas_close_handle(v, shim_handle(hObject)) : FALSE;
}

BOOL WINAPI FlushInstructionCache(HANDLE hProcess, LPCVOID lpBaseAddress, SIZE_T dwSize)
{
    (void)lpBaseAddress;
    (void)dwSize;
    return shim_process(hProcess) != NULL;
}
