/*
 * cmd_run.c - `vastrace run [--backend NAME] FILE`: runs a trace on one
 * backend, printing each operation and its result; exit 0 when every
 * expectation held, 1 when one failed, 2 on bad input or a backend error.
 */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "harness/run.h"

int cmd_run(int argc, char **argv)
{
    const char *name = NULL, *path = NULL;
    const backend *b;
    trace *t;
    char err[512];
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (argv[i][0] == '-' || path != NULL) {
            fprintf(stderr, "usage: vastrace run [--backend NAME] FILE\n");
            return 2;
        } else
            path = argv[i];
    }
    if (path == NULL) {
        fprintf(stderr, "usage: vastrace run [--backend NAME] FILE\n");
        return 2;
    }
    b = name ? backend_find(name) : backend_list()[0];
    if (b == NULL) {
        fprintf(stderr, "vastrace run: unknown backend '%s'\n", name);
        return 2;
    }
    t = trace_parse_file(path, err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    rc = run_trace(b, t, stdout);
    trace_free(t);
    return rc;
}
