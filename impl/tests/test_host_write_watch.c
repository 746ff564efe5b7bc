/*
 * test_host_write_watch.c - write watch sees writes made through real
 * pointers in a host-backed space (docs/semantics.md sections 8 and 15):
 * a watched page refuses real writes until its first one, which the fault
 * handler records in the model; resetting re-arms the page. The sequence
 * follows the model's test_write_watch (G109-G114), with real stores in
 * place of vas_write.
 */
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "host_check.h"

#define P 0x1000u
#define WW VAS_MEM_WRITE_WATCH
#define RESET VAS_WRITE_WATCH_FLAG_RESET

static uint64_t results[512];

/* GetWriteWatch over [addr, addr + size): the count of reported pages. */
static uint64_t watched(vas_t *v, uint32_t flags, uint64_t addr, uint64_t size)
{
    uint64_t count = sizeof results / sizeof results[0];
    uint32_t gran = 0;
    CHECK_EQ(vas_get_write_watch(v, flags, addr, size, results, &count, &gran), 0);
    CHECK_EQ(gran, P);
    return count;
}

/* The real protection of simulated page at (PROT_* bits). */
static int real_prot(vas_t *v, uint64_t at)
{
    return host_maps_prot_at((uintptr_t)vas_host_pointer(v, at));
}

static void test_real_writes(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    uint64_t size = 0x10000, plain_fault;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, RW);
    CHECK(base != 0);
    volatile uint8_t *p = vas_host_pointer(v, base);
    CHECK(p != NULL);

    /* Armed: readable, not writable, until the first write. */
    CHECK_EQ(real_prot(v, base + P), PROT_READ);
    CHECK_VERIFIED(v);
    CHECK_EQ(watched(v, 0, base, size), 0);
    CHECK_EQ(p[P + 1], 0);                 /* a read reports nothing */
    CHECK_EQ(watched(v, 0, base, size), 0);

    p[P + 1] = 0x5A;
    CHECK_EQ(watched(v, 0, base, size), 1);
    CHECK_EQ(results[0], base + P);
    CHECK_EQ(real_prot(v, base + P), PROT_READ | PROT_WRITE);
    CHECK_EQ(host_take_fault(v, &plain_fault), 0);   /* nothing the program sees */
    uint8_t b = 0;
    CHECK_EQ(vas_read(v, base + P + 1, &b, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(b, 0);   /* bytes stored by real instructions are in real memory only */
    CHECK_VERIFIED(v);

    /* WRITE_WATCH_FLAG_RESET re-arms exactly the pages it lists. */
    CHECK_EQ(watched(v, RESET, base, size), 1);
    CHECK_EQ(real_prot(v, base + P), PROT_READ);
    CHECK_EQ(watched(v, 0, base, size), 0);
    p[P + 2] = 1;
    CHECK_EQ(watched(v, 0, base, size), 1);
    CHECK_EQ(p[P + 1], 0x5A);              /* the earlier write is still there */

    /* G109: a 4-byte store straddling pages 2 and 3 reports both. */
    uint32_t word = 0x01020304;
    memcpy((uint8_t *)p + 3 * P - 2, &word, sizeof word);
    CHECK_EQ(watched(v, 0, base, size), 3);
    CHECK_EQ(results[1], base + 2 * P);
    CHECK_EQ(results[2], base + 3 * P);

    /* ResetWriteWatch re-arms its range; a later write is seen again. */
    CHECK_EQ(vas_reset_write_watch(v, base, size), 0);
    CHECK_EQ(watched(v, 0, base, size), 0);
    CHECK_VERIFIED(v);
    p[5 * P] = 7;
    CHECK_EQ(watched(v, 0, base, size), 1);
    CHECK_EQ(results[0], base + 5 * P);

    /* A page made read-only refuses real writes: nothing is reported. */
    uint32_t old;
    CHECK(vas_protect(v, base + 6 * P, P, VAS_PAGE_READONLY, &old));
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_write((void *)(p + 6 * P), 1, &fault), 0);
    CHECK_EQ(watched(v, 0, base, size), 1);

    /* G114: a page written, then VirtualProtect'ed, stays reported after a
     * decommit and re-commit, and is not armed (a write changes nothing). */
    CHECK(vas_protect(v, base + 5 * P, P, RW, &old));
    CHECK(vas_free(v, base + 5 * P, P, VAS_MEM_DECOMMIT));
    CHECK_EQ(vas_alloc(v, base + 5 * P, P, VAS_MEM_COMMIT, RW), base + 5 * P);
    CHECK_EQ(watched(v, 0, base, size), 1);
    CHECK_EQ(real_prot(v, base + 5 * P), PROT_READ | PROT_WRITE);
    CHECK_EQ(p[5 * P], 0);                 /* decommit dropped the contents */
    CHECK_VERIFIED(v);

    /* Simulated writes and real ones meet: vas_write to an armed page. */
    CHECK_EQ(vas_write(v, base + 8 * P, &word, sizeof word, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(real_prot(v, base + 8 * P), PROT_READ | PROT_WRITE);
    CHECK_EQ(p[8 * P], 0x04);
    CHECK_EQ(watched(v, 0, base, size), 2);
    CHECK_VERIFIED(v);

    /* Memory without write watch is never armed. */
    uint64_t plain = vas_alloc(v, 0, size, VAS_MEM_COMMIT, RW);
    CHECK_EQ(real_prot(v, plain), PROT_READ | PROT_WRITE);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

/* More reported pages than one GetWriteWatch chunk of the mirror: every
 * other page of 300 written, then all reported, and only those unarmed. */
static void test_many_pages(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    uint64_t pages = 300, size = pages * P;
    uint64_t base = vas_alloc(v, 0, size, VAS_MEM_RESERVE | VAS_MEM_COMMIT | WW, RW);
    volatile uint8_t *p = vas_host_pointer(v, base);
    for (uint64_t i = 0; i < pages; i += 2)
        p[i * P + 17] = (uint8_t)i;
    CHECK_EQ(watched(v, 0, base, size), pages / 2);
    for (uint64_t i = 0; i < pages / 2; i++)
        CHECK_EQ(results[i], base + 2 * i * P);
    /* A protection change over the whole range mirrors it again: the
     * written pages stay writable, the others armed. */
    uint32_t old;
    CHECK(vas_protect(v, base, size, VAS_PAGE_EXECUTE_READWRITE, &old));
    CHECK_EQ(real_prot(v, base + 2 * P), PROT_READ | PROT_WRITE | PROT_EXEC);
    CHECK_EQ(real_prot(v, base + 3 * P), PROT_READ | PROT_EXEC);
    CHECK_VERIFIED(v);
    p[3 * P] = 1;
    CHECK_EQ(watched(v, RESET, base, size), pages / 2 + 1);
    CHECK_EQ(watched(v, 0, base, size), 0);
    CHECK_EQ(real_prot(v, base + 2 * P), PROT_READ | PROT_EXEC);
    CHECK_VERIFIED(v);
    vas_destroy(v);
}

int main(void)
{
    test_real_writes();
    test_many_pages();
    return check_report("host_write_watch");
}
