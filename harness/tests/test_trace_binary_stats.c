/*
 * test_trace_binary_stats.c - what random bytes become: decodes 2,000
 * pseudo-random byte strings into 100-operation traces, runs each on the
 * impl backend and tallies, per operation kind, how many calls succeeded and
 * which errors (or access faults) the others got. The byte format exists so
 * that fuzzers explore real work, so this asserts that most calls do real
 * work and that every error path the format is meant to reach is still
 * reached. The table is printed for comparison across format changes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/backend.h"
#include "harness/compare.h"
#include "harness/trace.h"
#include "check.h"

#define TRACES 4000
#define OPS 100
#define BYTES_PER_OP 64
#define MAX_CODES 16   /* distinct errors / statuses counted per op kind */

static const char *const OP_NAMES[] = {
    "alloc", "free", "protect", "query", "read", "write", "exec", "seterr", "geterr", "charge",
    "watch", "resetwatch", "lock", "unlock", "wsset", "wsmin", "wsmax", "locked", "isbadread",
    "isbadwrite", "isbadcode", "isbadstr", "thread", "thread_exit", "guarantee", "touch", "bulkalloc",
    "bulkfree", "process", "close", "readproc", "writeproc",
    "section", "map", "unmap", "alloc2", "map3", "unmap2", "unmapex"
};
_Static_assert(sizeof OP_NAMES / sizeof OP_NAMES[0] == TRACE_OPCODE_COUNT, "a name per opcode");
#define N_KINDS (sizeof OP_NAMES / sizeof OP_NAMES[0])

typedef struct tally {
    size_t calls, ok;
    uint32_t code[MAX_CODES];    /* error (alloc/free/protect/query) or status (accesses) */
    size_t count[MAX_CODES];
    size_t n_codes, other;       /* other: codes past MAX_CODES */
} tally;

static void tally_failure(tally *t, uint32_t code)
{
    for (size_t i = 0; i < t->n_codes; i++) {
        if (t->code[i] == code) {
            t->count[i]++;
            return;
        }
    }
    if (t->n_codes == MAX_CODES) {
        t->other++;
        return;
    }
    t->code[t->n_codes] = code;
    t->count[t->n_codes++] = 1;
}

static size_t tally_count(const tally *t, uint32_t code)
{
    for (size_t i = 0; i < t->n_codes; i++)
        if (t->code[i] == code)
            return t->count[i];
    return 0;
}

/* A trace of OPS operations from the byte stream of seed (more bytes are
 * drawn until it is long enough: a literal write may carry kilobytes).
 * check_rand is splitmix64, the generator vastrace random uses, so the
 * figures here describe what it feeds the backends. */
static trace *random_trace(uint64_t seed, uint8_t **buf, size_t *cap)
{
    size_t len = OPS * BYTES_PER_OP;
    for (;;) {
        uint64_t state = seed;
        if (len > *cap) {
            uint8_t *p = realloc(*buf, len);
            if (!p)
                return NULL;
            *buf = p;
            *cap = len;
        }
        for (size_t j = 0; j < len; j += 8) {
            uint64_t r = check_rand(&state);
            memcpy(*buf + j, &r, len - j < 8 ? len - j : 8);
        }
        trace *t = trace_decode_binary(*buf, len, OPS);
        if (!t || t->n_ops >= OPS || len >= (size_t)OPS * 0x3000)
            return t;
        trace_free(t);
        len *= 2;
    }
}

