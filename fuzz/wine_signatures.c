/*
 * wine_signatures.c - prints the signature (wine_deviations.h) of the first
 * divergence between impl and the Wine server for each trace given:
 * "SIGNATURE<TAB>FILE", or "-<TAB>FILE" when they agree. fuzz/make_wine_known.sh
 * runs it on every conformance case with a `wine-deviates:` note to write
 * fuzz/wine-known-deviations.tsv. With --known, the deviations that list
 * holds (the hand-written ones no case states, such as the PartitionId Wine
 * never writes) are run past (wine_run_past_known), so that a case is listed
 * under the deviation its note describes.
 *
 *   wine_signatures [--known FILE.tsv] 'exec:COMMAND' CASE.trace...
 *   wine_signatures --group < SIGNATURES     (each line's deviation group)
 */
#include <stdio.h>
#include <string.h>
#include "wine_deviations.h"

int main(int argc, char **argv)
{
    const backend *pair[2];
    static wine_known known;  /* lives until exit */
    int i = 1, rc = 0;
    char err[512];

    if (argc == 2 && strcmp(argv[1], "--group") == 0) {
        char line[2048], group[1024];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            wine_signature_group(line, group, sizeof group);
            printf("%s\n", group);
        }
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--known") == 0) {
        if (wine_known_load(argv[2], &known, err, sizeof err) != 0) {
            fprintf(stderr, "wine_signatures: %s\n", err);
            return 2;
        }
        i = 3;
    }
    if (argc < i + 2 || strncmp(argv[i], "exec:", 5) != 0) {
        fprintf(stderr, "usage: wine_signatures [--known FILE.tsv] 'exec:COMMAND' FILE.trace...\n"
                        "       wine_signatures --group < SIGNATURES\n");
        return 2;
    }
    pair[0] = backend_find("impl");
    pair[1] = backend_find(argv[i]);
    if (pair[1] == NULL)
        return 2;
    for (i++; i < argc; i++) {
        char sig[1024];
        diff_outcome o;
        trace *t = trace_parse_file(argv[i], err, sizeof err);
        if (t == NULL) {
            fprintf(stderr, "%s\n", err);
            rc = 2;
            continue;
        }
        if (wine_run_past_known(pair, t, &known, 16, NULL, NULL, &o, sig, sizeof sig) == 1)
            printf("%s\t%s\n", sig, argv[i]);
        else
            printf("-\t%s\n", argv[i]);
        trace_free(t);
    }
    return rc;
}
