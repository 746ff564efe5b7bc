/*
 * host_check.h - the assertion the host-mode tests share: real memory (its
 * protections and contents) agrees with the model, as host_verify sees it.
 */
#ifndef VAS_TEST_HOST_CHECK_H
#define VAS_TEST_HOST_CHECK_H

#include <stdio.h>

#include "check.h"
#include "vas/vas_host.h"

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
