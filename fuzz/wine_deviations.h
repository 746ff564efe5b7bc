/*
 * wine_deviations.h - what the impl-vs-Wine fuzz target does with a
 * divergence: name it by a signature, look it up in the list of deviations
 * Wine is known to have (fuzz/wine-known-deviations.tsv, generated from the
 * `wine-deviates:` notes of conformance/cases by fuzz/make_wine_known.sh),
 * and for a new one: shrink the trace, cite the rule of docs/semantics.md it
 * breaks, and write the report.
 */
#ifndef FUZZ_WINE_DEVIATIONS_H
#define FUZZ_WINE_DEVIATIONS_H

#include <stdio.h>
#include "harness/compare.h"

/* A divergence's signature: the operation, the class of its arguments that
 * decide the rule (protection modifiers, allocation type bits, NULL or not),
 * and what differed with addresses, names and backend names abstracted:
 *   "protect [valid|NOCACHE|GUARD] | result differs: impl 0x0, wine 0x1"
 * t's op at is the diverging one; what is diff_outcome.what; reference and
 * other are the two backends' names as they appear in what. */
void wine_signature(const trace *t, size_t at, const char *what, const char *reference,
                    const char *other, char *out, size_t len);

/* The deviation a signature is a variant of: what a report counts. Where
 * one side accepted the call and the other refused it, a protection no call
 * may take (junk bits, NOACCESS with a modifier, two modifiers) is the
 * deviation alone; otherwise the arguments' class stays whole (RESET on
 * free memory, a commit at an address), but for TOP_DOWN (a placement
 * preference). Where both ran or refused it and differ in an error code,
 * the old protection or the map, the protection keeps only its base class
 * (the modifiers do not decide how a call fails), and map descriptions keep
 * only the fields that differ (sizes and bases by name only), protections
 * as classes. A crash or hang keeps the operation's word, not its place:
 *   "alloc [addr COMMIT|TOP_DOWN valid|GUARD] | last error differs: ..."
 *   -> "alloc [addr COMMIT valid] | last error differs: ..." */
void wine_signature_group(const char *sig, char *out, size_t len);

/* The known deviations: signature -> the case that documents it. */
typedef struct wine_known {
    char **signatures, **cases;
    char **groups;   /* each signature's group */
    size_t n;
} wine_known;

/* Loads the TSV (signature TAB case TAB note per line, # comments). Returns
 * 0, or -1 with a message in err. */
int wine_known_load(const char *path, wine_known *k, char *err, size_t err_len);
/* The case documenting a signature of sig's group, or NULL when that
 * group is new. */
const char *wine_known_find(const wine_known *k, const char *sig);

/* Runs t on pair past the deviations known lists. At a divergence whose
 * signature is known and whose operation binds no name (so the rest still
 * parses), on_known (may be NULL) is told the signature, that operation
 * becomes `seterr E` in t (E: Wine's last error after it, so both sides go
 * on from Wine's state) and the trace runs again from a fresh space, at most
 * max times: one deviation found everywhere (Wine leaves PartitionId
 * unwritten in every query) would otherwise end every input at its first
 * query. When Wine's record shows the operation left nothing behind but
 * that error (a query, or a call that failed, the map unchanged) Wine is not
 * asked again: its records of the changed trace are those it sent, the one
 * replaced by seterr's (backend_exec_answer_next); impl re-runs in process.
 * Without Wine's records (not an exec: backend) the operation is dropped.
 * Returns diff_trace_ex's result for the last run: 0 agreed, 1 diverged
 * (*o and sig describe the divergence that stopped it: new, known but
 * binding a name, or the max-th), 2 a backend could not run it. */
int wine_run_past_known(const backend *const *pair, trace *t, const wine_known *known, unsigned max,
                        void (*on_known)(void *ctx, const char *sig), void *ctx, diff_outcome *o,
                        char *sig, size_t sig_len);

/* The section of docs/semantics.md whose rule the operation follows. */
const char *wine_rule(const trace_op *op);

/* A copy of t cut after op at and shrunk (operations dropped while the
 * divergence stays in sig's group; a crash or hang of the server, "trace |
 * ...", is only cut). Free with trace_free. */
trace *wine_minimize(const backend *const *pair, const trace *t, size_t at, const char *sig);

/* The report of a new deviation: signature, rule, the minimized trace as
 * text, each backend's result and region table (diff_trace's report). */
void wine_report(FILE *out, const backend *const *pair, const trace *t, const char *sig);

#endif
