/*
 * jit.c - a tiny JIT, written the way Microsoft advises: generated code is
 * written into PAGE_READWRITE memory, the pages are then switched to
 * PAGE_EXECUTE_READ with VirtualProtect and the instruction cache is
 * flushed before the code runs; the memory is never writable and
 * executable at once. Patching a function goes back through read-write.
 *
 * One of the realistic programs of conformance/programs (README.md): it
 * compiles unchanged against <windows.h> and against vas/win32.h, and
 * prints only what does not depend on where memory lands.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

typedef int (*int_function)(void);

/* x86 and x86-64 alike: mov eax, imm32 ; ret */
static SIZE_T emit_return_constant(unsigned char *at, int value)
{
    at[0] = 0xB8;
    memcpy(at + 1, &value, 4);
    at[5] = 0xC3;
    return 6;
}

static int_function as_function(unsigned char *code)
{
    return (int_function)(void *)code;
}

static void show_page(const char *what, const void *p)
{
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T got = VirtualQuery(p, &mbi, sizeof mbi);
    /* A free region's size runs to the next allocation: where that is
     * depends on the system, so it is not printed. */
    printf("%s: query=%s state=0x%lx protect=0x%lx type=0x%lx size=0x%lx\n", what,
           got == sizeof mbi ? "ok" : "bad", (unsigned long)mbi.State, (unsigned long)mbi.Protect,
           (unsigned long)mbi.Type, mbi.State == MEM_FREE ? 0ul : (unsigned long)mbi.RegionSize);
}

/* Makes [code, code + size) executable, the advised way. */
static BOOL seal(unsigned char *code, SIZE_T size)
{
    DWORD old = 0;
    BOOL ok = VirtualProtect(code, size, PAGE_EXECUTE_READ, &old);
    printf("seal: ok=%d old=0x%lx flush=%d\n", ok, (unsigned long)old,
           FlushInstructionCache(GetCurrentProcess(), code, size));
    return ok;
}

int main(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    SIZE_T page = si.dwPageSize;

    unsigned char *code = VirtualAlloc(NULL, 2 * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    printf("alloc: ok=%d\n", code != NULL);
    if (!code)
        return 1;
    show_page("fresh", code);

    /* Two functions in the first page; the second page stays data. */
    emit_return_constant(code, 42);
    emit_return_constant(code + 16, 7);
    if (!seal(code, page))
        return 1;
    show_page("code", code);
    show_page("data", code + page);
    printf("run: f0=%d f1=%d\n", as_function(code)(), as_function(code + 16)());

    /* Sealed code is not writable; data next to it is. */
    printf("probe: write_code=%d read_code=%d code_ptr=%d write_data=%d\n",
           IsBadWritePtr(code, 1), IsBadReadPtr(code, page),
           IsBadCodePtr((FARPROC)(void *)code), IsBadWritePtr(code + page, page));

    /* Patching: back to read-write, rewrite, seal again. */
    DWORD old = 0;
    BOOL ok = VirtualProtect(code, page, PAGE_READWRITE, &old);
    printf("unseal: ok=%d old=0x%lx\n", ok, (unsigned long)old);
    emit_return_constant(code, 99);
    seal(code, page);
    printf("run: f0=%d f1=%d\n", as_function(code)(), as_function(code + 16)());

    /* Protections a JIT must not ask for on private memory. */
    SetLastError(0);
    ok = VirtualProtect(code, page, PAGE_EXECUTE_WRITECOPY, &old);
    printf("writecopy: ok=%d error=%lu\n", ok, (unsigned long)GetLastError());
    SetLastError(0);
    ok = VirtualProtect(code, page, PAGE_EXECUTE_READ | PAGE_NOCACHE | PAGE_WRITECOMBINE, &old);
    printf("two-cache-bits: ok=%d error=%lu\n", ok, (unsigned long)GetLastError());

    /* A code heap: reserve, commit code pages one at a time, straight to
     * execute-read through a read-write staging copy. */
    unsigned char *heap = VirtualAlloc(NULL, 16 * page, MEM_RESERVE, PAGE_NOACCESS);
    unsigned char *fn = VirtualAlloc(heap + 3 * page, page, MEM_COMMIT, PAGE_READWRITE);
    printf("heap: reserve=%d commit_offset=0x%lx\n", heap != NULL,
           (unsigned long)(fn ? fn - heap : -1));
    if (fn) {
        emit_return_constant(fn, -5);
        seal(fn, page);
        printf("run: heap_fn=%d\n", as_function(fn)());
    }
    show_page("heap-below", heap);
    show_page("heap-fn", heap + 3 * page);
    show_page("heap-above", heap + 4 * page);

    printf("free: code=%d heap=%d\n", VirtualFree(code, 0, MEM_RELEASE), VirtualFree(heap, 0, MEM_RELEASE));
    printf("probe-after-free: code_ptr=%d\n", IsBadCodePtr((FARPROC)(void *)code));
    show_page("freed", code);
    printf("done\n");
    return 0;
}
