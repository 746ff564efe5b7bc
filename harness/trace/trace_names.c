/*
 * trace_names.c - the names of the trace language: constants (MEM_*,
 * PAGE_*, ERROR_*) and profiles, with their values. The one table of each:
 * the parser reads with it, the printer and the runner's reports write
 * with it.
 */
#include <stdio.h>
#include <string.h>
#include "trace_internal.h"

typedef struct const_name {
    const char *name;
    uint32_t value;
} const_name;

/* Flag tables are in printing order: the printer walks a table and emits
 * every entry whose bits are all set, so RESERVE comes before COMMIT
 * (RESERVE|COMMIT, as people write it). */
static const const_name mem_type_names[] = {
    {"RESERVE", VAS_MEM_RESERVE},     {"COMMIT", VAS_MEM_COMMIT},
    {"DECOMMIT", VAS_MEM_DECOMMIT},   {"RELEASE", VAS_MEM_RELEASE},
    {"FREE", VAS_MEM_FREE},           {"PRIVATE", VAS_MEM_PRIVATE},
    {"MAPPED", VAS_MEM_MAPPED},       {"RESET", VAS_MEM_RESET},
    {"TOP_DOWN", VAS_MEM_TOP_DOWN},   {"WRITE_WATCH", VAS_MEM_WRITE_WATCH},
    {"PHYSICAL", VAS_MEM_PHYSICAL},   {"RESET_UNDO", VAS_MEM_RESET_UNDO},
    {"LARGE_PAGES", VAS_MEM_LARGE_PAGES},
    {"IMAGE", VAS_MEM_IMAGE},  /* same bit as RESET_UNDO: read only */
    /* VirtualFree's placeholder flags (docs/semantics.md 12.12); the other
     * placeholder names share bits with names above and so read only. */
    {"COALESCE_PLACEHOLDERS", VAS_MEM_COALESCE_PLACEHOLDERS},
    {"PRESERVE_PLACEHOLDER", VAS_MEM_PRESERVE_PLACEHOLDER},
    {"REPLACE_PLACEHOLDER", VAS_MEM_REPLACE_PLACEHOLDER},
    {"RESERVE_PLACEHOLDER", VAS_MEM_RESERVE_PLACEHOLDER},
    {"UNMAP_WITH_TRANSIENT_BOOST", VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST},
    {NULL, 0}
};

/* VirtualAlloc2 / MapViewOfFile3's AllocationType: the placeholder names
 * print for their bits; DECOMMIT, MAPPED and the rest read only. */
static const const_name alloc2_type_names[] = {
    {"RESERVE", VAS_MEM_RESERVE},     {"COMMIT", VAS_MEM_COMMIT},
    {"REPLACE_PLACEHOLDER", VAS_MEM_REPLACE_PLACEHOLDER},
    {"RESERVE_PLACEHOLDER", VAS_MEM_RESERVE_PLACEHOLDER},
    {"RESET", VAS_MEM_RESET},         {"TOP_DOWN", VAS_MEM_TOP_DOWN},
    {"WRITE_WATCH", VAS_MEM_WRITE_WATCH}, {"PHYSICAL", VAS_MEM_PHYSICAL},
    {"RESET_UNDO", VAS_MEM_RESET_UNDO},   {"LARGE_PAGES", VAS_MEM_LARGE_PAGES},
    {"DECOMMIT", VAS_MEM_DECOMMIT},   {"RELEASE", VAS_MEM_RELEASE},
    {"FREE", VAS_MEM_FREE},           {"PRIVATE", VAS_MEM_PRIVATE},
    {"MAPPED", VAS_MEM_MAPPED},
    {"COALESCE_PLACEHOLDERS", VAS_MEM_COALESCE_PLACEHOLDERS},
    {"PRESERVE_PLACEHOLDER", VAS_MEM_PRESERVE_PLACEHOLDER},
    {NULL, 0}
};

