/*
 * wall_clock.c - wall-clock seconds: C11's timespec_get where the C library
 * has it (some mingw-w64 runtimes do not); else clock(), which is wall time
 * on Windows.
 */
#include "wall_clock.h"

#include <time.h>

double wall_clock_seconds(void)
{
#ifdef TIME_UTC
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != 0)
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
#endif
    return (double)clock() / CLOCKS_PER_SEC;
}
