/*
 * cmd_check.c - `vastrace check [--backend NAME] [--json] [--files-from LIST]
 * FILE...`: runs each trace on a fresh address space and checks every
 * expectation, stopping a case at its first failure. The conformance runner
 * (here and on Windows) reads its --json output, one object per case:
 *
 *   {"file":F,"case":NAME|null,"backend":B,"status":"pass"|"fail"|"error",
 *    "line":N|null,"op":TEXT|null,"expected":TEXT|null,"actual":TEXT|null,
 *    "message":TEXT|null,"elapsed_us":N}
 *
 * Exit 0 when every case passed, 1 when one failed, 2 when one could not be
 * run (a malformed trace, or a backend that refused).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "commands.h"
#include "wall_clock.h"
#include "harness/run.h"

/* What one case came to. Strings are "" when they do not apply. */
typedef struct case_outcome {
    const char *status;  /* "pass", "fail", "error" */
    int line;            /* 0 when it does not apply */
    int parse_error;     /* the trace was malformed: message is trace_parse's */
    char op[2048], expected[2048], actual[2048], message[1024];
} case_outcome;

static void outcome_error(case_outcome *o, int line, const char *message)
{
    o->status = "error";
    o->line = line;
    snprintf(o->message, sizeof o->message, "%s", message);
}

/* The LINE of a trace_parse message "FILE:LINE: error: ...", or 0. */
static int line_of_error(const char *file, const char *err)
{
    size_t n = strlen(file);
    int line = 0;
    if (strncmp(err, file, n) != 0 || err[n] != ':')
        return 0;
    for (err += n + 1; *err >= '0' && *err <= '9' && line < 100000000; err++)
        line = line * 10 + (*err - '0');
    return *err == ':' ? line : 0;
}

/* The observer of check_case: fills the outcome, stopping at the first
 * failed expectation or error. */
static int check_step(void *ctx, run_step *s)
{
    case_outcome *o = ctx;
    const trace_op *op = s->op;
    if (op == NULL) {
        outcome_error(o, 0, s->open_failure ? s->open_failure
                                            : "the backend cannot create an address space for this trace");
        return RUN_STOP;
    }
    if (s->executed && !s->res->unsupported && s->holds && s->check_failed == NULL)
        return RUN_CONTINUE;
    op_print_split(s->t, op, o->op, sizeof o->op, o->expected, sizeof o->expected);
    if (!s->executed || s->res->unsupported) {
        char msg[512];
        snprintf(msg, sizeof msg, s->executed ? "backend %s does not support this operation"
                 : op->code == TRACE_CHARGE ? "backend %s cannot report the commit charge"
                 : "backend %s cannot perform this operation (out of memory?)", s->run->b->name);
        outcome_error(o, op->line, msg);
    } else if (!s->holds) {
        o->status = "fail";
        o->line = op->line;
        /* The map lets the actual value name addresses as the trace does. */
        run_step_describe(s, o->actual, sizeof o->actual);
        snprintf(o->message, sizeof o->message, "expectation failed");
    } else {
        outcome_error(o, op->line, s->check_failed);
    }
    return RUN_STOP;
}

/* Runs t on b until its first failed expectation. */
static void check_case(const backend *b, const trace *t, case_outcome *o)
{
    run_observer obs = {check_step, o};
    o->status = "pass";
    run_trace_ex(b, t, &obs);
}

