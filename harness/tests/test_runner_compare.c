/*
 * test_runner_compare.c - op_result_compare and region_map_compare: equal
 * results compare equal, a difference in any one field is found and named,
 * and addresses compare exactly between deterministic backends but by
 * "name+offset" shape when one backend is not deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"
#include "check.h"


static backend fake_a = {.name = "A", .deterministic_placement = 1};
static backend fake_b = {.name = "B", .deterministic_placement = 1};
static backend fake_win = {.name = "W", .deterministic_placement = 0};

static char *names[] = {"a", "b"};

typedef struct side {
    backend_run run;
    uint64_t values[2];
    unsigned char bound[2];
    vas_mbi regions[8];
    region_map map;
} side;

/* A space with one allocation at base: [base, +0x1000) committed READWRITE,
 * [+0x1000, +0x10000) reserved, free around it; name a bound to base. */
static void side_init(side *s, const backend *b, uint64_t base)
{
    vas_mbi *r = s->regions;
    memset(s, 0, sizeof *s);
    s->run.b = b;
    s->run.n_names = 2;
    s->run.names = names;
    s->run.values = s->values;
    s->run.bound = s->bound;
    s->values[0] = base;
    s->bound[0] = 1;
    r[0] = (vas_mbi){.base_address = 0, .region_size = base, .state = VAS_MEM_FREE, .protect = VAS_PAGE_NOACCESS};
    r[1] = (vas_mbi){.base_address = base, .allocation_base = base, .allocation_protect = VAS_PAGE_NOACCESS,
                     .region_size = 0x1000, .state = VAS_MEM_COMMIT, .protect = VAS_PAGE_READWRITE,
                     .type = VAS_MEM_PRIVATE};
    r[2] = (vas_mbi){.base_address = base + 0x1000, .allocation_base = base,
                     .allocation_protect = VAS_PAGE_NOACCESS, .region_size = 0xF000,
                     .state = VAS_MEM_RESERVE, .type = VAS_MEM_PRIVATE};
    r[3] = (vas_mbi){.base_address = base + 0x10000, .region_size = 0x7FFFFFFF0000 - base - 0x10000,
                     .state = VAS_MEM_FREE, .protect = VAS_PAGE_NOACCESS};
    s->map.regions = r;
    s->map.n = s->map.cap = 4;
}

static trace_op op_of(trace_opcode code)
{
    trace_op op;
    memset(&op, 0, sizeof op);
    op.code = code;
    op.result = -1;
    op.addr.name = op.size.name = -1;
    return op;
}

static int differ(side *x, op_result *a, side *y, op_result *b, trace_op *op, char *desc)
{
    return op_result_compare(&x->run, &x->map, a, &y->run, &y->map, b, op, desc, 256);
}

static void test_fields(void)
{
    side x, y;
    op_result a, b;
    trace_op op;
    char desc[256];
    uint8_t da[4] = {1, 2, 3, 4}, db[4] = {1, 2, 9, 4};

    side_init(&x, &fake_a, 0x10000);
    side_init(&y, &fake_b, 0x10000);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);

    op = op_of(TRACE_PROTECT);
    a.value = b.value = 1;
    a.old = b.old = VAS_PAGE_READWRITE;
    CHECK(!differ(&x, &a, &y, &b, &op, desc));
    b.old = VAS_PAGE_READONLY;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "old protection") && strstr(desc, "READONLY"));
    b.old = a.old;
    b.error = VAS_ERROR_INVALID_ADDRESS;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "last error") && strstr(desc, "INVALID_ADDRESS"));
    b.error = 0;

    op = op_of(TRACE_QUERY);
    a.value = b.value = 48;
    a.mbi = b.mbi = x.regions[1];
    CHECK(!differ(&x, &a, &y, &b, &op, desc));
    b.mbi.region_size = 0x2000;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "query size"));
    b.mbi = a.mbi;
    b.mbi.protect = VAS_PAGE_READONLY;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "query protect"));
    b.mbi = a.mbi;
    b.mbi.allocation_protect = VAS_PAGE_READWRITE;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "alloc_protect"));
    b.mbi = a.mbi;
    b.mbi.type = 0;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "query type"));
    b.mbi = a.mbi;
    b.value = 28;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "query result"));
    b.value = 48;

    op = op_of(TRACE_READ);
    a.status = b.status = VAS_STATUS_SUCCESS;
    a.data = da;
    b.data = db;
    a.data_len = b.data_len = 4;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "read data differs at byte 0x2"));
    b.data = da;
    CHECK(!differ(&x, &a, &y, &b, &op, desc));
    a.data = b.data = NULL;
    a.data_len = b.data_len = 0;
    a.status = b.status = VAS_STATUS_ACCESS_VIOLATION;
    a.fault = 0x11000;
    b.fault = 0x11000;
    CHECK(!differ(&x, &a, &y, &b, &op, desc));
    b.fault = 0x11008;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "fault address"));
    b.status = VAS_STATUS_GUARD_PAGE_VIOLATION;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "access status"));
}

