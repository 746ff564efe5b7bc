/*
 * host_maps.c - reads /proc/self/maps: which real ranges are mapped and
 * with which protection, as the kernel itself reports them. The verifier
 * compares this with the model; a probe only shows what one access does.
 */
#include "host_debug.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The whole file, NUL-terminated, malloc'd; NULL on failure. The kernel
 * builds it on the fly, so its size is only known by reading to the end. */
static char *read_maps_text(void)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 1 << 16, used = 0;
    char *text = malloc(cap);
    while (text) {
        if (cap - used < 4096) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, text + used, cap - used - 1);
        if (n < 0) {
            free(text);
            text = NULL;
        } else if (n == 0) {
            text[used] = '\0';
            break;
        } else {
            used += (size_t)n;
        }
    }
    close(fd);
    return text;
}

/* One line "start-end rwxp ...": 1 when it parsed. */
static int parse_line(const char *line, host_map *m)
{
    unsigned long long start, end;
    char perms[5];
    if (sscanf(line, "%llx-%llx %4s", &start, &end, perms) != 3)
        return 0;
    m->start = (uintptr_t)start;
    m->end = (uintptr_t)end;
    m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
              (perms[2] == 'x' ? PROT_EXEC : 0);
    return 1;
}

long host_maps_read(uintptr_t lo, uintptr_t hi, host_map **out)
{
    char *text = read_maps_text();
    if (!text)
        return -1;
    long count = 0, cap = 0;
    host_map *maps = NULL;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        host_map m;
        if (parse_line(line, &m) && m.start < hi && m.end > lo) {
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                host_map *bigger = realloc(maps, (size_t)cap * sizeof *maps);
                if (!bigger) {
                    free(maps);
                    free(text);
                    return -1;
                }
                maps = bigger;
            }
            maps[count++] = m;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(text);
    *out = maps;
    return count;
}

int host_maps_prot_at(uintptr_t a)
{
    host_map *maps;
    long n = host_maps_read(a, a + 1, &maps);
    int prot = n > 0 ? maps[0].prot : -1;
    if (n > 0)
        free(maps);
    return prot;
}
