/*
 * test_host_memory.c - the host-backed mode against real memory: what real
 * loads, stores and calls do on every protection, one-shot guard pages
 * through real pointers, contents across commit / decommit, window
 * placement (x64: its low part), windows reused as new, and that the
 * verifier notices real memory drifting from the model.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "vas/vas.h"
#include "vas/vas_debug.h"
#include "vas/vas_host.h"
#include "host_check.h"

#define PAGE 0x1000u
#define RW VAS_PAGE_READWRITE
#define RESERVE VAS_MEM_RESERVE
#define COMMIT VAS_MEM_COMMIT

/* Which real accesses each Windows protection allows (semantics.md 1). */
static const struct {
    uint32_t protect;
    int read, write, exec;
} rights[] = {
    {VAS_PAGE_NOACCESS, 0, 0, 0},
    {VAS_PAGE_READONLY, 1, 0, 0},
    {VAS_PAGE_READWRITE, 1, 1, 0},
    {VAS_PAGE_EXECUTE, 1, 0, 1},
    {VAS_PAGE_EXECUTE_READ, 1, 0, 1},
    {VAS_PAGE_EXECUTE_READWRITE, 1, 1, 1},
    {VAS_PAGE_READWRITE | VAS_PAGE_NOCACHE, 1, 1, 0},
};

/* x64 cannot be mirrored whole: the low part is (test_host_x64.c has the
 * rest); a space small enough to fit is mirrored entirely. */
static void test_x64_windows(void)
{
    vas_t *v = host_space(VAS_PROFILE_X64, 0);              /* 128 TiB: a low window */
    CHECK(v != NULL);
    if (v) {
        CHECK(host_mirrored_end(v) <= ((uint64_t)64 << 30));
        CHECK(host_mirrored_end(v) < vas_get_config(v)->max_address + 1);
        vas_destroy(v);
    }
    v = host_space(VAS_PROFILE_X64, 0x3FFFFFFFFull);          /* 16 GiB: all of it */
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ(host_mirrored_end(v), 0x400000000ull);
        uint64_t a = vas_alloc(v, 0, 0x10000, RESERVE | COMMIT | VAS_MEM_TOP_DOWN, RW);
        CHECK(a != 0);
        uint8_t *p = vas_host_pointer(v, a);
        CHECK(p != NULL);
        if (p) {
            p[5] = 0x5A;   /* a real store at the top of the 16 GiB window */
            CHECK_EQ(p[5], 0x5A);
            CHECK_EQ(vas_write(v, a + 5, &p[5], 1, NULL), VAS_STATUS_SUCCESS);   /* the model learns it */
        }
        CHECK_VERIFIED(v);
        vas_destroy(v);
    }
}

/* Real read / write / call on a page committed with each protection. */
static void test_access_rights(vas_t *v)
{
    static const uint8_t ret = 0xC3;   /* x86 `ret` */
    for (size_t i = 0; i < sizeof rights / sizeof rights[0]; i++) {
        uint32_t old;
        uint64_t a = vas_alloc(v, 0, PAGE, RESERVE | COMMIT, VAS_PAGE_EXECUTE_READWRITE);
        CHECK(a != 0);
        CHECK_EQ(vas_write(v, a + 0x10, &ret, 1, NULL), VAS_STATUS_SUCCESS);
        CHECK(vas_protect(v, a, PAGE, rights[i].protect, &old));
        uint8_t *p = vas_host_pointer(v, a);
        uintptr_t fault = 0;
        CHECK_EQ(host_probe_read(p + 0x10, 1, &fault), rights[i].read);
        if (!rights[i].read)
            CHECK_EQ(fault, (uintptr_t)(p + 0x10));
        fault = 0;
        CHECK_EQ(host_probe_write(p + 0x20, 1, &fault), rights[i].write);
        if (!rights[i].write)
            CHECK_EQ(fault, (uintptr_t)(p + 0x20));
        fault = 0;
        CHECK_EQ(host_probe_call(p + 0x10, &fault), rights[i].exec);
        if (!rights[i].exec)
            CHECK_EQ(fault, (uintptr_t)(p + 0x10));
        /* The model agrees with the MMU. */
        uint8_t b;
        CHECK_EQ(vas_read(v, a + 0x10, &b, 1, NULL) == VAS_STATUS_SUCCESS, rights[i].read);
        CHECK_EQ(vas_exec(v, a + 0x10, NULL) == VAS_STATUS_SUCCESS, rights[i].exec);
        CHECK_VERIFIED(v);
        CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
    }
    CHECK_VERIFIED(v);
}