/* Runs t on b, adding every call's outcome to kinds[]. */
static void run_counting(const backend *b, const trace *t, tally *kinds)
{
    backend_run r;
    op_result res = {0};
    if (backend_run_open(&r, b, t) != 0) {
        CHECK_MSG(0, "impl refused to create an address space");
        return;
    }
    for (size_t i = 0; i < t->n_ops; i++) {
        const trace_op *op = &t->ops[i];
        tally *k = &kinds[op->code];
        if (op_execute(&r, op, &res) != 0)
            continue;
        k->calls++;
        switch (op->code) {
        case TRACE_ALLOC: case TRACE_FREE: case TRACE_PROTECT: case TRACE_QUERY: case TRACE_BULKALLOC:
        case TRACE_BULKFREE:
            if (res.value != 0)
                k->ok++;
            else
                tally_failure(k, res.error);
            break;
        case TRACE_READ: case TRACE_WRITE: case TRACE_EXEC: case TRACE_TOUCH:
            if (res.status == VAS_STATUS_SUCCESS)
                k->ok++;
            else
                tally_failure(k, res.status);
            break;
        case TRACE_LOCK: case TRACE_UNLOCK: case TRACE_WSSET:
        case TRACE_THREAD: case TRACE_THREAD_EXIT: case TRACE_GUARANTEE:
        case TRACE_PROCESS: case TRACE_CLOSE: case TRACE_READPROC: case TRACE_WRITEPROC:
        case TRACE_SECTION: case TRACE_MAP: case TRACE_UNMAP:
        case TRACE_ALLOC2: case TRACE_MAP3: case TRACE_UNMAP2: case TRACE_UNMAPEX:
            if (res.value != 0)
                k->ok++;
            else
                tally_failure(k, res.error);
            break;
        case TRACE_WATCH: case TRACE_RESETWATCH:
            if (res.value == 0)
                k->ok++;
            else
                tally_failure(k, res.error);
            break;
        default:
            k->ok++;
            break;
        }
        op_bind_result(&r, op, &res);
    }
    op_result_clear(&res);
    backend_run_close(&r);
}

