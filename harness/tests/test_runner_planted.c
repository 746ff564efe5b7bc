/*
 * test_runner_planted.c - the differential runner finds planted bugs at the
 * exact operation that triggers them.
 *
 * Each planted backend is the oracle backend with one operation wrapped to
 * misbehave only in a specific situation; the traces reach that situation
 * at a known op after several ops where the bug stays silent. The lockstep
 * run against the plain oracle must report the divergence at that op, not
 * earlier (no false alarm) and not later (nothing missed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/compare.h"
#include "check.h"
#include "trace_text.h"

static const backend *oracle;

/* Bug 1: a decommit of part of an allocation leaves its last page committed.
 * The call still returns 1: the commit charge (and the map) show it. */
static int free_keeps_last_page(void *self, uint64_t addr, uint64_t size, uint32_t type)
{
    int ok = oracle->free(self, addr, size, type);
    if (ok && type == VAS_MEM_DECOMMIT && size >= 2 * VAS_PAGE_SIZE) {
        uint32_t saved = oracle->last_error(self);
        uint64_t last = (addr + size - 1) & ~(uint64_t)(VAS_PAGE_SIZE - 1);
        oracle->alloc(self, last, VAS_PAGE_SIZE, VAS_MEM_COMMIT, VAS_PAGE_READWRITE);
        oracle->set_last_error(self, saved);
    }
    return ok;
}

/* Bug 2: protect reports EXECUTE_READWRITE as the old protection of a
 * READWRITE page. */
static int protect_wrong_old(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    int ok = oracle->protect(self, addr, size, protect, old);
    if (ok && *old == VAS_PAGE_READWRITE)
        *old = VAS_PAGE_EXECUTE_READWRITE;
    return ok;
}

/* Bug 4: a protect of a range also changes the page after it, when that
 * page is committed. The call's results are right: only the memory map
 * shows it. */
static int protect_spills(void *self, uint64_t addr, uint64_t size, uint32_t protect, uint32_t *old)
{
    int ok = oracle->protect(self, addr, size, protect, old);
    if (ok && size > 0) {
        uint32_t saved = oracle->last_error(self), ignored;
        uint64_t next = (addr + size + VAS_PAGE_SIZE - 1) & ~(uint64_t)(VAS_PAGE_SIZE - 1);
        oracle->protect(self, next, 1, protect, &ignored);
        oracle->set_last_error(self, saved);
    }
    return ok;
}

/* Bug 3: a failed query forgets to set last-error. */
static size_t query_keeps_error(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    uint32_t before = oracle->last_error(self);
    size_t ret = oracle->query(self, addr, out, len);
    if (ret == 0)
        oracle->set_last_error(self, before);
    return ret;
}

/* Bug 5: a lookup that fails only inside a region: a query of a committed
 * page that is not the first page of its region fails. A walk of the map
 * queries region starts only, so it never sees this (issue 10, item 14). */
static size_t query_fails_inside(void *self, uint64_t addr, vas_mbi *out, size_t len)
{
    size_t ret = oracle->query(self, addr, out, len);
    uint64_t page = addr & ~(uint64_t)(VAS_PAGE_SIZE - 1);
    uint32_t saved = oracle->last_error(self);
    vas_mbi before;
    if (ret == 0 || out->state != VAS_MEM_COMMIT || page < VAS_PAGE_SIZE)
        return ret;
    if (oracle->query(self, page - VAS_PAGE_SIZE, &before, len) != 0 && before.state == VAS_MEM_COMMIT
        && before.allocation_base == out->allocation_base && before.protect == out->protect
        && before.base_address + before.region_size == out->base_address + out->region_size) {
        memset(out, 0, sizeof *out);
        oracle->set_last_error(self, VAS_ERROR_INVALID_PARAMETER);
        return 0;
    }
    oracle->set_last_error(self, saved);
    return ret;
}

/* Runs t on the oracle and on planted; checks the divergence is at op
 * want (0-based) and that the report holds a runnable trace of want+1 ops. */
