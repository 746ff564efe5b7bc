/*
 * test_runner_expect.c - expect_check: each expectation form holds for the
 * result it describes and fails for a result that differs in one field;
 * expressions use the backend's own bindings; run_trace reports a failed
 * expectation with exit status 1.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"
#include "check.h"
#include "trace_text.h"

/* Bindings without a backend: expect_check needs only the names. */
static backend_run bindings(const trace *t, uint64_t a)
{
    static uint64_t values[8];
    static unsigned char bound[8];
    backend_run r;
    memset(&r, 0, sizeof r);
    assert(t->n_names <= 8);
    r.n_names = t->n_names;
    r.names = t->names;
    r.values = values;
    r.bound = bound;
    values[0] = a;
    bound[0] = 1;
    return r;
}

static void test_values(void)
{
    trace *t = trace_from_text("a = alloc 0 0x10000 RESERVE NOACCESS -> nonzero\n"
                     "alloc a+0x1000 0x1000 COMMIT READWRITE -> a+0x1000\n"
                     "alloc 0x10000 0 RESERVE NOACCESS -> 0 err=INVALID_PARAMETER\n"
                     "free a 0 RELEASE -> 1\n"
                     "geterr -> 87\n");
    backend_run r = bindings(t, 0x50000);
    op_result res;
    memset(&res, 0, sizeof res);

    res.value = 0x50000;
    CHECK(expect_check(&r, &t->ops[0], &res));
    res.value = 0;
    CHECK(!expect_check(&r, &t->ops[0], &res));

    res.value = 0x51000;  /* a+0x1000 with a = 0x50000 */
    CHECK(expect_check(&r, &t->ops[1], &res));
    res.value = 0x52000;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    r.values[0] = 0x60000;  /* another backend's a: the same result is now wrong */
    res.value = 0x51000;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    r.values[0] = 0x50000;

    res.value = 0;
    res.error = VAS_ERROR_INVALID_PARAMETER;
    CHECK(expect_check(&r, &t->ops[2], &res));
    res.error = VAS_ERROR_INVALID_ADDRESS;
    CHECK(!expect_check(&r, &t->ops[2], &res));
    res.value = 0x10000;
    res.error = VAS_ERROR_INVALID_PARAMETER;
    CHECK(!expect_check(&r, &t->ops[2], &res));

    res.value = 1;
    CHECK(expect_check(&r, &t->ops[3], &res));
    res.value = 0;
    CHECK(!expect_check(&r, &t->ops[3], &res));

    res.value = 87;
    CHECK(expect_check(&r, &t->ops[4], &res));
    res.value = 0;
    CHECK(!expect_check(&r, &t->ops[4], &res));
    trace_free(t);
}

static void test_protect(void)
{
    trace *t = trace_from_text("a = alloc 0 0x10000 RESERVE|COMMIT READWRITE\n"
                     "protect a 0x1000 READONLY -> 1 old=READWRITE\n"
                     "protect a+0x20000 0x1000 READONLY -> 0 err=INVALID_ADDRESS old=NOACCESS\n"
                     "protect a 0x1000 READONLY\n");
    backend_run r = bindings(t, 0x50000);
    op_result res;
    memset(&res, 0, sizeof res);

    res.value = 1;
    res.old = VAS_PAGE_READWRITE;
    CHECK(expect_check(&r, &t->ops[1], &res));
    res.old = VAS_PAGE_NOACCESS;
    CHECK(!expect_check(&r, &t->ops[1], &res));

    res.value = 0;
    res.error = VAS_ERROR_INVALID_ADDRESS;
    res.old = VAS_PAGE_NOACCESS;
    CHECK(expect_check(&r, &t->ops[2], &res));
    res.old = OP_OLD_UNTOUCHED;
    CHECK(!expect_check(&r, &t->ops[2], &res));

    /* No expectation: anything holds. */
    res.value = 12345;
    CHECK(expect_check(&r, &t->ops[3], &res));
    trace_free(t);
}

