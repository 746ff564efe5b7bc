/*
 * cmd_record.c - `vastrace record [--backend NAME] IN.trace [OUT.trace]`:
 * runs a trace on one backend and prints it back with every operation's
 * expectation replaced by what that backend did. Run on a real Windows
 * machine with the win32 backend, this is how golden files are captured.
 *
 * The output is trace_print's canonical text: headers kept, comments gone.
 * Addresses in the recorded expectations are written the way the operation
 * itself names memory, so that a recording made where the system places
 * allocations differently (real Windows) still holds on the models:
 *   - a number where the operation's address is a number (the trace pinned
 *     an address there);
 *   - else a bound name whose address it is ("-> a", "alloc_base=a");
 *   - else relative to the name the operation's address uses
 *     ("read b+0x2000 1 -> AV at=b+0x2000").
 * On a backend that does not place deterministically, an address the system
 * chose is recorded as "nonzero", and the size of a free region (which
 * depends on everything else in that process) is left out of a query.
 * Commit charge cannot be recorded from a backend that cannot tell it: such
 * operations keep no expectation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "harness/run.h"

static const char usage[] = "usage: vastrace record [--backend NAME] IN.trace [OUT.trace]\n";

static trace_expr number_expr(uint64_t value)
{
    trace_expr e = { -1, value };
    return e;
}

/* addr as the trace would name it, under r's bindings from before the
 * operation: the loop has bound the operation's own name (own, -1 if none)
 * already, and a name is bound once, so that one is left out. hint is the
 * operation's own address expression. */
static trace_expr address_expr(const backend_run *r, int own, uint64_t addr, trace_expr hint)
{
    trace_expr e = number_expr(addr);
    /* Where the trace gave a number it pinned an address: keep numbers. A
     * failed alloc binds its name to 0: never say "b" for 0. */
    if (hint.name < 0 || addr == 0)
        return e;
    if (hint.name >= 0 && r->bound[hint.name] && r->values[hint.name] == addr) {
        e.name = hint.name;
        e.offset = 0;
        return e;
    }
    for (size_t i = 0; i < r->n_names; i++) {
        if (r->bound[i] && r->values[i] == addr && (int)i != own) {
            e.name = (int)i;
            e.offset = 0;
            return e;
        }
    }
    if (hint.name >= 0 && r->bound[hint.name] && r->values[hint.name] != 0) {
        e.name = hint.name;
        e.offset = addr - r->values[hint.name];
    }
    return e;
}

static void expect_reset(trace_expect *x, trace_expect_kind kind)
{
    free(x->data);
    free(x->pages);
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->value.name = x->q_base.name = x->q_alloc_base.name = x->at.name = -1;
}

static void expect_failure(trace_expect *x, const op_result *res)
{
    expect_reset(x, EXPECT_FAIL);
    x->value = number_expr(0);
    x->has_error = 1;
    x->error = res->error;
}

/* Replaces op's expectation by what res says the backend did. Returns 0, or
 * -1 when out of memory. */
