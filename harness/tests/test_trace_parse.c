/*
 * test_trace_parse.c - the parser reads what docs/trace-format.md describes
 * into the right fields, and refuses each kind of malformed line with the
 * exact message "FILE:LINE: error: MESSAGE near 'TOKEN'".
 */
#include <stdlib.h>
#include <string.h>
#include "harness/trace.h"
#include "check.h"

static trace *parse(const char *text, char *err, size_t err_len)
{
    return trace_parse("t.trace", text, strlen(text), err, err_len);
}

/* ---- Well-formed input ------------------------------------------------- */

static void test_fields(void)
{
    char err[256];
    const char *text =
        "# comment line\n"
        "name: case-1   # comment after a header\n"
        "source: somewhere\n"
        "source: elsewhere\n"
        "wine-deviates: differs\n"
        "profile: x86_laa\n"
        "commit-limit: 0x100000\n"
        "\n"
        "   \t\n"
        "a = alloc 0 0xFFFC MEM_RESERVE|COMMIT PAGE_READWRITE|GUARD -> nonzero\n"
        "alloc a+0x1000 4096 COMMIT 0x104 -> a\n"
        "free a-1 0 RELEASE -> 0 err=ERROR_INVALID_PARAMETER\n"
        "protect a 1 READONLY nullold -> 0 err=NOACCESS old=READWRITE\n"
        "query a len=0x1C -> {base=a alloc_base=a size=0x1000 state=COMMIT type=PRIVATE ret=28}\n"
        "read a 4 -> ok data=0102a0FF\n"
        "write a fill=0xAB*3 -> GUARD at=a+0x1000\n"
        "exec a -> AV at=a\n"
        "seterr 87\n"
        "geterr -> INVALID_PARAMETER\n"
        "charge -> 0x2000\n";
    trace *t = parse(text, err, sizeof err);
    CHECK_MSG(t != NULL, "parse failed: %s", err);
    if (!t)
        return;
    CHECK_MSG(t->case_name && strcmp(t->case_name, "case-1") == 0, "name '%s'", t->case_name);
    CHECK_MSG(t->n_sources == 2 && strcmp(t->sources[1], "elsewhere") == 0, "sources");
    CHECK_MSG(t->n_wine_deviates == 1 && strcmp(t->wine_deviates[0], "differs") == 0, "wine");
    CHECK_MSG(t->profile == VAS_PROFILE_X86_LAA, "profile %d", t->profile);
    CHECK_MSG(t->commit_limit == 0x100000, "commit limit");
    CHECK_MSG(t->n_names == 1 && strcmp(t->names[0], "a") == 0, "names");
    CHECK_MSG(t->n_ops == 11, "n_ops %zu", t->n_ops);
    if (t->n_ops != 11) {
        trace_free(t);
        return;
    }
    const trace_op *op = t->ops;
    CHECK_MSG(op[0].code == TRACE_ALLOC && op[0].result == 0 && op[0].line == 10, "op0");
    CHECK_MSG(op[0].addr.name == -1 && op[0].addr.offset == 0 && op[0].size.offset == 0xFFFC, "op0 args");
    CHECK_MSG(op[0].type == (VAS_MEM_RESERVE | VAS_MEM_COMMIT), "op0 type %#x", op[0].type);
    CHECK_MSG(op[0].protect == (VAS_PAGE_READWRITE | VAS_PAGE_GUARD), "op0 protect");
    CHECK_MSG(op[0].expect.kind == EXPECT_NONZERO, "op0 expect");
    CHECK_MSG(op[1].result == -1 && op[1].addr.name == 0 && op[1].addr.offset == 0x1000, "op1 addr");
    CHECK_MSG(op[1].size.offset == 4096 && op[1].protect == 0x104, "op1 size/protect");
    CHECK_MSG(op[1].expect.kind == EXPECT_VALUE && op[1].expect.value.name == 0 &&
          op[1].expect.value.offset == 0, "op1 expect");
    CHECK_MSG(op[2].addr.name == 0 && op[2].addr.offset == UINT64_MAX, "a-1 wraps");
    CHECK_MSG(op[2].expect.kind == EXPECT_FAIL && op[2].expect.has_error &&
          op[2].expect.error == VAS_ERROR_INVALID_PARAMETER, "op2 expect");
    CHECK_MSG(op[3].null_old == 1 && op[3].expect.kind == EXPECT_FAIL &&
          op[3].expect.error == VAS_ERROR_NOACCESS && op[3].expect.has_old &&
          op[3].expect.old == VAS_PAGE_READWRITE, "op3");
    CHECK_MSG(op[4].has_len && op[4].query_len == 0x1C, "op4 len");
    CHECK_MSG(op[4].expect.kind == EXPECT_QUERY &&
          op[4].expect.query_fields == (QF_BASE | QF_ALLOC_BASE | QF_SIZE | QF_STATE | QF_TYPE | QF_RET) &&
          op[4].expect.q_size == 0x1000 && op[4].expect.q_state == VAS_MEM_COMMIT &&
          op[4].expect.q_type == VAS_MEM_PRIVATE && op[4].expect.q_ret == 28, "op4 expect");
    CHECK_MSG(op[5].len == 4 && op[5].expect.kind == EXPECT_ACCESS && op[5].expect.status == 0 &&
          op[5].expect.has_data && op[5].expect.data_len == 4 &&
          memcmp(op[5].expect.data, "\x01\x02\xa0\xff", 4) == 0, "op5 read");
    CHECK_MSG(op[6].len == 3 && memcmp(op[6].data, "\xab\xab\xab", 3) == 0, "op6 fill");
    CHECK_MSG(op[6].expect.status == VAS_STATUS_GUARD_PAGE_VIOLATION &&
          op[6].expect.at.name == 0 && op[6].expect.at.offset == 0x1000, "op6 expect");
    CHECK_MSG(op[7].expect.status == VAS_STATUS_ACCESS_VIOLATION, "op7");
    CHECK_MSG(op[8].code == TRACE_SETERR && op[8].value == 87, "op8");
    CHECK_MSG(op[9].expect.kind == EXPECT_VALUE && op[9].expect.value.offset == 87, "op9");
    CHECK_MSG(op[10].expect.value.offset == 0x2000, "op10");
    trace_free(t);
}

