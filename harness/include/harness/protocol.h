/*
 * protocol.h - the backend protocol (docs/backend-protocol.md): numbers,
 * frame layouts, and the two ends built into vastrace.
 *
 * The server end (protocol_serve) runs each requested trace on a built-in
 * backend with the ordinary runner pieces (op_execute, region_map_walk) and
 * answers one fixed-layout record per operation. The client end is the
 * "exec:COMMAND" backend (backend_exec.c, POSIX only), which replays those
 * records to the runner in place of per-operation calls (remote_results).
 */
#ifndef HARNESS_PROTOCOL_H
#define HARNESS_PROTOCOL_H

#include <stdint.h>
#include <stdio.h>
#include "harness/compare.h"

#define PROTO_VERSION 1u
#define PROTO_MAX_FRAME (64u << 20)  /* bytes after the length field */

enum proto_type {
    PROTO_HELLO = 1, PROTO_HELLO_OK = 2, PROTO_RUN = 3, PROTO_OPENED = 4,
    PROTO_OP = 5, PROTO_END = 6, PROTO_ERROR = 15
};

enum proto_feature {  /* HELLO_OK.features */
    PROTO_DETERMINISTIC_PLACEMENT = 1, PROTO_COMMIT_CHARGE = 2, PROTO_SELF_CHECK = 4,
    /* The optional operation families the server runs: the client puts
     * their operations into the traces it generates only when set. */
    PROTO_WRITE_WATCH = 8, PROTO_LOCKING = 16, PROTO_PROBES = 32, PROTO_THREADS = 64,
    PROTO_PROCESSES = 128, PROTO_SECTIONS = 256, PROTO_PLACEHOLDERS = 512
};
#define PROTO_FAMILIES (PROTO_WRITE_WATCH | PROTO_LOCKING | PROTO_PROBES | PROTO_THREADS \
                        | PROTO_PROCESSES | PROTO_SECTIONS | PROTO_PLACEHOLDERS)

enum proto_map_mode { PROTO_MAP_NONE = 0, PROTO_MAP_FULL = 1, PROTO_MAP_NAMED = 2 };
#define PROTO_RUN_SYNC 1u                  /* RUN.run_flags: flush after every record */
#define PROTO_MAP_UNCHANGED 0xFFFFFFFFu    /* OP.map_regions */

enum proto_opened { PROTO_OPENED_OK = 0, PROTO_OPENED_NO_SPACE = 1, PROTO_OPENED_MALFORMED = 2 };
enum proto_outcome { PROTO_DONE = 0, PROTO_UNSUPPORTED = 1, PROTO_FAILED = 2 };
enum proto_error { PROTO_ERR_VERSION = 1, PROTO_ERR_MALFORMED = 2, PROTO_ERR_INTERNAL = 3 };

#define PROTO_RECORD_SIZE 120u  /* fixed part of an OP record */
#define PROTO_MBI_SIZE 48u

/* ---- Byte order helpers (little-endian on the wire) --------------------- */

