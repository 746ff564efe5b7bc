/*
 * backend_exec.c - the "exec:COMMAND ARGS" backend: a protocol server
 * (docs/backend-protocol.md) started as a child process, one request per
 * trace, its records replayed to the runner (remote_replay.c).
 *
 * A server is untrusted: every read and write has a deadline
 * (VAS_EXEC_TIMEOUT seconds per trace, default 10), every reply is checked
 * against the layout, and a server that dies, hangs or answers garbage is
 * killed and reaped. The trace is then re-run on a fresh server with
 * SYNC set (a record flushed per operation) to learn which operation did
 * it: when it fails again the trace is a finding naming that operation;
 * when it does not, the failure is reported on stderr and the re-run's
 * results stand. The next trace starts a new server.
 *
 * Servers are killed when vastrace dies (PR_SET_PDEATHSIG) and closed and
 * reaped at exit. POSIX only: on Windows this file compiles to nothing.
 */
#ifndef _WIN32
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"

typedef struct exec_backend {
    backend b;               /* first: a backend * is an exec_backend * */
    char *command;           /* "exec COMMAND ARGS" for /bin/sh -c */
    proto_conn conn;         /* conn.pid 0: no server running */
    uint32_t features, profiles;
    char server_name[128];
    /* The last trace run (its text) and the server's records of it; a
     * trace whose records a client supplied (backend_exec_answer_next). */
    char *last_text, *answer_text;
    remote_results last, answer;
    struct exec_backend *next;
} exec_backend;

static exec_backend *all_exec;

static double trace_timeout(void)
{
    const char *s = getenv("VAS_EXEC_TIMEOUT");
    double v = s ? atof(s) : 0;
    return v > 0 ? v : 10.0;
}

/* At exit: end of file to every server, a moment to exit, then SIGKILL. */
static void servers_reap_all(void)
{
    exec_backend *e;
    for (e = all_exec; e != NULL; e = e->next)
        if (e->conn.pid > 0)
            proto_conn_close(&e->conn, 2.0, NULL, 0);
}

/* Starts the server and shakes hands. Returns 0, or -1 with msg. */
static int server_start(exec_backend *e, char *msg, size_t msg_len)
{
    uint8_t hello[8], *buf = NULL;
    size_t cap = 0, len = 0;
    uint32_t type = 0;
    double deadline;
    char err[256] = "", how[128] = "";
    int s;

    if (proto_conn_start(&e->conn, e->command, err, sizeof err) != 0) {
        snprintf(msg, msg_len, "%s: %s", e->b.name, err);
        return -1;
    }
    deadline = proto_now() + trace_timeout() * 3;  /* a first start may set up a Wine prefix */
    proto_put32(hello, PROTO_VERSION);
    proto_put32(hello + 4, 0);
    s = proto_conn_send(&e->conn, PROTO_HELLO, hello, sizeof hello, deadline);
    if (s == PROTO_IO_OK)
        s = proto_conn_recv(&e->conn, &type, &buf, &cap, &len, deadline, err, sizeof err);
    if (s == PROTO_IO_OK && type == PROTO_HELLO_OK && len >= 16 && proto_get32(buf + 12) == len - 16
        && proto_get32(buf) == PROTO_VERSION) {
        size_t n = len - 16 < sizeof e->server_name - 1 ? len - 16 : sizeof e->server_name - 1;
        e->features = proto_get32(buf + 4);
        e->profiles = proto_get32(buf + 8);
        memcpy(e->server_name, buf + 16, n);
        e->server_name[n] = '\0';
        free(buf);
        return 0;
    }
    proto_conn_kill(&e->conn, how, sizeof how);
    if (s == PROTO_IO_OK && type == PROTO_HELLO_OK && len >= 4)
        snprintf(msg, msg_len, "%s: protocol version mismatch: client speaks %u, server answered %u",
                 e->b.name, PROTO_VERSION, proto_get32(buf));
    else if (s == PROTO_IO_OK && type == PROTO_ERROR && len >= 8)
        snprintf(msg, msg_len, "%s: server refused the handshake (client speaks version %u): %.*s",
                 e->b.name, PROTO_VERSION, (int)(len - 8 < 300 ? len - 8 : 300), (const char *)buf + 8);
    else if (s == PROTO_IO_OK)
        snprintf(msg, msg_len, "%s: handshake answered with frame type %u of %zu bytes (HELLO_OK expected)",
                 e->b.name, type, len);
    else if (s == PROTO_IO_GARBAGE)
        snprintf(msg, msg_len, "%s: handshake: %s", e->b.name, err);
    else if (s == PROTO_IO_TIMEOUT)
        snprintf(msg, msg_len, "%s: no answer to the handshake within %.0f s", e->b.name, trace_timeout() * 3);
    else
        snprintf(msg, msg_len, "%s: server closed its output during the handshake (%s)", e->b.name, how);
    free(buf);
    return -1;
}

