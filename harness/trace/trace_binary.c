/*
 * trace_binary.c - the compact byte form of a trace, for fuzzers: decoding
 * turns any byte string into a valid trace, encoding turns a trace back into
 * bytes that decode to it.
 *
 * Uniform random bytes should mostly become programs that do real work
 * (allocate, then touch, protect and free what was allocated) while every
 * error path stays reachable. So most byte values of each field stand for
 * the common, valid choice, a few for boundary values and invalid flag
 * mixes, and a raw escape carries anything else.
 *
 * THE BYTE FORMAT
 *
 * Bytes are read front to back. A read past the end gives 0, so decoding
 * is total; multi-byte values are little-endian. Decoding is deterministic
 * and never fails.
 *
 *   trace     := HEADER OP*        ops are read while bytes remain (checked
 *                                  before each op) and fewer than max_ops
 *                                  have been read; the rest is ignored.
 *   HEADER    := h [u64 limit]     profile = {x64, x86, x86_laa, x64}[h & 3]
 *                                  commit-limit = LIMITS[(h >> 2) & 15]
 *                                  (mostly none); index 15 means "a raw
 *                                  u64 follows". Bit 6: layout = process
 *                                  (only with x64 and no commit limit,
 *                                  else ignored). Bit 7: aslr-seed = a
 *                                  raw u64 that follows (after the
 *                                  limit's).
 *   OP        := c ARGS            opcode = OPCODES[c & 31] (c < 16 picks what
 *                                  the format's first version did); flag =
 *                                  1 for c >= 0xE0, else 0.
 *     alloc    ATYPE, PROT, OPERAND(role place if ATYPE has RESERVE and not
 *              RESET/RESET_UNDO, else target) addr, OPERAND(size) size;
 *              binds a new name
 *     free     FTYPE, OPERAND(base) addr, OPERAND(release-size if FTYPE is
 *              exactly RELEASE, else size) size
 *     protect  PROT, OPERAND(access) addr, OPERAND(size) size; flag = nullold
 *     query    OPERAND(access) addr; flag: "len=" QLEN follows
 *     read     OPERAND(access) addr, LEN
 *     write    OPERAND(access) addr, then flag 0: byte b, LEN n: fill=b*n
 *                                         flag 1: LEN n, then n raw bytes
 *     exec     OPERAND(access) addr
 *     seterr   ERROR
 *     geterr, charge: nothing
 *     slot 29  s: opcode = SECTION_OPS[s % 16] (issue 12) for s < 0xC0,
 *              PLACEHOLDER_OPS[s % 16] (placeholders, 12.9-12.14) from 0xC0 on;
 *              then
 *       section    SPROT, SFLAGS, OPERAND(size) size; binds a new name
 *       map        OPERAND(handle) section, ACCESS, OPERAND(offset) offset,
 *                  OPERAND(size, with the section's extent) size, and with
 *                  flag OPERAND(place) addr (else 0); binds a new name
 *       unmap      OPERAND(view) addr
 *       alloc2     PROCESS, A2TYPE, A2PROT, OPERAND(piece if A2TYPE has
 *                  REPLACE_PLACEHOLDER, place if it has RESERVE and not
 *                  RESET/RESET_UNDO, else target) addr, OPERAND(psize) size,
 *                  EXT; binds a new name
 *       free       (sub-ops "split" and "coalesce": FTYPE RELEASE|PRESERVE_PLACEHOLDER
 *                  or RELEASE|COALESCE_PLACEHOLDERS) OPERAND(piece) addr,
 *                  OPERAND(psize) size
 *       map3       OPERAND(handle) section, PROCESS, M3TYPE, M3PROT,
 *                  OPERAND(piece with REPLACE_PLACEHOLDER, else place) addr,
 *                  OPERAND(offset) offset, OPERAND(psize with REPLACE_PLACEHOLDER,
 *                  else size with the section's extent) size, EXT; binds a new name
 *       unmap2     PROCESS, OPERAND(view) addr, UFLAGS
 *       unmapex    OPERAND(view) addr, UFLAGS
 *     EXT := e [...]  the REQ words: e < 0xB0: none; e < 0xF0: address
 *                  requirements REQS[(e - 0xB0) % 16]; 0xF0: ext=req (all 0);
 *                  0xF1: ext=twice (all 0); 0xF2: ext=invalid; 0xF3: ext=max;
 *                  0xF4: ext=null; 0xF5..0xF7: none; from 0xF8: ext=req
 *                  (e & 1: ext=twice) and three u64 follow: lowest, highest,
 *                  align
 *     slot 28  s: opcode = MEMAPI_OPS[s % 16] (issue 13) for s < 0xF0,
 *              PROCESS_OPS[s & 15] (processes, section 13.2) from 0xF0 on;
 *              an "ex" entry is alloc, free, protect or query as above
 *              followed by PROCESS (their in=); then
 *       watch      OPERAND(access) addr, OPERAND(size) size, option byte
 *                  (see WATCH_OPT_*) and what it announces
 *       resetwatch, lock, unlock, isbadread, isbadwrite:
 *                  OPERAND(access) addr, OPERAND(size) size
 *       wsset      OPERAND(size) min, OPERAND(size) max (no name context)
 *       isbadcode  OPERAND(access) addr
 *       isbadstr   OPERAND(access) addr, OPERAND(size) max; flag = wide
 *       wsmin, wsmax, locked: nothing
 *     slot 30  s: opcode = STACK_OPS[s % 8] (issue 11), then
 *       thread      a size byte (see STACK_SIZES; raw escape); binds a new name
 *       thread_exit THREAD
 *       guarantee   THREAD, a size byte (see GUARANTEES; raw u32 escape)
 *       touch       THREAD, an offset byte (see TOUCH_BOTTOM), from the thread;
 *                   sub-ops 6 and 7 probe down ("down")
 *     THREAD: with no name bound nothing (the number 0); else a byte k that
 *     picks the (k % T)-th most recent of the T thread names not dead (ended
 *     by thread_exit or a release), or with none the (k % n)-th most recent
 *     name. A thread name's extent E is the reservation CreateThread makes.
 *     slot 31  s: opcode = BULK_OPS[s % 32] (issue 10): bulk alloc, bulk free,
 *              else geterr; then
 *       bulk alloc ATYPE, PROT, OPERAND(size) size (no name context), COUNT;
 *                  binds a new name (the first allocation)
 *       bulk free  OPERAND(base) addr, COUNT, STRIDE
 *       process    nothing; binds a new name
 *       close      PROCESS
 *       readproc, writeproc: PROCESS, OPERAND(access) addr,
 *                  OPERAND(access) buf, OPERAND(size) size
 *
 *   PROCESS   := q                 a process handle: q < 0xA0: the
 *                                  (q % P)-th most recent of the P names
 *                                  process bound (none: the pseudo-handle);
 *                                  q < 0xD0: the pseudo-handle (-1);
 *                                  q < 0xF0: 0 (NULL); else (q & 15) * 2.
 *                                  A process's name is never live (name
 *                                  bytes for addresses pass over it).
 *
 *   OPERAND   := m ...             an address or size expression:
 *     m >= 0xF8: raw: a spec byte s follows; if s & 8 and a name is bound,
 *                a name byte k, then (s & 7) + 1 bytes of value (name + it).
 *     0xF0 <= m < 0xF8: a byte j follows; CONSTS[j % 32] (boundary numbers)
 *     m < 0xF0, by role (named modes read a name byte k first):
 *       target, access: name + NAMED(m % 30)
 *       base:           m < 0x78: name + 0; else name + NAMED(m % 30)
 *       place:          m < 0xD0: 0 (the system chooses); else name + PLACE(m & 3)
 *       size:           SIZES(m % 30)
 *       release-size:   m < 0xD2: 0; else SIZES(m % 30)
 *       handle:         name + 0, or name + 1 when m % 32 == 31 (a handle
 *                       that is no handle); k picks among section names
 *       offset:         m < 0xC0: 0; else OFFSETS(m % 8) (no name)
 *       view:           as base, k picking among live views when there are
 *       piece:          name + PIECE_OFFSETS(m % 8) (placeholder pieces: 64 KiB
 *                       steps into the name, its last 64 KiB)
 *       psize:          PSIZES(m % 16): 64 KiB multiples, rest, E
 *     With no name bound yet, a named mode reads no k and gives CONSTS[m % 32].
 *
 *   Which name k picks. Decoder and encoder keep, per name, its extent E
 *   (its alloc's size rounded up to a page when that size was a plain
 *   number in [1, 0x40000000], else 0x1000) and a guess at its state from
 *   the text alone: dead (its alloc's flags, size or address look invalid -
 *   see alloc_plausible - or a "free NAME 0 RELEASE" came), committed (its
 *   alloc commits, a COMMIT inside it came; a decommit of all of it makes it
 *   reserved again) or reserved. For k < 0xE0 with some name live (not
 *   dead): role access picks the (k % C)-th most recent of the C committed
 *   names if C > 0, other roles and C = 0 the (k % L)-th most recent of the
 *   L live names. Otherwise (k >= 0xE0, or no live name) the d-th most
 *   recent of all n names, d = (k >= 0xE0 ? k - 0xE0 : k) % n.
 *
 *   NAMED(i), PLACE(i) use the chosen name's E: NAMED is mostly inside
 *   (page starts, the last page, the middle, bytes either side of a page
 *   edge), one in six just outside (E, E+1, -1, -0x1000, the next granule);
 *   PLACE is {next granule, 0, E, next granule + 0x10000}. SIZES(i) use the
 *   E of the name in the same op's addr and "rest" = E - that offset (both
 *   0x1000 when addr has no name or the offset is not below E): mostly a
 *   page, rest, up to 3 pages of rest, E; sometimes 0x2000..0x100000, 1,
 *   0xFFF, 0x1001, 0x800, 0x2001, rest +- 1, E - 0x1000, 0.
 *
 *   Sections are names too: a section's E is its size (as for an alloc), its
 *   state "section" (or dead when its arguments look invalid or it was
 *   closed); a view's E is its size (0: the section's from the offset),
 *   its state that of the section's pages (committed or reserved), and an
 *   unmap of it ends its life. Sections never count as live for the other
 *   roles.
 *
 *   ATYPE, FTYPE, PROT, ERROR, SPROT, SFLAGS, ACCESS, A2TYPE, A2PROT, M3TYPE,
 *   M3PROT, UFLAGS := b [u32 raw]
 *     b >= 0xFE: a raw u32 follows (any flag mix, valid or not);
 *     0xF6 <= b < 0xFE: ODD_ALLOC_TYPES / ODD_FREE_TYPES / ODD_PROTECTS[b - 0xF6]
 *                (invalid mixes, unsupported flags); ERROR = ERRORS[b % 12]
 *                SPROT, SFLAGS, ACCESS: ODD_SECTION_PROTECTS, ODD_SECTION_FLAGS,
 *                ODD_ACCESSES[b - 0xF6];
 *     otherwise SPROT = SECTION_PROTECTS[b % 16], SFLAGS = SECTION_FLAGS[b % 8],
 *     ACCESS = ACCESSES[b % 16], ATYPE = ALLOC_TYPES[b % 32], FTYPE = {RELEASE, DECOMMIT}[b & 1],
 *     ERROR = ERRORS[b % 12], PROT = BASE_PROTECTS[b & 15] | PROTECT_MODIFIERS[b >> 4],
 *     A2TYPE = ALLOC2_TYPES[b % 16], A2PROT = NOACCESS for b < 0x80, else PROT's,
 *     M3TYPE = MAP3_TYPES[b % 8], M3PROT = MAP3_PROTECTS[b % 8], UFLAGS = UNMAP_FLAGS[b % 8]
 *     (with ODD_ALLOC2_TYPES, ODD_PROTECTS, ODD_MAP3_TYPES, ODD_MAP3_PROTECTS,
 *     ODD_UNMAP_FLAGS from 0xF6).
 *   LEN  := b [u16 n]   b >= 0xF0: n % (DATA_MAX + 1); else LENS[b % 16]
 *   QLEN := b [raw]     b >= 0xF0: (b & 7) + 1 bytes of value; else QLENS[b % 8]
 *   COUNT := b [u16 n]  b >= 0xF0: n % (TRACE_BULK_MAX + 1); else BULK_COUNTS[b % 16]
 *   STRIDE := b         BULK_STRIDES[b % 8]
 *
 * The tables are below. Every alloc and bulk alloc binds a fresh name r0, r1, ... in
 * order. Decoded traces have no expectations and no name/source headers;
 * op lines are 0 and the file is "<bytes>".
 *
 * Encoding picks, for every field, the first byte that decodes to the
 * value (for a name byte, the first k that picks the name), or the raw
 * escape; it returns NULL for a trace it cannot express: one with
 * expectations, a name/source/wine-deviates header, an alloc that binds no
 * name, a name no name byte picks (outside the first 224 of the pool that
 * k < 0xE0 draws from, and more than 31 names back - 223 when no name is
 * live), or a read/write longer than DATA_MAX. Names are not stored: a trace whose
 * names are not r0, r1, ... decodes renamed (same structure).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "trace_internal.h"

#define DATA_MAX (2 * VAS_PAGE_SIZE + 16)
#define ODD_FIELDS 0xF6u      /* field bytes 0xF6..0xFD: the odd table */
#define RAW_FIELD 0xFEu       /* field bytes from here on: a raw u32 follows */
#define RAW_ESCAPE 0xF0u      /* LEN and QLEN bytes from here on are raw */
#define CONST_MODES 0xF0u     /* OPERAND bytes 0xF0..0xF7: a CONSTS index follows */
#define RAW_MODES 0xF8u       /* OPERAND bytes from here on: raw, a spec byte follows */
#define PLACE_ZERO 0xD0u      /* place OPERAND bytes below this: 0 */
#define BASE_ZERO 0x78u       /* base OPERAND bytes below this: name + 0 */
#define RELEASE_ZERO 0xD2u    /* release-size OPERAND bytes below this: 0 */
#define N_NAMED 30u
#define N_SIZES 30u
#define N_PIECES 8u           /* piece OPERAND modes: PIECE_OFFSETS(m % 8) */
#define N_PSIZES 16u          /* psize OPERAND modes: PSIZES(m % 16) */
#define LIVE_NAMES 0xE0u      /* name bytes below this: a live name */
#define LIMIT_RAW 15u
#define HEADER_LAYOUT 0x40u  /* header bit 6: layout: process */

