/*
 * regression_driver.c - replays saved inputs through a fuzz target without
 * any fuzzing engine, with any C compiler.
 *
 * Usage: TARGET_replay [--print] PATH...   (files, or directories walked
 * recursively in name order). A file ending in ".trace" is parsed as trace
 * text and diffed with the target's backends; any other file is a fuzzer
 * input and goes through LLVMFuzzerTestOneInput. Prints one line per file
 * and stops with exit code 1 at the first divergence or unreadable file.
 *
 * --print runs nothing: it prints each fuzzer input as the trace the
 * target would run (operations past FUZZ_MAX_OPS dropped, profile forced),
 * the readable form saved next to a regression input.
 *
 * --check FILE.trace... checks each trace's expectations on every backend
 * of the target instead of diffing them (fuzz_check_trace: one CHECK line
 * per backend); exit 1 when one did not pass. The campaign uses it to hold
 * a finding against a golden conformance case on the build that found it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long files_replayed;
static int print_only;

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Reads a whole file; NULL on error. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            uint8_t *grown = realloc(buf, cap ? cap * 2 : 4096);
            if (grown == NULL)
                break;
            buf = grown;
            cap = cap ? cap * 2 : 4096;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f) || n > cap) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Replays one text trace. Returns 0 when the backends agree. */
static int replay_trace_text(const char *path)
{
    char err[512];
    trace *t = trace_parse_file(path, err, sizeof err);
    int rc;
    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rc = fuzz_diff_trace(&FUZZ_TARGET, t);
    trace_free(t);
    return rc != 0;
}

/* Replays one fuzzer input. Returns 0 when the backends agree. */
static int replay_input(const char *path)
{
    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    unsigned long before = fuzz_divergence_count;
    if (data == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    if (print_only) {
        trace *t = fuzz_decode(&FUZZ_TARGET, data, len);
        char *text = t != NULL ? trace_print(t) : NULL;
        if (text != NULL)
            fputs(text, stdout);
        free(text);
        trace_free(t);
        free(data);
        return text == NULL;
    }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return fuzz_divergence_count != before;
}

static int name_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path);

/* Replays a directory's entries in name order (dot files skipped). */
static int replay_directory(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (dir == NULL) {
        fprintf(stderr, "%s: cannot open directory\n", path);
        return 1;
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **grown = realloc(names, (cap ? cap * 2 : 64) * sizeof *names);
            if (grown == NULL)
                break;
            names = grown;
            cap = cap ? cap * 2 : 64;
        }
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (names[n] == NULL)
            break;
        sprintf(names[n], "%s/%s", path, e->d_name);
        n++;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, name_compare);
    for (i = 0; i < n; i++) {
        if (rc == 0)
            rc = replay_path(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int replay_path(const char *path)
{
    struct stat st;
    int rc;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: no such file\n", path);
        return 1;
    }
    if (S_ISDIR(st.st_mode))
        return replay_directory(path);
    if (has_suffix(path, ".md"))  /* a corpus README */
        return 0;
    if (print_only)
        return has_suffix(path, ".trace") ? 0 : replay_input(path);
    rc = has_suffix(path, ".trace") ? replay_trace_text(path) : replay_input(path);
    printf("%s %s\n", rc == 0 ? "OK  " : "FAIL", path);
    fflush(stdout);
    files_replayed++;
    return rc;
}

/* --check: each trace's expectations on every backend. */
static int check_traces(int argc, char **argv)
{
    int i, status = 0;
    for (i = 0; i < argc; i++) {
        char err[512];
        trace *t = trace_parse_file(argv[i], err, sizeof err);
        if (t == NULL) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        printf("FILE %s\n", argv[i]);
        if (fuzz_check_trace(&FUZZ_TARGET, t, stdout) != 0)
            status = 1;
        trace_free(t);
    }
    return status;
}

int main(int argc, char **argv)
{
    int i = 1, check_only = 0;
    fuzz_abort_on_divergence = 0;
    if (argc > 1 && strcmp(argv[1], "--print") == 0) {
        print_only = 1;
        i++;
    } else if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        check_only = 1;
        i++;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [--print | --check] FILE_OR_DIRECTORY...\n", argv[0]);
        return 2;
    }
    if (check_only)
        return check_traces(argc - i, argv + i);
    for (; i < argc; i++) {
        if (replay_path(argv[i]) != 0) {
            printf("%s: replayed %lu files, stopped at the first failure\n",
                   FUZZ_TARGET.name, files_replayed);
            return 1;
        }
    }
    if (print_only)
        return 0;
    printf("%s: replayed %lu files, all OK\n", FUZZ_TARGET.name, files_replayed);
    return 0;
}