static double percent(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_table(const tally *kinds)
{
    printf("%-8s %8s %8s %7s  failures (code:count)\n", "op", "calls", "ok", "ok%");
    for (size_t c = 0; c < N_KINDS; c++) {
        const tally *k = &kinds[c];
        printf("%-8s %8zu %8zu %6.1f%% ", OP_NAMES[c], k->calls, k->ok, percent(k->ok, k->calls));
        for (size_t i = 0; i < k->n_codes; i++)
            printf(" %#" PRIx32 ":%zu", k->code[i], k->count[i]);
        if (k->other)
            printf(" other:%zu", k->other);
        putchar('\n');
    }
}

int main(void)
{
    const backend *impl = backend_find("impl");
    CHECK_MSG(impl != NULL, "no impl backend");
    if (!impl)
        return check_report("test_trace_binary_stats");

    static tally kinds[N_KINDS];
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (uint64_t seed = 1; seed <= TRACES; seed++) {
        trace *t = random_trace(seed * 0x100000001B3ull, &buf, &cap);
        CHECK_MSG(t != NULL, "decode failed (seed %" PRIu64 ")", seed);
        if (!t)
            continue;
        run_counting(impl, t, kinds);
        trace_free(t);
    }
    free(buf);

    printf("%d random traces of %d ops on impl:\n", TRACES, OPS);
    print_table(kinds);

    const tally *alloc = &kinds[TRACE_ALLOC], *fr = &kinds[TRACE_FREE],
                *prot = &kinds[TRACE_PROTECT], *rd = &kinds[TRACE_READ],
                *wr = &kinds[TRACE_WRITE], *ex = &kinds[TRACE_EXEC], *q = &kinds[TRACE_QUERY];
    /* Real work: most calls get past the argument checks and do something. */
    CHECK_MSG(percent(alloc->ok, alloc->calls) >= 40, "allocs succeed too rarely");
    CHECK_MSG(percent(fr->ok, fr->calls) >= 30, "frees succeed too rarely");
    CHECK_MSG(percent(prot->ok, prot->calls) >= 20, "protects succeed too rarely");
    CHECK_MSG(percent(rd->ok + wr->ok, rd->calls + wr->calls) >= 25, "reads/writes succeed too rarely");
    CHECK_MSG(percent(ex->ok, ex->calls) >= 8, "execs succeed too rarely");
    CHECK_MSG(percent(q->ok, q->calls) >= 50, "queries succeed too rarely");
    /* Error paths stay reachable: each of these at least a few times. */
    CHECK_MSG(tally_count(alloc, VAS_ERROR_INVALID_PARAMETER) >= 10, "alloc never hits 87");
    CHECK_MSG(tally_count(alloc, VAS_ERROR_INVALID_ADDRESS) >= 10, "alloc never hits 487");
    CHECK_MSG(tally_count(alloc, VAS_ERROR_COMMITMENT_LIMIT) >= 1, "alloc never hits 1455");
    CHECK_MSG(tally_count(fr, VAS_ERROR_INVALID_PARAMETER) >= 10, "free never hits 87");
    CHECK_MSG(tally_count(fr, VAS_ERROR_INVALID_ADDRESS) >= 10, "free never hits 487");
    CHECK_MSG(tally_count(prot, VAS_ERROR_INVALID_PARAMETER) >= 10, "protect never hits 87");
    CHECK_MSG(tally_count(prot, VAS_ERROR_INVALID_ADDRESS) >= 10, "protect never hits 487");
    CHECK_MSG(tally_count(prot, VAS_ERROR_NOACCESS) >= 1, "protect never hits 998 (NULL old)");
    CHECK_MSG(tally_count(q, VAS_ERROR_BAD_LENGTH) >= 1, "query never hits 24 (short len)");
    CHECK_MSG(tally_count(q, VAS_ERROR_INVALID_PARAMETER) >= 1, "query never hits 87");
    CHECK_MSG(tally_count(rd, VAS_STATUS_ACCESS_VIOLATION) + tally_count(wr, VAS_STATUS_ACCESS_VIOLATION) +
          tally_count(ex, VAS_STATUS_ACCESS_VIOLATION) >= 10, "accesses never fault");
    CHECK_MSG(tally_count(rd, VAS_STATUS_GUARD_PAGE_VIOLATION) +
          tally_count(wr, VAS_STATUS_GUARD_PAGE_VIOLATION) +
          tally_count(ex, VAS_STATUS_GUARD_PAGE_VIOLATION) >= 1, "guard pages never fire");
    CHECK_MSG(ex->ok >= 1, "exec never succeeds");
    /* Issue 13's family (slot 28): each call made, the main paths reached. */
    const tally *watch = &kinds[TRACE_WATCH], *lock = &kinds[TRACE_LOCK], *unlock = &kinds[TRACE_UNLOCK];
    CHECK_MSG(watch->ok >= 10, "GetWriteWatch never succeeds");
    CHECK_MSG(tally_count(watch, VAS_ERROR_INVALID_PARAMETER) >= 10, "GetWriteWatch never hits 87");
    CHECK_MSG(tally_count(watch, VAS_ERROR_NOACCESS) >= 1, "GetWriteWatch never hits 998 (NULL pointer)");
    CHECK_MSG(lock->ok >= 10, "VirtualLock never succeeds");
    CHECK_MSG(tally_count(lock, VAS_ERROR_INVALID_ADDRESS) >= 1, "VirtualLock never hits 487");
    CHECK_MSG(unlock->ok >= 1, "VirtualUnlock never succeeds");
    CHECK_MSG(tally_count(unlock, VAS_ERROR_NOT_LOCKED) >= 1, "VirtualUnlock never hits 158");
    /* Issue 11's family (slot 30): stacks made, grown, overflowed, ended. */
    const tally *th = &kinds[TRACE_THREAD], *touch = &kinds[TRACE_TOUCH], *ex_t = &kinds[TRACE_THREAD_EXIT];
    CHECK_MSG(percent(th->ok, th->calls) >= 50, "CreateThread succeeds too rarely");
    CHECK_MSG(tally_count(th, VAS_ERROR_NOT_ENOUGH_MEMORY) + tally_count(th, VAS_ERROR_COMMITMENT_LIMIT) >= 1,
              "CreateThread never fails");
    CHECK_MSG(touch->ok >= 100, "stack touches succeed too rarely");
    CHECK_MSG(tally_count(touch, VAS_STATUS_STACK_OVERFLOW) >= 1, "stacks never overflow");
    CHECK_MSG(tally_count(touch, VAS_STATUS_ACCESS_VIOLATION) >= 1, "stack touches never fault");
    CHECK_MSG(ex_t->ok >= 10 && tally_count(ex_t, VAS_ERROR_INVALID_HANDLE) >= 1,
              "thread_exit never succeeds or never meets an unknown thread");
    CHECK_MSG(tally_count(&kinds[TRACE_GUARANTEE], VAS_ERROR_INVALID_PARAMETER) >= 1,
              "SetThreadStackGuarantee never hits 87");
    /* Issue 10's bulk operations (slot 31): made, and reaching the index
     * at scale (a bulk alloc that succeeds makes 16 or more allocations
     * most of the time). */
    CHECK_MSG(kinds[TRACE_BULKALLOC].ok >= 10, "bulk alloc never succeeds");
    CHECK_MSG(kinds[TRACE_BULKFREE].ok >= 10, "bulk free never frees");
    /* Issue 12's family (slot 29): sections made, views mapped and
     * unmapped, each way a map can be refused reached. */
    const tally *sec = &kinds[TRACE_SECTION], *map = &kinds[TRACE_MAP];
    CHECK_MSG(sec->ok >= 10, "CreateFileMapping never succeeds");
    CHECK_MSG(tally_count(sec, VAS_ERROR_INVALID_PARAMETER) >= 1, "CreateFileMapping never hits 87");
    CHECK_MSG(map->ok >= 10, "MapViewOfFileEx never succeeds");
    CHECK_MSG(tally_count(map, VAS_ERROR_INVALID_HANDLE) >= 1, "MapViewOfFileEx never hits 6");
    CHECK_MSG(tally_count(map, VAS_ERROR_ACCESS_DENIED) >= 1, "MapViewOfFileEx never hits 5");
    CHECK_MSG(tally_count(map, VAS_ERROR_MAPPED_ALIGNMENT) >= 1, "MapViewOfFileEx never hits 1132");
    CHECK_MSG(kinds[TRACE_UNMAP].ok >= 1, "UnmapViewOfFile never succeeds");
    CHECK_MSG(kinds[TRACE_CLOSE].ok >= 1, "CloseHandle never succeeds");
    /* Placeholders (slot 29 from 0xC0): made, replaced, split and merged,
     * views into them and back, the requirements' refusals reached. The
     * splits and merges are frees: their successes show in free's row. */
    const tally *a2 = &kinds[TRACE_ALLOC2], *m3 = &kinds[TRACE_MAP3], *u2 = &kinds[TRACE_UNMAP2];
    CHECK_MSG(a2->ok >= 10, "VirtualAlloc2 never succeeds");
    CHECK_MSG(tally_count(a2, VAS_ERROR_INVALID_PARAMETER) >= 10, "VirtualAlloc2 never hits 87");
    CHECK_MSG(tally_count(a2, VAS_ERROR_INVALID_ADDRESS) >= 1, "VirtualAlloc2 never hits 487");
    CHECK_MSG(m3->ok >= 1, "MapViewOfFile3 never succeeds");
    CHECK_MSG(u2->ok + kinds[TRACE_UNMAPEX].ok >= 1, "UnmapViewOfFile2/Ex never succeed");
    for (size_t c = TRACE_WATCH; c < N_KINDS; c++)
        CHECK_MSG(kinds[c].calls >= 1, "%s never decoded", OP_NAMES[c]);
    /* Processes (slot 28 from 0xF0): copies that succeed and copies that stop. */
    const tally *rp = &kinds[TRACE_READPROC], *wp = &kinds[TRACE_WRITEPROC];
    CHECK_MSG(kinds[TRACE_PROCESS].ok >= 10, "processes are never created");
    CHECK_MSG(rp->ok + wp->ok >= 1, "ReadProcessMemory / WriteProcessMemory never succeed");
    CHECK_MSG(tally_count(rp, VAS_ERROR_PARTIAL_COPY) + tally_count(wp, VAS_ERROR_PARTIAL_COPY) >= 1,
              "ReadProcessMemory / WriteProcessMemory never stop with 299");
    CHECK_MSG(tally_count(rp, VAS_ERROR_INVALID_HANDLE) >= 1, "an invalid handle is never tried");
    return check_report("test_trace_binary_stats");
}
