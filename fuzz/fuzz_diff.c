/*
 * fuzz_diff.c - fuzz target: the fast model (impl) against the oracle.
 *
 * The input is the trace language's binary encoding: every byte string
 * decodes to a valid trace of at most FUZZ_MAX_OPS operations, in whatever
 * profile the bytes choose. Any difference in results, memory maps or
 * self-checks is printed as a readable trace and ends in abort().
 */
#include "fuzz_helpers.h"

static const char *const backend_names[] = { "impl", "oracle" };

const fuzz_target FUZZ_TARGET = {
    "fuzz_diff", backend_names, sizeof backend_names / sizeof backend_names[0], 0, VAS_PROFILE_X64
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_diff_bytes(&FUZZ_TARGET, data, size);
    return 0;
}
