/*
 * test_host_sections.c - in a host-backed space the views of one section
 * are the same real pages (docs/semantics.md sections 12.6 and 15.3): a
 * store through one view's real pointer is read through another's, a
 * FILE_MAP_COPY view copies a page on its first real store and from then
 * on neither sees the other's writes, and SEC_RESERVE pages committed
 * through one view are there in every view.
 */
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "host_check.h"

#define P 0x1000u
#define SIZE 0x10000u

static volatile uint8_t *real(vas_t *v, uint64_t at) { return vas_host_pointer(v, at); }

static void test_shared_views(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    uint64_t sec = vas_create_section(v, SIZE, RW | VAS_SEC_COMMIT);
    CHECK(sec != 0);
    uint64_t a = vas_map_view(v, sec, VAS_FILE_MAP_WRITE, 0, 0, 0);
    uint64_t b = vas_map_view(v, sec, VAS_FILE_MAP_WRITE, 0, 0, 0);
    uint64_t ro = vas_map_view(v, sec, VAS_FILE_MAP_READ, 0, 0, 0);
    CHECK(a != 0 && b != 0 && ro != 0 && a != b);
    volatile uint8_t *pa = real(v, a), *pb = real(v, b), *pro = real(v, ro);

    /* A simulated write through one view reaches every view's real pages. */
    uint32_t word = 0xA1B2C3D4;
    CHECK_EQ(vas_write(v, a + 8, &word, sizeof word, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(pb[8], 0xD4);
    CHECK_EQ(pro[11], 0xA1);
    CHECK_VERIFIED(v);

    /* Real stores: one view's pointer, the other's reads. */
    pa[P + 1] = 0x11;
    CHECK_EQ(pb[P + 1], 0x11);
    pb[SIZE - 1] = 0x22;
    CHECK_EQ(pa[SIZE - 1], 0x22);
    CHECK_EQ(pro[SIZE - 1], 0x22);
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_write((void *)(pro + 4), 1, &fault), 0);   /* the read-only view refuses */

    /* A view outlives its handle and another view's unmap. */
    CHECK(vas_close_handle(v, sec));
    CHECK(vas_unmap_view(v, a));
    CHECK_EQ(pb[P + 1], 0x11);
    CHECK_EQ(host_probe_read((void *)pa, 1, &fault), 0);   /* a's range is gone */
    CHECK(vas_unmap_view(v, b));
    CHECK(vas_unmap_view(v, ro));
    CHECK_VERIFIED(v);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_copy_on_write(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    uint64_t sec = vas_create_section(v, SIZE, RW | VAS_SEC_COMMIT);
    uint64_t a = vas_map_view(v, sec, VAS_FILE_MAP_WRITE, 0, 0, 0);
    uint64_t c = vas_map_view(v, sec, VAS_FILE_MAP_COPY, 0, 0, 0);
    CHECK(a != 0 && c != 0);
    volatile uint8_t *pa = real(v, a), *pc = real(v, c);
    vas_mbi m;

    /* Before its first write a copy-on-write page shows the shared page. */
    pa[16] = 1;
    pa[P + 16] = 1;
    CHECK_EQ(pc[16], 1);
    CHECK_EQ(host_maps_prot_at((uintptr_t)pc), PROT_READ);   /* armed */
    CHECK(host_armed(v, c));

    /* The first real store copies the page: it becomes READWRITE (G403),
     * holds the store, and the shared page does not see it. */
    pc[16] = 9;
    CHECK_EQ(pc[16], 9);
    CHECK_EQ(pa[16], 1);
    CHECK(vas_query(v, c, &m, sizeof m) != 0);
    CHECK_EQ(m.protect, RW);
    CHECK_EQ(m.region_size, P);
    CHECK(vas_query(v, c + P, &m, sizeof m) != 0);
    CHECK_EQ(m.protect, VAS_PAGE_WRITECOPY);

    /* From then on the copy is the view's own; its other pages still
     * follow the section. */
    pa[16] = 2;
    CHECK_EQ(pc[16], 9);
    pa[P + 16] = 3;
    CHECK_EQ(pc[P + 16], 3);

    /* A simulated write copies a page as a real store does. */
    uint8_t byte = 5;
    CHECK_EQ(vas_write(v, c + 2 * P, &byte, 1, NULL), VAS_STATUS_SUCCESS);
    CHECK_EQ(pc[2 * P], 5);
    CHECK_EQ(pa[2 * P], 0);
    CHECK(vas_query(v, c + 2 * P, &m, sizeof m) != 0);
    CHECK_EQ(m.protect, RW);

    /* VirtualProtect makes a page of a shared view copy-on-write too. */
    uint32_t old;
    CHECK(vas_protect(v, a + 3 * P, P, VAS_PAGE_WRITECOPY, &old));
    pa[3 * P] = 7;
    CHECK(vas_query(v, a + 3 * P, &m, sizeof m) != 0);
    CHECK_EQ(m.protect, RW);
    CHECK_EQ(pc[3 * P], 0);   /* the section did not change */

    CHECK(vas_unmap_view(v, c));
    CHECK(vas_unmap_view(v, a));
    CHECK(vas_close_handle(v, sec));
    CHECK_VERIFIED(v);
    CHECK(vas_debug_check_invariants(v));
    vas_destroy(v);
}

static void test_reserve_section(void)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    CHECK(v != NULL);
    uint64_t sec = vas_create_section(v, SIZE, RW | VAS_SEC_RESERVE);
    uint64_t a = vas_map_view(v, sec, VAS_FILE_MAP_WRITE, 0, 0, 0);
    uint64_t b = vas_map_view(v, sec, VAS_FILE_MAP_WRITE, 0, 0, 0);
    volatile uint8_t *pa = real(v, a), *pb = real(v, b);
    uintptr_t fault = 0;
    CHECK_EQ(host_probe_read((void *)pb, 1, &fault), 0);   /* reserved: no access */
    CHECK_VERIFIED(v);

    /* Committing through a commits the section's page in b too (G035). */
    CHECK_EQ(vas_alloc(v, a, P, VAS_MEM_COMMIT, RW), a);
    CHECK_VERIFIED(v);
    pa[100] = 0x42;
    CHECK_EQ(pb[100], 0x42);
    CHECK_EQ(host_probe_read((void *)(pb + P), 1, &fault), 0);   /* the next page is still reserved */
    vas_destroy(v);   /* views and section go with the space */
}

int main(void)
{
    test_shared_views();
    test_copy_on_write();
    test_reserve_section();
    return check_report("host_sections");
}
