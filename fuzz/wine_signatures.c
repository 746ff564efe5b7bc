/*
 * wine_signatures.c - prints the signature (wine_deviations.h) of the first
 * divergence between impl and the Wine server for each trace given:
 * "SIGNATURE<TAB>FILE", or "-<TAB>FILE" when they agree. fuzz/make_wine_known.sh
 * runs it on every conformance case with a `wine-deviates:` note to write
 * fuzz/wine-known-deviations.tsv.
 *
 *   wine_signatures 'exec:wine build-win32/vastrace.exe serve' CASE.trace...
 */
#include <stdio.h>
#include <string.h>
#include "wine_deviations.h"

int main(int argc, char **argv)
{
    const backend *pair[2];
    int i, rc = 0;
    if (argc < 3 || strncmp(argv[1], "exec:", 5) != 0) {
        fprintf(stderr, "usage: wine_signatures 'exec:COMMAND' FILE.trace...\n");
        return 2;
    }
    pair[0] = backend_find("impl");
    pair[1] = backend_find(argv[1]);
    if (pair[1] == NULL)
        return 2;
    for (i = 2; i < argc; i++) {
        char err[512], sig[1024];
        diff_outcome o;
        trace *t = trace_parse_file(argv[i], err, sizeof err);
        if (t == NULL) {
            fprintf(stderr, "%s\n", err);
            rc = 2;
            continue;
        }
        if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 1) {
            wine_signature(t, o.at, o.what, pair[0]->name, pair[1]->name, sig, sizeof sig);
            printf("%s\t%s\n", sig, argv[i]);
        } else {
            printf("-\t%s\n", argv[i]);
        }
        trace_free(t);
    }
    return rc;
}
