/*
 * test_trace_fuzz.c - the parser never crashes and always either returns a
 * trace or one well-formed error message, on 20,000 generated inputs:
 * random token soup (the language's own words and punctuation, plus bytes it
 * does not use) and corpus files with bytes flipped, inserted, deleted and
 * lines spliced. Meant to run under ASan/UBSan (the default build). Any
 * trace it accepts must also print and parse back to itself.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/trace.h"
#include "check.h"

static uint64_t rng = 1;   /* check_rand's state: the same inputs every run */

#define SOUP_INPUTS 10000
#define MUTATED_INPUTS 10000

static const char *const words[] = {
    "alloc", "free", "protect", "query", "read", "write", "exec", "seterr", "geterr",
    "charge", "a", "b", "r0", "nonzero", "ok", "AV", "GUARD", "err", "old", "at", "data",
    "fill", "len", "nullold", "RESERVE", "COMMIT", "MEM_RELEASE", "READWRITE", "PAGE_GUARD",
    "INVALID_PARAMETER", "0", "1", "0x1000", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000",
    "18446744073709551616", "ab", "abc", "zz", "name:", "profile:", "x86", "commit-limit:",
    "source:", "->", "=", "|", "+", "-", "*", "{", "}", " ", " ", " ", "\t", "\n", "\r\n",
    "#", " #", "\r", "\0", "\xff", "@", ":", "base", "size", "state", "type", "ret"
};

static const char *const corpus[] = {
    "harness/tests/traces/expect-doc-example.trace",
    "harness/tests/traces/expect-access.trace",
    "harness/tests/traces/expect-failures.trace",
    "harness/tests/traces/offsets.trace",
    "harness/tests/traces/profile-laa.trace",
};

/* An error message must be "FILE:LINE: error: MESSAGE near 'TOKEN'". */
static int message_well_formed(const char *err)
{
    const char *p = strncmp(err, "f.trace:", 8) == 0 ? err + 8 : NULL;
    if (!p || *p < '1' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strncmp(p, ": error: ", 9) != 0)
        return 0;
    size_t n = strlen(p);
    return strstr(p, " near '") != NULL && p[n - 1] == '\'';
}

static void check_input(const char *text, size_t len, const char *what, int n)
{
    char err[512];
    err[0] = 'X';
    trace *t = trace_parse("f.trace", text, len, err, sizeof err);
    if (!t) {
        CHECK_MSG(message_well_formed(err), "%s %d: bad message: %s", what, n, err);
        return;
    }
    char *printed = trace_print(t);
    trace *t2 = trace_parse("p", printed, strlen(printed), err, sizeof err);
    CHECK_MSG(t2 && trace_equal(t, t2), "%s %d: accepted trace does not round trip: %s\n%s", what,
          n, t2 ? "differs" : err, printed);
    trace_free(t2);
    free(printed);
    trace_free(t);
}

static char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

int main(void)
{
    char *buf = malloc(1 << 17);
    int accepted = 0;
    for (int n = 0; n < SOUP_INPUTS; n++) {
        size_t len = 0, count = check_rand_below(&rng, 40);
        for (size_t i = 0; i < count; i++) {
            const char *w = words[check_rand_below(&rng, sizeof words / sizeof words[0])];
            size_t wl = w[0] ? strlen(w) : 1;  /* "\0" is one NUL byte */
            memcpy(buf + len, w, wl);
            len += wl;
            if (check_rand_below(&rng, 3))
                buf[len++] = ' ';
        }
        check_input(buf, len, "soup", n);
    }
    size_t sizes[5];
    char *files[5];
    for (int i = 0; i < 5; i++)
        files[i] = load(corpus[i], &sizes[i]);
    for (int n = 0; n < MUTATED_INPUTS; n++) {
        int f = (int)check_rand_below(&rng, 5);
        if (!files[f])
            continue;
        size_t len = sizes[f];
        memcpy(buf, files[f], len);
        int edits = 1 + (int)check_rand_below(&rng, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = check_rand_below(&rng, len + 1);
            switch (check_rand_below(&rng, 4)) {
            case 0:  /* flip a byte */
                if (at < len)
                    buf[at] = (char)check_rand(&rng);
                break;
            case 1:  /* insert a byte */
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = (char)check_rand(&rng);
                len++;
                break;
            case 2:  /* delete a run */
                if (at < len) {
                    size_t k = check_rand_below(&rng, len - at) % 8 + 1;
                    if (k > len - at)
                        k = len - at;
                    memmove(buf + at, buf + at + k, len - at - k);
                    len -= k;
                }
                break;
            default: { /* splice a word in */
                const char *w = words[check_rand_below(&rng, sizeof words / sizeof words[0])];
                size_t wl = w[0] ? strlen(w) : 1;
                memmove(buf + at + wl, buf + at, len - at);
                memcpy(buf + at, w, wl);
                len += wl;
                break;
            }
            }
        }
        char err[512];
        trace *t = trace_parse("f.trace", buf, len, err, sizeof err);
        accepted += t != NULL;
        trace_free(t);
        check_input(buf, len, "mutant", n);
    }
    printf("mutants accepted: %d of %d\n", accepted, MUTATED_INPUTS);
    /* Some mutants (e.g. flips inside comments) stay valid: a generator that
     * only ever produced garbage would not test the accepting paths. */
    CHECK_MSG(accepted > 0, "no mutant was accepted");
    for (int i = 0; i < 5; i++)
        free(files[i]);
    free(buf);
    return check_report("test_trace_fuzz");
}
