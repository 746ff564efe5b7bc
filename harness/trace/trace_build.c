/*
 * trace_build.c - the life of a trace in memory: creating one, growing it an
 * operation or a name at a time, and freeing it with everything it owns.
 */
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"

static char *copy_string(const char *text, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, text, len);
        s[len] = '\0';
    }
    return s;
}

trace *trace_new(const char *file)
{
    trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->profile = VAS_PROFILE_X64;
    t->file = copy_string(file ? file : "<trace>", strlen(file ? file : "<trace>"));
    if (!t->file) {
        free(t);
        return NULL;
    }
    return t;
}

/* Grows an array of n elements of size elem so that one more fits. The
 * capacity is not stored: arrays grow to the next power of two, which n
 * alone determines. */
static int grow(void **array, size_t n, size_t elem)
{
    if (n & (n - 1))            /* not a power of two (and not 0): room left */
        return 0;
    size_t cap = n ? n * 2 : 1;
    void *p = realloc(*array, cap * elem);
    if (!p)
        return -1;
    *array = p;
    return 0;
}

trace_op *trace_append_op(trace *t, trace_opcode code)
{
    if (grow((void **)&t->ops, t->n_ops, sizeof *t->ops) != 0)
        return NULL;
    trace_op *op = &t->ops[t->n_ops++];
    trace_op_init(op, code);
    return op;
}

void trace_op_init(trace_op *op, trace_opcode code)
{
    memset(op, 0, sizeof *op);
    op->code = code;
    op->result = -1;
    op->addr.name = op->size.name = op->thread.name = op->process.name = op->buf.name = -1;
    op->handle.name = op->offset.name = -1;
    op->ext.lowest.name = op->ext.highest.name = -1;
    op->expect.kind = EXPECT_NONE;
    op->expect.value.name = op->expect.q_base.name = -1;
    op->expect.q_alloc_base.name = op->expect.at.name = -1;
}

int trace_add_string(char ***list, size_t *n, const char *text, size_t len)
{
    if (grow((void **)list, *n, sizeof **list) != 0)
        return -1;
    char *s = copy_string(text, len);
    if (!s)
        return -1;
    (*list)[(*n)++] = s;
    return 0;
}

int trace_add_name(trace *t, const char *name, size_t len)
{
    if (trace_add_string(&t->names, &t->n_names, name, len) != 0)
        return -1;
    return (int)(t->n_names - 1);
}

int trace_find_name(const trace *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_names; i++)
        if (strlen(t->names[i]) == len && memcmp(t->names[i], name, len) == 0)
            return (int)i;
    return -1;
}

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void trace_free(trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_ops; i++) {
        free(t->ops[i].data);
        free(t->ops[i].expect.data);
        free(t->ops[i].expect.pages);
    }
    free(t->ops);
    free_strings(t->names, t->n_names);
    free_strings(t->sources, t->n_sources);
    free_strings(t->wine_deviates, t->n_wine_deviates);
    free_strings(t->model_only, t->n_model_only);
    free(t->case_name);
    free(t->file);
    free(t);
}

int trace_opcode_binds(trace_opcode code)
{
    return code == TRACE_ALLOC || code == TRACE_ALLOC2 || code == TRACE_BULKALLOC || code == TRACE_THREAD ||
           code == TRACE_PROCESS || code == TRACE_SECTION || code == TRACE_MAP || code == TRACE_MAP3;
}
