/*
 * wine_deviations.c - signatures, the known list, shrinking and reporting
 * for the impl-vs-Wine fuzz target (see wine_deviations.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "wine_deviations.h"

/* ---- Signatures ------------------------------------------------------------ */

static void appendf(char *buf, size_t len, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (*pos + n >= len)
        n = len - *pos - 1;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = '\0';
}

/* The protection's class: its base (NOACCESS, another valid base, or
 * invalid), the modifiers, and "junk" for bits no constant has. */
static void protect_class(uint32_t p, char *buf, size_t len)
{
    uint32_t base = p & 0xFF;
    size_t pos = 0;
    buf[0] = '\0';
    appendf(buf, len, &pos, base == VAS_PAGE_NOACCESS ? "NOACCESS"
                            : base != 0 && (base & (base - 1)) == 0 ? "valid" : "invalid");
    if (p & VAS_PAGE_GUARD) appendf(buf, len, &pos, "|GUARD");
    if (p & VAS_PAGE_NOCACHE) appendf(buf, len, &pos, "|NOCACHE");
    if (p & VAS_PAGE_WRITECOMBINE) appendf(buf, len, &pos, "|WRITECOMBINE");
    if (p & ~0x7FFu) appendf(buf, len, &pos, "|junk");
}

static void type_class(uint32_t type, char *buf, size_t len)
{
    static const struct { uint32_t bit; const char *name; } bits[] = {
        {VAS_MEM_COMMIT, "COMMIT"}, {VAS_MEM_RESERVE, "RESERVE"}, {VAS_MEM_DECOMMIT, "DECOMMIT"},
        {VAS_MEM_RELEASE, "RELEASE"}, {VAS_MEM_RESET, "RESET"}, {VAS_MEM_RESET_UNDO, "RESET_UNDO"},
        {VAS_MEM_TOP_DOWN, "TOP_DOWN"}, {VAS_MEM_WRITE_WATCH, "WRITE_WATCH"},
        {VAS_MEM_PHYSICAL, "PHYSICAL"}, {VAS_MEM_LARGE_PAGES, "LARGE_PAGES"},
    };
    uint32_t known = 0;
    size_t pos = 0, i;
    buf[0] = '\0';
    for (i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        known |= bits[i].bit;
        if (type & bits[i].bit) {
            appendf(buf, len, &pos, pos ? "|" : "");
            appendf(buf, len, &pos, bits[i].name);
        }
    }
    if (type & ~known)
        appendf(buf, len, &pos, pos ? "|junk" : "junk");
    if (pos == 0)
        appendf(buf, len, &pos, "0");
}

static int is_name(const trace *t, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < t->n_names; i++)
        if (strlen(t->names[i]) == n && strncmp(t->names[i], s, n) == 0)
            return 1;
    return 0;
}

/* what with parenthesised parts dropped, backend names replaced by "impl"
 * and "wine", addresses by ADDR and trace names by NAME. */
static void normalize(const trace *t, const char *what, const char *reference, const char *other,
                      char *out, size_t len)
{
    size_t pos = 0, rl = strlen(reference), ol = strlen(other);
    const char *p = what;
    out[0] = '\0';
    while (*p && pos + 1 < len) {
        if (*p == '(') {
            int depth = 0;
            while (*p) {
                depth += *p == '(';
                depth -= *p == ')';
                p++;
                if (depth == 0)
                    break;
            }
            while (pos > 0 && out[pos - 1] == ' ')
                out[--pos] = '\0';
            continue;
        }
        if (strncmp(p, other, ol) == 0 && ol > 0) {
            appendf(out, len, &pos, "wine");
            p += ol;
        } else if (strncmp(p, reference, rl) == 0 && rl > 0 && (p == what || !isalnum((unsigned char)p[-1]))) {
            appendf(out, len, &pos, "impl");
            p += rl;
        } else if (p[0] == '0' && p[1] == 'x') {
            char *end;
            unsigned long long v = strtoull(p, &end, 16);
            if (v >= 0x10000) {
                appendf(out, len, &pos, "ADDR");
            } else {
                char num[32];
                snprintf(num, sizeof num, "%.*s", (int)(end - p), p);
                appendf(out, len, &pos, num);
            }
            p = end;
        } else if ((isalpha((unsigned char)*p) || *p == '_') && (p == what || !isalnum((unsigned char)p[-1]))) {
            const char *q = p;
            while (isalnum((unsigned char)*q) || *q == '_')
                q++;
            if (is_name(t, p, (size_t)(q - p))) {
                appendf(out, len, &pos, "NAME");
            } else {
                char word[128];
                snprintf(word, sizeof word, "%.*s", (int)(q - p), p);
                appendf(out, len, &pos, word);
            }
            p = q;
        } else {
            out[pos++] = *p++;
            out[pos] = '\0';
        }
    }
}

