/*
 * wine_deviations.c - signatures, the known list, shrinking and reporting
 * for the impl-vs-Wine fuzz target (see wine_deviations.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "harness/protocol.h"
#include "harness/run.h"
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

typedef struct flag_name { uint32_t bit; const char *name; } flag_name;

/* The flags of value by name, joined by |; bits no name has are "junk",
 * no bit at all "0". */
static void flags_class(uint32_t value, const flag_name *names, size_t n, char *buf, size_t len)
{
    uint32_t known = 0;
    size_t pos = 0, i;
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        known |= names[i].bit;
        if (value & names[i].bit) {
            appendf(buf, len, &pos, pos ? "|" : "");
            appendf(buf, len, &pos, names[i].name);
        }
    }
    if (value & ~known)
        appendf(buf, len, &pos, pos ? "|junk" : "junk");
    if (pos == 0)
        appendf(buf, len, &pos, "0");
}

static void type_class(uint32_t type, char *buf, size_t len)
{
    static const flag_name bits[] = {
        {VAS_MEM_COMMIT, "COMMIT"}, {VAS_MEM_RESERVE, "RESERVE"}, {VAS_MEM_DECOMMIT, "DECOMMIT"},
        {VAS_MEM_RELEASE, "RELEASE"}, {VAS_MEM_RESET, "RESET"}, {VAS_MEM_RESET_UNDO, "RESET_UNDO"},
        {VAS_MEM_TOP_DOWN, "TOP_DOWN"}, {VAS_MEM_WRITE_WATCH, "WRITE_WATCH"},
        {VAS_MEM_PHYSICAL, "PHYSICAL"}, {VAS_MEM_LARGE_PAGES, "LARGE_PAGES"},
    };
    flags_class(type, bits, sizeof bits / sizeof bits[0], buf, len);
}

