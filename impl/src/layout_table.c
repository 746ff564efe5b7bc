/*
 * layout_table.c - the allocations of VAS_LAYOUT_PROCESS, the table of
 * docs/semantics.md section 11.2 as data (layout_table.h).
 */
#include "layout_table.h"

#define R   VAS_PAGE_READONLY
#define RW  VAS_PAGE_READWRITE
#define XR  VAS_PAGE_EXECUTE_READ
#define WC  VAS_PAGE_WRITECOPY

/* An image: headers, .text, .rdata, .data, the rest (.pdata, .rsrc, .reloc). */
#define IMAGE(name, base, text, rdata, data, rest)                                        \
    {{name, "image", base, 0x1000 + (text) + (rdata) + (data) + (rest)},                  \
     VAS_MEM_IMAGE, VAS_PAGE_EXECUTE_WRITECOPY, 0, 0,                                     \
     {{0x1000, VAS_MEM_COMMIT, R}, {text, VAS_MEM_COMMIT, XR}, {rdata, VAS_MEM_COMMIT, R}, \
      {data, VAS_MEM_COMMIT, WC}, {rest, VAS_MEM_COMMIT, R}}}

/* Private memory with its pieces. */
#define PRIVATE(name, role, base, size, ap, system, charged, ...) \
    {{name, role, base, size}, VAS_MEM_PRIVATE, ap, system, charged, {__VA_ARGS__}}

static const layout_alloc process_layout[] = {
    PRIVATE("process parameters", "private", 0x10000, 0x2000, RW, 0, 1, {0x2000, VAS_MEM_COMMIT, RW}),
    PRIVATE("PEB", "system", 0x20000, 0x1000, RW, 1, 1, {0x1000, VAS_MEM_COMMIT, RW}),
    PRIVATE("TEB (main thread)", "system", 0x30000, 0x2000, RW, 1, 1, {0x2000, VAS_MEM_COMMIT, RW}),
    PRIVATE("main thread stack", "stack", 0x40000, 0x100000, RW, 0, 1,
            {0xFB000, VAS_MEM_RESERVE, 0}, {0x3000, VAS_MEM_COMMIT, RW | VAS_PAGE_GUARD},
            {0x2000, VAS_MEM_COMMIT, RW}),
    PRIVATE("default process heap", "heap", 0x140000, 0x100000, RW, 0, 1,
            {0x1000, VAS_MEM_COMMIT, RW}, {0xFF000, VAS_MEM_RESERVE, 0}),
    PRIVATE("KUSER_SHARED_DATA", "system", 0x7FFE0000, 0x1000, R, 1, 0, {0x1000, VAS_MEM_COMMIT, R}),
    IMAGE("app.exe", 0x140000000ull, 0x3000, 0x2000, 0x1000, 0x1000),
    IMAGE("KernelBase.dll", 0x7FFB9D0A0000ull, 0x1A5000, 0xF2000, 0x6000, 0x2A000),
    IMAGE("kernel32.dll", 0x7FFB9E5B0000ull, 0x7F000, 0x33000, 0x2000, 0x8000),
    IMAGE("ntdll.dll", 0x7FFB9F6F0000ull, 0x12E000, 0x4F000, 0xC000, 0x6E000),
};

#define N_PROCESS (sizeof process_layout / sizeof process_layout[0])

const vas_layout_entry *vas_layout_entries(vas_layout layout, size_t *n)
{
    static vas_layout_entry entries[N_PROCESS];
    if (layout != VAS_LAYOUT_PROCESS) {
        *n = 0;
        return entries;
    }
    for (size_t i = 0; i < N_PROCESS; i++)
        entries[i] = process_layout[i].entry;
    *n = N_PROCESS;
    return entries;
}

const layout_alloc *layout_table(vas_layout layout, size_t *n)
{
    *n = layout == VAS_LAYOUT_PROCESS ? N_PROCESS : 0;
    return process_layout;
}