static int expect_record(const backend_run *r, trace_op *op, const op_result *res)
{
    trace_expect *x = &op->expect;
    int placed_by_system = r->b->deterministic_placement == 0;

    if (op_places(op->code)) {
        if (res->value == 0) {
            expect_failure(x, res);
        } else if (placed_by_system && backend_run_eval(r, op->addr) == 0) {
            expect_reset(x, EXPECT_NONZERO);
        } else {
            expect_reset(x, EXPECT_VALUE);
            x->value = address_expr(r, op->result, res->value, op->addr);
        }
        return 0;
    }
    switch (op->code) {
    case TRACE_SECTION:
        if (res->value == 0)
            expect_failure(x, res);
        else
            expect_reset(x, EXPECT_NONZERO);
        break;
    case TRACE_FREE:
    case TRACE_UNMAP:
    case TRACE_UNMAP2:
    case TRACE_UNMAPEX:
    case TRACE_PROTECT:
    case TRACE_THREAD_EXIT:
    case TRACE_GUARANTEE:
        if (res->value == 0) {
            expect_failure(x, res);
        } else {
            expect_reset(x, EXPECT_VALUE);
            x->value = number_expr(res->value);
        }
        if (op->code == TRACE_PROTECT && !op->null_old && res->old != OP_OLD_UNTOUCHED) {
            x->has_old = 1;
            x->old = res->old;
        }
        if (op->code == TRACE_GUARANTEE) {
            x->has_old = 1;
            x->old = res->old;
        }
        break;
    case TRACE_QUERY:
        if (res->value == 0) {
            expect_failure(x, res);
            break;
        }
        expect_reset(x, EXPECT_QUERY);
        x->query_fields = QF_BASE | QF_ALLOC_BASE | QF_ALLOC_PROTECT | QF_SIZE | QF_STATE
                          | QF_PROTECT | QF_TYPE | QF_RET;
        if (placed_by_system && res->mbi.state == VAS_MEM_FREE)
            x->query_fields &= ~(unsigned)QF_SIZE;
        x->q_base = address_expr(r, op->result, res->mbi.base_address, op->addr);
        x->q_alloc_base = address_expr(r, op->result, res->mbi.allocation_base, op->addr);
        x->q_alloc_protect = res->mbi.allocation_protect;
        x->q_size = res->mbi.region_size;
        x->q_state = res->mbi.state;
        x->q_protect = res->mbi.protect;
        x->q_type = res->mbi.type;
        x->q_ret = res->value;
        break;
    case TRACE_READ:
    case TRACE_WRITE:
    case TRACE_EXEC:
    case TRACE_TOUCH:
        expect_reset(x, EXPECT_ACCESS);
        x->status = res->status;
        if (res->status == VAS_STATUS_INVALID_HANDLE && op->code == TRACE_TOUCH) {
            break;
        } else if (res->status != VAS_STATUS_SUCCESS) {
            x->at = address_expr(r, op->result, res->fault, op->addr);
        } else if (op->code == TRACE_READ) {
            x->has_data = 1;
            x->data_len = res->data_len;
            x->data = malloc(res->data_len ? res->data_len : 1);
            if (x->data == NULL)
                return -1;
            if (res->data_len)
                memcpy(x->data, res->data, res->data_len);
        }
        break;
    case TRACE_SETERR:
        expect_reset(x, EXPECT_NONE);
        break;
    case TRACE_PROCESS:
        if (res->value == 0)
            expect_failure(x, res);
        else
            expect_reset(x, EXPECT_NONZERO);
        break;
    case TRACE_CLOSE:
    case TRACE_READPROC:
    case TRACE_WRITEPROC:
        if (res->value == 0) {
            expect_failure(x, res);
        } else {
            expect_reset(x, EXPECT_VALUE);
            x->value = number_expr(res->value);
        }
        if (op->code != TRACE_CLOSE) {
            x->has_count = 1;
            x->count = res->aux;
        }
        break;
    case TRACE_WATCH:
    case TRACE_RESETWATCH:
        if (res->value != 0 || op->code == TRACE_RESETWATCH) {
            expect_reset(x, EXPECT_VALUE);
            x->value = number_expr(res->value);
            x->has_error = res->value != 0;
            x->error = res->value != 0 ? res->error : 0;
            break;
        }
        expect_reset(x, EXPECT_PAGES);
        x->pages = malloc((res->n_pages ? res->n_pages : 1) * sizeof *x->pages);
        if (x->pages == NULL)
            return -1;
        x->n_pages = res->n_pages;
        for (uint64_t i = 0; i < res->n_pages; i++)
            x->pages[i] = address_expr(r, op->result, res->pages[i], op->addr);
        break;
    case TRACE_LOCK:
    case TRACE_UNLOCK:
    case TRACE_WSSET:
        if (res->value == 0) {
            expect_failure(x, res);
            break;
        }
        /* fall through */
    default:  /* geterr, charge, bulk free, wsmin, wsmax, locked, isbad*: the number is all */
        expect_reset(x, EXPECT_VALUE);
        x->value = number_expr(res->value);
        break;
    }
    return 0;
}

