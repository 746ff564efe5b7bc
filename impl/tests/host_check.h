/*
 * host_check.h - what the host-mode tests share: making a host-backed space,
 * and the assertion that real memory (its protections and contents) agrees
 * with the model, as host_verify sees it.
 */
#ifndef VAS_TEST_HOST_CHECK_H
#define VAS_TEST_HOST_CHECK_H

#include <stdio.h>

#include "check.h"
#include "vas/vas_host.h"

/* A host-backed space of the profile; max_address 0 keeps the profile's. */
static inline vas_t *host_space(vas_profile profile, uint64_t max_address)
{
    vas_config cfg;
    vas_config_default(&cfg, profile);
    if (max_address)
        cfg.max_address = max_address;
    cfg.host_backed = 1;
    return vas_create(&cfg);
}

/* For programs that dereference the addresses the Windows API gives them:
 * a host-backed x86 space whose window sits at the simulated addresses
 * themselves. NULL (with a note, and the test must fail: its claim would
 * go untested) when something else already holds those addresses. */
static inline vas_t *host_space_at_same_addresses(const char *test)
{
    vas_t *v = host_space(VAS_PROFILE_X86, 0);
    int ok;
    if (!v || host_offset(v, &ok) != 0) {
        fprintf(stderr, "%s: no x86 window at the same addresses\n", test);
        if (v)
            vas_destroy(v);
        return NULL;
    }
    return v;
}

static inline void check_verified(vas_t *v, const char *file, int line)
{
    char msg[256];
    if (host_verify(v, msg, sizeof msg)) {
        fprintf(stderr, "%s:%d: host_verify: %s\n", file, line, msg);
        check_failures++;
    }
}
#define CHECK_VERIFIED(v) check_verified((v), __FILE__, __LINE__)

#endif