static void test_crlf_and_boundaries(void)
{
    char err[256];
    trace *t = parse("a = alloc 0 18446744073709551615 RESERVE NOACCESS\r\n"
                     "query a+0xFFFFFFFFFFFFFFFF\r\n"
                     "\r\n"
                     "charge", err, sizeof err);
    CHECK_MSG(t != NULL, "CRLF trace refused: %s", err);
    if (t) {
        CHECK_MSG(t->n_ops == 3, "n_ops %zu", t->n_ops);
        CHECK_MSG(t->ops[0].size.offset == UINT64_MAX, "largest decimal");
        CHECK_MSG(t->ops[1].addr.offset == UINT64_MAX, "largest hex");
        CHECK_MSG(t->ops[2].line == 4, "line %d", t->ops[2].line);
        trace_free(t);
    }
    t = parse("", err, sizeof err);
    CHECK_MSG(t && t->n_ops == 0 && t->profile == VAS_PROFILE_X64 && t->commit_limit == 0,
          "empty text");
    trace_free(t);
}

/* ---- Malformed input --------------------------------------------------- */

typedef struct bad_case {
    const char *what;
    const char *text;
    const char *message;
} bad_case;

static const bad_case bad_cases[] = {
    {"unknown operation", "frob 0\n", "t.trace:1: error: unknown operation near 'frob'"},
    {"arrow alone", "-> 1", "t.trace:1: error: unknown operation near '->'"},
    {"missing argument", "alloc 0 0x1000 RESERVE\n", "t.trace:1: error: missing argument near ''"},
    {"missing offset", "query 0\nexec 0+", "t.trace:2: error: extra argument near '+'"},
    {"extra argument", "alloc 0 0x1000 RESERVE NOACCESS 5",
     "t.trace:1: error: extra argument near '5'"},
    {"extra argument geterr", "geterr now", "t.trace:1: error: extra argument near 'now'"},
    {"bad number", "alloc 0 12g RESERVE NOACCESS", "t.trace:1: error: bad number near '12g'"},
    {"bad hex number", "exec 0x1zz", "t.trace:1: error: bad number near '0x1zz'"},
    {"bare 0x", "exec 0x", "t.trace:1: error: bad number near '0x'"},
    {"hex overflow", "exec 0x10000000000000000",
     "t.trace:1: error: number too large near '0x10000000000000000'"},
    {"decimal overflow", "exec 18446744073709551616",
     "t.trace:1: error: number too large near '18446744073709551616'"},
    {"unknown constant", "alloc 0 1 RESERVE READWRITTE",
     "t.trace:1: error: unknown constant near 'READWRITTE'"},
    {"unknown flag in a mix", "alloc 0 1 RESERVE|BOGUS NOACCESS",
     "t.trace:1: error: unknown constant near 'BOGUS'"},
    {"wrong family", "seterr READWRITE", "t.trace:1: error: unknown constant near 'READWRITE'"},
    {"flag over 32 bits", "alloc 0 1 RESERVE 0x100000000",
     "t.trace:1: error: value does not fit in 32 bits near '0x100000000'"},
    {"unknown name", "query b", "t.trace:1: error: unknown name near 'b'"},
    {"name in its own expectation", "a = alloc 0 1 RESERVE NOACCESS -> a",
     "t.trace:1: error: unknown name near 'a'"},
    {"rebinding", "a = alloc 0 1 RESERVE NOACCESS\na = alloc 0 1 RESERVE NOACCESS",
     "t.trace:2: error: name already bound near 'a'"},
    {"binding a non-alloc", "a = free 0 0 RELEASE",
     "t.trace:1: error: only alloc, alloc2, bulk alloc, thread, process, section, map and map3 bind a name near 'free'"},
    {"unknown ext shape", "alloc2 0 0 0x1000 RESERVE NOACCESS ext=bogus",
     "t.trace:1: error: expected ext=req|twice|invalid|max|null near 'bogus'"},
    {"ext twice", "alloc2 0 0 0x1000 RESERVE NOACCESS ext=req ext=max",
     "t.trace:1: error: ext= given twice near 'ext'"},
    {"requirement fields with ext=null", "alloc2 0 0 0x1000 RESERVE NOACCESS align=0x10000 ext=null",
     "t.trace:1: error: ext=invalid, ext=max and ext=null take no lowest=, highest= or align= near ''"},
    {"map3 without protection", "map3 0 0 0 0 0x1000 0",
     "t.trace:1: error: missing argument near ''"},
    {"unmap2 flags not a constant", "unmap2 0 0 READWRITE",
     "t.trace:1: error: unknown constant near 'READWRITE'"},
    {"bulk without a kind", "bulk protect 0 1 1", "t.trace:1: error: expected bulk alloc or bulk free near 'protect'"},
    {"bulk count too large", "bulk alloc 4097 0x1000 COMMIT|RESERVE READWRITE",
     "t.trace:1: error: count too large near '4097'"},
    {"bulk stride 0", "bulk free 0 10 0", "t.trace:1: error: stride must be at least 1 near '0'"},
    {"bulk stride too large", "bulk free 0 10 256", "t.trace:1: error: stride too large near '256'"},
    {"bad name", "A = alloc 0 1 RESERVE NOACCESS", "t.trace:1: error: bad name near 'A'"},
    {"reserved name", "nonzero = alloc 0 1 RESERVE NOACCESS",
     "t.trace:1: error: reserved word used as a name near 'nonzero'"},
    {"upper-case address", "exec Foo",
     "t.trace:1: error: expected an address, a size or a name near 'Foo'"},
    {"odd hex data", "write 0 abc", "t.trace:1: error: odd number of hex digits near 'abc'"},
    {"non-hex data", "write 0 zz", "t.trace:1: error: bad hex data near 'zz'"},
    {"0x in hex data", "write 0 0x12", "t.trace:1: error: bad hex data near '0x12'"},
    {"fill byte too big", "write 0 fill=0x100*2",
     "t.trace:1: error: fill byte does not fit in 8 bits near '0x100'"},
    {"fill count too big", "write 0 fill=1*0x1000001",
     "t.trace:1: error: length too large near '0x1000001'"},
    {"fill without star", "write 0 fill=1", "t.trace:1: error: missing argument near ''"},
    {"read too long", "read 0 0x1000001", "t.trace:1: error: length too large near '0x1000001'"},
    {"free expects 2", "free 0 0 RELEASE -> 2",
     "t.trace:1: error: bad expectation: expected 1 or 0 near '2'"},
    {"0 without err", "alloc 0 1 RESERVE NOACCESS -> 0",
     "t.trace:1: error: expected err=ERROR after 0 near ''"},
    {"err misspelt", "free 0 0 RELEASE -> 0 error=5",
     "t.trace:1: error: expected err=ERROR after 0 near 'error'"},
    {"unknown error", "free 0 0 RELEASE -> 0 err=BOGUS",
     "t.trace:1: error: unknown constant near 'BOGUS'"},
    {"old without value", "protect 0 1 READWRITE -> 1 old=",
     "t.trace:1: error: missing argument near ''"},
    {"trailing garbage", "alloc 0 1 RESERVE NOACCESS -> nonzero junk",
     "t.trace:1: error: unexpected text after the expectation near 'junk'"},
    {"bad access outcome", "read 0 1 -> fine",
     "t.trace:1: error: bad expectation: expected ok, AV or GUARD near 'fine'"},
    {"AV without at", "read 0 1 -> AV", "t.trace:1: error: expected at=ADDRESS near ''"},
    {"data on exec", "exec 0 -> ok data=00",
     "t.trace:1: error: unexpected text after the expectation near 'data'"},
    {"data of the wrong length", "read 0 2 -> ok data=01",
     "t.trace:1: error: data length differs from read length near '01'"},
    {"unknown query field", "query 0 -> {base=0 colour=1}",
     "t.trace:1: error: unknown query field near 'colour'"},
    {"unclosed query", "query 0 -> {base=0", "t.trace:1: error: missing '}' near ''"},
    {"duplicate query field", "query 0 -> {size=1 size=2}",
     "t.trace:1: error: duplicate query field near 'size'"},
    {"query success as 1", "query 0 -> 1",
     "t.trace:1: error: bad expectation: query expects {fields} or 0 err=ERROR near '1'"},
    {"expectation on seterr", "seterr 5 -> 5",
     "t.trace:1: error: this operation takes no expectation near '->'"},
    {"header after an operation", "geterr\nname: late",
     "t.trace:2: error: header after an operation near 'name'"},
    {"unknown header", "colour: red", "t.trace:1: error: unknown header near 'colour'"},
    {"bad profile", "profile: arm64",
     "t.trace:1: error: bad profile (x64, x86 or x86_laa) near 'arm64'"},
    {"duplicate profile", "profile: x64\nprofile: x86",
     "t.trace:2: error: duplicate header near 'profile'"},
    {"bad commit limit", "commit-limit: lots", "t.trace:1: error: bad number near 'lots'"},
    {"empty header", "name:   # nothing", "t.trace:1: error: missing header value near ''"},
    {"stray character", "alloc 0 1 RESERVE NOACCESS @",
     "t.trace:1: error: unexpected character near '@'"},
    {"glued comment", "geterr#x", "t.trace:1: error: unexpected character near '#'"},
    {"lone CR", "geterr\rcharge", "t.trace:1: error: unexpected character near '\\x0D'"},
    {"non-ASCII", "exec \xC3\xA9", "t.trace:1: error: unexpected character near '\\xC3'"},
    {"control byte in header", "name: a\x01z", "t.trace:1: error: unexpected character near '\\x01'"},
    {"line counting", "# one\n\nname: x\ngeterr\n   \nquery q",
     "t.trace:6: error: unknown name near 'q'"},
};