/* The observer of record_trace: writes each operation's expectation into
 * the trace from what the backend did. */
typedef struct recorder {
    trace *t;
    int rc;
    int warned_charge;
} recorder;

static int record_step(void *ctx, run_step *s)
{
    recorder *rec = ctx;
    const trace *t = s->t;
    const backend *b = s->run->b;
    if (s->op == NULL) {
        if (s->open_failure)
            fprintf(stderr, "vastrace record: %s: %s\n", t->file, s->open_failure);
        else
            fprintf(stderr, "vastrace record: %s: backend %s cannot provide profile %s%s\n", t->file,
                    b->name, trace_profile_name(t->profile),
                    t->commit_limit ? " with a commit limit" : "");
        return RUN_STOP;
    }
    trace_op *op = &rec->t->ops[s->index];
    if (s->executed && s->res->unsupported) {
        fprintf(stderr, "vastrace record: %s:%d: backend %s does not support the operation; "
                        "it keeps no expectation\n", t->file, op->line, b->name);
        expect_reset(&op->expect, EXPECT_NONE);
        return RUN_CONTINUE;
    }
    if (!s->executed) {
        if (op->code == TRACE_CHARGE && b->commit_charge == NULL) {
            if (!rec->warned_charge++)
                fprintf(stderr, "vastrace record: backend %s cannot tell the commit charge; "
                                "charge operations keep no expectation\n", b->name);
            expect_reset(&op->expect, EXPECT_NONE);
            return RUN_CONTINUE;
        }
        fprintf(stderr, "vastrace record: %s:%d: backend %s could not perform the operation\n",
                t->file, op->line, b->name);
        return RUN_STOP;
    }
    if (s->check_failed) {
        fprintf(stderr, "vastrace record: %s:%d: backend %s self-check failed: %s\n",
                t->file, op->line, b->name, s->check_failed);
        return RUN_STOP;
    }
    if (expect_record(s->run, op, s->res) != 0) {
        fprintf(stderr, "vastrace record: out of memory\n");
        rec->rc = 2;
        return RUN_STOP;
    }
    return RUN_CONTINUE;
}

/* Runs t on b, recording every expectation into t. Returns the exit code
 * (the old expectations' verdicts do not count: they are being replaced). */
static int record_trace(const backend *b, trace *t)
{
    recorder rec = {t, 0, 0};
    run_observer obs = {record_step, &rec};
    return run_trace_ex(b, t, &obs) == 2 ? 2 : rec.rc;
}

/* Prints t canonically into path (stdout when NULL). Returns the exit code. */
static int trace_write(const trace *t, const char *path)
{
    char *text = trace_print(t);
    FILE *out = text == NULL ? NULL : path ? fopen(path, "wb") : stdout;
    int ok = out != NULL && fputs(text, out) != EOF;
    if (out != NULL && path != NULL && fclose(out) != 0)
        ok = 0;
    free(text);
    if (!ok) {
        fprintf(stderr, "vastrace record: cannot write %s\n", path ? path : "the output");
        return 2;
    }
    return 0;
}

int cmd_record(int argc, char **argv)
{
    const char *name = NULL, *in = NULL, *out_path = NULL;
    char err[512];
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fputs(usage, stderr);
            return 2;
        } else if (in == NULL) {
            in = argv[i];
        } else if (out_path == NULL) {
            out_path = argv[i];
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (in == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    const backend *b = name ? backend_find(name) : backend_list()[0];
    if (b == NULL) {
        fprintf(stderr, "vastrace record: unknown backend '%s'\n", name);
        return 2;
    }
    trace *t = trace_parse_file(in, err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    rc = record_trace(b, t);
    if (rc == 0)
        rc = trace_write(t, out_path);
    trace_free(t);
    return rc;
}