static const char *op_word(trace_opcode code)
{
    static const char *const words[] = {"alloc", "free", "protect", "query", "read", "write",
                                        "exec", "seterr", "geterr", "charge"};
    switch (code) {
    case TRACE_PROCESS: return "process";
    case TRACE_CLOSE: return "close";
    case TRACE_READPROC: return "readproc";
    case TRACE_WRITEPROC: return "writeproc";
    case TRACE_SECTION: return "section";
    case TRACE_MAP: return "map";
    case TRACE_UNMAP: return "unmap";
    case TRACE_ALLOC2: return "alloc2";
    case TRACE_MAP3: return "map3";
    case TRACE_UNMAP2: return "unmap2";
    case TRACE_UNMAPEX: return "unmapex";
    default: break;
    }
    return (size_t)code < sizeof words / sizeof words[0] ? words[code] : "op";
}

void wine_signature(const trace *t, size_t at, const char *what, const char *reference,
                    const char *other, char *out, size_t len)
{
    char args[256] = "", a[64], b[64], norm[512];
    if (at < t->n_ops) {
        const trace_op *op = &t->ops[at];
        switch (op->code) {
        case TRACE_ALLOC:
            type_class(op->type, a, sizeof a);
            protect_class(op->protect, b, sizeof b);
            snprintf(args, sizeof args, " [%s %s %s]", op->addr.name < 0 && op->addr.offset == 0 ? "NULL" : "addr", a, b);
            break;
        case TRACE_FREE:
            type_class(op->type, a, sizeof a);
            snprintf(args, sizeof args, " [%s%s]", a, op->size.name < 0 && op->size.offset == 0 ? " size0" : "");
            break;
        case TRACE_PROTECT:
            protect_class(op->protect, b, sizeof b);
            snprintf(args, sizeof args, " [%s%s%s]", b, op->size.name < 0 && op->size.offset == 0 ? " size0" : "",
                     op->null_old ? " nullold" : "");
            break;
        default:
            break;
        }
        normalize(t, what, reference, other, norm, sizeof norm);
        snprintf(out, len, "%s%s | %s", op_word(op->code), args, norm);
    } else {
        normalize(t, what, reference, other, norm, sizeof norm);
        snprintf(out, len, "trace | %s", norm);
    }
}

/* ---- The known list ---------------------------------------------------------- */

