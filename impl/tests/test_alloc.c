/*
 * test_alloc.c - what vas_alloc does that no conformance case can state:
 * the model's own decisions that Windows does not share (LARGE_PAGES and
 * PHYSICAL unsupported), where a fresh space places allocations (first fit
 * from MIN, top-down from MAX: no Windows process starts empty), and the
 * configurations vas_create refuses. Every behaviour a trace can state is a
 * case in conformance/cases/alloc (and profiles/, charge/), run on every
 * backend.
 */
#include "helpers.h"

#define X64_MAX 0x7FFFFFFEFFFFull

static void test_unsupported_types(void)
{
    /* [decision] LARGE_PAGES and PHYSICAL are not modelled: 87 (Windows
     * answers 1314 without the privilege, and reserves AWE regions). */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, COMMIT | RESERVE | VAS_MEM_LARGE_PAGES, RW), E87);
    CHECK_FAILS(v, vas_alloc(v, 0, 0x1000, RESERVE | VAS_MEM_PHYSICAL, RW), E87);
    vas_destroy(v);
}

static void test_last_page(void)
{
    /* In a fresh space the last page is free and can be reserved. */
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    MARK(v);
    CHECK_EQ(vas_alloc(v, X64_MAX - 0xFFF, 0x1000, RESERVE, RW), X64_MAX + 1 - 0x10000);
    CHECK_EQ(vas_last_error(v), 0xABCDu);
    CHECK_REGION(v, X64_MAX, X64_MAX - 0xFFF, X64_MAX + 1 - 0x10000, RW, 0x1000, RESERVE, 0);
    vas_destroy(v);
}

static void test_placement(void)
{
    vas_t *v = space_new(VAS_PROFILE_X64, 0);
    /* bottom-up first fit from MIN */
    CHECK_EQ(vas_alloc(v, 0, 1, RESERVE, NA), 0x10000);
    CHECK_EQ(vas_alloc(v, 0, 0x10001, RESERVE, NA), 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE, NA), 0x40000);
    CHECK_REGION(v, 0x20000, 0x20000, 0x20000, NA, 0x11000, RESERVE, 0);
    CHECK_REGION(v, 0x31000, 0x31000, 0, 0, 0xF000, VAS_MEM_FREE, NA);
    /* a hole is reused */
    CHECK_EQ(vas_free(v, 0x20000, 0, VAS_MEM_RELEASE), 1);
    CHECK_EQ(vas_alloc(v, 0, 0x20000, RESERVE, NA), 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE, NA), 0x50000);
    /* top-down: highest granule base that fits below MAX */
    CHECK_EQ(vas_alloc(v, 0, 0x1000, RESERVE | VAS_MEM_TOP_DOWN, NA), X64_MAX + 1 - 0x10000);
    CHECK_EQ(vas_alloc(v, 0, 0x10001, RESERVE | VAS_MEM_TOP_DOWN, NA), X64_MAX + 1 - 0x10000 - 0x20000);
    CHECK_EQ(vas_alloc(v, 0, 0x2000, COMMIT | VAS_MEM_TOP_DOWN, RW), X64_MAX + 1 - 0x40000);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_profiles(void)
{
    vas_t *x86 = space_new(VAS_PROFILE_X86, 0);
    vas_t *laa = space_new(VAS_PROFILE_X86_LAA, 0);
    CHECK_EQ(vas_get_config(x86)->max_address, 0x7FFEFFFF);
    CHECK_EQ(vas_get_config(laa)->max_address, 0xFFFEFFFF);
    vas_destroy(x86);
    vas_destroy(laa);
    /* inconsistent configurations are refused */
    vas_config cfg;
    vas_config_default(&cfg, VAS_PROFILE_X86);
    cfg.max_address = 0xFFFEFFFF;
    CHECK(vas_create(&cfg) == NULL);
    vas_config_default(&cfg, VAS_PROFILE_X64);
    cfg.min_address = 0x1000;
    CHECK(vas_create(&cfg) == NULL);
    cfg.min_address = 0x10000;
    cfg.max_address = 0x7FFFFFFEFFFE;
    CHECK(vas_create(&cfg) == NULL);
    cfg.profile = (vas_profile)7;
    CHECK(vas_create(&cfg) == NULL);
    /* a space that is not host-backed has no host pointers */
    vas_t *nul = vas_create(NULL);
    CHECK(nul != NULL);
    CHECK(vas_host_pointer(nul, 0x10000) == NULL);
    vas_destroy(nul);
}

int main(void)
{
    test_unsupported_types();
    test_last_page();
    test_placement();
    test_profiles();
    return check_report("impl_alloc");
}