/* The exec scenario: write `ret` while EXECUTE_READWRITE, make it
 * EXECUTE_READ, call it. */
static void test_execute_written_code(vas_t *v)
{
    uint64_t a = vas_alloc(v, 0, PAGE, RESERVE | COMMIT, VAS_PAGE_EXECUTE_READWRITE);
    CHECK(a != 0);
    uint8_t *p = vas_host_pointer(v, a);
    p[0] = 0xC3;   /* a real store through the mirrored pointer */
    uint32_t old;
    CHECK(vas_protect(v, a, PAGE, VAS_PAGE_EXECUTE_READ, &old));
    CHECK_EQ(old, VAS_PAGE_EXECUTE_READWRITE);
    void (*fn)(void);
    memcpy(&fn, &p, sizeof fn);
    fn();   /* must not fault */
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_write(p, 1, &fault), 0);
    CHECK(vas_protect(v, a, PAGE, VAS_PAGE_READWRITE, &old));
    CHECK_EQ(host_probe_call(p, &fault), 0);
    CHECK_EQ(fault, (uintptr_t)p);
    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
}

/* A guard page fires once under a real access, then behaves as its base. */
static void test_guard_page(vas_t *v)
{
    uint64_t addr;
    while (host_take_fault(v, &addr))
        ;
    uint64_t a = vas_alloc(v, 0, 2 * PAGE, RESERVE | COMMIT, RW | VAS_PAGE_GUARD);
    CHECK(a != 0);
    volatile int *p = vas_host_pointer(v, a + 0x40);

    /* A probe sees the fault but fires nothing: the guard is still there. */
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_read((const void *)p, 1, &fault), 0);
    vas_mbi m;
    CHECK(vas_query(v, a, &m, sizeof m));
    CHECK_EQ(m.protect, RW | VAS_PAGE_GUARD);
    CHECK_EQ(host_take_fault(v, &addr), 0);

    p[0] = 41;   /* fires the guard, then completes */
    CHECK_EQ(host_take_fault(v, &addr), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(addr, a + 0x40);
    p[1] = 42;   /* guard gone: no second violation */
    CHECK_EQ(host_take_fault(v, &addr), 0);
    CHECK_EQ(p[0] + p[1], 83);
    CHECK(vas_query(v, a, &m, sizeof m));
    CHECK_EQ(m.protect, RW);
    CHECK_EQ(m.region_size, PAGE);
    CHECK(vas_query(v, a + PAGE, &m, sizeof m));
    CHECK_EQ(m.protect, RW | VAS_PAGE_GUARD);   /* the next page keeps its guard */

    /* A guard on a read-only page: a read fires it and completes. */
    uint32_t old;
    CHECK(vas_protect(v, a + PAGE, PAGE, VAS_PAGE_READONLY | VAS_PAGE_GUARD, &old));
    volatile const uint8_t *q = vas_host_pointer(v, a + PAGE + 7);
    CHECK_EQ(*q, 0);
    CHECK_EQ(host_take_fault(v, &addr), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(addr, a + PAGE + 7);
    CHECK_EQ(host_probe_write((void *)(uintptr_t)q, 1, &fault), 0);   /* still read-only */

    /* The model's own access fires a guard too, and the real page follows. */
    CHECK(vas_protect(v, a, PAGE, RW | VAS_PAGE_GUARD, &old));
    CHECK_EQ(host_probe_read((const void *)p, 1, &fault), 0);
    int x;
    CHECK_EQ(vas_read(v, a + 0x40, &x, sizeof x, NULL), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(host_probe_read((const void *)p, 1, &fault), 1);
    CHECK_EQ(host_take_fault(v, &addr), 0);   /* a simulated access is not a real fault */
    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
}

static int page_is_zero(const uint8_t *p)
{
    for (unsigned i = 0; i < PAGE; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_contents(vas_t *v)
{
    uint64_t a = vas_alloc(v, 0, 4 * PAGE, RESERVE, RW);
    CHECK(a != 0);
    CHECK_EQ(vas_alloc(v, a, 2 * PAGE, COMMIT, RW), a);
    uint8_t *p = vas_host_pointer(v, a);
    CHECK(page_is_zero(p) && page_is_zero(p + PAGE));
    static const char text[] = "mirrored";
    CHECK_EQ(vas_write(v, a + 100, text, sizeof text, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(p + 100, text, sizeof text) == 0);   /* the model's write reached real memory */
    CHECK_VERIFIED(v);

    /* Re-commit of committed pages keeps data, also under a new protection. */
    CHECK_EQ(vas_alloc(v, a, 2 * PAGE, COMMIT, VAS_PAGE_READONLY), a);
    CHECK(memcmp(p + 100, text, sizeof text) == 0);
    CHECK_VERIFIED(v);

    /* Decommit drops them: the next commit reads zeros, really. */
    CHECK(vas_free(v, a, PAGE, VAS_MEM_DECOMMIT));
    uintptr_t fault;
    CHECK_EQ(host_probe_read(p + 100, 1, &fault), 0);
    unsigned char resident = 1;
    CHECK_EQ(mincore(p, PAGE, &resident), 0);
    CHECK_EQ(resident & 1, 0);
    CHECK_VERIFIED(v);
    CHECK_EQ(vas_alloc(v, a, PAGE, COMMIT, RW), a);
    CHECK(page_is_zero(p));
    CHECK_VERIFIED(v);
    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
    CHECK_EQ(host_probe_read(p, 1, &fault), 0);
    CHECK_VERIFIED(v);
}

/* The verifier is not a rubber stamp: drift planted behind the model's
 * back is reported. */
static void test_verifier_sees_drift(vas_t *v)
{
    char msg[256];
    uint64_t a = vas_alloc(v, 0, 2 * PAGE, RESERVE | COMMIT, RW);
    CHECK(a != 0);
    uint8_t *p = vas_host_pointer(v, a);
    CHECK_VERIFIED(v);

    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ), 0);
    CHECK_EQ(host_verify(v, msg, sizeof msg), 1);
    CHECK(strstr(msg, "r--") != NULL);
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(host_verify(v, msg, sizeof msg), 0);

    p[9] = 0x77;   /* a real store the model never saw ... */
    uint32_t old;
    CHECK(vas_protect(v, a, PAGE, RW, &old));   /* ... on a page the next check looks at */
    CHECK_EQ(host_verify(v, msg, sizeof msg), 1);
    CHECK(strstr(msg, "0x77") != NULL);
    CHECK_EQ(vas_write(v, a + 9, &p[9], 1, NULL), VAS_STATUS_SUCCESS);   /* model catches up */
    CHECK_VERIFIED(v);
    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
}

/* A destroyed space's window is kept for the next space over the same
 * range (host_window.c): it must come back as new, every page
 * inaccessible and empty, whatever the last space left in it. */
static void test_window_reuse(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    if (!v)
        return;
    uint64_t a = vas_alloc(v, 0, 4 * PAGE, RESERVE | COMMIT, RW);
    CHECK(a != 0);
    uint8_t *p = vas_host_pointer(v, a);
    memset(p, 0xA5, 4 * PAGE);
    CHECK_EQ(vas_write(v, a, p, 4 * PAGE, NULL), VAS_STATUS_SUCCESS);
    uint32_t old;
    CHECK(vas_protect(v, a + PAGE, PAGE, VAS_PAGE_READONLY | VAS_PAGE_GUARD, &old));
    CHECK(vas_protect(v, a + 2 * PAGE, PAGE, VAS_PAGE_EXECUTE_READ, &old));
    CHECK_VERIFIED(v);
    int ok;
    uint64_t offset = host_offset(v, &ok);
    vas_destroy(v);

    v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    if (!v)
        return;
    CHECK_EQ(host_offset(v, &ok), offset);   /* the same window, reused */
    CHECK(vas_host_pointer(v, a) == p);
    /* One inaccessible stretch over the whole window ... */
    uintptr_t lo = (uintptr_t)vas_host_pointer(v, vas_get_config(v)->min_address);
    uintptr_t hi = lo + (host_mirrored_end(v) - vas_get_config(v)->min_address);
    host_map *maps;
    long n = host_maps_read(lo, hi, &maps);
    CHECK(n >= 1);
    for (long i = 0; i < n; i++) {
        CHECK_EQ(maps[i].prot, PROT_NONE);
        CHECK(i == 0 ? maps[i].start <= lo : maps[i].start == maps[i - 1].end);
    }
    if (n >= 1)
        CHECK(maps[n - 1].end >= hi);
    free(maps);
    /* ... holding no pages ... */
    unsigned char held[4];
    CHECK_EQ(mincore(p, 4 * PAGE, held), 0);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(held[i] & 1, 0);
    CHECK_VERIFIED(v);
    /* ... so the same pages commit as zeros. */
    CHECK_EQ(vas_alloc(v, 0, 4 * PAGE, RESERVE | COMMIT, RW), a);
    for (int i = 0; i < 4; i++)
        CHECK(page_is_zero(p + i * PAGE));
    CHECK_VERIFIED(v);
    vas_destroy(v);
}

static void run_profile(vas_profile profile, const char *name)
{
    vas_t *v = host_space(profile, 0);
    CHECK(v != NULL);
    if (!v)
        return;
    int ok;
    uint64_t offset = host_offset(v, &ok);
    CHECK(ok);
    printf("%s: window at %s (offset 0x%llx)\n", name, offset ? "an offset" : "the same addresses",
           (unsigned long long)offset);
    CHECK(vas_host_pointer(v, 0x10000 - 1) == NULL);
    CHECK(vas_host_pointer(v, 0x10000) != NULL);
    CHECK(vas_host_pointer(v, vas_get_config(v)->max_address + 1) == NULL);
    test_access_rights(v);
    test_execute_written_code(v);
    test_guard_page(v);
    test_contents(v);
    test_verifier_sees_drift(v);
    CHECK_VERIFIED(v);
    vas_destroy(v);
}

int main(void)
{
    test_x64_windows();
    test_window_reuse();
    run_profile(VAS_PROFILE_X86, "x86");
    run_profile(VAS_PROFILE_X86_LAA, "x86_laa");
    run_profile(VAS_PROFILE_X64, "x64");   /* bottom-up allocations land in the low window */
    /* Two windows at once: the second cannot have the same addresses. */
    vas_t *a = host_space(VAS_PROFILE_X86, 0), *b = host_space(VAS_PROFILE_X86, 0);
    CHECK(a && b);
    if (a && b) {
        int ok;
        CHECK(host_offset(a, &ok) != host_offset(b, &ok));
        uint64_t pa = vas_alloc(a, 0, PAGE, RESERVE | COMMIT, RW);
        uint64_t pb = vas_alloc(b, 0, PAGE, RESERVE | COMMIT, VAS_PAGE_READONLY);
        CHECK_EQ(pa, pb);   /* same simulated address, different real pages */
        uintptr_t fault;
        CHECK_EQ(host_probe_write(vas_host_pointer(a, pa), 1, &fault), 1);
        CHECK_EQ(host_probe_write(vas_host_pointer(b, pb), 1, &fault), 0);
    }
    vas_destroy(a);
    vas_destroy(b);
    return check_report("host_memory");
}