/* UnmapViewOfFile2 / UnmapViewOfFileEx's UnmapFlags. */
static const const_name unmap_flag_names[] = {
    {"UNMAP_WITH_TRANSIENT_BOOST", VAS_MEM_UNMAP_WITH_TRANSIENT_BOOST},
    {"PRESERVE_PLACEHOLDER", VAS_MEM_PRESERVE_PLACEHOLDER},
    {"RELEASE", VAS_MEM_RELEASE},     {"DECOMMIT", VAS_MEM_DECOMMIT},
    {NULL, 0}
};

/* Query state/type values: the same bits, with IMAGE preferred over
 * RESET_UNDO and the states first. */
static const const_name mem_state_names[] = {
    {"COMMIT", VAS_MEM_COMMIT},       {"RESERVE", VAS_MEM_RESERVE},
    {"FREE", VAS_MEM_FREE},           {"PRIVATE", VAS_MEM_PRIVATE},
    {"MAPPED", VAS_MEM_MAPPED},       {"IMAGE", VAS_MEM_IMAGE},
    {"DECOMMIT", VAS_MEM_DECOMMIT},   {"RELEASE", VAS_MEM_RELEASE},
    {"RESET", VAS_MEM_RESET},         {"TOP_DOWN", VAS_MEM_TOP_DOWN},
    {"WRITE_WATCH", VAS_MEM_WRITE_WATCH}, {"PHYSICAL", VAS_MEM_PHYSICAL},
    {"LARGE_PAGES", VAS_MEM_LARGE_PAGES},
    {"RESET_UNDO", VAS_MEM_RESET_UNDO},  /* read only */
    {NULL, 0}
};

static const const_name protect_names[] = {
    {"NOACCESS", VAS_PAGE_NOACCESS},         {"READONLY", VAS_PAGE_READONLY},
    {"READWRITE", VAS_PAGE_READWRITE},       {"WRITECOPY", VAS_PAGE_WRITECOPY},
    {"EXECUTE", VAS_PAGE_EXECUTE},           {"EXECUTE_READ", VAS_PAGE_EXECUTE_READ},
    {"EXECUTE_READWRITE", VAS_PAGE_EXECUTE_READWRITE},
    {"EXECUTE_WRITECOPY", VAS_PAGE_EXECUTE_WRITECOPY},
    {"GUARD", VAS_PAGE_GUARD},               {"NOCACHE", VAS_PAGE_NOCACHE},
    {"WRITECOMBINE", VAS_PAGE_WRITECOMBINE},
    {NULL, 0}
};

static const const_name error_names[] = {
    {"SUCCESS", VAS_ERROR_SUCCESS},
    {"ACCESS_DENIED", VAS_ERROR_ACCESS_DENIED},
    {"INVALID_HANDLE", VAS_ERROR_INVALID_HANDLE},
    {"NOT_ENOUGH_MEMORY", VAS_ERROR_NOT_ENOUGH_MEMORY},
    {"BAD_LENGTH", VAS_ERROR_BAD_LENGTH},
    {"INVALID_PARAMETER", VAS_ERROR_INVALID_PARAMETER},
    {"INVALID_ADDRESS", VAS_ERROR_INVALID_ADDRESS},
    {"NOACCESS", VAS_ERROR_NOACCESS},
    {"COMMITMENT_LIMIT", VAS_ERROR_COMMITMENT_LIMIT},
    {"NOT_LOCKED", VAS_ERROR_NOT_LOCKED},
    {"PARTIAL_COPY", VAS_ERROR_PARTIAL_COPY},
    {"WORKING_SET_QUOTA", VAS_ERROR_WORKING_SET_QUOTA},
    {"MAPPED_ALIGNMENT", VAS_ERROR_MAPPED_ALIGNMENT},
    {"NOT_SUPPORTED", VAS_ERROR_NOT_SUPPORTED},
    /* VirtualLock on a guard page leaves the raw status as last-error (G098). */
    {"GUARD_PAGE_VIOLATION", VAS_STATUS_GUARD_PAGE_VIOLATION},
    {NULL, 0}
};

