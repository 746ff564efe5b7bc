/*
 * test_alloc.c - oracle_alloc against the golden catalogue (section A) and
 * the check order of docs/semantics.md section 2.
 */
#include "helpers.h"

#define RW VAS_PAGE_READWRITE
#define NA VAS_PAGE_NOACCESS
#define R VAS_MEM_RESERVE
#define C VAS_MEM_COMMIT

/* G017: the rounding table for reservations at unaligned addresses. */
static void test_rounding_table(void)
{
    static const struct { uint64_t addr, size, base, region; } rows[] = {
        {0x50000000, 0x1, 0x50000000, 0x1000},    {0x50008000, 0x1, 0x50000000, 0x9000},
        {0x50000010, 0x1000, 0x50000000, 0x2000}, {0x50010000, 0x2000, 0x50010000, 0x2000},
        {0x5000FFFF, 0x3000, 0x50000000, 0x13000}, {0x50001010, 0x7000, 0x50000000, 0x9000},
        {0x50001010, 0xC000, 0x50000000, 0xE000}, {0x50001010, 0x1000, 0x50000000, 0x3000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        oracle_t *o = oracle_create(NULL);
        CHECK_EQ(oracle_alloc(o, rows[i].addr, rows[i].size, R, NA), rows[i].base);
        CHECK_QUERY(o, rows[i].base, rows[i].base, rows[i].base, NA, rows[i].region, RESERVE, 0,
                    PRIVATE);
        CHECK_QUERY(o, rows[i].base + rows[i].region, rows[i].base + rows[i].region, 0, 0,
                    0x7FFFFFFF0000 - (rows[i].base + rows[i].region), FREE, NA, 0);
        oracle_destroy(o);
    }
}

/* G002, G003, G025, G083: reserve, commit a page, reset a reserved page. */
static void test_reserve_then_commit(void)
{
    oracle_t *o = oracle_create(NULL);
    uint64_t a = oracle_alloc(o, 0, 0xFFFC, R, NA);
    CHECK_EQ(a, 0x10000);  /* first fit from MIN */
    CHECK_QUERY(o, a, a, a, NA, 0x10000, RESERVE, 0, PRIVATE);
    CHECK_EQ(oracle_alloc(o, a, 0x1000, C, NA), a);
    CHECK_QUERY(o, a, a, a, NA, 0x1000, COMMIT, NA, PRIVATE);
    CHECK_EQ(oracle_alloc(o, a + 0x1000, 0x1000, VAS_MEM_RESET, NA), a + 0x1000);
    CHECK_QUERY(o, a + 0x1000, a + 0x1000, a, NA, 0xF000, RESERVE, 0, PRIVATE);
    CHECK_QUERY(o, a + 0x1234, a + 0x1000, a, NA, 0xF000, RESERVE, 0, PRIVATE);
    /* G026: a reset past the end of the reservation. */
    CHECK_FAILS(oracle_alloc(o, a + 0xF000, 0x2000, VAS_MEM_RESET, NA), 487);
    CHECK_EQ(oracle_alloc(o, a, 0x10000, VAS_MEM_RESET_UNDO, NA), a);
    CHECK_EQ(oracle_commit_charge(o), 0x1000);
    oracle_destroy(o);
}

/* G001, G005-G007, G021, G022, G027, G030, G031: parameter checks, all 87. */
static void test_parameter_errors(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_FAILS(oracle_alloc(o, 0, 0, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, 0), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, C, 0), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, C, VAS_PAGE_READONLY | VAS_PAGE_EXECUTE), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R | C | 0x40000000u, RW), 87); /* AT_ROUND_TO_PAGE */
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R | VAS_MEM_LARGE_PAGES, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R | VAS_MEM_PHYSICAL, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x10000, VAS_MEM_WRITE_WATCH, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x10000, C | VAS_MEM_WRITE_WATCH, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, VAS_MEM_TOP_DOWN, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0x50000000, 0x1000, R | VAS_MEM_RESET, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0x50000000, 0x1000, C | VAS_MEM_RESET, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0x50000000, 0x1000, VAS_MEM_RESET | VAS_MEM_RESET_UNDO, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0x50000000, 0x1000, VAS_MEM_RESET | VAS_MEM_TOP_DOWN, RW), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, VAS_PAGE_WRITECOPY), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, VAS_PAGE_EXECUTE_WRITECOPY), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, NA | VAS_PAGE_GUARD), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, NA | VAS_PAGE_NOCACHE), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, RW | VAS_PAGE_NOCACHE | VAS_PAGE_GUARD), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, RW | VAS_PAGE_NOCACHE | VAS_PAGE_WRITECOMBINE), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, R, RW | 0x800), 87);
    /* Reset: protection must still be valid; address 0 refused. */
    CHECK_FAILS(oracle_alloc(o, 0x50000000, 0x1000, VAS_MEM_RESET, 0), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x1000, VAS_MEM_RESET, NA), 87);
    /* Step 6: address bounds, checked before any conflict or placement. */
    CHECK_FAILS(oracle_alloc(o, 0x1000, 0x1000, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0xFFFF, 0x1000, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0x7FFFFFFF0000, 0x1000, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0x7FFFFFFEF000, 0x1001, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0x50000000, UINT64_MAX, R, NA), 87);
    CHECK_FAILS(oracle_alloc(o, 0, 0x7FFFFFFE0001, R, NA), 87);
    /* Every failure above left the space empty. */
    CHECK_QUERY(o, 0, 0, 0, 0, 0x7FFFFFFF0000, FREE, NA, 0);
    CHECK_EQ(oracle_commit_charge(o), 0);
    /* A success leaves last-error alone. */
    oracle_set_last_error(o, 1234);
    CHECK_EQ(oracle_alloc(o, 0x7FFFFFFEF000, 0x1000, R, NA), 0x7FFFFFFE0000);
    CHECK_EQ(oracle_last_error(o), 1234);
    /* G023: WRITE_WATCH with RESERVE is accepted (and not tracked). */
    CHECK_EQ(oracle_alloc(o, 0, 0x10000, R | VAS_MEM_WRITE_WATCH, NA), 0x10000);
    oracle_destroy(o);
}

