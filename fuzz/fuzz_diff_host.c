/*
 * fuzz_diff_host.c - fuzz target: impl, oracle and the host-backed model
 * (real memory mirrored by mmap/mprotect) in lockstep.
 *
 * The host backend can only mirror the 2 GiB x86 profile into real memory,
 * so every trace runs as x86 whatever profile its bytes chose. The host backend's own
 * check (real memory against the model) runs after every operation.
 */
#include "fuzz_helpers.h"

static const char *const backend_names[] = { "impl", "oracle", "host" };

const fuzz_target FUZZ_TARGET = {
    "fuzz_diff_host", backend_names, sizeof backend_names / sizeof backend_names[0],
    1, VAS_PROFILE_X86
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_diff_bytes(&FUZZ_TARGET, data, size);
    return 0;
}
