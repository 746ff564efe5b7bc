/*
 * space_map_at.c - the map of a trace's address space after its first N
 * operations: the trace runs on one backend through the one single-backend
 * loop (run_trace_ex), is walked after op N, and the map is built with the
 * labels the trace's operations give. `vastrace map --at N` and the
 * divergence reports (the map just before the diverging op) both use it.
 */
#include <stdlib.h>
#include <string.h>
#include "harness/space_map.h"

/* What the trace knows and query cannot tell, under r's bindings, into out
 * (room for t->n_ops plus the layout's allocations). Returns how many.
 *
 * Each `thread` operation among the first n_ops that bound its name made a
 * stack: {its base, SPACE_STACK, its name}. The layout (`layout: process`)
 * names its allocations, the model's own description of them
 * (vas_layout_entries): its stack and heap are kinds of their own, the
 * rest keep the kind query tells and gain a name. */
static size_t trace_labels(const backend_run *r, const trace *t, size_t n_ops, space_label *out)
{
    size_t n = 0, n_layout, i;
    const vas_layout_entry *layout = vas_layout_entries(r->cfg.layout, &n_layout);
    for (i = 0; i < n_ops && i < t->n_ops; i++) {
        int name = t->ops[i].result;
        if (t->ops[i].code != TRACE_THREAD || name < 0 || (size_t)name >= r->n_names || !r->bound[name])
            continue;
        out[n].base = r->values[name];
        out[n].kind = SPACE_STACK;
        out[n++].name = t->names[name];
    }
    for (i = 0; i < n_layout; i++) {
        const char *role = layout[i].role;
        out[n].base = layout[i].base;
        out[n].kind = strcmp(role, "stack") == 0 ? SPACE_STACK
                      : strcmp(role, "heap") == 0 ? SPACE_HEAP : SPACE_KINDS;
        out[n++].name = layout[i].name;
    }
    return n;
}

typedef struct map_job {
    size_t n_ops;
    space_map *out;
    int rc;            /* 1 until built: 0, or -1 out of memory */
    char failure[512]; /* why the backend could not open, when it could not */
    int refused;       /* ... because it refused the trace's profile */
} map_job;

static int build(map_job *job, backend_run *r, const trace *t, const region_map *m)
{
    size_t n_layout;
    space_label *labels;
    vas_layout_entries(r->cfg.layout, &n_layout);
    labels = calloc(t->n_ops + n_layout + 1, sizeof *labels);
    size_t n = labels ? trace_labels(r, t, job->n_ops, labels) : 0;
    int rc = m != NULL && labels != NULL
                 ? space_map_build(m, r->cfg.min_address, labels, n, job->out) : -1;
    free(labels);
    return rc;
}

static int map_step(void *ctx, run_step *s)
{
    map_job *job = ctx;
    if (s->op == NULL) {
        job->refused = s->open_failure == NULL;
        if (s->open_failure != NULL)
            snprintf(job->failure, sizeof job->failure, "%s", s->open_failure);
        return RUN_STOP;
    }
    if (s->index + 1 < job->n_ops)
        return RUN_CONTINUE;
    job->rc = build(job, s->run, s->t, run_step_map(s));
    return RUN_STOP;
}

int space_map_at(const backend *b, const trace *t, size_t n_ops, space_map *out, char *err,
                 size_t err_len)
{
    map_job job = {n_ops, out, 1, "", 0};
    run_observer obs = {map_step, &job};
    trace prefix = *t;

    memset(out, 0, sizeof *out);
    if (n_ops > t->n_ops)
        n_ops = job.n_ops = t->n_ops;
    if (n_ops == 0) {  /* the loop tells its observer nothing: walk the fresh space here */
        backend_run r;
        region_map m = {0};
        int open_rc = backend_run_open(&r, b, t);
        if (open_rc != 0) {
            if (open_rc == -1)
                snprintf(err, err_len, "%s: cannot create an address space for this trace", b->name);
            else
                snprintf(err, err_len, "%s", r.failure);
            return -2;
        }
        job.rc = region_map_walk(&r, &m) == 0 ? build(&job, &r, t, &m) : -1;
        region_map_free(&m);
        backend_run_close(&r);
        return job.rc;
    }
    prefix.n_ops = n_ops;
    run_trace_ex(b, &prefix, &obs);
    if (job.rc == 1) {
        if (job.refused)
            snprintf(err, err_len, "%s: cannot create an address space for this trace", b->name);
        else if (job.failure[0] != '\0')
            snprintf(err, err_len, "%s", job.failure);
        else
            snprintf(err, err_len, "%s could not run the trace up to op %zu", b->name, n_ops);
        return -2;
    }
    return job.rc;
}
