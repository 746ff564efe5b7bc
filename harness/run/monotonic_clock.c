/*
 * monotonic_clock.c - seconds on a clock that never steps back, for the
 * client's deadlines and the server's timing lines (VAS_SERVE_TIMING):
 * CLOCK_MONOTONIC on POSIX, the performance counter on Windows.
 */
#ifdef _WIN32
#include <windows.h>
#else
#define _GNU_SOURCE
#include <time.h>
#endif
#include "harness/protocol.h"

double proto_now(void)
{
#ifdef _WIN32
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
#endif
}