#define HEADER_ASLR 0x80u    /* header bit 7: an aslr-seed follows */
#define FLAG_BITS 0xE0u
#define EXTENT_MAX 0x40000000u

/* Most traces run without a commit limit; the rest under a small one. */
static const uint64_t LIMITS[15] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3000, 0x20000
};

/* Weighted toward allocation, freeing, protection and accesses; the first
 * 16 are the first version's table, so old single opcode bytes still work. */
static const trace_opcode OPCODES[32] = {
    TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_FREE, TRACE_FREE,
    TRACE_PROTECT, TRACE_PROTECT, TRACE_QUERY, TRACE_QUERY, TRACE_READ, TRACE_WRITE,
    TRACE_EXEC, TRACE_SETERR, TRACE_GETERR, TRACE_CHARGE,
    TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_ALLOC, TRACE_FREE, TRACE_FREE, TRACE_FREE,
    TRACE_PROTECT, TRACE_PROTECT, TRACE_PROTECT, TRACE_READ, TRACE_READ,
    TRACE_WATCH /* slot 28: issue 13's family, a sub-op byte follows */,
    TRACE_SECTION /* slot 29: issue 12's family, a sub-op byte follows */,
    TRACE_THREAD /* slot 30: issue 11's thread stacks, a sub-op byte follows */,
    TRACE_BULKALLOC /* slot 31: issue 10's bulk operations, a sub-op byte follows */
};
#define MEMAPI_SLOT 28u
#define SECTION_SLOT 29u
#define STACK_SLOT 30u
#define BULK_SLOT 31u

/* Slot 29's sub-op byte s picks SECTION_OPS[s % 16]: sections and views
 * most, unmapping less. CloseHandle is the processes' close (slot 28),
 * which closes section handles too. */
static const trace_opcode SECTION_OPS[16] = {
    TRACE_SECTION, TRACE_SECTION, TRACE_SECTION, TRACE_SECTION, TRACE_SECTION,
    TRACE_MAP, TRACE_MAP, TRACE_MAP, TRACE_MAP, TRACE_MAP, TRACE_MAP, TRACE_MAP,
    TRACE_UNMAP, TRACE_UNMAP, TRACE_UNMAP, TRACE_UNMAP
};

/* Slot 29's sub-op bytes from PLACEHOLDER_SUBOPS on pick
 * PLACEHOLDER_OPS[s % 16]: reserving and replacing placeholders most,
 * splitting (VirtualFree with MEM_PRESERVE_PLACEHOLDER) and merging less. */
#define PLACEHOLDER_SUBOPS 0xC0u
typedef struct placeholder_op { trace_opcode code; uint32_t free_type; } placeholder_op;
#define FREE_SPLIT (VAS_MEM_RELEASE | VAS_MEM_PRESERVE_PLACEHOLDER)
#define FREE_MERGE (VAS_MEM_RELEASE | VAS_MEM_COALESCE_PLACEHOLDERS)
static const placeholder_op PLACEHOLDER_OPS[16] = {
    {TRACE_ALLOC2, 0}, {TRACE_ALLOC2, 0}, {TRACE_ALLOC2, 0}, {TRACE_ALLOC2, 0}, {TRACE_ALLOC2, 0},
    {TRACE_FREE, FREE_SPLIT}, {TRACE_FREE, FREE_SPLIT}, {TRACE_FREE, FREE_SPLIT},
    {TRACE_FREE, FREE_MERGE}, {TRACE_FREE, FREE_MERGE},
    {TRACE_MAP3, 0}, {TRACE_MAP3, 0}, {TRACE_MAP3, 0},
    {TRACE_UNMAP2, 0}, {TRACE_UNMAP2, 0}, {TRACE_UNMAPEX, 0}
};

/* Slot 30's sub-op byte s picks STACK_OPS[s % 8]: touches most, so that
 * stacks grow to their guard pages and past them. */
static const trace_opcode STACK_OPS[8] = {
    TRACE_THREAD, TRACE_THREAD, TRACE_THREAD_EXIT, TRACE_GUARANTEE,
    TRACE_TOUCH, TRACE_TOUCH, TRACE_TOUCH, TRACE_TOUCH
};
#define TOUCH_DOWN_OPS 6u   /* sub-ops 6 and 7: touch ... down (a stack probe) */
/* thread's size byte b: b >= RAW_ESCAPE: a raw value of (b & 7) + 1 bytes
 * follows, reservation = b & 8; else STACK_SIZES[b % 16], reservation =
 * b >= 0x80. The sizes of CreateThread's edges (NTV test_RtlCreateUserStack). */
static const uint64_t STACK_SIZES[16] = {
    0, 0, 0x1000, 0x3F00, 0x4000, 0x10000, 0x20000, 0x10000, 0x100000, 0x3FF000, 0x400000,
    0x200000, 0x80000000, 0x30000, 0x2000, 0x11000
};
/* guarantee's size byte g: g >= RAW_ESCAPE: a raw u32; else GUARANTEES[g % 16]. */
static const uint64_t GUARANTEES[16] = {
    0, 0x1000, 0x2000, 0x3000, 0x5000, 0x8000, 0x10000, 1, 0xFFF, 0x2001, 0x100000,
    0x400000, 0x4000, 0x6000, 0x2000, 0x3000
};
/* touch's offset byte m (from the thread's stack base, E its reservation
 * guess): m < 0xC0: E - 0x1000 * (1 + m % 64), walking down from the top;
 * 0xC0 <= m < RAW_ESCAPE: 0x1000 * (m - 0xC0), the bottom pages; else a raw
 * value of (m & 7) + 1 bytes, from the thread when m & 8, else absolute. */
#define TOUCH_BOTTOM 0xC0u

/* Slot 31's sub-op byte s picks BULK_OPS[s % 32]: a bulk operation costs
 * as much as hundreds of others (and every later op's self-check grows
 * with the allocations it left), so uniform bytes make one rarely. */
static const trace_opcode BULK_OPS[32] = {
    TRACE_BULKALLOC, TRACE_BULKFREE, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR,
    TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR,
    TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR,
    TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR,
    TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR, TRACE_GETERR,
    TRACE_GETERR, TRACE_GETERR
};
/* bulk's COUNT byte b: b >= RAW_ESCAPE: a u16 n follows, count = n %
 * (TRACE_BULK_MAX + 1); else BULK_COUNTS[b % 16]: around one leaf of the
 * index (16), a full inner level (256 = 16 leaves), and past them. */
static const uint64_t BULK_COUNTS[16] = {
    16, 17, 32, 64, 100, 255, 256, 257, 300, 1, 4, 8, 260, 272, 280, 320
};
/* bulk free's STRIDE byte: STRIDES[b % 8]. */
static const uint32_t BULK_STRIDES[8] = {1, 1, 2, 2, 3, 4, 16, 17};

/* Slot 28's sub-op byte s picks MEMAPI_OPS[s % 16]: write watch and
 * locking most, the probes and the working set less. */
static const trace_opcode MEMAPI_OPS[16] = {
    TRACE_WATCH, TRACE_WATCH, TRACE_WATCH, TRACE_RESETWATCH, TRACE_LOCK, TRACE_LOCK,
    TRACE_UNLOCK, TRACE_UNLOCK, TRACE_WSSET, TRACE_WSMIN, TRACE_LOCKED, TRACE_ISBADREAD,
    TRACE_ISBADWRITE, TRACE_ISBADCODE, TRACE_ISBADSTR, TRACE_WSMAX
};
/* watch's option byte o: reset = o & 1, max 64, no NULL pointers while
 * o < 0xC0 (most bytes: calls that can succeed). From 0xC0 on: nulls =
 * (o >> 1) & 7; o & 0x10: a raw u32 of flags follows (replacing o & 1);
 * o & 0x20: a u16 follows, max = it % (TRACE_WATCH_MAX_PAGES + 1). */
/* Sub-op bytes from PROCESS_SUBOPS on pick PROCESS_OPS[s & 15]. */
#define PROCESS_SUBOPS 0xF0u
typedef struct process_op { trace_opcode code; int ex; } process_op;
static const process_op PROCESS_OPS[16] = {
    {TRACE_PROCESS, 0}, {TRACE_PROCESS, 0}, {TRACE_CLOSE, 0}, {TRACE_ALLOC, 1},
    {TRACE_ALLOC, 1}, {TRACE_ALLOC, 1}, {TRACE_FREE, 1}, {TRACE_FREE, 1},
    {TRACE_PROTECT, 1}, {TRACE_PROTECT, 1}, {TRACE_QUERY, 1}, {TRACE_QUERY, 1},
    {TRACE_READPROC, 0}, {TRACE_READPROC, 0}, {TRACE_WRITEPROC, 0}, {TRACE_WRITEPROC, 0}
};
#define PROCESS_PSEUDO 0xA0u   /* PROCESS bytes from here: the pseudo-handle */
#define PROCESS_NULL   0xD0u   /* from here: 0 */
#define PROCESS_SMALL  0xF0u   /* from here: (q & 15) * 2 */
#define WATCH_OPT_EXTENDED 0xC0u
#define WATCH_OPT_FLAGS 0x10u
#define WATCH_OPT_MAX   0x20u

/* Numbers where address-space code has edges: 0, pages and granules +-1,
 * the user-space ends of each profile, 31/32/63/64-bit limits. */
static const uint64_t CONSTS[32] = {
    0, 1, 0xFFF, 0x1000, 0x1001, 0x2000, 0x3000, 0xFFFF,
    0x10000, 0x10001, 0x11000, 0x20000, 0x100000, 0x7FFFFFFEFFFF, 0x7FFFFFFEF000,
    0x7FFFFFFF0000, 0x7FFEFFFF, 0x7FFEF000, 0x7FFF0000, 0xFFFEFFFF, 0xFFFEF000,
    0xFFFF0000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x800000000000,
    0x8000000000000000, UINT64_MAX, UINT64_MAX - 0xFFF, 0x7FFFFFFFFFFF, 0x1F000
};

#define M1 ((uint64_t)0 - 1)
#define NEG(x) ((uint64_t)0 - (uint64_t)(x))
#define PAGE_DOWN(x) ((x) & ~(uint64_t)0xFFF)
#define GRANULE_UP(x) (((x) + 0xFFFF) & ~(uint64_t)0xFFFF)

/* NAMED(i): offsets from a name with extent e. Mostly inside the
 * allocation: page starts, its last page and middle, bytes either side of
 * a page edge; one in six just outside: its end, a byte past it, a byte
 * or a page before it, the next granule. */