/* The same trace on a deterministic backend and on "Windows", whose a lies
 * elsewhere: equal by shape, different when both claim determinism. */
static void test_shape(void)
{
    side x, y, w;
    op_result a, b;
    trace_op op = op_of(TRACE_ALLOC);
    char desc[256];

    side_init(&x, &fake_a, 0x10000);
    side_init(&y, &fake_b, 0x7FF00000);
    side_init(&w, &fake_win, 0x7FF00000);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);

    CHECK(!compare_by_shape(&x.run, &y.run));
    CHECK(compare_by_shape(&x.run, &w.run));

    a.value = 0x10000;
    b.value = 0x7FF00000;
    CHECK(differ(&x, &a, &y, &b, &op, desc) && strstr(desc, "alloc result"));
    CHECK(!differ(&x, &a, &w, &b, &op, desc));

    op = op_of(TRACE_EXEC);
    a.status = b.status = VAS_STATUS_ACCESS_VIOLATION;
    a.fault = 0x10000 + 0x1000;
    b.fault = 0x7FF00000 + 0x1000;
    CHECK(!differ(&x, &a, &w, &b, &op, desc));
    b.fault = 0x7FF00000 + 0x2000;
    CHECK(differ(&x, &a, &w, &b, &op, desc) && strstr(desc, "a+0x1000") && strstr(desc, "a+0x2000"));

    /* Whole maps: compared exactly they differ, by shape they match... */
    CHECK(region_map_compare(&x.run, &x.map, &y.run, &y.map, desc, sizeof desc) == 1);
    CHECK(region_map_compare(&x.run, &x.map, &w.run, &w.map, desc, sizeof desc) == 0);
    /* ...until the named allocation's shape differs. */
    w.regions[1].region_size = 0x2000;
    w.regions[2].base_address += 0x1000;
    w.regions[2].region_size -= 0x1000;
    CHECK(region_map_compare(&x.run, &x.map, &w.run, &w.map, desc, sizeof desc) == 1
          && strstr(desc, "allocation differs"));
    /* Identical maps on two deterministic backends compare equal. */
    side_init(&y, &fake_b, 0x10000);
    CHECK(region_map_compare(&x.run, &x.map, &y.run, &y.map, desc, sizeof desc) == 0);
    y.regions[1].protect = VAS_PAGE_EXECUTE_READ;
    CHECK(region_map_compare(&x.run, &x.map, &y.run, &y.map, desc, sizeof desc) == 1
          && strstr(desc, "EXECUTE_READ"));
}

static void test_describe(void)
{
    side x;
    char buf[128];
    side_init(&x, &fake_a, 0x10000);
    /* Reports name constants as the trace language writes them. */
    CHECK(strcmp(trace_const_format(CONST_PROTECT, VAS_PAGE_READWRITE | VAS_PAGE_GUARD, buf, sizeof buf),
                 "READWRITE|GUARD") == 0);
    CHECK(strcmp(trace_const_format(CONST_PROTECT, 0x10000, buf, sizeof buf), "0x10000") == 0);
    CHECK(strcmp(trace_const_format(CONST_ERROR, VAS_ERROR_INVALID_PARAMETER, buf, sizeof buf),
                 "INVALID_PARAMETER") == 0);
    CHECK(strcmp(trace_const_format(CONST_ERROR, 1234, buf, sizeof buf), "0x4D2") == 0);
    CHECK(strcmp(describe_address(&x.run, &x.map, 0x10000, buf, sizeof buf), "a") == 0);
    CHECK(strcmp(describe_address(&x.run, &x.map, 0x1F000, buf, sizeof buf), "a+0xF000") == 0);
    /* Past the allocation, or in free memory below it: a plain number. */
    CHECK(strcmp(describe_address(&x.run, &x.map, 0x20000, buf, sizeof buf), "0x20000") == 0);
    CHECK(strcmp(describe_address(&x.run, &x.map, 0x8000, buf, sizeof buf), "0x8000") == 0);
}

int main(void)
{
    test_fields();
    test_shape();
    test_describe();
    return check_report("test_runner_compare");
}