/* ---- One trace ------------------------------------------------------------ */

/* How a run ended. RUN_REFUSED: the server could not parse the text (a
 * trace this client should not have sent, or a server of another language
 * version); the server itself is fine and keeps running. */
enum run_end { RUN_OK, RUN_NO_SPACE, RUN_REFUSED, RUN_BROKEN, RUN_DEAD, RUN_HUNG, RUN_GARBAGE };

/* Sends t, reads every record into c. On failure *done is the number of
 * records received and msg says what happened. */
static int run_once(exec_backend *e, const char *text, size_t text_len, const trace *t,
                    uint32_t flags, remote_cursor *c, size_t *done, char *msg, size_t msg_len)
{
    uint8_t *buf = NULL, *req;
    size_t cap = 0, len = 0, i;
    uint32_t type = 0, mode;
    double deadline = proto_now() + trace_timeout();
    char err[256] = "";
    int s, end = RUN_OK;

    *done = 0;
    if (e->conn.pid <= 0 && server_start(e, msg, msg_len) != 0)
        return RUN_BROKEN;
    mode = e->features & PROTO_DETERMINISTIC_PLACEMENT ? PROTO_MAP_FULL : PROTO_MAP_NAMED;
    req = malloc(12 + text_len);
    if (req == NULL) {
        snprintf(msg, msg_len, "%s: out of memory", e->b.name);
        return RUN_BROKEN;
    }
    proto_put32(req, mode);
    proto_put32(req + 4, flags);
    proto_put32(req + 8, (uint32_t)text_len);
    memcpy(req + 12, text, text_len);
    s = proto_conn_send(&e->conn, PROTO_RUN, req, 12 + text_len, deadline);
    free(req);
    if (s == PROTO_IO_OK)
        s = proto_conn_recv(&e->conn, &type, &buf, &cap, &len, deadline, err, sizeof err);
    if (s == PROTO_IO_OK && type == PROTO_OPENED && len >= 12 && proto_get32(buf + 8) == len - 12) {
        uint32_t status = proto_get32(buf), n = proto_get32(buf + 4);
        if (status == PROTO_OPENED_NO_SPACE) {
            end = RUN_NO_SPACE;
        } else if (status == PROTO_OPENED_MALFORMED) {
            snprintf(msg, msg_len, "%s: server cannot parse the trace: %.*s",
                     e->b.name, (int)(len - 12 < 300 ? len - 12 : 300), (const char *)buf + 12);
            end = RUN_REFUSED;
        } else if (status != PROTO_OPENED_OK) {
            snprintf(msg, msg_len, "%s: server could not run the trace (OPENED status %u): %.*s",
                     e->b.name, status, (int)(len - 12 < 300 ? len - 12 : 300), (const char *)buf + 12);
            end = RUN_GARBAGE;
        } else if (n != t->n_ops) {
            snprintf(msg, msg_len, "%s: server parsed %u operations, the trace has %zu", e->b.name, n, t->n_ops);
            end = RUN_GARBAGE;
        }
    } else if (s == PROTO_IO_OK) {
        snprintf(msg, msg_len, "%s: frame type %u of %zu bytes where OPENED was expected", e->b.name, type, len);
        end = RUN_GARBAGE;
    }
    if (s == PROTO_IO_OK && end == RUN_OK) {
        c->rr.ops = calloc(t->n_ops + 1, sizeof *c->rr.ops);
        if (c->rr.ops == NULL) {
            snprintf(msg, msg_len, "%s: out of memory", e->b.name);
            end = RUN_BROKEN;
        }
        for (i = 0; i < t->n_ops && end == RUN_OK; i++) {
            s = proto_conn_recv(&e->conn, &type, &buf, &cap, &len, deadline, err, sizeof err);
            if (s != PROTO_IO_OK)
                break;
            if (type != PROTO_OP) {
                snprintf(msg, msg_len, "%s: frame type %u where the record of op %zu was expected",
                         e->b.name, type, i + 1);
                end = RUN_GARBAGE;
            } else if (remote_decode_op(buf, len, &c->rr, &c->rr.ops[i], err, sizeof err) != 0) {
                snprintf(msg, msg_len, "%s: op %zu: %s", e->b.name, i + 1, err);
                end = RUN_GARBAGE;
            } else {
                c->rr.n_ops = ++*done;
            }
        }
    }
    if (s == PROTO_IO_OK && (end == RUN_OK || end == RUN_NO_SPACE || end == RUN_REFUSED)) {
        s = proto_conn_recv(&e->conn, &type, &buf, &cap, &len, deadline, err, sizeof err);
        if (s == PROTO_IO_OK && type != PROTO_END) {
            snprintf(msg, msg_len, "%s: frame type %u where END was expected", e->b.name, type);
            end = RUN_GARBAGE;
        }
    }
    free(buf);
    if (s == PROTO_IO_GARBAGE) {
        snprintf(msg, msg_len, "%s: %s", e->b.name, err);
        end = RUN_GARBAGE;
    } else if (s == PROTO_IO_EOF || s == PROTO_IO_ERROR) {
        end = RUN_DEAD;
    } else if (s == PROTO_IO_TIMEOUT) {
        snprintf(msg, msg_len, "%s: no answer within %.0f s (VAS_EXEC_TIMEOUT)", e->b.name, trace_timeout());
        end = RUN_HUNG;
    }
    if (end == RUN_DEAD) {
        char how[128] = "";
        proto_conn_kill(&e->conn, how, sizeof how);
        snprintf(msg, msg_len, "%s: server died (%s)", e->b.name, how);
    } else if (end != RUN_OK && end != RUN_NO_SPACE && end != RUN_REFUSED) {
        proto_conn_kill(&e->conn, NULL, 0);
    }
    return end;
}