/* CreateFileMapping's attributes (the high 16 bits of flProtect). */
static void section_class(uint32_t attributes, char *buf, size_t len)
{
    static const flag_name bits[] = {
        {VAS_SEC_COMMIT, "COMMIT"}, {VAS_SEC_RESERVE, "RESERVE"}, {0x01000000u, "IMAGE"},
        {0x10000000u, "NOCACHE"}, {0x40000000u, "WRITECOMBINE"}, {0x80000000u, "LARGE_PAGES"},
    };
    flags_class(attributes, bits, sizeof bits / sizeof bits[0], buf, len);
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

/* The operation's word as the trace language spells it ("alloc", "lock"). */
static void op_word(const trace *t, const trace_op *op, char *out, size_t len)
{
    char text[512];
    const char *p = text, *eq;
    size_t n = 0;
    trace_print_op(t, op, text, sizeof text);
    if ((eq = strstr(text, " = ")) != NULL)
        p = eq + 3;
    while (p[n] && p[n] != ' ' && n + 1 < len)
        n++;
    snprintf(out, len, "%.*s", (int)n, p);
}

void wine_signature(const trace *t, size_t at, const char *what, const char *reference,
                    const char *other, char *out, size_t len)
{
    char args[256] = "", a[64], b[64], norm[512], word[32];
    if (at < t->n_ops) {
        const trace_op *op = &t->ops[at];
        op_word(t, op, word, sizeof word);
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
        case TRACE_SECTION:
            section_class(op->type, a, sizeof a);
            protect_class(op->protect, b, sizeof b);
            snprintf(args, sizeof args, " [%s %s]", a, b);
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
        snprintf(out, len, "%s%s | %s", word, args, norm);
    } else {
        normalize(t, what, reference, other, norm, sizeof norm);
        snprintf(out, len, "trace | %s", norm);
    }
}

/* ---- Grouping ------------------------------------------------------------------ */

/* A protection as the map descriptions print it ("EXECUTE_READ|WRITECOMBINE")
 * made its class ("valid|WRITECOMBINE"); other words are copied. */
static void protection_word_class(const char *word, char *out, size_t len)
{
    static const char *const bases[] = {"READONLY", "READWRITE", "WRITECOPY", "EXECUTE", "EXECUTE_READ",
                                        "EXECUTE_READWRITE", "EXECUTE_WRITECOPY"};
    static const char *const modifiers[] = {"GUARD", "NOCACHE", "WRITECOMBINE"};
    char copy[128], cls[128] = "", *part, *save = NULL;
    size_t pos = 0, i;
    int base = 0;
    const char *eq = strchr(word, '=');
    snprintf(copy, sizeof copy, "%s", eq ? eq + 1 : word);
    for (part = strtok_r(copy, "|", &save); part; part = strtok_r(NULL, "|", &save)) {
        int known = 0;
        if (strcmp(part, "NOACCESS") == 0) {
            appendf(cls, sizeof cls, &pos, "NOACCESS");
            base = known = 1;
        }
        for (i = 0; !known && i < sizeof bases / sizeof bases[0]; i++)
            if (strcmp(part, bases[i]) == 0) {
                appendf(cls, sizeof cls, &pos, "valid");
                base = known = 1;
            }
        for (i = 0; !known && i < sizeof modifiers / sizeof modifiers[0]; i++)
            if (strcmp(part, modifiers[i]) == 0) {
                appendf(cls, sizeof cls, &pos, pos ? "|" : "");
                appendf(cls, sizeof cls, &pos, part);
                known = 1;
            }
        if (!known) {   /* not a protection */
            snprintf(out, len, "%s", word);
            return;
        }
    }
    if (!base) {
        snprintf(out, len, "%s", word);
        return;
    }
    snprintf(out, len, "%.*s%s", eq ? (int)(eq - word + 1) : 0, word, cls);
}

/* "impl {A B C}, wine {A D C}" -> "impl {B'}, wine {D'}": only the fields
 * that differ, protections as classes. Anything else is copied. */
static void reduce_maps(const char *what, char *out, size_t len)
{
    const char *open1 = strchr(what, '{'), *close1 = open1 ? strchr(open1, '}') : NULL;
    const char *open2 = close1 ? strchr(close1, '{') : NULL, *close2 = open2 ? strchr(open2, '}') : NULL;
    char a[512], b[512], *ta[32], *tb[32], *save = NULL, cls[128];
    size_t na = 0, nb = 0, i, pos = 0;
    if (close2 == NULL || (size_t)(close1 - open1) >= sizeof a || (size_t)(close2 - open2) >= sizeof b) {
        snprintf(out, len, "%s", what);
        return;
    }
    snprintf(a, sizeof a, "%.*s", (int)(close1 - open1 - 1), open1 + 1);
    snprintf(b, sizeof b, "%.*s", (int)(close2 - open2 - 1), open2 + 1);
    for (char *w = strtok_r(a, " ", &save); w && na < 32; w = strtok_r(NULL, " ", &save))
        ta[na++] = w;
    for (char *w = strtok_r(b, " ", &save); w && nb < 32; w = strtok_r(NULL, " ", &save))
        tb[nb++] = w;
    if (na != nb) {
        snprintf(out, len, "%s", what);
        return;
    }
    out[0] = '\0';
    for (const char *p = what; p < open1 + 1 && pos + 1 < len; p++) {
        out[pos++] = *p;
        out[pos] = '\0';
    }
    for (int side = 0; side < 2; side++) {
        int first = 1;
        for (i = 0; i < na; i++) {
            if (strcmp(ta[i], tb[i]) == 0)
                continue;
            protection_word_class(side ? tb[i] : ta[i], cls, sizeof cls);
            if (strncmp(cls, "size=", 5) == 0 || strncmp(cls, "base=", 5) == 0
                || strncmp(cls, "alloc_base=", 11) == 0)
                *strchr(cls, '=') = '\0';   /* which field differs, not by how much */
            appendf(out, len, &pos, first ? "" : " ");
            appendf(out, len, &pos, cls);
            first = 0;
        }
        if (side == 0) {
            char between[128];
            snprintf(between, sizeof between, "%.*s", (int)(open2 + 1 - close1), close1);
            appendf(out, len, &pos, between);
        }
    }
    appendf(out, len, &pos, close2);
}

/* Whether a protection class (protect_class) is one no call accepts:
 * an invalid base, bits no constant has, NOACCESS with a modifier, or two
 * modifiers (docs/semantics.md section 1). */
static int protection_class_invalid(const char *cls)
{
    int modifiers = (strstr(cls, "|GUARD") != NULL) + (strstr(cls, "|NOCACHE") != NULL)
                  + (strstr(cls, "|WRITECOMBINE") != NULL);
    if (strncmp(cls, "valid", 5) != 0 && strncmp(cls, "NOACCESS", 8) != 0 && strncmp(cls, "invalid", 7) != 0)
        return 0;   /* not a protection class */
    return strncmp(cls, "invalid", 7) == 0 || strstr(cls, "|junk") != NULL || modifiers >= 2
        || (strncmp(cls, "NOACCESS", 8) == 0 && modifiers > 0);
}

void wine_signature_group(const char *sig, char *out, size_t len)
{
    const char *bar = strstr(sig, " | "), *what, *open, *close;
    char word[64], args[256] = "", kept[256] = "", maps[768], *tok, *save = NULL;
    size_t pos = 0;
    int accepts;
    if (bar == NULL) {
        snprintf(out, len, "%s", sig);
        return;
    }
    what = bar + 3;
    if (strncmp(sig, "trace | ", 8) == 0) {   /* a crash or hang: which operation kind, not where */
        const char *during = strstr(what, " during op "), *colon = during ? strstr(during, ": ") : NULL;
        if (colon != NULL) {
            size_t n = strcspn(colon + 2, " ");
            snprintf(out, len, "trace | %.*s during %.*s", (int)(during - what), what, (int)n, colon + 2);
            return;
        }
    }
    open = memchr(sig, '[', (size_t)(bar - sig));
    close = open ? memchr(open, ']', (size_t)(bar - open)) : NULL;
    snprintf(word, sizeof word, "%.*s", (int)((open ? open - 1 : bar) - sig), sig);
    if (open && close)
        snprintf(args, sizeof args, "%.*s", (int)(close - open - 1), open + 1);
    /* Whether a call was accepted by one side only (wine_deviations.h). */
    accepts = strncmp(what, "result differs", 14) == 0 || strncmp(what, "alloc result differs", 20) == 0
           || strncmp(what, "section created", 15) == 0 || strncmp(what, "query result differs", 21) == 0;
    if (accepts) {   /* a protection no call may take decides alone */
        char copy[256], *q = NULL;
        snprintf(copy, sizeof copy, "%s", args);
        for (tok = strtok_r(copy, " ", &q); tok; tok = strtok_r(NULL, " ", &q))
            if (protection_class_invalid(tok)) {
                snprintf(out, len, "%s [%s] | %s", word, tok, what);
                return;
            }
    }
    for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char part[128], *p;
        int protection = strncmp(tok, "valid", 5) == 0 || strncmp(tok, "NOACCESS", 8) == 0
                      || strncmp(tok, "invalid", 7) == 0;
        snprintf(part, sizeof part, "%s", tok);
        if (protection && !accepts && (p = strchr(part, '|')) != NULL)
            *p = '\0';   /* how a call fails: the modifiers do not decide it */
        while ((p = strstr(part, "|TOP_DOWN")) != NULL)
            memmove(p, p + 9, strlen(p + 9) + 1);
        if ((p = strstr(part, "TOP_DOWN|")) != NULL)
            memmove(p, p + 9, strlen(p + 9) + 1);
        appendf(kept, sizeof kept, &pos, pos ? " " : "");
        appendf(kept, sizeof kept, &pos, part);
    }
    reduce_maps(what, maps, sizeof maps);
    if (kept[0])
        snprintf(out, len, "%s [%s] | %s", word, kept, maps);
    else
        snprintf(out, len, "%s | %s", word, maps);
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
        k->groups = realloc(k->groups, (k->n + 1) * sizeof *k->groups);
        if (k->groups == NULL || (k->groups[k->n] = malloc(1024)) == NULL) {
            fclose(f);
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        wine_signature_group(line, k->groups[k->n], 1024);
        k->n++;
    }
    fclose(f);
    return 0;
}

