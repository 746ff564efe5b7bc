/*
 * msvcrt_compat.h - C11 pieces that mingw-w64's default C runtime (msvcrt)
 * lacks, forced into every file of the Windows build by build.sh so the
 * portable harness sources compile unchanged.
 *
 * timespec_get / TIME_UTC exist only with the UCRT; here they are built on
 * _ftime64 (millisecond resolution, enough for the timings printed).
 */
#ifndef VAS_MSVCRT_COMPAT_H
#define VAS_MSVCRT_COMPAT_H

#include <time.h>

#ifndef TIME_UTC
#include <sys/timeb.h>

#define TIME_UTC 1

static __inline int vas_timespec_get(struct timespec *ts, int base)
{
    struct __timeb64 now;
    if (base != TIME_UTC)
        return 0;
    _ftime64(&now);
    ts->tv_sec = (time_t)now.time;
    ts->tv_nsec = (long)now.millitm * 1000000L;
    return base;
}
#define timespec_get vas_timespec_get
#endif

#endif
