/*
 * test_host_chain.c - the host windows' SIGSEGV handler passes on what is
 * not its own: a fault outside every window, and a genuine access
 * violation inside one, reach the handler installed before it (here the
 * test's own, standing in for a sanitizer or crash reporter).
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "host_check.h"
#include "vas/vas.h"
#include "vas/vas_host.h"

static sigjmp_buf back;
static volatile uintptr_t seen_addr;
static volatile int seen_count;

static void test_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    seen_addr = (uintptr_t)si->si_addr;
    seen_count++;
    siglongjmp(back, 1);
}

/* Stores to p; 1 when the test's handler caught a fault at p. */
static int store_is_passed_on(volatile char *p)
{
    int before = seen_count;
    if (sigsetjmp(back, 1) == 0)
        *p = 1;
    return seen_count == before + 1 && seen_addr == (uintptr_t)p;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = test_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(SIGSEGV, &sa, NULL), 0);

    vas_t *v = host_space(VAS_PROFILE_X86, 0);   /* installs the window handler over ours */
    CHECK(v != NULL);
    if (!v)
        return check_report("host_chain");

    /* Outside every window. */
    char *outside = mmap(NULL, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(outside != MAP_FAILED);
    CHECK(store_is_passed_on(outside + 5));
    munmap(outside, 0x1000);

    /* Inside the window, a read-only page: a genuine access violation. */
    uint64_t a = vas_alloc(v, 0, 0x1000, VAS_MEM_RESERVE | VAS_MEM_COMMIT, VAS_PAGE_READONLY);
    CHECK(a != 0);
    char *p = vas_host_pointer(v, a);
    CHECK(store_is_passed_on(p + 9));
    uint64_t at;
    CHECK_EQ(host_take_fault(v, &at), 0);   /* not a guard violation */

    /* A guard on a read-only page: the guard is the window's (recorded,
     * not passed on); the retried store then is a genuine violation. */
    uint32_t old;
    CHECK(vas_protect(v, a, 0x1000, VAS_PAGE_READONLY | VAS_PAGE_GUARD, &old));
    CHECK(store_is_passed_on(p + 11));
    CHECK_EQ(host_take_fault(v, &at), VAS_STATUS_GUARD_PAGE_VIOLATION);
    CHECK_EQ(at, a + 11);
    CHECK_EQ(seen_count, 3);

    vas_destroy(v);
    return check_report("host_chain");
}