/* Appends " during op K of N: TEXT" to msg. */
static void name_the_op(const trace *t, size_t k, char *msg, size_t msg_len)
{
    size_t used = strlen(msg);
    char op[256] = "";
    if (k < t->n_ops) {
        trace_print_op(t, &t->ops[k], op, sizeof op);
        snprintf(msg + used, msg_len - used, " during op %zu of %zu: %s", k + 1, t->n_ops, op);
    } else {
        snprintf(msg + used, msg_len - used, " after the last op (%zu)", t->n_ops);
    }
}

/* Keeps text (taken over) and a copy of rr as the last run. */
static void remember_last(exec_backend *e, char *text, const remote_results *rr)
{
    free(e->last_text);
    remote_results_free(&e->last);
    e->last_text = NULL;
    if (remote_results_copy(&e->last, rr) == 0)
        e->last_text = text;
    else
        free(text);
}

static void forget_answer(exec_backend *e)
{
    free(e->answer_text);
    e->answer_text = NULL;
    remote_results_free(&e->answer);
}

static int exec_run_whole(const backend *b, const trace *t, void **self, char *msg, size_t msg_len)
{
    exec_backend *e = (exec_backend *)(uintptr_t)b;
    char *text = trace_print(t);
    remote_cursor *c = remote_cursor_new();
    size_t done = 0, done_again = 0;
    int end, again, rc;
    char first[512] = "";

    if (c != NULL)
        c->mbi_size = profile_mbi_size(t->profile);
    if (text == NULL || c == NULL) {
        free(text);
        remote_cursor_free(c);
        snprintf(msg, msg_len, "%s: out of memory", b->name);
        return 3;
    }
    if (e->answer_text != NULL && strcmp(e->answer_text, text) == 0) {
        remote_results_free(&c->rr);
        c->rr = e->answer;
        memset(&e->answer, 0, sizeof e->answer);
        forget_answer(e);
        remember_last(e, text, &c->rr);
        *self = c;
        return 0;
    }
    forget_answer(e);
    end = run_once(e, text, strlen(text), t, 0, c, &done, first, sizeof first);
    if (end == RUN_DEAD || end == RUN_HUNG || end == RUN_GARBAGE) {
        /* A fresh server, one flushed record per op: which op does it? */
        remote_cursor_free(c);
        c = remote_cursor_new();
        if (c != NULL)
            c->mbi_size = profile_mbi_size(t->profile);
        again = c ? run_once(e, text, strlen(text), t, PROTO_RUN_SYNC, c, &done_again, msg, msg_len) : RUN_BROKEN;
        if (again == RUN_DEAD || again == RUN_HUNG || again == RUN_GARBAGE) {
            name_the_op(t, done_again, msg, msg_len);
            end = again;
        } else {
            fprintf(stderr, "%s (not reproduced on a fresh server; its results are used)\n", first);
            end = again;
        }
    } else if (end == RUN_BROKEN || end == RUN_REFUSED) {
        snprintf(msg, msg_len, "%s", first);
    }
    if (end == RUN_OK) {
        remember_last(e, text, &c->rr);
        *self = c;
        return 0;
    }
    free(text);
    switch (end) {
    case RUN_NO_SPACE: rc = 1; break;
    case RUN_BROKEN: case RUN_REFUSED: rc = 3; break;
    default: rc = 2; break;
    }
    remote_cursor_free(c);
    return rc;
}