static uint64_t named_offset(unsigned i, uint64_t e)
{
    if (i < 10)
        return i * 0x1000u % e;
    switch (i) {
    case 10: return e - 0x1000;           /* the last page */
    case 11: return PAGE_DOWN(e / 2);
    case 12: return 1;
    case 13: return 0xFFF;
    case 14: return 0x800;
    case 15: return e - 1;                /* the last byte */
    case 16: return 0x1001 % e;
    case 17: return e - 0x800;
    case 18: return 0x10;
    case 19: return 0;
    case 20: return 0x2000 % e;
    case 28: return 0x3000 % e;
    case 29: return 0x4000 % e;
    case 21: return e;                    /* just past the end */
    case 22: return e + 1;
    case 23: return M1;
    case 24: return NEG(0x1000);
    case 25: return GRANULE_UP(e);        /* the next granule, often free */
    case 26: return 0x10000 % e;
    default: return 0x5000 % e;
    }
}

/* PLACE(i): where to reserve next to a name with extent e: the granule
 * after it (free unless taken), its base, its end (both conflict). */
static uint64_t place_offset(unsigned i, uint64_t e)
{
    switch (i) {
    case 0: return GRANULE_UP(e);
    case 1: return 0;
    case 2: return e;
    default: return GRANULE_UP(e) + 0x10000;
    }
}

/* What SIZES depends on: the extent e of the name the op's address uses
 * (0x1000 when it uses none) and the bytes from that address to the
 * allocation's end ("rest"; 0x1000 when not inside). */
typedef struct size_context {
    uint64_t e, rest;
} size_context;

/* SIZES(i): mostly a page, the rest of the allocation or up to 3 pages of
 * it, all of it; sometimes page and granule multiples that may cross its
 * end, a byte more or less, or 0. */
static uint64_t size_value(unsigned i, size_context c)
{
    static const uint64_t fixed[N_SIZES] = {
        0x1000, 0x1000, 0x1000, 0x1000, 0x1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x2000, 0x3000, 0x8000, 0x10000, 0x20000, 0x100000, 0, 1, 0xFFF, 0x1001, 0x800,
        0, 0, 0x2001
    };
    switch (i) {
    case 5: case 6: case 7: case 8: case 9: return c.rest;
    case 10: case 11: return c.rest < 0x2000 ? c.rest : 0x2000;
    case 12: return c.rest < 0x3000 ? c.rest : 0x3000;
    case 13: case 14: return c.e;
    case 15: return c.e - 0x1000;
    case 22: return 0;
    case 27: return c.rest + 1;
    case 28: return c.rest - 1;
    default: return fixed[i];
    }
}

/* PIECE_OFFSETS(i): where a placeholder piece of a name with extent e
 * starts: its base most, then 64 KiB steps and its last 64 KiB. */
static uint64_t piece_offset(unsigned i, uint64_t e)
{
    switch (i) {
    case 0: case 1: case 2: return 0;
    case 3: return 0x10000;
    case 4: return 0x20000;
    case 5: return 0x30000;
    case 6: return e > 0x10000 ? PAGE_DOWN(e - 0x10000) & ~(uint64_t)0xFFFF : 0;
    default: return 0x1000;
    }
}

/* PSIZES(i): placeholder pieces are 64 KiB multiples: one or two granules,
 * the rest of the name, all of it; sometimes a page, 0, or one granule
 * short of the rest. */
static uint64_t psize_value(unsigned i, size_context c)
{
    static const uint64_t fixed[N_PSIZES] = {
        0x10000, 0x10000, 0x10000, 0x20000, 0x30000, 0, 0, 0, 0, 0x40000, 0x1000, 0, 0, 0x80000, 0, 0x20000
    };
    switch (i) {
    case 5: case 6: case 7: return c.rest;
    case 8: return c.e;
    case 11: return c.rest > 0x10000 ? c.rest - 0x10000 : 0x10000;
    case 12: case 14: return c.rest;
    default: return fixed[i];
    }
}

/* Field tables: the common ones (bytes below ODD_FIELDS) hold the valid,
 * common choices; ODD_* (8 entries) invalid mixes and unsupported flags. */
#define RC (VAS_MEM_RESERVE | VAS_MEM_COMMIT)
static const uint32_t ALLOC_TYPES[32] = {
    VAS_MEM_COMMIT, VAS_MEM_RESERVE, RC, VAS_MEM_COMMIT | VAS_MEM_TOP_DOWN,
    RC | VAS_MEM_TOP_DOWN, VAS_MEM_RESERVE | VAS_MEM_TOP_DOWN, VAS_MEM_RESET,
    VAS_MEM_RESET_UNDO, RC, RC, RC, RC, RC, RC, RC, RC | VAS_MEM_WRITE_WATCH,
    VAS_MEM_RESERVE, VAS_MEM_RESERVE, RC, RC, RC,
    VAS_MEM_COMMIT, VAS_MEM_COMMIT, VAS_MEM_COMMIT, VAS_MEM_COMMIT, VAS_MEM_COMMIT,
    VAS_MEM_COMMIT, RC | VAS_MEM_TOP_DOWN, VAS_MEM_RESET, VAS_MEM_RESERVE | VAS_MEM_WRITE_WATCH,
    RC, RC | VAS_MEM_WRITE_WATCH
};
static const uint32_t ODD_ALLOC_TYPES[8] = {
    0, VAS_MEM_DECOMMIT, VAS_MEM_RESET | VAS_MEM_COMMIT, VAS_MEM_RESET | VAS_MEM_RESET_UNDO,
    VAS_MEM_RESERVE | VAS_MEM_PHYSICAL, VAS_MEM_COMMIT | VAS_MEM_WRITE_WATCH,
    RC | VAS_MEM_LARGE_PAGES, VAS_MEM_TOP_DOWN
};

static const uint32_t ODD_FREE_TYPES[8] = {
    VAS_MEM_RELEASE | VAS_MEM_DECOMMIT, 0, VAS_MEM_COMMIT, VAS_MEM_RELEASE | VAS_MEM_FREE,
    VAS_MEM_DECOMMIT | VAS_MEM_FREE, VAS_MEM_RESERVE, VAS_MEM_FREE, VAS_MEM_RELEASE | 1
};

/* PROT = BASE_PROTECTS[b & 15] | PROTECT_MODIFIERS[b >> 4]: valid bases,
 * a modifier one time in four (invalid only with NOACCESS). */
static const uint32_t BASE_PROTECTS[16] = {
    VAS_PAGE_NOACCESS, VAS_PAGE_READONLY, VAS_PAGE_READWRITE, VAS_PAGE_READWRITE,
    VAS_PAGE_EXECUTE, VAS_PAGE_EXECUTE_READ, VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_READWRITE,
    VAS_PAGE_READWRITE, VAS_PAGE_READONLY, VAS_PAGE_READONLY, VAS_PAGE_READWRITE,
    VAS_PAGE_EXECUTE_READ, VAS_PAGE_READWRITE, VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_READWRITE
};
static const uint32_t PROTECT_MODIFIERS[16] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, VAS_PAGE_GUARD, VAS_PAGE_GUARD, VAS_PAGE_NOCACHE,
    VAS_PAGE_WRITECOMBINE
};
static const uint32_t ODD_PROTECTS[8] = {
    VAS_PAGE_WRITECOPY, VAS_PAGE_EXECUTE_WRITECOPY, VAS_PAGE_READONLY | VAS_PAGE_READWRITE, 0,
    VAS_PAGE_NOACCESS | VAS_PAGE_GUARD, VAS_PAGE_READWRITE | VAS_PAGE_GUARD | VAS_PAGE_NOCACHE,
    VAS_PAGE_READWRITE | VAS_PAGE_NOCACHE | VAS_PAGE_WRITECOMBINE, VAS_PAGE_READWRITE | 0x800
};

/* Sections: the six valid protections (READWRITE most), SEC_COMMIT or
 * SEC_RESERVE (or neither: SEC_COMMIT); views: the usual access masks. */
#define SEC_C VAS_SEC_COMMIT
#define SEC_R VAS_SEC_RESERVE
static const uint32_t SECTION_PROTECTS[16] = {
    VAS_PAGE_READWRITE, VAS_PAGE_READWRITE, VAS_PAGE_READWRITE, VAS_PAGE_READWRITE,
    VAS_PAGE_READWRITE, VAS_PAGE_READWRITE, VAS_PAGE_READONLY, VAS_PAGE_READONLY,
    VAS_PAGE_READONLY, VAS_PAGE_WRITECOPY, VAS_PAGE_WRITECOPY, VAS_PAGE_EXECUTE_READ,
    VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_EXECUTE_WRITECOPY, VAS_PAGE_READWRITE
};
static const uint32_t ODD_SECTION_PROTECTS[8] = {
    VAS_PAGE_NOACCESS, 0, VAS_PAGE_EXECUTE, VAS_PAGE_READWRITE | VAS_PAGE_GUARD,
    VAS_PAGE_READONLY | VAS_PAGE_READWRITE, VAS_PAGE_READWRITE | VAS_PAGE_NOCACHE,
    VAS_PAGE_READWRITE | 0x800, VAS_PAGE_READWRITE | 0x10000
};
static const uint32_t SECTION_FLAGS[8] = {SEC_C, SEC_C, SEC_C, SEC_R, SEC_R, SEC_R, 0, SEC_C};
static const uint32_t ODD_SECTION_FLAGS[8] = {
    SEC_C | SEC_R, 0x01000000u, SEC_C | 0x10000000u, SEC_C | 0x80000000u, 0x40000000u,
    SEC_R | 0x01000000u, 0x00100000u, 0x20000000u
};
#define FM_R VAS_FILE_MAP_READ
#define FM_W VAS_FILE_MAP_WRITE
#define FM_C VAS_FILE_MAP_COPY
#define FM_X VAS_FILE_MAP_EXECUTE
static const uint32_t ACCESSES[16] = {
    FM_W, FM_W, FM_W, FM_W, FM_R, FM_R, FM_R, FM_C, FM_C, VAS_FILE_MAP_ALL_ACCESS,
    VAS_FILE_MAP_ALL_ACCESS, FM_R | FM_W, FM_X | FM_R, FM_X | FM_W, FM_X | FM_C, 0
};
static const uint32_t ODD_ACCESSES[8] = {
    FM_X, FM_C | FM_W, 0x40u, 0x80000000u | FM_W, FM_R | 0x10u, FM_R | 0x08u, FM_R | 0xF0000u, 0x100u
};

/* Placeholders: VirtualAlloc2's types (placeholders, their replacement,
 * the ordinary ones), MapViewOfFile3's types and protections,
 * UnmapViewOfFile2's flags (docs/semantics.md 12.10-12.13). */
#define RP (VAS_MEM_RESERVE | VAS_MEM_RESERVE_PLACEHOLDER)
#define RR (VAS_MEM_RESERVE | VAS_MEM_REPLACE_PLACEHOLDER)
static const uint32_t ALLOC2_TYPES[16] = {
    RP, RP, RP, RP, RP, RP | VAS_MEM_TOP_DOWN, RR, RR, RR | VAS_MEM_COMMIT, RR | VAS_MEM_COMMIT,
    RR | VAS_MEM_COMMIT, RR | VAS_MEM_WRITE_WATCH, RC, VAS_MEM_RESERVE, VAS_MEM_COMMIT, RC | VAS_MEM_TOP_DOWN
};
static const uint32_t ODD_ALLOC2_TYPES[8] = {
    VAS_MEM_RESERVE_PLACEHOLDER, VAS_MEM_REPLACE_PLACEHOLDER, VAS_MEM_COMMIT | VAS_MEM_REPLACE_PLACEHOLDER,
    RP | VAS_MEM_COMMIT, RP | VAS_MEM_WRITE_WATCH, RP | VAS_MEM_REPLACE_PLACEHOLDER, RR | VAS_MEM_RESET, 0
};
static const uint32_t MAP3_TYPES[8] = {
    VAS_MEM_REPLACE_PLACEHOLDER, VAS_MEM_REPLACE_PLACEHOLDER, VAS_MEM_REPLACE_PLACEHOLDER, 0, 0,
    VAS_MEM_TOP_DOWN, VAS_MEM_REPLACE_PLACEHOLDER | VAS_MEM_TOP_DOWN, VAS_MEM_REPLACE_PLACEHOLDER
};
static const uint32_t ODD_MAP3_TYPES[8] = {
    VAS_MEM_RESERVE, VAS_MEM_LARGE_PAGES, VAS_MEM_COMMIT, VAS_MEM_RESERVE_PLACEHOLDER, RR,
    VAS_MEM_DECOMMIT | 1, VAS_MEM_WRITE_WATCH, 0x80000000u
};
static const uint32_t MAP3_PROTECTS[8] = {
    VAS_PAGE_READWRITE, VAS_PAGE_READWRITE, VAS_PAGE_READWRITE, VAS_PAGE_READONLY, VAS_PAGE_WRITECOPY,
    VAS_PAGE_NOACCESS, VAS_PAGE_EXECUTE_READ, VAS_PAGE_EXECUTE_READWRITE
};
static const uint32_t ODD_MAP3_PROTECTS[8] = {
    VAS_PAGE_EXECUTE, VAS_PAGE_EXECUTE_WRITECOPY, VAS_PAGE_READWRITE | VAS_PAGE_GUARD, 0,
    VAS_PAGE_READONLY | VAS_PAGE_READWRITE, VAS_PAGE_READWRITE | VAS_PAGE_NOCACHE, 0x800, VAS_PAGE_NOACCESS | 0x100
};
#define UP VAS_MEM_PRESERVE_PLACEHOLDER
#define UB VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST
static const uint32_t UNMAP_FLAGS[8] = {UP, UP, UP, UP, 0, 0, UB | UP, UB};
static const uint32_t ODD_UNMAP_FLAGS[8] = {
    VAS_MEM_RELEASE | UP, 4, UP | 4, VAS_MEM_DECOMMIT, 0x80000000u, UB | 8, VAS_MEM_RELEASE, 0x10
};
/* Address requirements: windows and alignments that work (on x64 and the
 * 32-bit profiles), then the edges Windows refuses (G432). */
