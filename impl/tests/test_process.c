/*
 * test_process.c - what traces cannot state about processes
 * (docs/semantics.md section 13.2): the handle values themselves, their
 * reuse after a close, the target's own last-error staying as it was, a
 * copy between overlapping ranges of one space, and that a creator's
 * destruction takes its processes along (ASan would see a leak). The
 * behaviours a trace can state are in conformance/cases/process/.
 */
#include <string.h>

#include "check.h"
#include "vas/vas.h"

static void test_handles(void)
{
    vas_t *v = vas_create(NULL);
    uint64_t a = vas_process_create(v, NULL), b = vas_process_create(v, NULL);
    CHECK_EQ(a, 4);
    CHECK_EQ(b, 8);
    CHECK(vas_process_space(v, a) != v && vas_process_space(v, a) != NULL);
    CHECK(vas_process_space(v, VAS_CURRENT_PROCESS) == v);
    CHECK(vas_process_space(v, 0) == NULL && vas_process_space(v, 6) == NULL);
    CHECK(vas_close_handle(v, a));
    CHECK(vas_process_space(v, a) == NULL);
    CHECK_EQ(vas_process_create(v, NULL), 4);   /* the lowest free value again */

    /* A child of another profile. */
    vas_config x86;
    vas_config_default(&x86, VAS_PROFILE_X86);
    uint64_t c = vas_process_create(v, &x86);
    CHECK_EQ(c, 12);
    vas_mbi m;
    CHECK_EQ(vas_query_ex(v, c, 0x10000, &m, sizeof m), VAS_MBI_SIZE_X86);
    CHECK_EQ(vas_query_ex(v, VAS_CURRENT_PROCESS, 0x10000, &m, sizeof m), VAS_MBI_SIZE_X64);
    vas_destroy(v);   /* the three processes go with it */
}

static void test_last_error_belongs_to_the_caller(void)
{
    vas_t *v = vas_create(NULL);
    uint64_t p = vas_process_create(v, NULL);
    vas_t *child = vas_process_space(v, p);
    vas_set_last_error(child, 1234);
    vas_set_last_error(v, 0);
    CHECK_EQ(vas_alloc_ex(v, p, 0, 0, VAS_MEM_COMMIT, VAS_PAGE_READWRITE), 0);
    CHECK_EQ(vas_last_error(v), VAS_ERROR_INVALID_PARAMETER);
    CHECK_EQ(vas_last_error(child), 1234);
    uint64_t a = vas_alloc_ex(v, p, 0, 0x2000, VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_PAGE_EXECUTE_READ);
    CHECK(a != 0);
    uint64_t buf = vas_alloc(v, 0, 0x1000, VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    uint64_t n = 0;
    /* the EXECUTE_READ path changes protection twice in the child */
    CHECK(vas_write_process_memory(v, p, a + 0x10, buf, 0x20, &n));
    CHECK_EQ(n, 0x20);
    CHECK_EQ(vas_last_error(child), 1234);
    CHECK(!vas_write_process_memory(v, p, a + 0x2000, buf, 1, &n));
    CHECK_EQ(vas_last_error(v), VAS_ERROR_NOACCESS);
    CHECK_EQ(vas_last_error(child), 1234);
    vas_destroy(v);
}

static void test_overlapping_copy_in_one_space(void)
{
    vas_t *v = vas_create(NULL);
    uint64_t a = vas_alloc(v, 0, 0x20000, VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
    static uint8_t bytes[0x10000], back[0x10000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 7 + i / 251);
    CHECK_EQ(vas_write(v, a, bytes, sizeof bytes, NULL), VAS_STATUS_SUCCESS);
    uint64_t n = 0;
    /* dst above src, overlapping by more than one copy chunk */
    CHECK(vas_read_process_memory(v, VAS_CURRENT_PROCESS, a, a + 0x1234, sizeof bytes, &n));
    CHECK_EQ(n, sizeof bytes);
    CHECK_EQ(vas_read(v, a + 0x1234, back, sizeof back, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(back, bytes, sizeof bytes) == 0);
    /* and below it */
    CHECK(vas_write_process_memory(v, VAS_CURRENT_PROCESS, a, a + 0x1234, sizeof bytes, &n));
    CHECK_EQ(vas_read(v, a, back, sizeof back, NULL), VAS_STATUS_SUCCESS);
    CHECK(memcmp(back, bytes, sizeof bytes) == 0);
    vas_destroy(v);
}

int main(void)
{
    test_handles();
    test_last_error_belongs_to_the_caller();
    test_overlapping_copy_in_one_space();
    return check_report("impl_process");
}
