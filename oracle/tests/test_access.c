/*
 * test_access.c - what oracle_read / oracle_write do that no conformance
 * case can state: zero-length accesses (a trace writes at least one byte)
 * succeed anywhere and leave last-error alone. Rights, faults, guard pages
 * and the life of contents are cases in conformance/cases/access, guard and
 * contents, run on every backend.
 */
#include "helpers.h"

#define OK VAS_STATUS_SUCCESS

static void test_zero_length(void)
{
    oracle_t *o = oracle_create(NULL);
    uint8_t b = 1;
    uint64_t fault = 7;
    oracle_set_last_error(o, 42);
    CHECK_EQ(oracle_read(o, 0, &b, 0, &fault), OK);
    CHECK_EQ(oracle_write(o, 0, &b, 0, &fault), OK);
    CHECK_EQ(oracle_write(o, UINT64_MAX, &b, 0, &fault), OK);
    CHECK_EQ(fault, 7);
    CHECK_EQ(oracle_last_error(o), 42);
    oracle_destroy(o);
}

int main(void)
{
    test_zero_length();
    return check_report("oracle_test_access");
}