typedef struct reqs_entry { uint64_t lowest, highest, align; } reqs_entry;
static const reqs_entry REQS[16] = {
    {0, 0x7FFEFFFF, 0}, {0x10000000, 0, 0}, {0, 0x20000FFF, 0}, {0, 0, 0x100000}, {0, 0, 0x40000},
    {0x10000000, 0x1FFFFFFF, 0}, {0, 0x3FFFFFFF, 0x10000}, {0x20000000, 0x2003FFFF, 0},
    {0, 0x20001001, 0}, {0x1000, 0, 0}, {0, 0, 0x8000}, {0, 0, 0x30000}, {0x40000000, 0x3FFFFFFF, 0},
    {0, 0x7FFFFFFFFFFF, 0}, {0x800000000000, 0, 0}, {0, 0x20000FFF, 0x20000000}
};
#define EXT_NONE_BELOW 0xB0u   /* EXT bytes below this: no parameter */
#define EXT_SHAPES 0xF0u       /* from here: the shapes below, one byte each */
#define EXT_RAW 0xF8u          /* from here: three u64 follow */
static const trace_ext_shape EXT_SHAPE_BYTES[8] = {
    TRACE_EXT_REQ, TRACE_EXT_TWICE, TRACE_EXT_INVALID, TRACE_EXT_MAX, TRACE_EXT_NULL,
    TRACE_EXT_NONE, TRACE_EXT_NONE, TRACE_EXT_NONE
};

/* View offsets: the next granules, and misaligned ones. */
static const uint64_t OFFSETS[8] = {0x10000, 0x1000, 0x20000, 0x100000, 0x8000, 0x10000, 0x30000, 0xFFFF};
#define OFFSET_ZERO 0xC0u     /* offset OPERAND bytes below this: 0 */
#define HANDLE_BAD 31u        /* handle OPERAND m % 32 == this: name + 1 */

static const uint32_t ERRORS[12] = {
    VAS_ERROR_SUCCESS, VAS_ERROR_INVALID_PARAMETER, VAS_ERROR_INVALID_ADDRESS,
    VAS_ERROR_NOACCESS, VAS_ERROR_ACCESS_DENIED, VAS_ERROR_NOT_ENOUGH_MEMORY,
    VAS_ERROR_COMMITMENT_LIMIT, VAS_ERROR_BAD_LENGTH, VAS_ERROR_INVALID_HANDLE,
    1, 0xFFFFFFFFu, 0x20000000u
};

/* Read/write lengths: small, a page, across a page edge. */
static const uint64_t LENS[16] = {
    1, 2, 4, 8, 8, 16, 64, 0x100, 0x800, 0xFFF, 0x1000, 0x1000, 0x1001, 0x2000, 0x2010, 0
};

/* Query lengths around both MBI sizes (28 and 48). */
static const uint64_t QLENS[8] = {0, 1, 27, 28, 47, 48, 49, 0x1000};

typedef enum field_kind {
    FIELD_ATYPE, FIELD_FTYPE, FIELD_PROTECT, FIELD_ERROR, FIELD_SPROT, FIELD_SFLAGS, FIELD_ACCESS,
    FIELD_A2TYPE, FIELD_A2PROT, FIELD_M3TYPE, FIELD_M3PROT, FIELD_UFLAGS
} field_kind;

/* The value field byte b (< RAW_FIELD) stands for. */
static uint32_t field_from_byte(field_kind kind, unsigned b)
{
    int odd = b >= ODD_FIELDS;
    unsigned j = b - ODD_FIELDS;
    switch (kind) {
    case FIELD_ATYPE: return odd ? ODD_ALLOC_TYPES[j] : ALLOC_TYPES[b % 32];
    case FIELD_FTYPE: return odd ? ODD_FREE_TYPES[j] : b & 1 ? VAS_MEM_DECOMMIT : VAS_MEM_RELEASE;
    case FIELD_PROTECT: return odd ? ODD_PROTECTS[j] : BASE_PROTECTS[b & 15] | PROTECT_MODIFIERS[b >> 4];
    case FIELD_ERROR: return ERRORS[b % 12];
    case FIELD_SPROT: return odd ? ODD_SECTION_PROTECTS[j] : SECTION_PROTECTS[b % 16];
    case FIELD_SFLAGS: return odd ? ODD_SECTION_FLAGS[j] : SECTION_FLAGS[b % 8];
    case FIELD_ACCESS: return odd ? ODD_ACCESSES[j] : ACCESSES[b % 16];
    case FIELD_A2TYPE: return odd ? ODD_ALLOC2_TYPES[j] : ALLOC2_TYPES[b % 16];
    case FIELD_A2PROT: return b < 0x80 ? VAS_PAGE_NOACCESS : field_from_byte(FIELD_PROTECT, b);
    case FIELD_M3TYPE: return odd ? ODD_MAP3_TYPES[j] : MAP3_TYPES[b % 8];
    case FIELD_M3PROT: return odd ? ODD_MAP3_PROTECTS[j] : MAP3_PROTECTS[b % 8];
    case FIELD_UFLAGS: return odd ? ODD_UNMAP_FLAGS[j] : UNMAP_FLAGS[b % 8];
    }
    return 0;
}

/* ---- Operands: shared by decoder and encoder ---------------------------- */

typedef enum operand_role {
    ROLE_PLACE, ROLE_TARGET, ROLE_ACCESS, ROLE_BASE, ROLE_SIZE, ROLE_RELEASE_SIZE, ROLE_HANDLE,
    ROLE_OFFSET, ROLE_VIEW, ROLE_PIECE, ROLE_PSIZE
} operand_role;

/* What decoder and encoder both know about the names bound so far: each
 * name's extent and a guess at its state - dead (its alloc looked invalid,
 * or it was released), reserved, or committed - judged from the trace text
 * alone. Both update it with names_note_op after every op, so they always
 * agree; the guess only steers which names name bytes pick. */
enum { NAME_DEAD, NAME_RESERVED, NAME_COMMITTED, NAME_SECTION, NAME_SECTION_RESERVE, NAME_STATES };

typedef struct name_table {
    uint64_t *e;
    unsigned char *state;
    unsigned char *thread;   /* bound by a thread op (its E: the reservation) */
    unsigned char *view;     /* bound by a map */
    size_t n, cap;
    size_t n_state[NAME_STATES];   /* names in each state */
    size_t n_threads;    /* thread names not dead */
    int *procs;          /* the names process bound, oldest first */
    size_t n_procs;
} name_table;

static void names_free(name_table *x)
{
    free(x->e);
    free(x->state);
    free(x->thread);
    free(x->procs);
    free(x->view);
}

static int is_live(unsigned state)
{
    return state == NAME_RESERVED || state == NAME_COMMITTED;
}

static int is_section(unsigned state)
{
    return state == NAME_SECTION || state == NAME_SECTION_RESERVE;
}

/* The reservation CreateThread makes for a thread op (section 11), or 0
 * when the size does not look like one that succeeds. */
static uint64_t stack_extent(const trace_op *op)
{
    uint64_t size = op->size.offset, reserve = 0x100000, commit = 0x1000;
    if (op->size.name >= 0 || size > EXTENT_MAX)
        return 0;
    if (size != 0 && op->flags)
        reserve = size;
    else if (size != 0)
        commit = size;
    commit = (commit + 0xFFF) & ~(uint64_t)0xFFF;
    if (commit >= reserve)
        reserve = (commit + 0xFFFFF) & ~(uint64_t)0xFFFFF;
    reserve = GRANULE_UP(reserve);
    return reserve <= EXTENT_MAX ? reserve : 0;
}

/* Section 1 of docs/semantics.md: one base, at most one modifier, none
 * with NOACCESS, no copy-on-write for private memory. */
static int protect_valid(uint32_t p)
{
    uint32_t base = p & 0xFF, mod = p & 0x700;
    if (p & ~0x7FFu || base == 0 || (base & (base - 1)) || (mod & (mod - 1)))
        return 0;
    if (base == VAS_PAGE_WRITECOPY || base == VAS_PAGE_EXECUTE_WRITECOPY)
        return 0;
    return !(base == VAS_PAGE_NOACCESS && mod);
}

/* Section 2, steps 2-4: a type VirtualAlloc accepts. */
static int alloc_type_valid(uint32_t t)
{
    const uint32_t known = VAS_MEM_COMMIT | VAS_MEM_RESERVE | VAS_MEM_RESET |
                           VAS_MEM_RESET_UNDO | VAS_MEM_TOP_DOWN | VAS_MEM_WRITE_WATCH;
    if (t & ~known)
        return 0;
    if (t & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO))
        return t == VAS_MEM_RESET || t == VAS_MEM_RESET_UNDO;
    if (!(t & (VAS_MEM_COMMIT | VAS_MEM_RESERVE)))
        return 0;
    return !(t & VAS_MEM_WRITE_WATCH) || (t & VAS_MEM_RESERVE);
}

/* Whether an alloc looks as if it will succeed, judged from its text
 * alone: valid flags, a plain moderate size, and an address that is 0 or
 * in low user space, or a live name plus an offset inside it (after it,
 * for a new reservation). */
static int alloc_plausible(const name_table *x, const trace_op *op)
{
    trace_expr a = op->addr, s = op->size;
    if (!alloc_type_valid(op->type) || !protect_valid(op->protect))
        return 0;
    if (s.name >= 0 || s.offset - 1 >= EXTENT_MAX)
        return 0;
    int reserve = (op->type & VAS_MEM_RESERVE) != 0;
    if (a.name < 0)
        return a.offset == 0 ? !(op->type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO))
                             : a.offset >= 0x10000 && a.offset < 0x7FFE0000;
    if (!is_live(x->state[a.name]))
        return 0;
    if (reserve)
        return a.offset >= x->e[a.name] && a.offset < EXTENT_MAX;
    return a.offset < x->e[a.name] && s.offset <= x->e[a.name] - a.offset;
}

static void name_set_state(name_table *x, int name, unsigned state)
{
    if (x->thread[name] && (x->state[name] == NAME_DEAD) != (state == NAME_DEAD))
        x->n_threads += state == NAME_DEAD ? (size_t)-1 : 1;
    x->n_state[x->state[name]]--;
    x->state[name] = (unsigned char)state;
    x->n_state[state]++;
}

/* A size expression's extent: itself rounded up to a page when it is a
 * plain number in [1, EXTENT_MAX], else fallback. */
static uint64_t extent_of(trace_expr size, uint64_t fallback)
{
    if (size.name < 0 && size.offset - 1 < EXTENT_MAX)
        return (size.offset + 0xFFF) & ~(uint64_t)0xFFF;
    return fallback;
}

/* Whether a section looks as if it will be created (docs/semantics.md
 * 12.1): one of the six protections, COMMIT, RESERVE or neither, a plain
 * moderate size. */
static int section_plausible(const trace_op *op)
{
    static const uint32_t ok[6] = {
        VAS_PAGE_READONLY, VAS_PAGE_READWRITE, VAS_PAGE_WRITECOPY, VAS_PAGE_EXECUTE_READ,
        VAS_PAGE_EXECUTE_READWRITE, VAS_PAGE_EXECUTE_WRITECOPY
    };
    int prot_ok = 0;
    for (int i = 0; i < 6; i++)
        prot_ok |= op->protect == ok[i];
    return prot_ok && (op->type == 0 || op->type == VAS_SEC_COMMIT || op->type == VAS_SEC_RESERVE) &&
           op->size.name < 0 && op->size.offset - 1 < EXTENT_MAX;
}