/* The families the server declared (HELLO_OK.features). */
static int exec_supports(const backend *b, const trace_op *op)
{
    uint32_t need = proto_op_features(op);
    return need == 0 || (((const exec_backend *)(const void *)b)->features & need) != 0;
}

/* ---- Lookup ------------------------------------------------------------------ */

const backend *backend_exec_open(const char *spec)
{
    exec_backend *e;
    char msg[512];
    static int at_exit_registered;

    for (e = all_exec; e != NULL; e = e->next)
        if (strcmp(e->b.name, spec) == 0)
            return &e->b;
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->b.name = strdup(spec);
    if (e->b.name == NULL || asprintf(&e->command, "exec %s", spec + strlen("exec:")) < 0) {
        free((char *)e->b.name);
        free(e);
        return NULL;
    }
    if (server_start(e, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s\n", msg);
        free(e->command);
        free((char *)e->b.name);
        free(e);
        return NULL;
    }
    e->b.destroy = remote_cursor_free;
    e->b.last_error = remote_last_error;
    e->b.set_last_error = remote_set_last_error;
    e->b.query = remote_query;
    e->b.commit_charge = e->features & PROTO_COMMIT_CHARGE ? remote_commit_charge : NULL;
    e->b.check = e->features & PROTO_SELF_CHECK ? remote_check : NULL;
    e->b.deterministic_placement = (e->features & PROTO_DETERMINISTIC_PLACEMENT) != 0;
    e->b.run_whole = exec_run_whole;
    e->b.supports = exec_supports;
    e->next = all_exec;
    all_exec = e;
    if (!at_exit_registered) {
        atexit(servers_reap_all);
        at_exit_registered = 1;
    }
    return &e->b;
}

uint32_t backend_exec_features(const backend *b)
{
    return ((const exec_backend *)(const void *)b)->features;
}

uint32_t backend_exec_profiles(const backend *b)
{
    return ((const exec_backend *)(const void *)b)->profiles;
}

const remote_results *backend_exec_last_results(const backend *b, const trace *t)
{
    const exec_backend *e = (const exec_backend *)(const void *)b;
    char *text;
    int same;
    if (b->run_whole != exec_run_whole || e->last_text == NULL)
        return NULL;
    text = trace_print(t);
    same = text != NULL && strcmp(text, e->last_text) == 0;
    free(text);
    return same ? &e->last : NULL;
}

int backend_exec_answer_next(const backend *b, const trace *t, remote_results *rr)
{
    exec_backend *e = (exec_backend *)(uintptr_t)b;
    forget_answer(e);
    e->answer_text = b->run_whole == exec_run_whole ? trace_print(t) : NULL;
    if (e->answer_text == NULL) {
        remote_results_free(rr);
        return -1;
    }
    e->answer = *rr;
    memset(rr, 0, sizeof *rr);
    return 0;
}

#endif /* !_WIN32 */
