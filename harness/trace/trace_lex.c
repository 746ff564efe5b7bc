/*
 * trace_lex.c - splits one operation line into tokens: words, the
 * punctuation = { } | + - * and ->, and the end of the line (where a comment
 * also ends it). Headers are recognised before lexing, by the parser.
 */
#include "trace_internal.h"

void trace_lex_init(trace_lexer *lx, const char *line, const char *end)
{
    lx->line = line;
    lx->p = line;
    lx->end = end;
}

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

trace_token trace_lex_next(trace_lexer *lx)
{
    trace_token tok = {TOK_END, "", 0};
    const char *p = lx->p;
    while (p < lx->end && is_blank(*p))
        p++;
    /* A comment starts with '#' at the start of the line or after a blank;
     * a '#' glued to a token is a stray character. */
    if (p == lx->end || (*p == '#' && (p == lx->line || is_blank(p[-1])))) {
        lx->p = lx->end;
        return tok;
    }
    tok.text = p;
    if (is_word_char(*p)) {
        while (p < lx->end && is_word_char(*p))
            p++;
        tok.kind = TOK_WORD;
    } else {
        switch (*p) {
        case '=': tok.kind = TOK_EQ; break;
        case '{': tok.kind = TOK_LBRACE; break;
        case '}': tok.kind = TOK_RBRACE; break;
        case '|': tok.kind = TOK_BAR; break;
        case '+': tok.kind = TOK_PLUS; break;
        case '*': tok.kind = TOK_STAR; break;
        case '-':
            if (p + 1 < lx->end && p[1] == '>') {
                tok.kind = TOK_ARROW;
                p++;
            } else {
                tok.kind = TOK_MINUS;
            }
            break;
        default: tok.kind = TOK_BAD; break;
        }
        p++;
    }
    tok.len = (size_t)(p - tok.text);
    lx->p = p;
    return tok;
}

trace_token trace_lex_peek(const trace_lexer *lx)
{
    trace_lexer copy = *lx;
    return trace_lex_next(&copy);
}