static void test_query(void)
{
    trace *t = trace_from_text("a = alloc 0 0x10000 RESERVE NOACCESS\n"
                     "query a+0x1000 -> {base=a+0x1000 alloc_base=a state=COMMIT size=0x1000}\n"
                     "query a len=1 -> 0 err=BAD_LENGTH\n"
                     "query a -> {ret=48}\n");
    backend_run r = bindings(t, 0x50000);
    op_result res;
    memset(&res, 0, sizeof res);

    res.value = 48;
    res.mbi.base_address = 0x51000;
    res.mbi.allocation_base = 0x50000;
    res.mbi.state = VAS_MEM_COMMIT;
    res.mbi.region_size = 0x1000;
    res.mbi.protect = VAS_PAGE_READWRITE;  /* not listed: not checked */
    CHECK(expect_check(&r, &t->ops[1], &res));
    res.mbi.region_size = 0x2000;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    res.mbi.region_size = 0x1000;
    res.mbi.state = VAS_MEM_RESERVE;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    res.mbi.state = VAS_MEM_COMMIT;
    res.mbi.allocation_base = 0x40000;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    res.mbi.allocation_base = 0x50000;
    res.value = 0;  /* "{...}" means the query succeeded */
    CHECK(!expect_check(&r, &t->ops[1], &res));

    res.value = 0;
    res.error = VAS_ERROR_BAD_LENGTH;
    CHECK(expect_check(&r, &t->ops[2], &res));
    res.error = VAS_ERROR_INVALID_PARAMETER;
    CHECK(!expect_check(&r, &t->ops[2], &res));

    res.value = 48;
    CHECK(expect_check(&r, &t->ops[3], &res));
    res.value = 28;
    CHECK(!expect_check(&r, &t->ops[3], &res));
    trace_free(t);
}

static void test_access(void)
{
    trace *t = trace_from_text("a = alloc 0 0x10000 RESERVE NOACCESS\n"
                     "read a 2 -> ok data=0102\n"
                     "read a+0x1000 4 -> AV at=a+0x1000\n"
                     "exec a -> GUARD at=a\n"
                     "write a 00 -> ok\n");
    backend_run r = bindings(t, 0x50000);
    op_result res;
    uint8_t data[2] = {1, 2};
    memset(&res, 0, sizeof res);

    res.status = VAS_STATUS_SUCCESS;
    res.data = data;
    res.data_len = 2;
    CHECK(expect_check(&r, &t->ops[1], &res));
    data[1] = 3;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    data[1] = 2;
    res.data_len = 1;
    CHECK(!expect_check(&r, &t->ops[1], &res));
    res.data = NULL;
    res.data_len = 0;

    res.status = VAS_STATUS_ACCESS_VIOLATION;
    res.fault = 0x51000;
    CHECK(expect_check(&r, &t->ops[2], &res));
    res.fault = 0x51004;
    CHECK(!expect_check(&r, &t->ops[2], &res));
    res.status = VAS_STATUS_GUARD_PAGE_VIOLATION;
    res.fault = 0x51000;
    CHECK(!expect_check(&r, &t->ops[2], &res));

    res.fault = 0x50000;
    CHECK(expect_check(&r, &t->ops[3], &res));
    res.status = VAS_STATUS_ACCESS_VIOLATION;
    CHECK(!expect_check(&r, &t->ops[3], &res));

    res.status = VAS_STATUS_SUCCESS;
    CHECK(expect_check(&r, &t->ops[4], &res));
    res.status = VAS_STATUS_ACCESS_VIOLATION;
    CHECK(!expect_check(&r, &t->ops[4], &res));
    trace_free(t);
}

/* End to end on the impl backend: run_trace's status follows the expectations. */
static void test_run_trace(void)
{
    const backend *impl = backend_find("impl");
    trace *good = trace_from_text("a = alloc 0 0x20000 RESERVE NOACCESS -> nonzero\n"
                        "alloc a 0x1000 COMMIT READWRITE -> a\n"
                        "write a+8 aabb -> ok\n"
                        "read a+8 2 -> ok data=aabb\n"
                        "read a+0x1000 1 -> AV at=a+0x1000\n"
                        "charge -> 0x1000\n");
    trace *bad = trace_from_text("a = alloc 0 0x20000 RESERVE NOACCESS -> nonzero\n"
                       "alloc a 0x1000 COMMIT READWRITE -> a+0x1000\n");
    FILE *sink = tmpfile();
    CHECK(impl != NULL);
    if (impl != NULL && sink != NULL) {
        CHECK(run_trace(impl, good, sink) == 0);
        CHECK(run_trace(impl, bad, sink) == 1);
    }
    if (sink)
        fclose(sink);
    trace_free(good);
    trace_free(bad);
}

int main(void)
{
    test_values();
    test_protect();
    test_query();
    test_access();
    test_run_trace();
    return check_report("test_runner_expect");
}