/* The state a map's view starts in by the guess: its section's pages
 * (committed or reserved), or dead when the handle is no live section
 * name. */
static unsigned map_state(const name_table *x, const trace_op *op)
{
    if (op->handle.name < 0 || op->handle.offset != 0 || !is_section(x->state[op->handle.name]))
        return NAME_DEAD;
    /* An offset and a size the section has room for (12.3). */
    uint64_t e = x->e[op->handle.name], off = op->offset.offset;
    uint64_t align = op->code == TRACE_MAP3 && (op->type & VAS_MEM_REPLACE_PLACEHOLDER) ? 0x1000 : 0x10000;
    if (op->offset.name >= 0 || off % align || off >= e || op->size.name >= 0 ||
        op->size.offset > e - off)
        return NAME_DEAD;
    return x->state[op->handle.name] == NAME_SECTION ? NAME_COMMITTED : NAME_RESERVED;
}

/* An alloc2 that looks as if it will succeed (12.10): as an alloc, with a
 * placeholder reserved NOACCESS and a replacement named after a live name. */
static int alloc2_plausible(const name_table *x, const trace_op *op)
{
    trace_op plain = *op;
    plain.type &= ~(VAS_MEM_RESERVE_PLACEHOLDER | VAS_MEM_REPLACE_PLACEHOLDER);
    if ((op->type & VAS_MEM_RESERVE_PLACEHOLDER) && op->protect != VAS_PAGE_NOACCESS)
        return 0;
    if (op->type & VAS_MEM_REPLACE_PLACEHOLDER)
        return op->addr.name >= 0 && is_live(x->state[op->addr.name]) && op->size.name < 0 &&
               op->size.offset - 1 < EXTENT_MAX;
    return op->ext.shape == TRACE_EXT_NONE && alloc_plausible(x, &plain);
}

static int names_grow(name_table *x)
{
    size_t cap = x->cap ? x->cap * 2 : 16;
    uint64_t *e = realloc(x->e, cap * sizeof *e);
    if (!e)
        return -1;
    x->e = e;
    unsigned char *state = realloc(x->state, cap);
    if (!state)
        return -1;
    x->state = state;
    unsigned char *thread = realloc(x->thread, cap);
    if (!thread)
        return -1;
    x->thread = thread;
    unsigned char *view = realloc(x->view, cap);
    if (!view)
        return -1;
    x->view = view;
    x->cap = cap;
    return 0;
}

/* Updates x after op: an alloc binds a name (committed when it commits),
 * a commit inside a name commits it, a decommit of a whole name leaves it
 * reserved, a release of a name ends its life; a section and a map bind
 * a name, a close ends a section's, an unmap a view's. Returns -1 on OOM. */
static int names_note_op(name_table *x, const trace_op *op)
{
    int whole = op->addr.name >= 0 && op->addr.offset == 0 && op->size.name < 0 &&
                (op->size.offset == 0 || op->size.offset >= x->e[op->addr.name]);
    if (op->code == TRACE_FREE && whole && is_live(x->state[op->addr.name])) {
        if (op->type == VAS_MEM_RELEASE && op->size.offset == 0)
            name_set_state(x, op->addr.name, NAME_DEAD);
        else if (op->type == VAS_MEM_DECOMMIT)
            name_set_state(x, op->addr.name, NAME_RESERVED);
    }
    if (op->code == TRACE_THREAD_EXIT && op->thread.name >= 0 &&
        x->state[op->thread.name] != NAME_DEAD)
        name_set_state(x, op->thread.name, NAME_DEAD);
    if (op->code == TRACE_CLOSE && op->process.name >= 0 && op->process.offset == 0 &&
        is_section(x->state[op->process.name]))
        name_set_state(x, op->process.name, NAME_DEAD);
    if ((op->code == TRACE_UNMAP || op->code == TRACE_UNMAP2 || op->code == TRACE_UNMAPEX) &&
        op->addr.name >= 0 && x->view[op->addr.name] && op->addr.offset < x->e[op->addr.name]) {
        /* MEM_PRESERVE_PLACEHOLDER leaves a placeholder: reserved, no view */
        int preserve = op->code != TRACE_UNMAP && (op->flags & VAS_MEM_PRESERVE_PLACEHOLDER);
        name_set_state(x, op->addr.name, preserve ? NAME_RESERVED : NAME_DEAD);
        x->view[op->addr.name] = 0;
    }
    if (!trace_opcode_binds(op->code))
        return 0;
    if (op->code == TRACE_PROCESS) {
        int *procs = realloc(x->procs, (x->n_procs + 1) * sizeof *procs);
        if (!procs)
            return -1;
        x->procs = procs;
        x->procs[x->n_procs++] = (int)x->n;
    }
    if (x->n == x->cap && names_grow(x) != 0)
        return -1;
    x->thread[x->n] = op->code == TRACE_THREAD;
    x->view[x->n] = op->code == TRACE_MAP || op->code == TRACE_MAP3;
    if (op->code == TRACE_THREAD) {
        uint64_t e = stack_extent(op);
        x->thread[x->n] = 1;
        x->state[x->n] = e ? NAME_COMMITTED : NAME_DEAD;
        x->n_state[x->state[x->n]]++;
        x->n_threads += e != 0;
        x->e[x->n++] = e ? e : 0x1000;
        return 0;
    }
    uint64_t e = extent_of(op->size, 0x1000);
    unsigned state = NAME_DEAD;
    if (op->code == TRACE_SECTION) {
        if (section_plausible(op))
            state = op->type == VAS_SEC_RESERVE ? NAME_SECTION_RESERVE : NAME_SECTION;
    } else if (op->code == TRACE_ALLOC2) {
        if (alloc2_plausible(x, op))
            state = op->type & VAS_MEM_COMMIT ? NAME_COMMITTED : NAME_RESERVED;
    } else if (op->code == TRACE_MAP || op->code == TRACE_MAP3) {
        state = map_state(x, op);
        if (state != NAME_DEAD && op->size.name < 0 && op->size.offset == 0) {
            uint64_t whole_e = x->e[op->handle.name];
            e = op->offset.name < 0 && op->offset.offset < whole_e ? whole_e - op->offset.offset : 0x1000;
        }
    } else if (op->code != TRACE_PROCESS && alloc_plausible(x, op)) {
        int commits = (op->type & VAS_MEM_COMMIT) != 0;
        state = commits ? NAME_COMMITTED : NAME_RESERVED;
        if (commits && !(op->type & VAS_MEM_RESERVE) && op->addr.name >= 0)
            name_set_state(x, op->addr.name, NAME_COMMITTED);
    }
    x->state[x->n] = (unsigned char)state;
    x->view[x->n] = op->code == TRACE_MAP || op->code == TRACE_MAP3;
    x->n_state[state]++;
    x->e[x->n++] = e;
    return 0;
}

/* The name a name byte k picks. Below LIVE_NAMES: with committed set and
 * some name committed, the (k % C)-th most recent of the C committed
 * names; else the (k % L)-th most recent of the L live (not dead) ones.
 * Otherwise, or with no live name, the (d % n)-th most recent of all n,
 * d = k - LIVE_NAMES (or k). */
static int name_from_byte(const name_table *x, unsigned k, operand_role ro)
{
    size_t n_live = x->n_state[NAME_RESERVED] + x->n_state[NAME_COMMITTED];
    size_t n_sections = x->n_state[NAME_SECTION] + x->n_state[NAME_SECTION_RESERVE];
    size_t n_views = 0;
    for (size_t i = 0; ro == ROLE_VIEW && i < x->n; i++)
        n_views += x->view[i] && is_live(x->state[i]);
    if (ro == ROLE_HANDLE)     /* a section, if any is open */
        n_live = n_sections;
    if (ro == ROLE_VIEW && n_views > 0)   /* a view, if any is mapped */
        n_live = n_views;
    if (k < LIVE_NAMES && n_live > 0) {
        int only_committed = ro == ROLE_ACCESS && x->n_state[NAME_COMMITTED] > 0;
        size_t j = k % (only_committed ? x->n_state[NAME_COMMITTED] : n_live);
        for (size_t i = x->n; i-- > 0;) {
            int fits = only_committed ? x->state[i] == NAME_COMMITTED
                     : ro == ROLE_HANDLE ? is_section(x->state[i])
                     : ro == ROLE_VIEW && n_views > 0 ? x->view[i] && is_live(x->state[i])
                     : is_live(x->state[i]);
            if (fits && j-- == 0)
                return (int)i;
        }
    }
    size_t d = (k >= LIVE_NAMES ? k - LIVE_NAMES : k) % x->n;
    return (int)(x->n - 1 - d);
}

/* The thread a name byte k picks: the (k % T)-th most recent of the T
 * thread names not dead, or with none the (k % n)-th most recent name. */
static int thread_from_byte(const name_table *x, unsigned k)
{
    if (x->n_threads > 0) {
        size_t j = k % x->n_threads;
        for (size_t i = x->n; i-- > 0;)
            if (x->thread[i] && x->state[i] != NAME_DEAD && j-- == 0)
                return (int)i;
    }
    return (int)(x->n - 1 - k % x->n);
}

/* What SIZES uses for the size of an op whose address is addr. */
static size_context size_context_of(const name_table *x, trace_expr addr)
{
    size_context c = {0x1000, 0x1000};
    if (addr.name >= 0) {
        c.e = x->e[addr.name];
        if (addr.offset < c.e)
            c.rest = c.e - addr.offset;
    }
    return c;
}

static const size_context NO_SIZE_CONTEXT = {0x1000, 0x1000};

/* Whether mode byte m (< CONST_MODES) of role ro reads a name byte, given
 * n_names bound. */
static int mode_is_named(operand_role ro, unsigned m, size_t n_names)
{
    if (n_names == 0)
        return 0;
    return ro == ROLE_TARGET || ro == ROLE_ACCESS || ro == ROLE_BASE || ro == ROLE_HANDLE || ro == ROLE_VIEW ||
           ro == ROLE_PIECE || (ro == ROLE_PLACE && m >= PLACE_ZERO);
}

/* The offset mode byte m (< CONST_MODES) of role ro stands for; named says
 * whether mode_is_named, e is the extent in effect (the chosen name's for a
 * named mode, the op's addr's for sizes). */
static uint64_t mode_offset(operand_role ro, unsigned m, int named, uint64_t e, size_context c)
{
    switch (ro) {
    case ROLE_PLACE:
        if (m < PLACE_ZERO)
            return 0;
        return named ? place_offset(m & 3, e) : CONSTS[m % 32];  /* 32 named bytes */
    case ROLE_BASE:
    case ROLE_VIEW:
        if (named && m < BASE_ZERO)
            return 0;
        return named ? named_offset(m % N_NAMED, e) : CONSTS[m % 32];
    case ROLE_TARGET:
    case ROLE_ACCESS:
        return named ? named_offset(m % N_NAMED, e) : CONSTS[m % 32];
    case ROLE_SIZE:
        return size_value(m % N_SIZES, c);
    case ROLE_RELEASE_SIZE:
        return m < RELEASE_ZERO ? 0 : size_value(m % N_SIZES, c);
    case ROLE_HANDLE:
        if (!named)
            return CONSTS[m % 32];
        return m % 32 == HANDLE_BAD ? 1 : 0;
    case ROLE_OFFSET:
        return m < OFFSET_ZERO ? 0 : OFFSETS[m % 8];
    case ROLE_PIECE:
        return named ? piece_offset(m % N_PIECES, e) : CONSTS[m % 32];
    case ROLE_PSIZE:
        return psize_value(m % N_PSIZES, c);
    }
    return 0;
}

/* The role of an alloc's address: where a new reservation goes, or a
 * place inside an existing one. */
static operand_role alloc_addr_role(uint32_t type)
{
    int reserve = (type & VAS_MEM_RESERVE) != 0;
    int reset = (type & (VAS_MEM_RESET | VAS_MEM_RESET_UNDO)) != 0;
    return reserve && !reset ? ROLE_PLACE : ROLE_TARGET;
}

