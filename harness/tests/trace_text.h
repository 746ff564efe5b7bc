/*
 * trace_text.h - a trace written inline in a test. Text that does not parse
 * is a broken test, not a failed check: it stops the program with the
 * parser's message.
 */
#ifndef HARNESS_TESTS_TRACE_TEXT_H
#define HARNESS_TESTS_TRACE_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/trace.h"

static inline trace *trace_from_text(const char *text)
{
    char err[512];
    trace *t = trace_parse("<test>", text, strlen(text), err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "parse failed: %s\n", err);
        exit(1);
    }
    return t;
}

#endif
