/*
 * win32_placeholders.c - VirtualAlloc2, MapViewOfFile3, UnmapViewOfFile2
 * and UnmapViewOfFileEx (vas/win32.h) over the model's placeholder calls:
 * the MEM_EXTENDED_PARAMETER array (host memory) becomes vas_ext_param's.
 *
 * fuzz-unreached-file: win32-shim - no fuzz target calls the VirtualAlloc2-style wrapper
 */
#include "win32_shim.h"

/* At most two parameters matter: with two or more the call fails whatever
 * they are (section 12.14), and the first two decide it the same way. */
#define PARAMS_KEPT 2u

/* The model's form of the array; returns the count to pass. A requirements
 * parameter without its structure is of no type the model knows. */
static uint32_t ext_params_of(const MEM_EXTENDED_PARAMETER *in, ULONG count, vas_ext_param *out)
{
    uint32_t n = count < PARAMS_KEPT ? (uint32_t)count : PARAMS_KEPT;
    for (uint32_t i = 0; in && i < n; i++) {
        const MEM_ADDRESS_REQUIREMENTS *r = in[i].Pointer;
        out[i].type = (uint32_t)in[i].Type;
        out[i].lowest = out[i].highest = out[i].alignment = 0;
        if (out[i].type != VAS_MEM_EXT_ADDRESS_REQUIREMENTS)
            continue;
        if (!r) {
            out[i].type = VAS_MEM_EXT_INVALID_TYPE;
            continue;
        }
        out[i].lowest = shim_address(r->LowestStartingAddress);
        out[i].highest = shim_address(r->HighestEndingAddress);
        out[i].alignment = r->Alignment;
    }
    return n;
}

/* NULL stays 0, the model's "calling process" for these two calls. */
static uint64_t process_or_null(HANDLE h)
{
    return h == NULL ? 0 : shim_handle(h);
}

PVOID WINAPI VirtualAlloc2(HANDLE Process, PVOID BaseAddress, SIZE_T Size, ULONG AllocationType,
                           ULONG PageProtection, MEM_EXTENDED_PARAMETER *ExtendedParameters,
                           ULONG ParameterCount)
{
    vas_t *v = vas_win32_space();
    vas_ext_param params[PARAMS_KEPT];
    if (!v)
        return NULL;
    uint32_t n = ext_params_of(ExtendedParameters, ParameterCount, params);
    return shim_pointer(vas_alloc2(v, process_or_null(Process), shim_address(BaseAddress), Size,
                                   AllocationType, PageProtection, ExtendedParameters ? params : NULL, n));
}

PVOID WINAPI MapViewOfFile3(HANDLE FileMapping, HANDLE Process, PVOID BaseAddress, ULONG64 Offset,
                            SIZE_T ViewSize, ULONG AllocationType, ULONG PageProtection,
                            MEM_EXTENDED_PARAMETER *ExtendedParameters, ULONG ParameterCount)
{
    vas_t *v = vas_win32_space();
    vas_ext_param params[PARAMS_KEPT];
    if (!v)
        return NULL;
    uint32_t n = ext_params_of(ExtendedParameters, ParameterCount, params);
    /* A section handle is a plain number (win32_sections.c). */
    return shim_pointer(vas_map_view3(v, (uint64_t)(uintptr_t)FileMapping, process_or_null(Process),
                                      shim_address(BaseAddress), Offset, ViewSize, AllocationType,
                                      PageProtection, ExtendedParameters ? params : NULL, n));
}

BOOL WINAPI UnmapViewOfFile2(HANDLE Process, PVOID BaseAddress, ULONG UnmapFlags)
{
    vas_t *v = vas_win32_space();
    return v ? vas_unmap_view2(v, shim_handle(Process), shim_address(BaseAddress), UnmapFlags) : FALSE;
}

BOOL WINAPI UnmapViewOfFileEx(PVOID BaseAddress, ULONG UnmapFlags)
{
    return UnmapViewOfFile2(GetCurrentProcess(), BaseAddress, UnmapFlags);
}
