/*
 * backend.h - one address-space implementation behind a uniform interface.
 *
 * The trace runner and the fuzz harnesses drive every implementation (the
 * fast model, the oracle, the host-backed model, the real Windows API)
 * through this struct, in the manner of cryptofuzz's modules: the same
 * operations, results compared after each one.
 */
#ifndef HARNESS_BACKEND_H
#define HARNESS_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "vas/vas.h"
#include "vas/vas_plugin.h"

struct trace;
struct trace_op;

typedef struct backend {
    const char *name;  /* "impl", "oracle", "host", "win32" */

    /* create, destroy, alloc, free, protect, query, read, write, exec,
     * last_error, set_last_error, commit_charge (NULL when the backend cannot
     * tell) and check (optional), declared with the plugin table's. create
     * returns NULL for a profile the backend cannot provide. */
    VAS_PLUGIN_CORE_CALLS

    /* Optional families (NULL: the backend cannot run them; the runner
     * reports such an operation as unsupported and the comparer skips it),
     * declared with the plugin table's (vas/vas_plugin.h has their
     * contracts): write watch, locking and probes (docs/semantics.md
     * sections 8-10), thread stacks (11), processes (13.2; the
     * pseudo-handle is TRACE_CURRENT_PROCESS, *done arrives as
     * TRACE_COUNT_UNTOUCHED), sections and views (12). */
    VAS_PLUGIN_MEMAPI_CALLS
    VAS_PLUGIN_THREAD_CALLS
    VAS_PLUGIN_PROCESS_CALLS
    VAS_PLUGIN_SECTION_CALLS
    /* Placeholders (12.9-12.14), declared with the plugin table's too. */
    VAS_PLUGIN_PLACEHOLDER_CALLS

    /* 1 when addresses chosen by the system are deterministic first-fit as
     * docs/semantics.md describes (impl, oracle, host); 0 for real Windows. */
    int deterministic_placement;

    /* Set for a backend that runs a whole trace per request (a protocol
     * server, "exec:COMMAND": docs/backend-protocol.md). backend_run_open
     * calls it instead of create; the runner then replays the results it
     * returned in place of the per-operation members. Of those only
     * destroy, last_error, set_last_error, query (answered from the map
     * recorded after the operation last replayed) and, when the server can,
     * commit_charge and check are set. Returns 0; 1 when the backend cannot
     * provide the trace's profile or commit limit; 2 when the trace crashed
     * or hung the backend (a finding: msg names the operation); 3 when the
     * backend is broken (msg says how). */
    int (*run_whole)(const struct backend *b, const struct trace *t, void **self,
                     char *msg, size_t msg_len);
    /* Optional: whether this backend runs op, for a backend whose members
     * do not say (a protocol server: the families it declared). NULL: the
     * members say (op_supported). */
    int (*supports)(const struct backend *b, const struct trace_op *op);
} backend;

/* A backend by name: one built into this program ("impl"), a protocol
 * server ("exec:COMMAND ARGS", started on first use) or a plugin
 * ("so:PATH"). NULL if unknown or it cannot be started (the reason is
 * printed on stderr). */
const backend *backend_find(const char *name);
#ifndef _WIN32
/* "so:PATH": loads (once) a plugin exporting the table of vas/vas_plugin.h.
 * NULL with the reason on stderr. */
const backend *backend_plugin_open(const char *spec);
#endif

/* All backends built in, NULL-terminated; the first is the default. */
const backend *const *backend_list(void);

/* What a backend is, for a runner that reports on every backend. */
typedef enum backend_kind {
    BACKEND_MODEL,    /* a model of the rules (impl, oracle): passes every golden case */
    BACKEND_MIRROR,   /* the model over real memory (host): needs the host to allow it */
    BACKEND_WINDOWS   /* the real Windows API (win32): runs as vastrace.exe */
} backend_kind;

typedef struct backend_info {
    const char *name;
    backend_kind kind;
    const backend *here;  /* NULL: not in this program (win32 outside vastrace.exe) */
} backend_info;

/* The project's backends, this program's first, ending with a NULL name:
 * the one list (backend_registry.c), printed by `vastrace backends`. */
const backend_info *backend_infos(void);

/* Parses a comma-separated list of backend names ("impl,oracle") into out
 * (at most max). Returns the count, or 0 with a message in err when a name
 * is unknown, the list is empty or longer than max. */
size_t backends_parse(const char *spec, const backend **out, size_t max, char *err, size_t err_len);

#endif