/* ---- Decoding ---------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t len, pos;
} reader;

static unsigned read_byte(reader *r)
{
    return r->pos < r->len ? r->p[r->pos++] : 0;
}

static uint64_t read_uint(reader *r, unsigned nbytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++)
        v |= (uint64_t)read_byte(r) << (8 * i);
    return v;
}

static uint32_t read_field(reader *r, field_kind kind)
{
    unsigned b = read_byte(r);
    return b >= RAW_FIELD ? (uint32_t)read_uint(r, 4) : field_from_byte(kind, b);
}

static int read_name(reader *r, const name_table *x, operand_role ro)
{
    return name_from_byte(x, read_byte(r), ro);
}

/* c: what sizes depend on (ROLE_SIZE, ROLE_RELEASE_SIZE). */
static trace_expr read_operand(reader *r, const name_table *x, operand_role ro, size_context c)
{
    unsigned m = read_byte(r);
    trace_expr e = {-1, 0};
    if (m >= RAW_MODES) {
        unsigned spec = read_byte(r);
        if ((spec & 8) && x->n > 0)
            e.name = read_name(r, x, ro);
        e.offset = read_uint(r, (spec & 7) + 1);
    } else if (m >= CONST_MODES) {
        e.offset = CONSTS[read_byte(r) % 32];
    } else if (mode_is_named(ro, m, x->n)) {
        e.name = read_name(r, x, ro);
        e.offset = mode_offset(ro, m, 1, x->e[e.name], c);
    } else {
        e.offset = mode_offset(ro, m, 0, 0x1000, c);
    }
    return e;
}

static size_t read_data_len(reader *r)
{
    unsigned b = read_byte(r);
    if (b >= RAW_ESCAPE)
        return (size_t)(read_uint(r, 2) % (DATA_MAX + 1));
    return (size_t)LENS[b % 16];
}

static uint64_t read_query_len(reader *r)
{
    unsigned b = read_byte(r);
    return b >= RAW_ESCAPE ? read_uint(r, (b & 7) + 1) : QLENS[b % 8];
}

static trace_expr read_process(reader *r, const name_table *x)
{
    trace_expr e = {-1, 0};
    unsigned q = read_byte(r);
    if (q < PROCESS_PSEUDO && x->n_procs > 0)
        e.name = x->procs[x->n_procs - 1 - q % x->n_procs];
    else if (q < PROCESS_NULL)
        e.offset = TRACE_CURRENT_PROCESS;
    else if (q >= PROCESS_SMALL)
        e.offset = (q & 15) * 2;
    return e;
}

/* Slot 28's operations (the sub-op byte is already read). */
static void decode_memapi_op(reader *r, const name_table *x, trace_op *op, int flag)
{
    switch (op->code) {
    case TRACE_CLOSE:
        op->process = read_process(r, x);
        return;
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        op->process = read_process(r, x);
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->buf = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, size_context_of(x, op->addr));
        return;
    case TRACE_WATCH: {
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, size_context_of(x, op->addr));
        unsigned o = read_byte(r);
        int ext = o >= WATCH_OPT_EXTENDED;
        op->flags = ext && (o & WATCH_OPT_FLAGS) ? (uint32_t)read_uint(r, 4) : (o & 1);
        op->nulls = ext ? (o >> 1) & 7 : 0;
        op->max = ext && (o & WATCH_OPT_MAX) ? read_uint(r, 2) % (TRACE_WATCH_MAX_PAGES + 1)
                                              : TRACE_WATCH_DEFAULT_MAX;
        return;
    }
    case TRACE_WSSET:
        op->addr = read_operand(r, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        return;
    case TRACE_ISBADCODE:
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        return;
    case TRACE_WSMIN:
    case TRACE_WSMAX:
    case TRACE_LOCKED:
        return;
    default:   /* resetwatch, lock, unlock, isbadread, isbadwrite, isbadstr */
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, size_context_of(x, op->addr));
        if (op->code == TRACE_ISBADSTR)
            op->flags = flag ? 2 : 1;
        return;
    }
}

/* ---- Slot 30: thread stacks (both directions) ---------------------------- */

/* The offset touch's byte m (< RAW_ESCAPE) stands for, with the thread's
 * extent e. */
static uint64_t touch_offset(unsigned m, uint64_t e)
{
    return m < TOUCH_BOTTOM ? e - 0x1000 * (1 + m % 64) : 0x1000 * (uint64_t)(m - TOUCH_BOTTOM);
}

static trace_expr read_thread(reader *r, const name_table *x)
{
    trace_expr e = {-1, 0};
    if (x->n > 0)
        e.name = thread_from_byte(x, read_byte(r));
    return e;
}

static int decode_stack_op(reader *r, trace *t, const name_table *x, trace_op *op)
{
    unsigned b;
    switch (op->code) {
    case TRACE_THREAD: {
        char name[24];
        b = read_byte(r);
        op->flags = b >= RAW_ESCAPE ? (b & 8) != 0 : b >= 0x80;
        op->size.offset = b >= RAW_ESCAPE ? read_uint(r, (b & 7) + 1) : STACK_SIZES[b % 16];
        snprintf(name, sizeof name, "r%zu", t->n_names);
        op->result = trace_add_name(t, name, strlen(name));
        return op->result < 0 ? -1 : 0;
    }
    case TRACE_THREAD_EXIT:
        op->thread = read_thread(r, x);
        return 0;
    case TRACE_GUARANTEE:
        op->thread = read_thread(r, x);
        b = read_byte(r);
        op->size.offset = b >= RAW_ESCAPE ? read_uint(r, 4) : GUARANTEES[b % 16];
        return 0;
    default:   /* touch */
        op->thread = read_thread(r, x);
        b = read_byte(r);
        if (b >= RAW_ESCAPE) {
            op->addr.offset = read_uint(r, (b & 7) + 1);
            op->addr.name = (b & 8) ? op->thread.name : -1;
        } else {
            op->addr.name = op->thread.name;
            op->addr.offset = touch_offset(b, op->thread.name >= 0 ? x->e[op->thread.name] : 0x1000);
        }
        return 0;
    }
}

static uint64_t read_bulk_count(reader *r)
{
    unsigned b = read_byte(r);
    return b >= RAW_ESCAPE ? read_uint(r, 2) % (TRACE_BULK_MAX + 1) : BULK_COUNTS[b % 16];
}

/* What SIZES uses for a map's size: the section's extent from the offset. */
static size_context map_size_context(const name_table *x, const trace_op *op)
{
    size_context c = NO_SIZE_CONTEXT;
    if (op->handle.name >= 0) {
        c.e = x->e[op->handle.name];
        c.rest = op->offset.name < 0 && op->offset.offset < c.e ? c.e - op->offset.offset : 0x1000;
    }
    return c;
}

/* Binds the next decoded name, r0, r1, ... in order; -1 on OOM. */
static int bind_next_name(trace *t, trace_op *op)
{
    char name[24];
    snprintf(name, sizeof name, "r%zu", t->n_names);
    op->result = trace_add_name(t, name, strlen(name));
    return op->result < 0 ? -1 : 0;
}

/* EXT: the extended parameters of alloc2 and map3. */
static void read_ext(reader *r, trace_ext *e)
{
    unsigned b = read_byte(r);
    e->lowest.name = e->highest.name = -1;
    e->lowest.offset = e->highest.offset = e->align = 0;
    e->shape = TRACE_EXT_NONE;
    if (b < EXT_NONE_BELOW)
        return;
    if (b < EXT_SHAPES) {
        const reqs_entry *q = &REQS[(b - EXT_NONE_BELOW) % 16];
        e->shape = TRACE_EXT_REQ;
        e->lowest.offset = q->lowest;
        e->highest.offset = q->highest;
        e->align = q->align;
        return;
    }
    if (b < EXT_RAW) {
        e->shape = EXT_SHAPE_BYTES[b - EXT_SHAPES];
        return;
    }
    e->shape = b & 1 ? TRACE_EXT_TWICE : TRACE_EXT_REQ;
    e->lowest.offset = read_uint(r, 8);
    e->highest.offset = read_uint(r, 8);
    e->align = read_uint(r, 8);
}

/* The role of an alloc2's address: a placeholder piece to replace, where a
 * new reservation goes, or a place inside an existing one. */
static operand_role alloc2_addr_role(uint32_t type)
{
    return type & VAS_MEM_REPLACE_PLACEHOLDER ? ROLE_PIECE : alloc_addr_role(type);
}

