/*
 * trace_internal.h - what the trace_*.c files share and the public header
 * does not promise: the lexer, building a trace piece by piece and the
 * limits of the language.
 */
#ifndef HARNESS_TRACE_INTERNAL_H
#define HARNESS_TRACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "harness/trace.h"

/* The largest read length and write/fill byte count the text accepts: the
 * runner allocates a buffer of that size, so a typo must not ask for 2^60. */
#define TRACE_MAX_DATA_LEN 0x1000000u

/* ---- Issue 13's operation words (trace_names.c) ------------------------ */

/* Each word, its opcode, how many expressions follow it (ADDR, then SIZE;
 * wsset: MIN MAX; isbadstr: ADDR MAX; close: PROCESS; readproc and
 * writeproc: PROCESS ADDR BUF SIZE) and how its expectation reads:
 * MEMAPI_BOOL "-> 1" / "-> 0 err=E", MEMAPI_VALUE "-> N",
 * MEMAPI_UINT "-> 0" / "-> N err=E" (UINT results, 0 is success),
 * MEMAPI_PAGES as MEMAPI_UINT, with "-> {EXPR ...}" for success,
 * MEMAPI_HANDLE "-> nonzero" / "-> 0 err=E" (process: binds a name),
 * MEMAPI_COPY as MEMAPI_BOOL and an optional "n=N" or "n=none". */
typedef enum memapi_expect {
    MEMAPI_BOOL, MEMAPI_VALUE, MEMAPI_UINT, MEMAPI_PAGES, MEMAPI_HANDLE, MEMAPI_COPY
} memapi_expect;
typedef struct memapi_op_word {
    const char *word;
    trace_opcode code;
    unsigned args;
    memapi_expect expect;
} memapi_op_word;
extern const memapi_op_word trace_memapi_ops[];   /* ends with word NULL */

/* ---- The other operations' words and forms (trace_names.c) ------------- */

/* Each word the parser reads and the printer writes, its opcode and its
 * arguments in print order, a letter each:
 *   a ADDR, s SIZE, h HANDLE, o OFFSET, t THREAD, p PROCESS (expressions);
 *   A ADDR, printed only when not 0 (map's optional address);
 *   T TYPE as MEM_, S TYPE as SEC_, Y TYPE as alloc2/map3 types, P PROT,
 *   E VALUE as ERROR_, F FLAGS as FILE_MAP_, U FLAGS as unmap flags (constants);
 *   n LEN, m COUNT, r STRIDE (numbers); d the bytes (hex).
 * The words after the arguments (nullold, len=, the REQ words of alloc2
 * and map3, reserve, down, in=) are the printer's. */
typedef struct op_form {
    const char *word;
    trace_opcode code;
    const char *args;
} op_form;
extern const op_form trace_op_forms[];   /* ends with word NULL */

/* ---- Tokens of one operation line (trace_lex.c) ------------------------ */

typedef enum trace_token_kind {
    TOK_END,      /* end of line or start of a comment; text is "" */
    TOK_WORD,     /* [A-Za-z0-9_]+: names, numbers, constants, hex data */
    TOK_EQ, TOK_LBRACE, TOK_RBRACE, TOK_BAR, TOK_PLUS, TOK_MINUS, TOK_STAR,
    TOK_ARROW,    /* -> */
    TOK_BAD       /* one character the language does not use */
} trace_token_kind;

typedef struct trace_token {
    trace_token_kind kind;
    const char *text;   /* points into the line */
    size_t len;
} trace_token;

typedef struct trace_lexer {
    const char *line, *p, *end;
} trace_lexer;

/* Starts lexing [line, end) (no newline or carriage return at the end). */
void trace_lex_init(trace_lexer *lx, const char *line, const char *end);
/* Returns the next token and moves past it (TOK_END repeats forever). */
trace_token trace_lex_next(trace_lexer *lx);
/* Returns the next token without moving. */
trace_token trace_lex_peek(const trace_lexer *lx);

/* ---- Building traces (trace_build.c) ---------------------------------- */

/* A new empty trace (x64, no commit limit) with file copied; NULL on OOM. */
trace *trace_new(const char *file);
/* Appends a zeroed operation (result -1, no names, no expectation) and
 * returns it; NULL on OOM. The pointer is valid until the next append. */
trace_op *trace_append_op(trace *t, trace_opcode code);
/* Appends a name (copied) and returns its index; -1 on OOM. */
int trace_add_name(trace *t, const char *name, size_t len);
/* Index of a bound name, or -1. */
int trace_find_name(const trace *t, const char *name, size_t len);
/* Appends a copy of text to a string list; 0 on success, -1 on OOM. */
int trace_add_string(char ***list, size_t *n, const char *text, size_t len);

#endif
