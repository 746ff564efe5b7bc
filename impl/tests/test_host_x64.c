/*
 * test_host_x64.c - a host-backed x64 space, which is mirrored only in its
 * low part: allocations there get real pointers whose protections the MMU
 * enforces; allocations above the window (top-down ones, near the top of
 * the 128 TiB) work in the model with no real pointer; a reservation that
 * straddles the window's end is mirrored up to it and no further.
 */
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "vas/vas.h"
#include "vas/vas_debug.h"
#include "vas/vas_host.h"
#include "host_check.h"

#define PAGE 0x1000u
#define GRAN 0x10000u
#define RW VAS_PAGE_READWRITE
#define RESERVE VAS_MEM_RESERVE
#define COMMIT VAS_MEM_COMMIT

/* Low (bottom-up) allocations are real: stores land, protections bite, a
 * guard page fires once. */
static void test_low_is_mirrored(vas_t *v, uint64_t end)
{
    uint64_t a = vas_alloc(v, 0, 3 * PAGE, RESERVE | COMMIT, RW);
    CHECK(a != 0 && a + 3 * PAGE <= end);
    uint8_t *p = vas_host_pointer(v, a);
    CHECK(p != NULL);
    if (!p)
        return;
    p[1] = 0x11;   /* a real store, which the model is then told about */
    uint8_t b = 0;
    CHECK_EQ(vas_write(v, a + 1, &p[1], 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_read(v, a + 1, &b, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(b, 0x11);
    static const char text[] = "x64 low";
    CHECK_EQ(vas_write(v, a + PAGE, text, sizeof text, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(p + PAGE, text, sizeof text) == 0);   /* the model's write is real */
    CHECK_VERIFIED(v);

    uint32_t old;
    uintptr_t fault = 0;
    CHECK(vas_protect(v, a, PAGE, VAS_PAGE_READONLY, &old));
    CHECK_EQ(host_probe_read(p, 1, &fault), 1);
    CHECK_EQ(host_probe_write(p, 1, &fault), 0);
    CHECK_EQ(fault, (uintptr_t)p);
    CHECK(vas_protect(v, a + PAGE, PAGE, VAS_PAGE_NOACCESS, &old));
    CHECK_EQ(host_probe_read(p + PAGE, 1, &fault), 0);
    CHECK_EQ(fault, (uintptr_t)(p + PAGE));

    uint64_t addr;
    while (host_take_fault(v, &addr))
        ;
    CHECK(vas_protect(v, a + 2 * PAGE, PAGE, RW | VAS_PAGE_GUARD, &old));
    volatile uint8_t *g = p + 2 * PAGE + 3;
    *g = 7;   /* fires the guard, then completes */
    CHECK_EQ(host_take_fault(v, &addr), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(addr, a + 2 * PAGE + 3);
    CHECK_EQ(*g, 7);
    CHECK_EQ(host_take_fault(v, &addr), 0);
    uint8_t seven = 7;   /* real stores bypass the model: tell it, then the two agree */
    CHECK_EQ(vas_write(v, a + 2 * PAGE + 3, &seven, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_VERIFIED(v);

    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
    CHECK_EQ(host_probe_read(p + 2 * PAGE, 1, &fault), 0);   /* released: gone for real */
    CHECK_VERIFIED(v);
}

/* A top-down allocation lands near the top of the space, far above the
 * window: the model does everything, real memory nothing. */
static void test_top_down_is_model_only(vas_t *v, uint64_t end)
{
    uint64_t a = vas_alloc(v, 0, 2 * GRAN, RESERVE | COMMIT | VAS_MEM_TOP_DOWN, RW);
    CHECK(a >= end);
    CHECK(a + 2 * GRAN <= vas_get_config(v)->max_address + 1);
    CHECK(vas_host_pointer(v, a) == NULL);
    CHECK(vas_host_pointer(v, a + 2 * GRAN - 1) == NULL);
    static const char text[] = "modelled, not mirrored";
    char back[sizeof text];
    CHECK_EQ(vas_write(v, a + 5, text, sizeof text, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_read(v, a + 5, back, sizeof back, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(back, text, sizeof text) == 0);

    /* Protections and guards are the model's rules alone up there. */
    uint32_t old;
    uint64_t fault = 0;
    CHECK(vas_protect(v, a, GRAN, VAS_PAGE_READONLY, &old));
    CHECK_EQ(vas_write(v, a + 5, text, 1, &fault), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(fault, a + 5);
    CHECK(vas_protect(v, a + GRAN, PAGE, RW | VAS_PAGE_GUARD, &old));
    CHECK_EQ(vas_read(v, a + GRAN, back, 1, &fault), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(vas_read(v, a + GRAN, back, 1, &fault), VAS_STATUS_SUCCESS);
    vas_mbi m;
    CHECK(vas_query(v, a, &m, sizeof m));
    CHECK_EQ(m.state, COMMIT);
    CHECK_EQ(m.protect, VAS_PAGE_READONLY);
    CHECK_VERIFIED(v);   /* the mirrored part is untouched and still agrees */
    CHECK(vas_free(v, a, GRAN, VAS_MEM_DECOMMIT));
    CHECK(vas_free(v, a, 0, VAS_MEM_RELEASE));
    CHECK(vas_query(v, a, &m, sizeof m));
    CHECK_EQ(m.state, VAS_MEM_FREE);
    CHECK_VERIFIED(v);
}

/* A reservation across the window's end: mirrored below it, model only
 * above it, and an access crossing it behaves by the model's rules. */
static void test_straddling_the_end(vas_t *v, uint64_t end)
{
    uint64_t base = end - GRAN;
    CHECK_EQ(vas_alloc(v, base, 2 * GRAN, RESERVE | COMMIT, RW), base);
    uint8_t *low = vas_host_pointer(v, end - 1);
    CHECK(low != NULL);
    CHECK(vas_host_pointer(v, end) == NULL);
    uint8_t text[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
    CHECK_EQ(vas_write(v, end - 4, text, sizeof text, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(vas_read(v, end - 4, back, sizeof back, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(back, text, sizeof text) == 0);
    if (low)
        CHECK(memcmp(low - 3, text, 4) == 0);   /* the mirrored half reached real memory */
    CHECK_VERIFIED(v);

    /* Read-only above the end: the crossing write fails at the end itself,
     * and nothing moved (not even below it, in real memory). */
    uint32_t old;
    uint64_t fault = 0;
    static const uint8_t other[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    CHECK(vas_protect(v, end, PAGE, VAS_PAGE_READONLY, &old));
    CHECK_EQ(vas_write(v, end - 4, other, sizeof other, &fault), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(fault, end);
    if (low)
        CHECK(memcmp(low - 3, text, 4) == 0);
    CHECK_VERIFIED(v);

    /* Releasing it drops the mirrored half for real. */
    CHECK(vas_free(v, base, 0, VAS_MEM_RELEASE));
    uintptr_t real_fault;
    if (low)
        CHECK_EQ(host_probe_read(low, 1, &real_fault), 0);
    CHECK_VERIFIED(v);
}

int main(void)
{
    vas_t *v = host_space(VAS_PROFILE_X64, 0);
    CHECK(v != NULL);
    if (!v)
        return check_report("host_x64");
    uint64_t end = host_mirrored_end(v);
    int ok;
    uint64_t offset = host_offset(v, &ok);
    printf("x64: low 0x%llx bytes mirrored, at %s (offset 0x%llx)\n", (unsigned long long)end,
           offset ? "an offset" : "the same addresses", (unsigned long long)offset);
    /* 64 GiB unless the host could not reserve that much; then a power-of-
     * two fraction of it, never below 1 GiB. */
    CHECK(end >= ((uint64_t)1 << 30) && end <= ((uint64_t)64 << 30));
    CHECK_EQ(end % GRAN, 0);
    CHECK(vas_host_pointer(v, vas_get_config(v)->min_address) != NULL);
    CHECK(vas_host_pointer(v, end - 1) != NULL);
    CHECK(vas_host_pointer(v, end) == NULL);
    CHECK(vas_host_pointer(v, vas_get_config(v)->max_address) == NULL);
    test_low_is_mirrored(v, end);
    test_top_down_is_model_only(v, end);
    test_straddling_the_end(v, end);
    CHECK_VERIFIED(v);
    vas_destroy(v);
    return check_report("host_x64");
}
