/*
 * embed.c - a program outside the vas tree that uses the installed library:
 * reserve, commit, protect and query, as README.md's example does.
 */
#include <stdio.h>
#include <vas/vas.h>

int main(void)
{
    vas_t *vas = vas_create(NULL);
    vas_mbi mbi;
    uint32_t old = 0;
    uint64_t a;
    int ok;

    if (vas == NULL)
        return 1;
    a = vas_alloc(vas, 0, 0x10000, VAS_MEM_RESERVE, VAS_PAGE_NOACCESS);
    ok = a != 0 && vas_alloc(vas, a, 0x1000, VAS_MEM_COMMIT, VAS_PAGE_READWRITE) == a
         && vas_protect(vas, a, 0x1000, VAS_PAGE_READONLY, &old) && old == VAS_PAGE_READWRITE
         && vas_query(vas, a, &mbi, sizeof mbi) == VAS_MBI_SIZE_X64
         && mbi.state == VAS_MEM_COMMIT && mbi.protect == VAS_PAGE_READONLY && mbi.region_size == 0x1000;
    printf("vas %d.%d.%d: %s\n", VAS_VERSION_MAJOR, VAS_VERSION_MINOR, VAS_VERSION_PATCH,
           ok ? "reserve, commit, protect, query as documented" : "UNEXPECTED RESULT");
    vas_destroy(vas);
    return ok ? 0 : 1;
}