/* CreateFileMapping's SEC_* attributes: only COMMIT and RESERVE are
 * modelled; the others are named so that traces can show them refused. */
static const const_name section_names[] = {
    {"COMMIT", VAS_SEC_COMMIT},        {"RESERVE", VAS_SEC_RESERVE},
    {"IMAGE", 0x01000000u},            {"NOCACHE", 0x10000000u},
    {"WRITECOMBINE", 0x40000000u},     {"LARGE_PAGES", 0x80000000u},
    {NULL, 0}
};

/* dwDesiredAccess: ALL_ACCESS first, so that it prints as one name. */
static const const_name file_map_names[] = {
    {"ALL_ACCESS", VAS_FILE_MAP_ALL_ACCESS}, {"READ", VAS_FILE_MAP_READ},
    {"WRITE", VAS_FILE_MAP_WRITE},           {"COPY", VAS_FILE_MAP_COPY},
    {"EXECUTE", VAS_FILE_MAP_EXECUTE},
    {NULL, 0}
};

static const const_name *table_of(trace_const_kind kind)
{
    switch (kind) {
    case CONST_MEM_TYPE: return mem_type_names;
    case CONST_MEM_STATE: return mem_state_names;
    case CONST_PROTECT: return protect_names;
    case CONST_ERROR: return error_names;
    case CONST_SECTION: return section_names;
    case CONST_FILE_MAP: return file_map_names;
    case CONST_ALLOC2_TYPE: return alloc2_type_names;
    case CONST_UNMAP_FLAGS: return unmap_flag_names;
    }
    return error_names;
}

static const char *prefix_of(trace_const_kind kind)
{
    switch (kind) {
    case CONST_MEM_TYPE:
    case CONST_MEM_STATE:
    case CONST_ALLOC2_TYPE:
    case CONST_UNMAP_FLAGS: return "MEM_";
    case CONST_PROTECT: return "PAGE_";
    case CONST_ERROR: return "ERROR_";
    case CONST_SECTION: return "SEC_";
    case CONST_FILE_MAP: return "FILE_MAP_";
    }
    return "";
}

int trace_const_lookup(trace_const_kind kind, const char *name, size_t len, uint32_t *value)
{
    const char *prefix = prefix_of(kind);
    size_t plen = strlen(prefix);
    if (len > plen && memcmp(name, prefix, plen) == 0) {
        name += plen;
        len -= plen;
    }
    for (const const_name *c = table_of(kind); c->name; c++) {
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) {
            *value = c->value;
            return 1;
        }
    }
    return 0;
}

/* Appends s to buf at *pos, keeping buf NUL-terminated and counting the
 * full length even when it does not fit. */
static void append(char *buf, size_t buf_len, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (buf_len > 0 && *pos < buf_len - 1) {
        size_t room = buf_len - 1 - *pos;
        memcpy(buf + *pos, s, n < room ? n : room);
        buf[*pos + (n < room ? n : room)] = '\0';
    }
    *pos += n;
}

const char *trace_const_format(trace_const_kind kind, uint32_t value, char *buf, size_t buf_len)
{
    size_t pos = 0;
    char num[16];
    if (buf_len > 0)
        buf[0] = '\0';
    if (kind == CONST_ERROR) {
        for (const const_name *c = error_names; c->name; c++) {
            if (c->value == value) {
                append(buf, buf_len, &pos, c->name);
                return buf;
            }
        }
        snprintf(num, sizeof num, "0x%X", (unsigned)value);
        append(buf, buf_len, &pos, value == 0 ? "0" : num);
        return buf;
    }
    if (value == 0) {
        append(buf, buf_len, &pos, "0");
        return buf;
    }
    uint32_t left = value;
    for (const const_name *c = table_of(kind); c->name; c++) {
        if ((left & c->value) == c->value && c->value != 0) {
            if (pos > 0)
                append(buf, buf_len, &pos, "|");
            append(buf, buf_len, &pos, c->name);
            left &= ~c->value;
        }
    }
    if (left != 0) {
        snprintf(num, sizeof num, "0x%X", (unsigned)left);
        if (pos > 0)
            append(buf, buf_len, &pos, "|");
        append(buf, buf_len, &pos, num);
    }
    return buf;
}