static void expect_divergence_at(const backend *planted, const char *text, size_t want, const char *what)
{
    trace *t = trace_from_text(text);
    const backend *pair[2] = {oracle, planted};
    const backend *same[2] = {oracle, oracle};
    diff_outcome outcome;
    FILE *report = tmpfile();
    char *buf;
    long len;

    CHECK(diff_trace_ex(same, 2, t, NULL, &outcome, NULL) == 0);
    CHECK(outcome.at == t->n_ops);

    CHECK(report != NULL);
    if (report == NULL)
        return;
    CHECK(diff_trace_ex(pair, 2, t, report, &outcome, NULL) == 1);
    CHECK(outcome.at == want);
    if (outcome.at != want)
        fprintf(stderr, "  %s: diverged at op %zu, planted at op %zu (%s)\n", planted->name,
                outcome.at, want, outcome.what);
    CHECK(strstr(outcome.what, what) != NULL);
    if (strstr(outcome.what, what) == NULL)
        fprintf(stderr, "  %s: divergence described as \"%s\", expected \"%s\"\n", planted->name, outcome.what, what);

    len = ftell(report);
    buf = calloc((size_t)len + 1, 1);
    rewind(report);
    if (buf != NULL && fread(buf, 1, (size_t)len, report) == (size_t)len) {
        char head[64];
        const char *start = strstr(buf, "--- trace up to the diverging op ---\n");
        const char *end = strstr(buf, "--- results of:");
        snprintf(head, sizeof head, "DIVERGENCE at op %zu of %zu", want + 1, t->n_ops);
        CHECK(strstr(buf, head) == buf);
        CHECK(start != NULL && end != NULL && end > start);
        CHECK(strstr(buf, "--- oracle region table ---") != NULL);
        {   /* The map before the diverging op: the reference's, with the
             * allocation every planted trace makes first. */
            char map_head[96];
            const char *map;
            snprintf(map_head, sizeof map_head, "--- map before op %zu, on oracle (vastrace map --at %zu) ---\n",
                     want + 1, want);
            map = strstr(buf, map_head);
            CHECK(map != NULL && map > strstr(buf, "--- oracle region table ---"));
            CHECK(map != NULL && strstr(map, " private ") != NULL && strstr(map, "fragmentation: ") != NULL);
        }
        if (start != NULL && end != NULL && end > start) {
            char err[512];
            trace *prefix;
            start += strlen("--- trace up to the diverging op ---\n");
            prefix = trace_parse("<report>", start, (size_t)(end - start), err, sizeof err);
            CHECK(prefix != NULL);
            if (prefix != NULL) {
                CHECK(prefix->n_ops == want + 1);
                /* Replaying the report's trace diverges at its last op. */
                CHECK(diff_trace_ex(pair, 2, prefix, NULL, &outcome, NULL) == 1 && outcome.at == want);
                trace_free(prefix);
            }
        }
    } else {
        CHECK(!"could not read the report back");
    }
    free(buf);
    fclose(report);
    trace_free(t);
}