/* G013-G015, G018, G019: conflicts and commits at fixed addresses. */
static void test_fixed_addresses(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x3000, R, NA), 0x50000000);
    CHECK_FAILS(oracle_alloc(o, 0x50008000, 0x1000, R, NA), 487);           /* G019 */
    CHECK_FAILS(oracle_alloc(o, 0x50003000, 0x1000, C, NA), 487);           /* G013 */
    CHECK_FAILS(oracle_alloc(o, 0x50002000, 0x2000, C, NA), 487);
    CHECK_FAILS(oracle_alloc(o, 0x60000000, 0x1000, C, NA), 487);           /* G015 */
    CHECK_EQ(oracle_alloc(o, 0x50010000, 0x10000, R, NA), 0x50010000);
    CHECK_EQ(oracle_alloc(o, 0x50020000, 0x10000, R, NA), 0x50020000);
    CHECK_FAILS(oracle_alloc(o, 0x50014000, 0x10000, C, NA), 487);          /* G014 */
    CHECK_FAILS(oracle_alloc(o, 0x5001F000, 0x2000, R | C, NA), 487);
    /* G018: reserve+commit at an unaligned address commits from the granule. */
    CHECK_EQ(oracle_alloc(o, 0x60004080, 0x1000, R | C, RW), 0x60000000);
    CHECK_QUERY(o, 0x60000000, 0x60000000, 0x60000000, RW, 0x6000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_commit_charge(o), 0x6000);
    /* Commit returns the page-rounded start. */
    CHECK_EQ(oracle_alloc(o, 0x50001234, 0x10, C, RW), 0x50001000);
    CHECK_QUERY(o, 0x50000000, 0x50000000, 0x50000000, NA, 0x1000, RESERVE, 0, PRIVATE);
    CHECK_QUERY(o, 0x50001000, 0x50001000, 0x50000000, NA, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_QUERY(o, 0x50002000, 0x50002000, 0x50000000, NA, 0x1000, RESERVE, 0, PRIVATE);
    CHECK_QUERY(o, 0x50003000, 0x50003000, 0, 0, 0xD000, FREE, NA, 0);
    oracle_destroy(o);
}

/* G010, G011, G029, G085: re-commit and allocation protection. */
static void test_recommit(void)
{
    oracle_t *o = oracle_create(NULL);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x3000, R, NA), 0x50000000);
    CHECK_EQ(oracle_alloc(o, 0x50002000, 0x1000, C, NA), 0x50002000);
    CHECK_EQ(oracle_alloc(o, 0x50002000, 0x1000, C, RW), 0x50002000);
    CHECK_QUERY(o, 0x50002000, 0x50002000, 0x50000000, NA, 0x1000, COMMIT, RW, PRIVATE);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x1000, C, RW), 0x50000000);
    CHECK_EQ(oracle_commit_charge(o), 0x2000);
    /* Contents of an already committed page survive a re-commit. */
    uint8_t byte = 0x5A, back = 0;
    CHECK_EQ(oracle_write(o, 0x50000010, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(oracle_alloc(o, 0x50000000, 0x3000, C, VAS_PAGE_READONLY), 0x50000000);
    CHECK_EQ(oracle_commit_charge(o), 0x3000);
    CHECK_QUERY(o, 0x50000000, 0x50000000, 0x50000000, NA, 0x3000, COMMIT, VAS_PAGE_READONLY,
                PRIVATE);
    CHECK_EQ(oracle_read(o, 0x50000010, &back, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(back, 0x5A);
    uint64_t fault = 0;
    CHECK_EQ(oracle_write(o, 0x50000000, &byte, 1, &fault), VAS_STATUS_ACCESS_VIOLATION);
    CHECK_EQ(fault, 0x50000000);
    /* Re-commit takes the whole value, guard included. */
    CHECK_EQ(oracle_alloc(o, 0x50001000, 0x1000, C, RW | VAS_PAGE_GUARD), 0x50001000);
    CHECK_QUERY(o, 0x50001000, 0x50001000, 0x50000000, NA, 0x1000, COMMIT, RW | VAS_PAGE_GUARD,
                PRIVATE);
    /* G029, G085: modifiers kept in both fields. */
    uint64_t a = oracle_alloc(o, 0, 0x2000, C, RW | VAS_PAGE_NOCACHE);
    CHECK_EQ(a, 0x10000);
    CHECK_QUERY(o, a, a, a, 0x204, 0x2000, COMMIT, 0x204, PRIVATE);
    uint64_t g = oracle_alloc(o, 0, 0x1000, R | C, RW | VAS_PAGE_GUARD);
    CHECK_EQ(g, 0x20000);
    CHECK_QUERY(o, g, g, g, 0x104, 0x1000, COMMIT, 0x104, PRIVATE);
    oracle_destroy(o);
}

int main(void)
{
    test_rounding_table();
    test_reserve_then_commit();
    test_parameter_errors();
    test_fixed_addresses();
    test_recommit();
    return check_report("oracle_test_alloc");
}
