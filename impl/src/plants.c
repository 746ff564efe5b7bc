/*
 * plants.c - which planted bug is on (plants.h): $VAS_PLANT, read once.
 * Compiled to nothing without -DVAS_PLANTS.
 */
#include "plants.h"

#ifdef VAS_PLANTS
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int vas_plant(int n)
{
    static int chosen = -1, reported;
    if (chosen < 0) {
        const char *s = getenv("VAS_PLANT");
        chosen = s && *s ? atoi(s) : 0;
    }
    if (n != chosen)
        return 0;
    if (!reported) {
        const char *path = getenv("VAS_PLANT_REACHED");
        reported = 1;
        if (path && *path) {
            int fd = open(path, O_WRONLY | O_CREAT, 0644);
            if (fd >= 0)
                close(fd);
        }
    }
    return 1;
}
#else
typedef int vas_plants_none;   /* an empty translation unit is not ISO C */
#endif