int main(void)
{
    backend planted_free, planted_protect, planted_query, planted_spill, planted_inside;

    oracle = backend_find("oracle");
    if (oracle == NULL) {
        fprintf(stderr, "no oracle backend\n");
        return 1;
    }
    planted_free = *oracle;
    planted_free.name = "planted-free";
    planted_free.free = free_keeps_last_page;
    planted_protect = *oracle;
    planted_protect.name = "planted-protect";
    planted_protect.protect = protect_wrong_old;
    planted_query = *oracle;
    planted_query.name = "planted-query";
    planted_query.query = query_keeps_error;
    planted_spill = *oracle;
    planted_spill.name = "planted-spill";
    planted_spill.protect = protect_spills;
    planted_inside = *oracle;
    planted_inside.name = "planted-inside";
    planted_inside.query = query_fails_inside;

    expect_divergence_at(&planted_free,
                         "a = alloc 0 0x40000 RESERVE|COMMIT READWRITE\n"
                         "write a 0102\n"
                         "free a+0x1000 0x1000 DECOMMIT\n"   /* one page: silent */
                         "protect a 0x1000 READONLY\n"
                         "free a+0x2000 0x2000 DECOMMIT\n"   /* op 4: a+0x3000 stays */
                         "query a+0x3000\n",
                         4, "commit charge");
    expect_divergence_at(&planted_protect,
                         "a = alloc 0 0x20000 RESERVE|COMMIT READONLY\n"
                         "protect a 0x1000 EXECUTE_READ\n"   /* old READONLY: silent */
                         "alloc a+0x1000 0x1000 COMMIT READWRITE\n"
                         "protect a+0x1000 0x1000 READONLY\n" /* op 3: old READWRITE */
                         "charge\n",
                         3, "old protection");
    expect_divergence_at(&planted_query,
                         "a = alloc 0 0x10000 RESERVE NOACCESS\n"
                         "query a\n"
                         "seterr 5\n"
                         "query a len=4\n"                   /* op 3: BAD_LENGTH not set */
                         "geterr\n",
                         3, "last error");
    expect_divergence_at(&planted_spill,
                         "a = alloc 0 0x10000 RESERVE NOACCESS\n"
                         "alloc a 0x1000 COMMIT READWRITE\n"
                         "protect a 0x1000 READONLY\n"        /* next page reserved: silent */
                         "alloc a+0x1000 0x2000 COMMIT READWRITE\n"
                         "protect a 0x1000 EXECUTE_READ\n"    /* op 4: a+0x1000 changes too */
                         "read a+0x1000 1\n",
                         4, "memory map");
    {
        /* The comparison before sampling (a walk of region starts after
         * every op) misses bug 5 altogether; the default one finds it at
         * the op that first makes a committed region two pages long. */
        static const char *inside =
            "a = alloc 0 0x10000 RESERVE NOACCESS\n"
            "alloc a 0x1000 COMMIT READWRITE\n"        /* one page: no inside yet */
            "alloc a+0x1000 0x1000 COMMIT READWRITE\n" /* op 2: a+0x1000 is inside */
            "query a\n"
            "free a 0x1000 DECOMMIT\n"
            "charge\n";
        trace *t = trace_from_text(inside);
        const backend *pair[2] = {oracle, &planted_inside};
        diff_outcome outcome;
        CHECK(diff_trace_policy(pair, 2, t, NULL, &outcome, NULL, &DIFF_WALK_EVERY_OP) == 0);
        trace_free(t);
        expect_divergence_at(&planted_inside, inside, 2, "memory map");
    }
    {
        /* Blame by majority vote: with the planted backend first (the lane
         * every other is compared with), the vote still names it; with two
         * backends there is no vote. */
        static const char *decommit =
            "a = alloc 0 0x40000 RESERVE|COMMIT READWRITE\n"
            "free a+0x2000 0x2000 DECOMMIT\n";
        trace *t = trace_from_text(decommit);
        const backend *three[3] = {&planted_free, oracle, oracle};
        const backend *inside3[3] = {oracle, &planted_inside, oracle};
        const backend *two[2] = {&planted_free, oracle};
        diff_outcome outcome;
        FILE *report = tmpfile();
        char text[4096] = "";
        CHECK(diff_trace_ex(three, 3, t, report, &outcome, NULL) == 1 && outcome.blamed == &planted_free);
        if (report != NULL) {
            rewind(report);
            text[fread(text, 1, sizeof text - 1, report)] = '\0';
            fclose(report);
        }
        CHECK(strstr(text, "odd one out: planted-free (the other 2 backends agree)") != NULL);
        CHECK(diff_trace_ex(two, 2, t, NULL, &outcome, NULL) == 1 && outcome.blamed == NULL);
        trace_free(t);
        t = trace_from_text("a = alloc 0 0x10000 RESERVE NOACCESS\n"
                  "alloc a 0x2000 COMMIT READWRITE\n");
        CHECK(diff_trace_ex(inside3, 3, t, NULL, &outcome, NULL) == 1 && outcome.blamed == &planted_inside);
        trace_free(t);
    }
    return check_report("test_runner_planted");
}