/* Writes s as a JSON string, or null when s is NULL or empty. */
static void json_string(FILE *out, const char *s)
{
    if (s == NULL || *s == '\0') {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c >= 0x7F)
            fprintf(out, "\\u%04x", c);  /* traces are ASCII; anything else is escaped */
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_json(const char *file, const trace *t, const backend *b, const case_outcome *o,
                       long long elapsed_us)
{
    printf("{\"file\":");
    json_string(stdout, file);
    printf(",\"case\":");
    json_string(stdout, t ? t->case_name : NULL);
    printf(",\"backend\":");
    json_string(stdout, b->name);
    printf(",\"status\":\"%s\",\"line\":", o->status);
    if (o->line > 0)
        printf("%d", o->line);
    else
        printf("null");
    printf(",\"op\":");
    json_string(stdout, o->op);
    printf(",\"expected\":");
    json_string(stdout, o->expected);
    printf(",\"actual\":");
    json_string(stdout, o->actual);
    printf(",\"message\":");
    json_string(stdout, o->message);
    printf(",\"elapsed_us\":%lld}\n", elapsed_us);
}

static void print_text(const char *file, const case_outcome *o)
{
    if (strcmp(o->status, "pass") == 0)
        printf("PASS %s\n", file);
    else if (strcmp(o->status, "fail") == 0)
        printf("FAIL %s:%d: %s\n  expected: %s\n  actual:   %s\n", file, o->line, o->op,
               o->expected, o->actual);
    else if (o->op[0] != '\0')
        printf("ERROR %s:%d: %s\n  %s\n", file, o->line, o->op, o->message);
    else if (o->parse_error)
        printf("ERROR %s: malformed trace\n", file);  /* the message went to stderr */
    else
        printf("ERROR %s\n  %s\n", file, o->message);
}

/* Runs one case and prints its result; returns 0 pass, 1 fail, 2 error. */
static int check_file(const backend *b, const char *file, int json)
{
    static case_outcome o;  /* large: keep it off the stack */
    char err[1024];
    trace *t;
    double start;
    int rc;

    memset(&o, 0, sizeof o);
    start = wall_clock_seconds();
    t = trace_parse_file(file, err, sizeof err);
    if (t == NULL) {
        outcome_error(&o, line_of_error(file, err), err);
        o.parse_error = 1;
        fflush(stdout);
        fprintf(stderr, "%s\n", err);
    } else {
        check_case(b, t, &o);
    }
    if (json)
        print_json(file, t, b, &o, (long long)((wall_clock_seconds() - start) * 1e6));
    else
        print_text(file, &o);
    rc = strcmp(o.status, "pass") == 0 ? 0 : strcmp(o.status, "fail") == 0 ? 1 : 2;
    trace_free(t);
    return rc;
}

/* Checks each path listed in LIST, one per line ("-" reads standard input).
 * A batch of hundreds of cases does not fit a Windows command line
 * (32,767 characters), so the conformance runner hands its list this way. */
static int check_list(const backend *b, const char *list, int json, int *files)
{
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    char line[4096];
    int rc = 0;
    if (f == NULL) {
        fprintf(stderr, "vastrace check: cannot open file list '%s'\n", list);
        return 2;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strcspn(line, "\r\n");
        int case_rc;
        if (line[n] == '\0' && !feof(f)) {
            fprintf(stderr, "vastrace check: %s: a path longer than %zu characters\n", list,
                    sizeof line - 2);
            rc = 2;
            break;
        }
        line[n] = '\0';
        if (n == 0)
            continue;
        (*files)++;
        case_rc = check_file(b, line, json);
        if (case_rc > rc)
            rc = case_rc;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

#define CHECK_USAGE "usage: vastrace check [--backend NAME] [--json] [--files-from LIST|-] FILE...\n"

int cmd_check(int argc, char **argv)
{
    const char *name = NULL, *list = NULL;
    const backend *b;
    int json = 0, rc = 0, files = 0, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--files-from") == 0 && i + 1 < argc)
            list = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, CHECK_USAGE);
            return 2;
        } else
            files++;
    }
    if (files == 0 && list == NULL) {
        fprintf(stderr, CHECK_USAGE);
        return 2;
    }
    b = name ? backend_find(name) : backend_list()[0];
    if (b == NULL) {
        fprintf(stderr, "vastrace check: unknown backend '%s'\n", name);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        int case_rc;
        if (strcmp(argv[i], "--backend") == 0 || strcmp(argv[i], "--files-from") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] == '-')
            continue;
        case_rc = check_file(b, argv[i], json);
        if (case_rc > rc)
            rc = case_rc;
    }
    if (list != NULL) {
        int listed = 0, list_rc = check_list(b, list, json, &listed);
        if (list_rc > rc)
            rc = list_rc;
        if (listed == 0 && files == 0) {
            fprintf(stderr, "vastrace check: the file list '%s' names no trace\n", list);
            rc = 2;
        }
    }
    fflush(stdout);
    return rc;
}
