/*
 * test_trace_roundtrip.c - on every trace of the corpus
 * (the .trace files in harness/tests/traces): printing is canonical (parse(print(t)) == t
 * and printing that again gives the same text), and the traces without
 * expectations survive text -> binary -> text unchanged. Files named
 * expect-*.trace carry expectations or headers and must be refused by the
 * encoder instead.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "harness/trace.h"
#include "check.h"

#define CORPUS_DIR "harness/tests/traces"

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Returns 1 if the file went through the binary round trip. */
static int check_file(const char *path, int expect_encodable)
{
    char err[512];
    trace *t = trace_parse_file(path, err, sizeof err);
    CHECK_MSG(t != NULL, "%s", err);
    if (!t)
        return 0;
    char *text = trace_print(t);
    trace *t2 = trace_parse("<printed>", text, strlen(text), err, sizeof err);
    CHECK_MSG(t2 != NULL, "%s: printed text does not parse: %s\n%s", path, err, text);
    if (t2) {
        CHECK_MSG(trace_equal(t, t2), "%s: parse(print(t)) != t", path);
        char *text2 = trace_print(t2);
        CHECK_MSG(strcmp(text, text2) == 0, "%s: print is not canonical:\n%s---\n%s", path, text, text2);
        free(text2);
    }

    size_t len = 0;
    uint8_t *bytes = trace_encode_binary(t, &len);
    int round_tripped = 0;
    if (!expect_encodable) {
        CHECK_MSG(bytes == NULL, "%s: encoder accepted a trace with expectations or headers", path);
    } else {
        CHECK_MSG(bytes != NULL, "%s: encoder refused it", path);
        trace *t3 = bytes ? trace_decode_binary(bytes, len, (size_t)-1) : NULL;
        if (t3) {
            char *text3 = trace_print(t3);
            CHECK_MSG(trace_equal(t, t3), "%s: decode(encode(t)) != t", path);
            CHECK_MSG(strcmp(text, text3) == 0, "%s: text -> binary -> text changed it:\n%s---\n%s",
                  path, text, text3);
            free(text3);
            round_tripped = 1;
            trace_free(t3);
        }
    }
    free(bytes);
    free(text);
    trace_free(t2);
    trace_free(t);
    return round_tripped;
}

int main(void)
{
    DIR *dir = opendir(CORPUS_DIR);
    CHECK_MSG(dir != NULL, "cannot open %s (run from the repository root)", CORPUS_DIR);
    if (!dir)
        return check_report("test_trace_roundtrip");
    int files = 0, binary = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!has_suffix(e->d_name, ".trace"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
        files++;
        binary += check_file(path, strncmp(e->d_name, "expect-", 7) != 0);
    }
    closedir(dir);
    printf("corpus: %d traces, %d through the binary form\n", files, binary);
    CHECK_MSG(binary >= 15, "expected at least 15 encodable traces, found %d", binary);
    CHECK_MSG(files > binary, "expected some traces with expectations");
    return check_report("test_trace_roundtrip");
}