static inline void proto_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void proto_put64(uint8_t *p, uint64_t v)
{
    proto_put32(p, (uint32_t)v);
    proto_put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t proto_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t proto_get64(const uint8_t *p)
{
    return proto_get32(p) | (uint64_t)proto_get32(p + 4) << 32;
}

/* An MBI in its 48-byte wire layout, and back. */
void proto_put_mbi(uint8_t *p, const vas_mbi *m);
void proto_get_mbi(const uint8_t *p, vas_mbi *m);
/* FNV-1a 64 over the regions' wire records: OP.map_digest. */
uint64_t proto_map_digest(const vas_mbi *regions, size_t n);

/* The HELLO_OK features of which op needs one (0: every server runs it;
 * close belongs to processes and sections alike). */
uint32_t proto_op_features(const trace_op *op);
/* What a server running b declares in HELLO_OK: placement, commit charge,
 * self-check, and each family all of whose operations b runs. */
uint32_t proto_backend_features(const backend *b);
/* A comma-separated list of family names (write-watch, locking, probes,
 * threads, processes, sections, placeholders) as PROTO_* bits in *mask.
 * Returns 0, or -1 with the unknown name in err. */
int proto_families_parse(const char *list, uint32_t *mask, char *err, size_t err_len);
/* Whether op belongs only to families in mask (close, of processes and of
 * sections, only when both are): what `vastrace serve --without` refuses. */
int proto_op_only_in(const trace_op *op, uint32_t mask);

/* Seconds on a monotonic clock (monotonic_clock.c): deadlines, timing. */
double proto_now(void);

/* ---- The server end ------------------------------------------------------ */

/* The map after an operation in the given mode (PROTO_MAP_FULL walks
 * everything, as region_map_walk; PROTO_MAP_NAMED only the allocations that
 * hold a bound name). Returns 0, or -1 when out of memory. */
int proto_walk_map(backend_run *r, unsigned mode, region_map *m);
/* The PROTO_MAP_NAMED map after an operation whose window (op_window) is
 * w, from prev, the map before it: the allocations of prev the window meets
 * and those the names inside it now lie in are walked again, the others
 * kept. Equal to a full named walk whenever the operation changed nothing
 * outside its window, as the rules of docs/semantics.md say every
 * operation op_window knows does. Returns 0, or -1 out of memory. */
int proto_walk_named_window(backend_run *r, const region_map *prev, const uint64_t w[2], region_map *m);
/* The PROTO_MAP_NAMED map after op (which returned res; r's bindings are
 * those after it), prev the map before it: a window walk when op_window
 * knows op's extent, else a full named walk. */
int proto_walk_named_after(backend_run *r, const trace_op *op, const op_result *res,
                           const region_map *prev, region_map *m);

/* Serves b on in/out until end of file on in. Returns 0 at a clean end of
 * file, 1 after a version mismatch or an unreadable frame (reported to the
 * client as ERROR and on stderr). */
int protocol_serve(const backend *b, FILE *in, FILE *out);

/* ---- The client end: results of a whole trace, replayed by op_execute --- */

/* One operation's record as received. */
typedef struct remote_op {
    op_result res;     /* res.data owned */
    uint32_t outcome;  /* PROTO_DONE, PROTO_UNSUPPORTED, PROTO_FAILED */
    uint64_t charge;
    uint64_t digest;
    size_t map;        /* index into remote_results.maps */
    char *note;        /* self-check failure, or NULL */
} remote_op;

typedef struct remote_results {
    remote_op *ops;
    size_t n_ops;
    region_map *maps;  /* distinct maps; maps[0] is the empty map before any change */
    size_t n_maps;
} remote_results;

void remote_results_free(remote_results *r);
/* A deep copy of src into dst. Returns 0, or -1 (dst empty) out of memory. */
int remote_results_copy(remote_results *dst, const remote_results *src);

/* What a whole-trace backend's self is: the results of one trace and the
 * replay position. The backend's destroy, last_error, set_last_error,
 * commit_charge and check members are these remote_* functions. */
typedef struct remote_cursor {
    remote_results rr;
    size_t next;            /* next op to replay */
    const remote_op *cur;   /* the op replayed last, or NULL */
    size_t mbi_size;        /* what a query returns: the trace's profile's MBI size */
} remote_cursor;

remote_cursor *remote_cursor_new(void);
void remote_cursor_free(void *self);
uint32_t remote_last_error(void *self);
void remote_set_last_error(void *self, uint32_t error);
uint64_t remote_commit_charge(void *self);
int remote_check(void *self, char *msg, size_t msg_len);
/* VirtualQuery as the recorded map after the op replayed last answers it
 * (the comparer's samples between full walks); 0 outside that map. */
size_t remote_query(void *self, uint64_t addr, vas_mbi *out, size_t len);

/* op_execute and region_map_walk for a whole-trace backend: the next
 * recorded result (-1 when the server could not perform it or sent fewer
 * records), and the map recorded after it. */
int remote_replay_op(void *self, const trace_op *op, op_result *res);
int remote_replay_map(void *self, region_map *m);

/* Decodes one OP payload into *op (maps grow when it carries regions).
 * Returns 0, or -1 with a description in err when it is malformed. */
int remote_decode_op(const uint8_t *p, size_t len, remote_results *rr, remote_op *op,
                     char *err, size_t err_len);

/* ---- The client's connection to a server process (POSIX) ------------------ */

#ifndef _WIN32
#include <sys/types.h>

enum proto_io {  /* results of the proto_conn_* calls */
    PROTO_IO_OK = 0, PROTO_IO_EOF = -1, PROTO_IO_TIMEOUT = -2, PROTO_IO_ERROR = -3,
    PROTO_IO_GARBAGE = -4  /* a frame length out of range (err says so) */
};

typedef struct proto_conn {
    pid_t pid;            /* 0 when no server runs */
    int to_fd, from_fd;   /* its stdin and stdout */
    uint8_t rbuf[65536];  /* records arrive many per read */
    size_t rpos, rlen;
} proto_conn;

/* Starts command (a shell command line; prefix it with "exec " so that the
 * pid is the server's) with pipes on its stdin/stdout. 0, or -1 with msg. */
int proto_conn_start(proto_conn *c, const char *command, char *msg, size_t msg_len);
/* One frame (header added), or raw bytes; a proto_io value. */
int proto_conn_send(proto_conn *c, uint32_t type, const uint8_t *payload, size_t len, double deadline);
int proto_conn_send_raw(proto_conn *c, const uint8_t *bytes, size_t len, double deadline);
/* One frame: its type, its payload in *buf (grown) of *len bytes. */
int proto_conn_recv(proto_conn *c, uint32_t *type, uint8_t **buf, size_t *cap, size_t *len,
                    double deadline, char *err, size_t err_len);
/* Kills and reaps the server; how it ended into how (may be NULL). */
void proto_conn_kill(proto_conn *c, char *how, size_t how_len);
/* End of file to the server, up to wait_seconds for it to exit, then
 * SIGKILL; reaps it. Returns its wait status, or -1 when it was killed. */
int proto_conn_close(proto_conn *c, double wait_seconds, char *how, size_t how_len);

/* "exec:COMMAND": opens (starting the server and shaking hands) or finds
 * the backend. NULL with the reason on stderr. */
const backend *backend_exec_open(const char *spec);
/* What the server said in HELLO_OK. */
uint32_t backend_exec_features(const backend *b);
uint32_t backend_exec_profiles(const backend *b);
/* The records of the trace the server ran last, when that trace is t
 * (compared as text), else NULL. Valid until the backend runs again. */
const remote_results *backend_exec_last_results(const backend *b, const trace *t);
/* Answers the next run of t with rr (taken over) instead of a RUN: for a
 * client that knows the server's results of t already (fuzz/
 * wine_deviations.c derives them from a run of a trace that differs from
 * t by an operation that left nothing behind). Returns 0, or -1 out of
 * memory (rr freed; t is then run as usual). */
int backend_exec_answer_next(const backend *b, const trace *t, remote_results *rr);
#endif

#endif