static void test_bad_cases(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char err[512];
        trace *t = parse(c->text, err, sizeof err);
        CHECK_MSG(t == NULL, "[%s] accepted", c->what);
        trace_free(t);
        CHECK_MSG(strcmp(err, c->message) == 0, "[%s]\n   got: %s\n  want: %s", c->what, err,
              c->message);
    }
}

/* Inputs that C strings cannot hold, or that are long. */
static void test_nul_and_long_lines(void)
{
    char err[512];
    static const char with_nul[] = "geterr\nexec 0\0x\n";
    trace *t = trace_parse("t.trace", with_nul, sizeof with_nul - 1, err, sizeof err);
    CHECK_MSG(t == NULL && strcmp(err, "t.trace:2: error: unexpected character near '\\x00'") == 0,
          "NUL: %s", err);
    trace_free(t);

    size_t n = 200000;
    char *line = malloc(n + 64);
    strcpy(line, "exec ");
    memset(line + 5, '1', n);
    line[5 + n] = '\0';
    t = parse(line, err, sizeof err);
    char want[256];
    snprintf(want, sizeof want, "t.trace:1: error: number too large near '%.*s...'", 64,
             line + 5);
    CHECK_MSG(t == NULL && strcmp(err, want) == 0, "long number: %s", err);
    trace_free(t);

    memset(line, 'x', n);
    line[n] = '\0';
    t = parse(line, err, sizeof err);
    snprintf(want, sizeof want, "t.trace:1: error: unknown operation near '%.*s...'", 64, line);
    CHECK_MSG(t == NULL && strcmp(err, want) == 0, "long word: %s", err);
    trace_free(t);

    /* A long valid line: 100,000 hex digits of write data. */
    strcpy(line, "write 0x10000 ");
    memset(line + 14, 'a', 100000);
    line[14 + 100000] = '\0';
    t = parse(line, err, sizeof err);
    CHECK_MSG(t != NULL && t->ops[0].len == 50000 && t->ops[0].data[49999] == 0xAA,
          "long data: %s", err);
    trace_free(t);
    free(line);

    /* A tiny error buffer is truncated, never overrun. */
    char small[8];
    t = parse("frob", small, sizeof small);
    CHECK_MSG(t == NULL && strcmp(small, "t.trace") == 0, "small buffer: '%s'", small);
    t = parse("frob", NULL, 0);
    CHECK_MSG(t == NULL, "NULL error buffer");
}

static void test_parse_file(void)
{
    char err[512];
    trace *t = trace_parse_file("harness/tests/traces/expect-doc-example.trace", err, sizeof err);
    CHECK_MSG(t != NULL, "corpus file: %s", err);
    CHECK_MSG(t && strcmp(t->file, "harness/tests/traces/expect-doc-example.trace") == 0, "file");
    trace_free(t);
    t = trace_parse_file("harness/tests/traces/no-such-file.trace", err, sizeof err);
    CHECK_MSG(t == NULL && strncmp(err, "harness/tests/traces/no-such-file.trace:0: error: ", 50) == 0,
          "missing file: %s", err);
}

int main(void)
{
    test_fields();
    test_crlf_and_boundaries();
    test_bad_cases();
    test_nul_and_long_lines();
    test_parse_file();
    return check_report("test_trace_parse");
}