const char *wine_known_find(const wine_known *k, const char *sig)
{
    char group[1024];
    size_t i;
    wine_signature_group(sig, group, sizeof group);
    for (i = 0; i < k->n; i++)
        if (strcmp(k->groups[i], group) == 0)
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

/* Whether Wine's record of op k shows the operation left nothing behind but
 * its last error: the map after it (of the allocations holding names, all
 * the target asks for) is the one before it, and it is a query or a call
 * that failed (a failed VirtualAlloc, VirtualFree, VirtualProtect or
 * VirtualLock changes nothing). Reads, writes and probes are left out: a
 * guard page they meet changes, and the server does not resend the map
 * after them. */
static int left_nothing(const trace_op *op, const remote_results *rr, size_t k)
{
    const remote_op *rec = &rr->ops[k];
    if (rec->outcome != PROTO_DONE || op->has_process || rec->map != (k > 0 ? rr->ops[k - 1].map : 0))
        return 0;
    switch (op->code) {
    case TRACE_QUERY:
        return 1;
    case TRACE_ALLOC: case TRACE_FREE: case TRACE_PROTECT: case TRACE_LOCK: case TRACE_UNLOCK:
        return rec->res.value == 0;
    default:
        return 0;
    }
}

/* rr with record k made the one `seterr error` gets: nothing but that
 * error, the map unchanged. */
static int with_seterr_record(const remote_results *rr, size_t k, uint32_t error, remote_results *out)
{
    remote_op *rec;
    if (remote_results_copy(out, rr) != 0)
        return -1;
    rec = &out->ops[k];
    op_result_clear(&rec->res);
    free(rec->note);
    rec->note = NULL;
    rec->res.old = OP_OLD_UNTOUCHED;
    rec->res.error = error;
    return 0;
}

/* Takes op at out of t: it becomes `seterr E`, E the last error Wine had
 * after it, so that both backends go on from Wine's state; when Wine's
 * record shows op left nothing else behind, the server's records of the
 * changed trace are known without running it (the records of t with that
 * one replaced), and the next run of t on it is answered from them. Without
 * Wine's records (another backend) the operation is dropped. */
static void take_out_op(const backend *wine, trace *t, size_t at)
{
    trace_op *op = &t->ops[at];
    const remote_results *rr = backend_exec_last_results(wine, t);
    remote_results derived;
    uint32_t error;
    int line = op->line, keep;
    free(op->data);
    free(op->expect.data);
    free(op->expect.pages);
    if (rr == NULL || at >= rr->n_ops) {
        memmove(op, op + 1, (t->n_ops - at - 1) * sizeof *op);
        t->n_ops--;
        return;
    }
    error = rr->ops[at].res.error;
    keep = left_nothing(op, rr, at) && with_seterr_record(rr, at, error, &derived) == 0;
    trace_op_init(op, TRACE_SETERR);
    op->line = line;
    op->value = error;
    if (keep)
        backend_exec_answer_next(wine, t, &derived);
}

int wine_run_past_known(const backend *const *pair, trace *t, const wine_known *known, unsigned max,
                        void (*on_known)(void *ctx, const char *sig), void *ctx, diff_outcome *o,
                        char *sig, size_t sig_len)
{
    unsigned skipped = 0;
    for (;;) {
        const trace_op *op;
        int rc = diff_trace_ex(pair, 2, t, NULL, o, NULL);
        if (rc != 1)
            return rc;
        wine_signature(t, o->at, o->what, pair[0]->name, pair[1]->name, sig, sig_len);
        op = &t->ops[o->at];
        if (skipped == max || op->result >= 0 || known == NULL || wine_known_find(known, sig) == NULL)
            return 1;
        if (on_known != NULL)
            on_known(ctx, sig);
        take_out_op(pair[1], t, o->at);
        skipped++;
    }
}

/* ---- Shrinking and reporting ----------------------------------------------------- */

/* The group of t's divergence on pair, or "" when none. */
static void group_of(const backend *const *pair, const trace *t, char *group, size_t len)
{
    diff_outcome o;
    char sig[1024];
    group[0] = '\0';
    if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 1) {
        wine_signature(t, o.at, o.what, pair[0]->name, pair[1]->name, sig, sizeof sig);
        wine_signature_group(sig, group, len);
    }
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
    char *text, err[512], now[1024], group[1024];
    trace *cur;
    size_t i;

    view.n_ops = at + 1 < t->n_ops ? at + 1 : t->n_ops;
    text = trace_print(&view);
    cur = text ? trace_parse("<minimized>", text, strlen(text), err, sizeof err) : NULL;
    free(text);
    if (cur == NULL)
        return NULL;
    /* A server that crashed or hung is not shrunk past the cut: every step
     * that still hangs waits out the timeout twice (the run and its SYNC
     * re-run), and one 31-op hang took ten minutes of a 600 s run. */
    if (strncmp(sig, "trace |", 7) == 0)
        return cur;
    wine_signature_group(sig, group, sizeof group);
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
        group_of(pair, next, now, sizeof now);
        if (strcmp(now, group) == 0) {
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
    char group[1024], now[1024];
    wine_signature_group(sig, group, sizeof group);
    fprintf(out, "NEW WINE DEVIATION\ndeviation: %s\n", group);
    if (diff_trace_ex(pair, 2, t, NULL, &o, NULL) == 1 && o.at < t->n_ops) {
        wine_signature(t, o.at, o.what, pair[0]->name, pair[1]->name, now, sizeof now);
        fprintf(out, "signature: %s\nrule: %s\n", now, wine_rule(&t->ops[o.at]));
    }
    fprintf(out, "\n");
    diff_trace(pair, 2, t, out);
}
