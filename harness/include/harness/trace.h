/*
 * trace.h - the trace language in memory: parse, print, binary encode and
 * decode. The text form is described in docs/trace-format.md.
 *
 * Data flow: text or bytes -> trace (this header) -> run on backends
 * (run.h) -> first difference (compare) -> report.
 */
#ifndef HARNESS_TRACE_H
#define HARNESS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"

typedef enum trace_opcode {
    TRACE_ALLOC, TRACE_FREE, TRACE_PROTECT, TRACE_QUERY, TRACE_READ,
    TRACE_WRITE, TRACE_EXEC, TRACE_SETERR, TRACE_GETERR, TRACE_CHARGE,
    /* Issue 13 (docs/semantics.md sections 8-10): write watch, locking,
     * pointer probes. */
    TRACE_WATCH, TRACE_RESETWATCH, TRACE_LOCK, TRACE_UNLOCK, TRACE_WSSET, TRACE_WSMIN,
    TRACE_WSMAX, TRACE_LOCKED, TRACE_ISBADREAD, TRACE_ISBADWRITE, TRACE_ISBADCODE,
    TRACE_ISBADSTR,
    /* Issue 11 (docs/semantics.md section 11): thread stacks. */
    TRACE_THREAD, TRACE_THREAD_EXIT, TRACE_GUARANTEE, TRACE_TOUCH,
    /* Issue 10 (docs/semantics.md section 14): many allocations made or
     * released by one operation, so that traces reach the index at scale. */
    TRACE_BULKALLOC, TRACE_BULKFREE,
    /* Processes (docs/semantics.md section 13.2): create one, close a
     * handle, Read/WriteProcessMemory. alloc, free, protect and query take
     * a process with in=EXPR (the *Ex calls). */
    TRACE_PROCESS, TRACE_CLOSE, TRACE_READPROC, TRACE_WRITEPROC,
    /* Issue 12 (docs/semantics.md section 12): sections and views. */
    TRACE_SECTION, TRACE_MAP, TRACE_UNMAP,
    /* Issue 12 (docs/semantics.md 12.9-12.14): placeholders. VirtualAlloc2,
     * MapViewOfFile3, UnmapViewOfFile2, UnmapViewOfFileEx; VirtualFree's
     * placeholder flags are free's type. */
    TRACE_ALLOC2, TRACE_MAP3, TRACE_UNMAP2, TRACE_UNMAPEX
} trace_opcode;
/* How many operation kinds there are: the last one + 1. A new kind is
 * appended to the enum and named here. */
#define TRACE_OPCODE_COUNT (TRACE_UNMAPEX + 1)

/* The pseudo-handle of GetCurrentProcess, (HANDLE)-1, as a trace number. */
#define TRACE_CURRENT_PROCESS UINT64_MAX
/* readproc/writeproc "n=none": the call left the byte count alone. */
#define TRACE_COUNT_UNTOUCHED UINT64_MAX

/* watch: which out-pointers are passed as NULL (trace_op.nulls). */
enum { WATCH_NULL_COUNT = 1, WATCH_NULL_GRAN = 2, WATCH_NULL_ADDRS = 4 };
/* watch: how many addresses the array holds when the trace gives no max=. */
#define TRACE_WATCH_DEFAULT_MAX 64u
/* watch max= and the pages of its expectation: at most this many. */
#define TRACE_WATCH_MAX_PAGES 4096u

/* bulk alloc / bulk free: at most this many calls in one operation. */
#define TRACE_BULK_MAX 4096u
/* bulk free: the stride is 1..this. */
#define TRACE_BULK_STRIDE_MAX 255u

/* An address or size expression: name + offset, or a plain number
 * (name == -1). Offsets wrap modulo 2^64, as the text's '-' does. */
typedef struct trace_expr {
    int name;        /* index into trace.names, or -1 */
    uint64_t offset;
} trace_expr;

/* What an operation is expected to produce ("-> ..."), checked by
 * `vastrace check` and the conformance runner. */
typedef enum trace_expect_kind {
    EXPECT_NONE,      /* no "->" */
    EXPECT_VALUE,     /* -> EXPR: alloc/map address, free/protect 1, geterr/charge value */
    EXPECT_NONZERO,   /* -> nonzero (alloc, section, map) */
    EXPECT_FAIL,      /* -> 0 err=E (and optionally old=P for protect) */
    EXPECT_QUERY,     /* -> {field=value ...} */
    EXPECT_ACCESS,    /* -> ok [data=...] | AV at=EXPR | GUARD at=EXPR */
    EXPECT_PAGES      /* watch: -> {EXPR ...}, success with these pages */
} trace_expect_kind;