int wine_known_load(const char *path, wine_known *k, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int lineno = 0;
    memset(k, 0, sizeof *k);
    if (f == NULL) {
        snprintf(err, err_len, "%s: cannot open the known-deviations list", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *tab, *tab2, *nl;
        lineno++;
        if ((nl = strchr(line, '\n')) != NULL)
            *nl = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        tab = strchr(line, '\t');
        if (tab == NULL) {
            snprintf(err, err_len, "%s:%d: expected SIGNATURE<TAB>CASE<TAB>NOTE", path, lineno);
            fclose(f);
            return -1;
        }
        *tab++ = '\0';
        if ((tab2 = strchr(tab, '\t')) != NULL)
            *tab2 = '\0';
        k->signatures = realloc(k->signatures, (k->n + 1) * sizeof *k->signatures);
        k->cases = realloc(k->cases, (k->n + 1) * sizeof *k->cases);
        if (k->signatures == NULL || k->cases == NULL) {
            fclose(f);
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        k->signatures[k->n] = strdup(line);
        k->cases[k->n] = strdup(tab);
        k->n++;
    }
    fclose(f);
    return 0;
}

const char *wine_known_find(const wine_known *k, const char *sig)
{
    size_t i;
    for (i = 0; i < k->n; i++)
        if (strcmp(k->signatures[i], sig) == 0)
            return k->cases[i];
    return NULL;
}

/* ---- Rules --------------------------------------------------------------------- */

const char *wine_rule(const trace_op *op)
{
    switch (op->code) {
    case TRACE_ALLOC: return "docs/semantics.md section 2 (VirtualAlloc), with section 1 (protection values)";
    case TRACE_FREE: return "docs/semantics.md section 3 (VirtualFree)";
    case TRACE_PROTECT: return "docs/semantics.md section 4 (VirtualProtect), with section 1 (protection values)";
    case TRACE_QUERY: return "docs/semantics.md section 5 (VirtualQuery)";
    case TRACE_READ: case TRACE_WRITE: case TRACE_EXEC:
        return "docs/semantics.md section 6 (simulated accesses)";
    case TRACE_CHARGE: return "docs/semantics.md section 7 (commit charge)";
    case TRACE_BULKALLOC: case TRACE_BULKFREE:
        return "docs/semantics.md section 14 (bulk operations), over sections 2, 3 and 5";
    case TRACE_PROCESS: case TRACE_CLOSE: case TRACE_READPROC: case TRACE_WRITEPROC:
        return "docs/semantics.md section 13.2 (processes)";
    case TRACE_SECTION: case TRACE_MAP: case TRACE_UNMAP:
        return "docs/semantics.md section 12 (sections and views)";
    case TRACE_ALLOC2: case TRACE_MAP3: case TRACE_UNMAP2: case TRACE_UNMAPEX:
        return "docs/semantics.md 12.9-12.14 (placeholders)";
    default: return "docs/semantics.md (last-error)";
    }
}

/* ---- Running past known deviations ------------------------------------------------ */

int wine_run_past_known(const backend *const *pair, trace *t, const wine_known *known, unsigned max,
                        void (*on_known)(void *ctx, const char *sig), void *ctx, diff_outcome *o,
                        char *sig, size_t sig_len)
{
    unsigned skipped = 0;
    for (;;) {
        trace_op *op;
        int rc = diff_trace_ex(pair, 2, t, NULL, o, NULL);
        if (rc != 1)
            return rc;
        wine_signature(t, o->at, o->what, pair[0]->name, pair[1]->name, sig, sig_len);
        op = &t->ops[o->at];
        if (skipped == max || op->result >= 0 || known == NULL || wine_known_find(known, sig) == NULL)
            return 1;
        if (on_known != NULL)
            on_known(ctx, sig);
        free(op->data);
        free(op->expect.data);
        free(op->expect.pages);
        memmove(op, op + 1, (t->n_ops - o->at - 1) * sizeof *op);
        t->n_ops--;
        skipped++;
    }
}

/* ---- Shrinking and reporting ----------------------------------------------------- */

/* The signature of t's divergence on pair, or "" when none. */
static void signature_of(const backend *const *pair, const trace *t, char *sig, size_t len)
{
    diff_outcome o;
    sig[0] = '\0';
    if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 1)
        wine_signature(t, o.at, o.what, pair[0]->name, pair[1]->name, sig, len);
}

/* A shallow copy of t without op i (ops shared; free with free()). */
static trace *without(const trace *t, size_t i)
{
    trace *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *t;
    c->ops = malloc((t->n_ops ? t->n_ops : 1) * sizeof *c->ops);
    if (c->ops == NULL) {
        free(c);
        return NULL;
    }
    memcpy(c->ops, t->ops, i * sizeof *c->ops);
    memcpy(c->ops + i, t->ops + i + 1, (t->n_ops - i - 1) * sizeof *c->ops);
    c->n_ops = t->n_ops - 1;
    return c;
}

trace *wine_minimize(const backend *const *pair, const trace *t, size_t at, const char *sig)
{
    /* Work on a text round trip: the result owns everything it holds. */
    trace view = *t;
    char *text, err[512], now[1024];
    trace *cur;
    size_t i;

    view.n_ops = at + 1 < t->n_ops ? at + 1 : t->n_ops;
    text = trace_print(&view);
    cur = text ? trace_parse("<minimized>", text, strlen(text), err, sizeof err) : NULL;
    free(text);
    if (cur == NULL)
        return NULL;
    for (i = cur->n_ops; i-- > 0;) {
        trace *c = without(cur, i), *next;
        if (c == NULL)
            break;
        text = trace_print(c);
        free(c->ops);
        free(c);
        if (text == NULL)
            break;
        /* Without an alloc its name is unbound: such a candidate does not
         * parse, and is not sent (a server refuses it as malformed). */
        next = trace_parse("<minimized>", text, strlen(text), err, sizeof err);
        free(text);
        if (next == NULL)
            continue;
        signature_of(pair, next, now, sizeof now);
        if (strcmp(now, sig) == 0) {
            trace_free(cur);
            cur = next;
        } else {
            trace_free(next);
        }
    }
    return cur;
}

void wine_report(FILE *out, const backend *const *pair, const trace *t, const char *sig)
{
    diff_outcome o;
    fprintf(out, "NEW WINE DEVIATION\nsignature: %s\n", sig);
    if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 1 && o.at < t->n_ops)
        fprintf(out, "rule: %s\n", wine_rule(&t->ops[o.at]));
    fprintf(out, "\n");
    diff_trace(pair, 2, t, out);
}
