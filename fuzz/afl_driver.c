/*
 * afl_driver.c - runs a libFuzzer-style target under AFL++ in persistent
 * mode, with test cases delivered through shared memory.
 *
 * Built with afl-clang-fast, which defines the __AFL_* macros: the fork
 * server starts after __AFL_INIT (deferred, so process setup is paid once),
 * and each child process then runs up to PERSISTENT_ITERATIONS inputs from
 * the shared-memory buffer before it is recycled. Outside afl-fuzz the same
 * binary reads one input from stdin, which afl-tmin and a person can use.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>  /* read(): the macros fall back to stdin outside afl-fuzz */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs per process: bounds the damage a leak or corrupted state can do
 * between fresh processes, while amortizing the fork. */
#define PERSISTENT_ITERATIONS 10000

__AFL_FUZZ_INIT();

int main(void)
{
    unsigned char *buf;
#ifdef __AFL_HAVE_MANUAL_CONTROL
    __AFL_INIT();
#endif
    /* Must be taken after __AFL_INIT: the shared memory is mapped there. */
    buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(PERSISTENT_ITERATIONS)) {
        int len = __AFL_FUZZ_TESTCASE_LEN;
        LLVMFuzzerTestOneInput(buf, (size_t)len);
    }
    return 0;
}