enum {  /* bits of trace_expect.query_fields */
    QF_BASE = 1, QF_ALLOC_BASE = 2, QF_ALLOC_PROTECT = 4, QF_SIZE = 8,
    QF_STATE = 16, QF_PROTECT = 32, QF_TYPE = 64, QF_RET = 128
};

typedef struct trace_expect {
    trace_expect_kind kind;
    trace_expr value;          /* EXPECT_VALUE */
    int has_error; uint32_t error;      /* err= */
    int has_old; uint32_t old;          /* old= (protect: a protection; guarantee: bytes) */
    unsigned query_fields;              /* QF_* present in {...} */
    trace_expr q_base, q_alloc_base;    /* query expectations */
    uint64_t q_size; uint32_t q_alloc_protect, q_state, q_protect, q_type; uint64_t q_ret;
    uint32_t status;           /* EXPECT_ACCESS: 0, ACCESS_VIOLATION, GUARD_PAGE_VIOLATION,
                                * STACK_OVERFLOW or INVALID_HANDLE (no thread; no at=) */
    trace_expr at;             /* fault address */
    int has_data; uint8_t *data; size_t data_len;  /* read data (owned) */
    trace_expr *pages; size_t n_pages;  /* EXPECT_PAGES (owned) */
    int has_count; uint64_t count;      /* readproc/writeproc n= (TRACE_COUNT_UNTOUCHED: none) */
} trace_expect;

/* alloc2, map3: the extended parameters (docs/trace-format.md, REQ). */
typedef enum trace_ext_shape {
    TRACE_EXT_NONE,     /* ExtendedParameters NULL, ParameterCount 0 */
    TRACE_EXT_REQ,      /* one address-requirements parameter (lowest=, highest=, align=, ext=req) */
    TRACE_EXT_TWICE,    /* ext=twice: that parameter twice */
    TRACE_EXT_INVALID,  /* ext=invalid: one parameter of type MemExtendedParameterInvalidType */
    TRACE_EXT_MAX,      /* ext=max: one parameter of type MemExtendedParameterMax */
    TRACE_EXT_NULL      /* ext=null: ParameterCount 1, ExtendedParameters NULL */
} trace_ext_shape;

typedef struct trace_ext {
    trace_ext_shape shape;
    trace_expr lowest, highest;   /* LowestStartingAddress, HighestEndingAddress */
    uint64_t align;               /* Alignment */
} trace_ext;

typedef struct trace_op {
    trace_opcode code;
    int line;          /* 1-based source line, 0 when decoded from bytes */
    int result;        /* name bound by "n = alloc" (alloc2, section, map, map3), or -1 */
    trace_expr addr, size;   /* map: addr is the address asked for (0: any) */
    trace_expr handle;       /* map, map3: the section handle (close takes it in process) */
    trace_expr offset;       /* map: the section offset */
    uint32_t type;     /* alloc, bulk alloc: allocation type; free: free type; section: SEC_* flags */
    uint32_t protect;
    int null_old;      /* protect: pass NULL old pointer */
    int has_len; uint64_t query_len;   /* query len= */
    uint32_t value;    /* seterr */
    uint8_t *data;     /* write bytes (owned); for read, NULL */
    size_t len;        /* read length / write length */
    uint32_t flags;    /* watch: GetWriteWatch flags; isbadstr: character size 1 or 2;
                        * thread: 1 when SIZE is the reservation ("reserve");
                        * touch: 1 for a stack probe down to ADDR ("down");
                        * map: FILE_MAP_* access */
    trace_expr thread; /* thread_exit, guarantee, touch: the thread (its stack's base) */
    uint32_t nulls;    /* watch: WATCH_NULL_* */
    uint64_t max;      /* watch: capacity of the address array (*count in);
                        * bulk alloc / bulk free: the count */
    uint32_t stride;   /* bulk free: release every stride-th allocation */
    int has_process;   /* alloc/free/protect/query: in=PROCESS given (the *Ex call) */
    trace_expr process;  /* the process handle: in=, close, readproc, writeproc */
    trace_expr buf;    /* readproc/writeproc: the buffer in the calling process */
    trace_ext ext;     /* alloc2, map3: extended parameters (map3's protection is protect,
                        * its AllocationType type; unmap2/unmapex's flags are flags) */
    trace_expect expect;
} trace_op;

typedef struct trace {
    char *file;              /* for messages; "<bytes>" when decoded */
    char *case_name;         /* name: header, or NULL */
    char **sources; size_t n_sources;
    char **wine_deviates; size_t n_wine_deviates;
    char **model_only; size_t n_model_only;  /* model-only: why a real system differs */
    vas_profile profile;
    uint64_t commit_limit;
    vas_layout layout;       /* layout: header (docs/semantics.md 11.2); x64 only */
    uint64_t aslr_seed;      /* aslr-seed: header; 0 = none (first fit) */
    char **names; size_t n_names;    /* "a", "b", ... */
    trace_op *ops; size_t n_ops;
} trace;