static const char *const profile_names[] = {
    [VAS_PROFILE_X64] = "x64", [VAS_PROFILE_X86] = "x86", [VAS_PROFILE_X86_LAA] = "x86_laa",
};
#define N_PROFILES (sizeof profile_names / sizeof profile_names[0])

const char *trace_profile_name(vas_profile profile)
{
    return (unsigned)profile < N_PROFILES ? profile_names[profile] : NULL;
}

int trace_profile_parse(const char *name, size_t len, vas_profile *out)
{
    for (size_t i = 0; i < N_PROFILES; i++) {
        const char *p = profile_names[i];
        if (p && strlen(p) == len && memcmp(p, name, len) == 0) {
            *out = (vas_profile)i;
            return 1;
        }
    }
    return 0;
}

const op_form trace_op_forms[] = {
    {"alloc", TRACE_ALLOC, "asTP"},
    {"free", TRACE_FREE, "asT"},
    {"protect", TRACE_PROTECT, "asP"},
    {"query", TRACE_QUERY, "a"},
    {"read", TRACE_READ, "an"},
    {"write", TRACE_WRITE, "ad"},
    {"exec", TRACE_EXEC, "a"},
    {"seterr", TRACE_SETERR, "E"},
    {"geterr", TRACE_GETERR, ""},
    {"charge", TRACE_CHARGE, ""},
    {"thread", TRACE_THREAD, "s"},
    {"thread_exit", TRACE_THREAD_EXIT, "t"},
    {"guarantee", TRACE_GUARANTEE, "ts"},
    {"touch", TRACE_TOUCH, "ta"},
    {"bulk alloc", TRACE_BULKALLOC, "msTP"},
    {"bulk free", TRACE_BULKFREE, "amr"},
    {"section", TRACE_SECTION, "sPS"},
    {"map", TRACE_MAP, "hFosA"},
    {"unmap", TRACE_UNMAP, "a"},
    {"alloc2", TRACE_ALLOC2, "pasYP"},
    {"map3", TRACE_MAP3, "hpaosYP"},
    {"unmap2", TRACE_UNMAP2, "paU"},
    {"unmapex", TRACE_UNMAPEX, "aU"},
    {NULL, TRACE_ALLOC, NULL}
};

const memapi_op_word trace_memapi_ops[] = {
    {"watch", TRACE_WATCH, 2, MEMAPI_PAGES},
    {"resetwatch", TRACE_RESETWATCH, 2, MEMAPI_UINT},
    {"lock", TRACE_LOCK, 2, MEMAPI_BOOL},
    {"unlock", TRACE_UNLOCK, 2, MEMAPI_BOOL},
    {"wsset", TRACE_WSSET, 2, MEMAPI_BOOL},
    {"wsmin", TRACE_WSMIN, 0, MEMAPI_VALUE},
    {"wsmax", TRACE_WSMAX, 0, MEMAPI_VALUE},
    {"locked", TRACE_LOCKED, 0, MEMAPI_VALUE},
    {"isbadread", TRACE_ISBADREAD, 2, MEMAPI_VALUE},
    {"isbadwrite", TRACE_ISBADWRITE, 2, MEMAPI_VALUE},
    {"isbadcode", TRACE_ISBADCODE, 1, MEMAPI_VALUE},
    {"isbadstr", TRACE_ISBADSTR, 2, MEMAPI_VALUE},
    {"process", TRACE_PROCESS, 0, MEMAPI_HANDLE},
    {"close", TRACE_CLOSE, 1, MEMAPI_BOOL},
    {"readproc", TRACE_READPROC, 4, MEMAPI_COPY},
    {"writeproc", TRACE_WRITEPROC, 4, MEMAPI_COPY},
    {NULL, TRACE_ALLOC, 0, MEMAPI_VALUE}
};
