/*
 * cmd_map.c - `vastrace map [--backend NAME] [--at N] [--svg FILE] TRACE`:
 * the map of the trace's address space (space_map.h) after its operation N
 * (default: all of them; 0: the fresh space), printed as a table; with
 * --svg also drawn as a picture into FILE. Exit 0, or 2 on bad input or a
 * backend that cannot run the trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "harness/space_map.h"

#define MAP_USAGE "usage: vastrace map [--backend NAME] [--at N] [--svg FILE] TRACE\n"

/* N of --at: a decimal count of operations. Returns 0 when it is one. */
static int parse_count(const char *text, size_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno != 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int write_svg(const space_map *m, const char *path, const char *title)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "vastrace map: cannot write '%s': %s\n", path, strerror(errno));
        return 2;
    }
    space_map_svg(m, f, title);
    if (fclose(f) != 0) {
        fprintf(stderr, "vastrace map: cannot write '%s': %s\n", path, strerror(errno));
        return 2;
    }
    return 0;
}

int cmd_map(int argc, char **argv)
{
    const char *name = NULL, *path = NULL, *svg = NULL;
    const backend *b;
    size_t at = (size_t)-1;
    space_map m;
    trace *t;
    char err[1024], title[1200];
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
            svg = argv[++i];
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], &at) != 0) {
                fprintf(stderr, "vastrace map: --at takes a number of operations, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (argv[i][0] == '-' || path != NULL) {
            fprintf(stderr, MAP_USAGE);
            return 2;
        } else
            path = argv[i];
    }
    if (path == NULL) {
        fprintf(stderr, MAP_USAGE);
        return 2;
    }
    b = name ? backend_find(name) : backend_list()[0];
    if (b == NULL) {
        fprintf(stderr, "vastrace map: unknown backend '%s'\n", name);
        return 2;
    }
    t = trace_parse_file(path, err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (at != (size_t)-1 && at > t->n_ops) {
        fprintf(stderr, "vastrace map: --at %zu, but %s has %zu operations\n", at, path, t->n_ops);
        trace_free(t);
        return 2;
    }
    if (at == (size_t)-1)
        at = t->n_ops;
    rc = space_map_at(b, t, at, &m, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "vastrace map: %s\n", rc == -1 ? "out of memory" : err);
        trace_free(t);
        return 2;
    }
    snprintf(title, sizeof title, "%s on %s (%s), after op %zu of %zu", path, b->name,
             trace_profile_name(t->profile), at, t->n_ops);
    printf("map of %s\n\n", title);
    space_map_print(&m, stdout, "");
    rc = svg ? write_svg(&m, svg, title) : 0;
    space_map_free(&m);
    trace_free(t);
    return rc;
}