/* Slot 29's placeholder operations (the sub-op byte is already read). */
static int decode_placeholder_op(reader *r, trace *t, const name_table *x, trace_op *op)
{
    int replace;
    switch (op->code) {
    case TRACE_ALLOC2:
        op->process = read_process(r, x);
        op->type = read_field(r, FIELD_A2TYPE);
        op->protect = read_field(r, FIELD_A2PROT);
        op->addr = read_operand(r, x, alloc2_addr_role(op->type), NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_PSIZE, size_context_of(x, op->addr));
        read_ext(r, &op->ext);
        return bind_next_name(t, op);
    case TRACE_FREE:   /* the type came with the sub-op */
        op->addr = read_operand(r, x, ROLE_PIECE, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_PSIZE, size_context_of(x, op->addr));
        return 0;
    case TRACE_MAP3:
        op->handle = read_operand(r, x, ROLE_HANDLE, NO_SIZE_CONTEXT);
        op->process = read_process(r, x);
        op->type = read_field(r, FIELD_M3TYPE);
        op->protect = read_field(r, FIELD_M3PROT);
        replace = (op->type & VAS_MEM_REPLACE_PLACEHOLDER) != 0;
        op->addr = read_operand(r, x, replace ? ROLE_PIECE : ROLE_PLACE, NO_SIZE_CONTEXT);
        op->offset = read_operand(r, x, ROLE_OFFSET, NO_SIZE_CONTEXT);
        op->size = replace ? read_operand(r, x, ROLE_PSIZE, size_context_of(x, op->addr))
                           : read_operand(r, x, ROLE_SIZE, map_size_context(x, op));
        read_ext(r, &op->ext);
        return bind_next_name(t, op);
    case TRACE_UNMAP2:
        op->process = read_process(r, x);
        op->addr = read_operand(r, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        op->flags = read_field(r, FIELD_UFLAGS);
        return 0;
    default:   /* unmapex */
        op->addr = read_operand(r, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        op->flags = read_field(r, FIELD_UFLAGS);
        return 0;
    }
}

/* Slot 29's operations (the sub-op byte is already read). */
static int decode_section_op(reader *r, trace *t, const name_table *x, trace_op *op, int flag)
{
    switch (op->code) {
    case TRACE_SECTION:
        op->protect = read_field(r, FIELD_SPROT);
        op->type = read_field(r, FIELD_SFLAGS);
        op->size = read_operand(r, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        return bind_next_name(t, op);
    case TRACE_MAP:
        op->handle = read_operand(r, x, ROLE_HANDLE, NO_SIZE_CONTEXT);
        op->flags = read_field(r, FIELD_ACCESS);
        op->offset = read_operand(r, x, ROLE_OFFSET, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, map_size_context(x, op));
        if (flag)
            op->addr = read_operand(r, x, ROLE_PLACE, NO_SIZE_CONTEXT);
        return bind_next_name(t, op);
    default:   /* unmap */
        op->addr = read_operand(r, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        return 0;
    }
}

/* Reads one operation's arguments; returns -1 only on OOM. */
static int decode_op(reader *r, trace *t, name_table *x, trace_op *op, int flag)
{
    switch (op->code) {
    case TRACE_ALLOC:
        op->type = read_field(r, FIELD_ATYPE);
        op->protect = read_field(r, FIELD_PROTECT);
        op->addr = read_operand(r, x, alloc_addr_role(op->type), NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, size_context_of(x, op->addr));
        return bind_next_name(t, op);
    case TRACE_SECTION:
    case TRACE_MAP:
    case TRACE_UNMAP:
        return decode_section_op(r, t, x, op, flag);
    case TRACE_FREE:
        op->type = read_field(r, FIELD_FTYPE);
        op->addr = read_operand(r, x, ROLE_BASE, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, op->type == VAS_MEM_RELEASE ? ROLE_RELEASE_SIZE : ROLE_SIZE,
                                size_context_of(x, op->addr));
        return 0;
    case TRACE_PROTECT:
        op->protect = read_field(r, FIELD_PROTECT);
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->size = read_operand(r, x, ROLE_SIZE, size_context_of(x, op->addr));
        op->null_old = flag;
        return 0;
    case TRACE_QUERY:
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->has_len = flag;
        if (flag)
            op->query_len = read_query_len(r);
        return 0;
    case TRACE_READ:
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        op->len = read_data_len(r);
        return 0;
    case TRACE_WRITE: {
        unsigned fill = 0;
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!flag)
            fill = read_byte(r);
        op->len = read_data_len(r);
        op->data = malloc(op->len ? op->len : 1);
        if (!op->data)
            return -1;
        for (size_t i = 0; i < op->len; i++)
            op->data[i] = (uint8_t)(flag ? read_byte(r) : fill);
        return 0;
    }
    case TRACE_EXEC:
        op->addr = read_operand(r, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        return 0;
    case TRACE_SETERR:
        op->value = read_field(r, FIELD_ERROR);
        return 0;
    case TRACE_GETERR:
    case TRACE_CHARGE:
        return 0;
    case TRACE_THREAD:
    case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE:
    case TRACE_TOUCH:
        return decode_stack_op(r, t, x, op);
    case TRACE_BULKALLOC: {
        char name[24];
        op->type = read_field(r, FIELD_ATYPE);
        op->protect = read_field(r, FIELD_PROTECT);
        op->size = read_operand(r, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        op->max = read_bulk_count(r);
        snprintf(name, sizeof name, "r%zu", t->n_names);
        op->result = trace_add_name(t, name, strlen(name));
        return op->result < 0 ? -1 : 0;
    }
    case TRACE_PROCESS: {
        char name[24];
        snprintf(name, sizeof name, "r%zu", t->n_names);
        op->result = trace_add_name(t, name, strlen(name));
        return op->result < 0 ? -1 : 0;
    }
    case TRACE_BULKFREE:
        op->addr = read_operand(r, x, ROLE_BASE, NO_SIZE_CONTEXT);
        op->max = read_bulk_count(r);
        op->stride = BULK_STRIDES[read_byte(r) % 8];
        return 0;
    default:
        decode_memapi_op(r, x, op, flag);
        return 0;
    }
    return 0;
}

trace *trace_decode_binary(const uint8_t *bytes, size_t len, size_t max_ops)
{
    static const vas_profile profiles[4] = {
        VAS_PROFILE_X64, VAS_PROFILE_X86, VAS_PROFILE_X86_LAA, VAS_PROFILE_X64
    };
    reader r = {bytes, bytes ? len : 0, 0};
    name_table x = {0};
    trace *t = trace_new("<bytes>");
    if (!t)
        return NULL;
    unsigned h = read_byte(&r), limit = (h >> 2) & 15;
    t->profile = profiles[h & 3];
    t->commit_limit = limit == LIMIT_RAW ? read_uint(&r, 8) : LIMITS[limit];
    if ((h & HEADER_LAYOUT) && t->profile == VAS_PROFILE_X64 && t->commit_limit == 0)
        t->layout = VAS_LAYOUT_PROCESS;
    if (h & HEADER_ASLR)
        t->aslr_seed = read_uint(&r, 8);
    while (r.pos < r.len && t->n_ops < max_ops) {
        unsigned c = read_byte(&r);
        unsigned sub = (c & 31) == MEMAPI_SLOT || (c & 31) == STACK_SLOT || (c & 31) == BULK_SLOT ||
                       (c & 31) == SECTION_SLOT
                       ? read_byte(&r) : 0;
        process_op pick = {OPCODES[c & 31], 0};
        if ((c & 31) == MEMAPI_SLOT)
            pick = sub >= PROCESS_SUBOPS ? PROCESS_OPS[sub & 15] : (process_op){MEMAPI_OPS[sub % 16], 0};
        else if ((c & 31) == STACK_SLOT)
            pick.code = STACK_OPS[sub % 8];
        else if ((c & 31) == BULK_SLOT)
            pick.code = BULK_OPS[sub % 32];
        else if ((c & 31) == SECTION_SLOT && sub < PLACEHOLDER_SUBOPS)
            pick.code = SECTION_OPS[sub % 16];
        else if ((c & 31) == SECTION_SLOT)
            pick.code = PLACEHOLDER_OPS[sub % 16].code;
        trace_op *op = trace_append_op(t, pick.code);
        int placeholder = (c & 31) == SECTION_SLOT && sub >= PLACEHOLDER_SUBOPS;
        if (op && placeholder)
            op->type = PLACEHOLDER_OPS[sub % 16].free_type;
        if (op && pick.code == TRACE_TOUCH)
            op->flags = sub % 8 >= TOUCH_DOWN_OPS;
        if (op && pick.ex) {
            /* the process first: the op's own name (alloc) is not one */
            op->has_process = 1;
            op->process = read_process(&r, &x);
        }
        if (!op || (placeholder ? decode_placeholder_op(&r, t, &x, op)
                                : decode_op(&r, t, &x, op, (c & FLAG_BITS) == FLAG_BITS)) != 0 ||
            names_note_op(&x, op) != 0) {
            trace_free(t);
            names_free(&x);
            return NULL;
        }
    }
    names_free(&x);
    return t;
}

/* ---- Encoding ---------------------------------------------------------- */

typedef struct writer {
    uint8_t *buf;
    size_t len, cap;
    int failed;   /* OOM or a trace this format cannot express */
} writer;

static void write_byte(writer *w, unsigned b)
{
    if (w->failed)
        return;
    if (w->len == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        uint8_t *p = realloc(w->buf, cap);
        if (!p) {
            w->failed = 1;
            return;
        }
        w->buf = p;
        w->cap = cap;
    }
    w->buf[w->len++] = (uint8_t)b;
}

static void write_uint(writer *w, uint64_t v, unsigned nbytes)
{
    for (unsigned i = 0; i < nbytes; i++)
        write_byte(w, (unsigned)(v >> (8 * i)) & 0xFF);
}

static unsigned width_of(uint64_t v)
{
    unsigned n = 1;
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    return n;
}

static void write_field(writer *w, field_kind kind, uint32_t value)
{
    for (unsigned b = 0; b < RAW_FIELD; b++) {
        if (field_from_byte(kind, b) == value) {
            write_byte(w, b);
            return;
        }
    }
    write_byte(w, 0xFF);
    write_uint(w, value, 4);
}

/* The first mode byte that read_operand turns into e, or the raw escape.
 * x: names bound before this op; c as for read_operand. */
static void write_operand(writer *w, trace_expr e, const name_table *x, operand_role ro,
                          size_context c)
{
    if (e.name < 0) {
        for (unsigned m = 0; m < CONST_MODES; m++) {
            if (!mode_is_named(ro, m, x->n) && mode_offset(ro, m, 0, 0x1000, c) == e.offset) {
                write_byte(w, m);
                return;
            }
        }
        for (unsigned j = 0; j < 32; j++) {
            if (CONSTS[j] == e.offset) {
                write_byte(w, CONST_MODES);
                write_byte(w, j);
                return;
            }
        }
        unsigned n = width_of(e.offset);
        write_byte(w, RAW_MODES);
        write_byte(w, n - 1);
        write_uint(w, e.offset, n);
        return;
    }
    unsigned k = 0;
    while (k < 256 && ((size_t)e.name >= x->n || name_from_byte(x, k, ro) != e.name))
        k++;
    if (k == 256) {   /* unbound, or too far back for a name byte */
        w->failed = 1;
        return;
    }
    for (unsigned m = 0; m < CONST_MODES; m++) {
        if (mode_is_named(ro, m, x->n) && mode_offset(ro, m, 1, x->e[e.name], c) == e.offset) {
            write_byte(w, m);
            write_byte(w, k);
            return;
        }
    }
    unsigned n = width_of(e.offset);
    write_byte(w, RAW_MODES);
    write_byte(w, 8 | (n - 1));
    write_byte(w, k);
    write_uint(w, e.offset, n);
}

static void write_data_len(writer *w, size_t len)
{
    if (len > DATA_MAX) {
        w->failed = 1;
        return;
    }
    for (unsigned b = 0; b < 16; b++) {
        if (LENS[b] == len) {
            write_byte(w, b);
            return;
        }
    }
    write_byte(w, RAW_ESCAPE);
    write_uint(w, len, 2);
}

static void write_query_len(writer *w, uint64_t len)
{
    for (unsigned b = 0; b < 8; b++) {
        if (QLENS[b] == len) {
            write_byte(w, b);
            return;
        }
    }
    unsigned n = width_of(len);
    write_byte(w, RAW_ESCAPE | (n - 1));
    write_uint(w, len, n);
}

static void write_bulk_count(writer *w, uint64_t count)
{
    for (unsigned b = 0; b < 16; b++) {
        if (BULK_COUNTS[b] == count) {
            write_byte(w, b);
            return;
        }
    }
    if (count > TRACE_BULK_MAX)
        w->failed = 1;
    write_byte(w, RAW_ESCAPE);
    write_uint(w, count, 2);
}

/* ex: the *Ex form (in=), which only slot 28's process sub-ops carry. */
static void write_opcode(writer *w, trace_opcode code, int flag, int ex)
{
    unsigned i = 0;
    while (!ex && i < 32 && (OPCODES[i] != code || i == MEMAPI_SLOT || i == STACK_SLOT || i == BULK_SLOT || i == SECTION_SLOT))
        i++;
    if (!ex && i < 32) {
        write_byte(w, i | (flag ? FLAG_BITS : 0));
        return;
    }
    if (code == TRACE_BULKALLOC || code == TRACE_BULKFREE) {
        write_byte(w, BULK_SLOT | (flag ? FLAG_BITS : 0));
        write_byte(w, code == TRACE_BULKFREE);
        return;
    }
    for (i = code == TRACE_TOUCH && flag ? TOUCH_DOWN_OPS : 0; !ex && i < 8; i++) {
        if (STACK_OPS[i] == code) {
            write_byte(w, STACK_SLOT);   /* flag: touch's "down", in the sub-op */
            write_byte(w, i);
            return;
        }
    }
    for (i = 0; i < 16; i++) {
        if (SECTION_OPS[i] == code) {
            write_byte(w, SECTION_SLOT | (flag ? FLAG_BITS : 0));
            write_byte(w, i);
            return;
        }
    }
    write_byte(w, MEMAPI_SLOT | (flag ? FLAG_BITS : 0));
    for (i = 0; i < 16; i++)
        if (PROCESS_OPS[i].code == code && PROCESS_OPS[i].ex == ex) {
            write_byte(w, PROCESS_SUBOPS + i);
            return;
        }
    for (i = 0; MEMAPI_OPS[i] != code; i++)
        ;
    write_byte(w, i);
}

static void write_process(writer *w, trace_expr e, const name_table *x)
{
    if (e.name >= 0) {
        for (size_t j = 0; j < x->n_procs && j < PROCESS_PSEUDO; j++)
            if (x->procs[x->n_procs - 1 - j] == e.name && e.offset == 0) {
                write_byte(w, (unsigned)j);
                return;
            }
    } else if (e.offset == TRACE_CURRENT_PROCESS) {
        write_byte(w, x->n_procs > 0 ? PROCESS_PSEUDO : 0);
        return;
    } else if (e.offset == 0) {
        write_byte(w, PROCESS_NULL);
        return;
    } else if (e.offset % 2 == 0 && e.offset <= 30) {
        write_byte(w, PROCESS_SMALL + (unsigned)(e.offset / 2));
        return;
    }
    w->failed = 1;
}

/* Slot 28's operations, as decode_memapi_op reads them. */
static void encode_memapi_op(writer *w, const trace_op *op, const name_table *x)
{
    write_opcode(w, op->code, op->code == TRACE_ISBADSTR && op->flags == 2, 0);
    switch (op->code) {
    case TRACE_PROCESS:
        return;
    case TRACE_CLOSE:
        write_process(w, op->process, x);
        return;
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        write_process(w, op->process, x);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->buf, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, size_context_of(x, op->addr));
        return;
    case TRACE_WATCH: {
        unsigned o = 0;
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, size_context_of(x, op->addr));
        if (op->flags & ~VAS_WRITE_WATCH_FLAG_RESET)
            o |= WATCH_OPT_EXTENDED | WATCH_OPT_FLAGS;
        else
            o |= op->flags & 1;
        if (op->nulls)
            o |= WATCH_OPT_EXTENDED | (op->nulls & 7) << 1;
        if (op->max != TRACE_WATCH_DEFAULT_MAX)
            o |= WATCH_OPT_EXTENDED | WATCH_OPT_MAX;
        if (op->max > TRACE_WATCH_MAX_PAGES)
            w->failed = 1;
        write_byte(w, o);
        if (o & WATCH_OPT_FLAGS)
            write_uint(w, op->flags, 4);
        if (o & WATCH_OPT_MAX)
            write_uint(w, op->max, 2);
        return;
    }
    case TRACE_WSSET:
        write_operand(w, op->addr, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        write_operand(w, op->size, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        return;
    case TRACE_ISBADCODE:
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        return;
    case TRACE_WSMIN:
    case TRACE_WSMAX:
    case TRACE_LOCKED:
        return;
    default:
        if (op->code == TRACE_ISBADSTR && op->flags != 1 && op->flags != 2)
            w->failed = 1;
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, size_context_of(x, op->addr));
        return;
    }
}

/* The name byte that read_thread turns into e; fails for a thread that is
 * not a plain name (or a name when none is bound). */
static void write_thread(writer *w, trace_expr e, const name_table *x)
{
    unsigned k = 0;
    if (x->n == 0) {
        if (e.name >= 0 || e.offset != 0)
            w->failed = 1;
        return;
    }
    while (k < 256 && (e.name < 0 || e.offset != 0 || thread_from_byte(x, k) != e.name))
        k++;
    if (k == 256)
        w->failed = 1;
    else
        write_byte(w, k);
}

/* Slot 30's operations, as decode_stack_op reads them. */
static void encode_stack_op(writer *w, const trace_op *op, const name_table *x)
{
    unsigned b;
    if (op->code == TRACE_TOUCH && op->flags > 1)
        w->failed = 1;
    write_opcode(w, op->code, op->code == TRACE_TOUCH && op->flags, 0);
    switch (op->code) {
    case TRACE_THREAD:
        if (op->size.name >= 0)
            w->failed = 1;
        for (b = 0; b < RAW_ESCAPE; b++) {
            if (STACK_SIZES[b % 16] == op->size.offset && (b >= 0x80) == (op->flags != 0)) {
                write_byte(w, b);
                return;
            }
        }
        b = width_of(op->size.offset);
        write_byte(w, RAW_ESCAPE | (op->flags ? 8 : 0) | (b - 1));
        write_uint(w, op->size.offset, b);
        return;
    case TRACE_THREAD_EXIT:
        write_thread(w, op->thread, x);
        return;
    case TRACE_GUARANTEE:
        write_thread(w, op->thread, x);
        if (op->size.name >= 0 || op->size.offset > UINT32_MAX)
            w->failed = 1;
        for (b = 0; b < 16; b++) {
            if (GUARANTEES[b] == op->size.offset) {
                write_byte(w, b);
                return;
            }
        }
        write_byte(w, RAW_ESCAPE);
        write_uint(w, op->size.offset, 4);
        return;
    default: {   /* touch */
        int named = op->thread.name >= 0 && op->addr.name == op->thread.name;
        write_thread(w, op->thread, x);
        if (op->addr.name >= 0 && !named)
            w->failed = 1;
        if (named || x->n == 0) {
            uint64_t e = named ? x->e[op->thread.name] : 0x1000;
            for (b = 0; b < RAW_ESCAPE; b++) {
                if (touch_offset(b, e) == op->addr.offset) {
                    write_byte(w, b);
                    return;
                }
            }
        }
        b = width_of(op->addr.offset);
        write_byte(w, RAW_ESCAPE | (named ? 8 : 0) | (b - 1));
        write_uint(w, op->addr.offset, b);
        return;
    }
    }
}

/* Slot 29's operations, as decode_section_op reads them. */
static void encode_section_op(writer *w, const trace_op *op, const name_table *x)
{
    int has_addr = op->code == TRACE_MAP && (op->addr.name >= 0 || op->addr.offset != 0);
    write_opcode(w, op->code, has_addr, 0);
    switch (op->code) {
    case TRACE_SECTION:
        write_field(w, FIELD_SPROT, op->protect);
        write_field(w, FIELD_SFLAGS, op->type);
        write_operand(w, op->size, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        return;
    case TRACE_MAP:
        write_operand(w, op->handle, x, ROLE_HANDLE, NO_SIZE_CONTEXT);
        write_field(w, FIELD_ACCESS, op->flags);
        if (!w->failed)
            write_operand(w, op->offset, x, ROLE_OFFSET, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, map_size_context(x, op));
        if (has_addr && !w->failed)
            write_operand(w, op->addr, x, ROLE_PLACE, NO_SIZE_CONTEXT);
        return;
    default:   /* unmap */
        write_operand(w, op->addr, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        return;
    }
}

/* EXT as read_ext reads it. */
static void write_ext(writer *w, const trace_ext *e)
{
    int fields = e->lowest.offset != 0 || e->highest.offset != 0 || e->align != 0;
    if (e->shape == TRACE_EXT_NONE) {
        write_byte(w, 0);
        return;
    }
    if (e->lowest.name >= 0 || e->highest.name >= 0) {   /* names have no binary form here */
        w->failed = 1;
        return;
    }
    for (unsigned j = 0; e->shape == TRACE_EXT_REQ && j < 16; j++) {
        if (REQS[j].lowest == e->lowest.offset && REQS[j].highest == e->highest.offset &&
            REQS[j].align == e->align) {
            write_byte(w, EXT_NONE_BELOW + j);
            return;
        }
    }
    for (unsigned j = 0; !fields && j < EXT_RAW - EXT_SHAPES; j++) {
        if (EXT_SHAPE_BYTES[j] == e->shape) {
            write_byte(w, EXT_SHAPES + j);
            return;
        }
    }
    if (e->shape != TRACE_EXT_REQ && e->shape != TRACE_EXT_TWICE) {
        w->failed = 1;
        return;
    }
    write_byte(w, EXT_RAW | (e->shape == TRACE_EXT_TWICE));
    write_uint(w, e->lowest.offset, 8);
    write_uint(w, e->highest.offset, 8);
    write_uint(w, e->align, 8);
}

/* Slot 29's placeholder operations, as decode_placeholder_op reads them.
 * A free with a placeholder type goes the way of every free. */
static void encode_placeholder_op(writer *w, const trace_op *op, const name_table *x)
{
    unsigned i = 0;
    int replace = (op->type & VAS_MEM_REPLACE_PLACEHOLDER) != 0;
    while (PLACEHOLDER_OPS[i].code != op->code)
        i++;
    write_byte(w, SECTION_SLOT);
    write_byte(w, PLACEHOLDER_SUBOPS + i);
    switch (op->code) {
    case TRACE_ALLOC2:
        write_process(w, op->process, x);
        write_field(w, FIELD_A2TYPE, op->type);
        write_field(w, FIELD_A2PROT, op->protect);
        write_operand(w, op->addr, x, alloc2_addr_role(op->type), NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_PSIZE, size_context_of(x, op->addr));
        write_ext(w, &op->ext);
        return;
    case TRACE_MAP3:
        write_operand(w, op->handle, x, ROLE_HANDLE, NO_SIZE_CONTEXT);
        write_process(w, op->process, x);
        write_field(w, FIELD_M3TYPE, op->type);
        write_field(w, FIELD_M3PROT, op->protect);
        if (!w->failed)
            write_operand(w, op->addr, x, replace ? ROLE_PIECE : ROLE_PLACE, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->offset, x, ROLE_OFFSET, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, replace ? ROLE_PSIZE : ROLE_SIZE,
                          replace ? size_context_of(x, op->addr) : map_size_context(x, op));
        write_ext(w, &op->ext);
        return;
    case TRACE_UNMAP2:
        write_process(w, op->process, x);
        write_operand(w, op->addr, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        write_field(w, FIELD_UFLAGS, op->flags);
        return;
    default:   /* unmapex */
        write_operand(w, op->addr, x, ROLE_VIEW, NO_SIZE_CONTEXT);
        write_field(w, FIELD_UFLAGS, op->flags);
        return;
    }
}

/* x: the names bound before op; an alloc's name is added by the caller. */
static void encode_op(writer *w, const trace_op *op, const name_table *x)
{
    switch (op->code) {
    case TRACE_ALLOC:
        write_opcode(w, op->code, 0, op->has_process);
        if (op->has_process)
            write_process(w, op->process, x);
        write_field(w, FIELD_ATYPE, op->type);
        write_field(w, FIELD_PROTECT, op->protect);
        write_operand(w, op->addr, x, alloc_addr_role(op->type), NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, size_context_of(x, op->addr));
        break;
    case TRACE_FREE:
        write_opcode(w, op->code, 0, op->has_process);
        if (op->has_process)
            write_process(w, op->process, x);
        write_field(w, FIELD_FTYPE, op->type);
        write_operand(w, op->addr, x, ROLE_BASE, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x,
                          op->type == VAS_MEM_RELEASE ? ROLE_RELEASE_SIZE : ROLE_SIZE,
                          size_context_of(x, op->addr));
        break;
    case TRACE_PROTECT:
        write_opcode(w, op->code, op->null_old, op->has_process);
        if (op->has_process)
            write_process(w, op->process, x);
        write_field(w, FIELD_PROTECT, op->protect);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!w->failed)
            write_operand(w, op->size, x, ROLE_SIZE, size_context_of(x, op->addr));
        break;
    case TRACE_QUERY:
        write_opcode(w, op->code, op->has_len, op->has_process);
        if (op->has_process)
            write_process(w, op->process, x);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (op->has_len)
            write_query_len(w, op->query_len);
        break;
    case TRACE_READ:
        write_opcode(w, op->code, 0, 0);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        write_data_len(w, op->len);
        break;
    case TRACE_WRITE: {
        size_t same = 0;
        while (same < op->len && op->data[same] == op->data[0])
            same++;
        int literal = same < op->len;
        write_opcode(w, op->code, literal, 0);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        if (!literal)
            write_byte(w, op->len ? op->data[0] : 0);
        write_data_len(w, op->len);
        for (size_t i = 0; literal && i < op->len && !w->failed; i++)
            write_byte(w, op->data[i]);
        break;
    }
    case TRACE_EXEC:
        write_opcode(w, op->code, 0, 0);
        write_operand(w, op->addr, x, ROLE_ACCESS, NO_SIZE_CONTEXT);
        break;
    case TRACE_SETERR:
        write_opcode(w, op->code, 0, 0);
        write_field(w, FIELD_ERROR, op->value);
        break;
    case TRACE_GETERR:
    case TRACE_CHARGE:
        write_opcode(w, op->code, 0, 0);
        break;
    case TRACE_THREAD:
    case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE:
    case TRACE_TOUCH:
        encode_stack_op(w, op, x);
        break;
    case TRACE_BULKALLOC:
        write_opcode(w, op->code, 0, 0);
        write_field(w, FIELD_ATYPE, op->type);
        write_field(w, FIELD_PROTECT, op->protect);
        write_operand(w, op->size, x, ROLE_SIZE, NO_SIZE_CONTEXT);
        write_bulk_count(w, op->max);
        break;
    case TRACE_BULKFREE: {
        unsigned b = 0;
        write_opcode(w, op->code, 0, 0);
        write_operand(w, op->addr, x, ROLE_BASE, NO_SIZE_CONTEXT);
        write_bulk_count(w, op->max);
        while (b < 8 && BULK_STRIDES[b] != op->stride)
            b++;
        if (b == 8)
            w->failed = 1;
        write_byte(w, b);
        break;
    }
    case TRACE_SECTION:
    case TRACE_MAP:
    case TRACE_UNMAP:
        encode_section_op(w, op, x);
        break;
    case TRACE_ALLOC2:
    case TRACE_MAP3:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
        encode_placeholder_op(w, op, x);
        break;
    default:
        encode_memapi_op(w, op, x);
        break;
    }
}

uint8_t *trace_encode_binary(const trace *t, size_t *out_len)
{
    writer w = {0};
    name_table x = {0};
    if (t->case_name || t->n_sources || t->n_wine_deviates || t->n_model_only || (unsigned)t->profile > 2
        || (t->layout != VAS_LAYOUT_EMPTY && (t->profile != VAS_PROFILE_X64 || t->commit_limit != 0)))
        return NULL;
    unsigned limit = 0;
    while (limit < LIMIT_RAW && LIMITS[limit] != t->commit_limit)
        limit++;
    write_byte(&w, (unsigned)t->profile | limit << 2 | (t->layout == VAS_LAYOUT_PROCESS ? HEADER_LAYOUT : 0)
                   | (t->aslr_seed ? HEADER_ASLR : 0));
    if (limit == LIMIT_RAW)
        write_uint(&w, t->commit_limit, 8);
    if (t->aslr_seed)
        write_uint(&w, t->aslr_seed, 8);
    for (size_t i = 0; i < t->n_ops && !w.failed; i++) {
        const trace_op *op = &t->ops[i];
        int binds = trace_opcode_binds(op->code);
        if (op->expect.kind != EXPECT_NONE ||
            (binds ? op->result != (int)x.n : op->result != -1)) {
            w.failed = 1;
            break;
        }
        encode_op(&w, op, &x);
        if (!w.failed && names_note_op(&x, op) != 0)
            w.failed = 1;
    }
    if (w.failed || x.n != t->n_names) {
        free(w.buf);
        names_free(&x);
        return NULL;
    }
    names_free(&x);
    *out_len = w.len;
    return w.buf;
}