/* 1 when an operation of this code binds a name ("n = ..."): alloc,
 * alloc2, bulk alloc, thread, process, section, map, map3. */
int trace_opcode_binds(trace_opcode code);
/* An operation of this code with every operand absent: no name bound, no
 * name used, all numbers 0, no expectation (what the parser starts from). */
void trace_op_init(trace_op *op, trace_opcode code);

/* Parses text. On error returns NULL and writes
 * "FILE:LINE: error: MESSAGE near 'TOKEN'" into err. Never crashes on any
 * input. */
trace *trace_parse(const char *file, const char *text, size_t len, char *err, size_t err_len);
trace *trace_parse_file(const char *path, char *err, size_t err_len);
void trace_free(trace *t);

/* Prints the canonical text form (parse(print(t)) equals t). Returns a
 * malloc'd string. */
char *trace_print(const trace *t);
/* Prints one operation (without newline) into buf; returns its length. */
size_t trace_print_op(const trace *t, const trace_op *op, char *buf, size_t buf_len);

/* ---- Names (trace_names.c): the one table of each ------------------------
 * The parser reads, the printer writes and run/compare reports describe
 * values with these, so the three cannot disagree. */

/* Which family of constants a value belongs to. The same number prints
 * differently per family (0x01000000 is RESET_UNDO as an allocation type but
 * IMAGE as a query type; NOACCESS is both a protection and an error). */
typedef enum trace_const_kind {
    CONST_MEM_TYPE,    /* flAllocationType / dwFreeType: flags, MEM_ */
    CONST_MEM_STATE,   /* query state and type: flags, MEM_ */
    CONST_PROTECT,     /* flProtect: flags, PAGE_ */
    CONST_ERROR,       /* last-error: one value, ERROR_ */
    CONST_SECTION,     /* CreateFileMapping's section attributes: flags, SEC_ */
    CONST_FILE_MAP,    /* MapViewOfFile's dwDesiredAccess: flags, FILE_MAP_ */
    CONST_ALLOC2_TYPE, /* VirtualAlloc2 / MapViewOfFile3 AllocationType: MEM_ (0x4000 prints
                        * REPLACE_PLACEHOLDER, 0x40000 RESERVE_PLACEHOLDER) */
    CONST_UNMAP_FLAGS  /* UnmapViewOfFile2 / UnmapViewOfFileEx UnmapFlags: MEM_ */
} trace_const_kind;

/* Looks up one constant name (with or without its prefix). Returns 1 and
 * sets *value if known, 0 otherwise. */
int trace_const_lookup(trace_const_kind kind, const char *name, size_t len, uint32_t *value);

/* Writes the symbolic form of value (RESERVE|COMMIT, READWRITE|GUARD,
 * INVALID_PARAMETER, 0, or a 0x number for bits without a name) into buf,
 * NUL-terminated, truncated to buf_len. Returns buf. */
const char *trace_const_format(trace_const_kind kind, uint32_t value, char *buf, size_t buf_len);

/* A profile's name in the trace language ("x64", "x86", "x86_laa"); NULL
 * for a value that is not a profile. */
const char *trace_profile_name(vas_profile profile);
/* Reads a profile name of len bytes. Returns 1 and sets *out if known. */
int trace_profile_parse(const char *name, size_t len, vas_profile *out);

/* ---- Whole traces -------------------------------------------------------- */

/* 1 if a and b describe the same trace: same headers, names, operations,
 * arguments and expectations. Ignores file and source line numbers. */
int trace_equal(const trace *a, const trace *b);

/* Binary encoding for fuzzers. Decoding is total: every byte string is a
 * valid trace (at most max_ops operations; bytes past that are ignored),
 * with arguments biased toward boundaries. encode(t) decodes back to t for
 * every trace without expectations and headers other than profile and
 * commit-limit. */
trace *trace_decode_binary(const uint8_t *bytes, size_t len, size_t max_ops);
/* Returns a malloc'd buffer and its length in *out_len; NULL on failure. */
uint8_t *trace_encode_binary(const trace *t, size_t *out_len);

/* splitmix64 (Steele, Lea, Flood 2014): any state, 0 included, gives a good
 * sequence. The harness's one generator of random bytes. */
uint64_t trace_rand(uint64_t *state);
/* The trace of a seed (trace_random.c): trace_rand's bytes from `seed`,
 * decoded, as many as it takes to reach max_ops operations (fewer only when
 * writes carry kilobytes past a bound). *bytes / *cap is a buffer the caller
 * reuses across calls and frees. NULL when out of memory. */
trace *trace_of_seed(uint64_t seed, size_t max_ops, uint8_t **bytes, size_t *cap);

#endif
