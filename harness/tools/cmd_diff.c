/*
 * cmd_diff.c - `vastrace diff [--backends A,B,...] FILE...`: runs each trace
 * on several backends in lockstep; at the first operation where they
 * disagree prints the report of diff_trace and exits 1; 0 when none
 * disagree, 2 on bad input.
 */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "harness/compare.h"

int cmd_diff(int argc, char **argv)
{
    const char *spec = DIFF_DEFAULT_BACKENDS;
    const backend *backends[MAX_BACKENDS];
    size_t n;
    int rc = 0, files = 0, i;
    char err[1024];

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backends") == 0 && i + 1 < argc)
            spec = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: vastrace diff [--backends A,B,...] FILE...\n");
            return 2;
        } else
            files++;
    }
    n = backends_parse(spec, backends, MAX_BACKENDS, err, sizeof err);
    if (n == 0 || files == 0) {
        fprintf(stderr, "%s%susage: vastrace diff [--backends A,B,...] FILE...\n",
                n == 0 ? err : "", n == 0 ? "\n" : "");
        return 2;
    }
    for (i = 1; i < argc; i++) {
        trace *t;
        int file_rc;
        if (strcmp(argv[i], "--backends") == 0) {
            i++;
            continue;
        }
        t = trace_parse_file(argv[i], err, sizeof err);
        if (t == NULL) {
            fprintf(stderr, "%s\n", err);
            rc = 2;
            continue;
        }
        file_rc = diff_trace(backends, n, t, stdout);
        if (file_rc == 0)
            printf("SAME %s (%zu ops on %s)\n", argv[i], t->n_ops, spec);
        if (file_rc > rc)
            rc = file_rc;
        trace_free(t);
    }
    return rc;
}
