/*
 * space_map.c - the map a person reads (space_map.h): the regions of one
 * walk grouped into allocations by their allocation base, each given a kind
 * from query's Type or from a label the trace gives, free stretches split
 * where an allocation's last granule leaves an unusable tail; then totals,
 * the largest free block and fragmentation. And the table that prints it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "harness/space_map.h"

#define GRANULE ((uint64_t)VAS_ALLOCATION_GRANULARITY)

static const char *const kind_names[SPACE_KINDS] = {
    "free", "unusable", "image", "mapped", "private", "stack", "heap", "guard",
};

const char *space_kind_name(space_kind kind)
{
    return (unsigned)kind < SPACE_KINDS ? kind_names[kind] : "?";
}

static space_kind kind_of_type(uint32_t type)
{
    if (type == VAS_MEM_IMAGE)
        return SPACE_IMAGE;
    if (type == VAS_MEM_MAPPED)
        return SPACE_MAPPED;
    return SPACE_PRIVATE;
}

static const space_label *label_find(const space_label *labels, size_t n, uint64_t base)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (labels[i].base == base)
            return &labels[i];
    return NULL;
}

/* Rows and blocks never outnumber twice the regions (a free region makes at
 * most an unusable row and a free row), so both arrays are sized once. */
static space_row *row_open(space_map *s, uint64_t base, space_kind kind)
{
    space_row *row = &s->rows[s->n_rows++];
    memset(row, 0, sizeof *row);
    row->base = base;
    row->kind = kind;
    row->first_block = s->n_blocks;
    return row;
}

static void row_add_block(space_map *s, space_row *row, const vas_mbi *reg, uint64_t base, uint64_t size)
{
    space_block *blk = &s->blocks[s->n_blocks++];
    blk->base = base;
    blk->size = size;
    blk->state = reg->state;
    blk->protect = reg->protect;
    blk->kind = reg->state == VAS_MEM_COMMIT && (reg->protect & VAS_PAGE_GUARD) ? SPACE_GUARD : row->kind;
    row->size += size;
    if (reg->state == VAS_MEM_COMMIT)
        row->committed += size;
    row->n_blocks++;
}

/* A free region: its unusable head (the rest of the granule an allocation
 * ends in), then the free rest; the allocatable part counts as free. */
static void add_free(space_map *s, const vas_mbi *reg, uint64_t min_address)
{
    uint64_t base = reg->base_address, end = base + reg->region_size;
    if (base % GRANULE != 0) {
        uint64_t head_end = base - base % GRANULE + GRANULE;
        if (head_end > end || head_end < base)
            head_end = end;
        row_add_block(s, row_open(s, base, SPACE_UNUSABLE), reg, base, head_end - base);
        base = head_end;
    }
    if (base == end)
        return;
    row_add_block(s, row_open(s, base, SPACE_FREE), reg, base, end - base);
    if (end > min_address) {
        uint64_t usable = end - (base > min_address ? base : min_address);
        s->free_bytes += usable;
        if (usable > s->largest_free) {
            s->largest_free = usable;
            s->largest_free_at = base > min_address ? base : min_address;
        }
    }
}

int space_map_build(const region_map *m, uint64_t min_address, const space_label *labels,
                    size_t n_labels, space_map *out)
{
    space_row *row = NULL;
    uint64_t row_alloc_base = 0;
    size_t i;

    memset(out, 0, sizeof *out);
    out->broken = m->broken;
    out->broken_at = m->broken_at;
    out->rows = calloc(2 * m->n + 1, sizeof *out->rows);
    out->blocks = calloc(2 * m->n + 1, sizeof *out->blocks);
    if (out->rows == NULL || out->blocks == NULL) {
        space_map_free(out);
        return -1;
    }
    for (i = 0; i < m->n; i++) {
        const vas_mbi *reg = &m->regions[i];
        if (reg->state == VAS_MEM_FREE) {
            add_free(out, reg, min_address);
            row = NULL;
            continue;
        }
        if (row == NULL || reg->allocation_base != row_alloc_base) {
            const space_label *label = label_find(labels, n_labels, reg->allocation_base);
            /* The row starts at its first region walked: the allocation
             * base, unless the walk began inside the allocation. */
            row = row_open(out, reg->base_address,
                           label && label->kind != SPACE_KINDS ? label->kind : kind_of_type(reg->type));
            row_alloc_base = reg->allocation_base;
            row->alloc_protect = reg->allocation_protect;
            row->label = label ? label->name : NULL;
        }
        row_add_block(out, row, reg, reg->base_address, reg->region_size);
    }
    for (i = 0; i < out->n_blocks; i++) {
        space_total *t = &out->totals[out->blocks[i].kind];
        t->size += out->blocks[i].size;
        t->blocks++;
        if (out->blocks[i].state == VAS_MEM_COMMIT)
            t->committed += out->blocks[i].size;
        out->span += out->blocks[i].size;
    }
    if (out->free_bytes > 0)
        out->fragmentation = 1.0 - (double)out->largest_free / (double)out->free_bytes;
    return 0;
}

void space_map_free(space_map *s)
{
    free(s->rows);
    free(s->blocks);
    memset(s, 0, sizeof *s);
}

/* ---- The table ---------------------------------------------------------- */

const char *space_size_readable(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (v == (double)(uint64_t)v)
        snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, units[u]);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

static const char *hex(uint64_t v, char *buf, size_t len)
{
    snprintf(buf, len, "0x%" PRIX64, v);
    return buf;
}

/* A committed block's protection, "(reserved)", or "-" when free. */
static const char *block_protect(const space_block *b, char *buf, size_t len)
{
    if (b->state == VAS_MEM_FREE)
        return "-";
    if (b->state != VAS_MEM_COMMIT)
        return "(reserved)";
    return trace_const_format(CONST_PROTECT, b->protect, buf, len);
}

/* The distinct protections of a row's committed blocks, joined by ','. */
static const char *row_protect(const space_map *s, const space_row *row, char *buf, size_t len)
{
    size_t i, j, used = 0;
    buf[0] = '\0';
    for (i = row->first_block; i < row->first_block + row->n_blocks; i++) {
        const space_block *b = &s->blocks[i];
        char p[64];
        int seen = 0;
        if (b->state != VAS_MEM_COMMIT)
            continue;
        for (j = row->first_block; j < i && !seen; j++)
            seen = s->blocks[j].state == VAS_MEM_COMMIT && s->blocks[j].protect == b->protect;
        if (seen)
            continue;
        trace_const_format(CONST_PROTECT, b->protect, p, sizeof p);
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "," : "", p);
        if (used >= len)
            break;
    }
    if (buf[0] == '\0')
        return row->n_blocks == 1 ? block_protect(&s->blocks[row->first_block], buf, len) : "(reserved)";
    return buf;
}

#define ROW_FORMAT "%s%-18s %-9s %-16s %-16s %-32s %-17s %s"

/* One line of the table, without the padding of empty trailing columns. */
static void put_line(FILE *out, const char *indent, const char *a, const char *kind, const char *size,
                     const char *committed, const char *protect, const char *alloc_protect, const char *details)
{
    char line[1024];
    size_t n = (size_t)snprintf(line, sizeof line, ROW_FORMAT, indent, a, kind, size, committed, protect,
                                alloc_protect, details);
    if (n >= sizeof line)
        n = sizeof line - 1;
    while (n > 0 && line[n - 1] == ' ')
        n--;
    fprintf(out, "%.*s\n", (int)n, line);
}

void space_map_print(const space_map *s, FILE *out, const char *indent)
{
    char a[24], sz[24], c[24], p[256], ap[64], details[160], r1[32], r2[32];
    size_t i, k;

    put_line(out, indent, "address", "kind", "size", "committed", "protection",
            "alloc_protect", "details");
    for (i = 0; i < s->n_rows; i++) {
        const space_row *row = &s->rows[i];
        int is_free = row->kind == SPACE_FREE || row->kind == SPACE_UNUSABLE;
        snprintf(details, sizeof details, "%s", row->label ? row->label : "");
        if (row->n_blocks > 1)
            snprintf(details + strlen(details), sizeof details - strlen(details), "%s%zu blocks",
                     row->label ? ", " : "", row->n_blocks);
        put_line(out, indent, hex(row->base, a, sizeof a), space_kind_name(row->kind),
                hex(row->size, sz, sizeof sz), is_free ? "-" : hex(row->committed, c, sizeof c),
                row_protect(s, row, p, sizeof p),
                is_free ? "-" : trace_const_format(CONST_PROTECT, row->alloc_protect, ap, sizeof ap),
                details);
        for (k = row->first_block; row->n_blocks > 1 && k < row->first_block + row->n_blocks; k++) {
            const space_block *b = &s->blocks[k];
            char sub[32];
            snprintf(sub, sizeof sub, "  %s", hex(b->base, a, sizeof a));
            put_line(out, indent, sub, space_kind_name(b->kind), hex(b->size, sz, sizeof sz),
                    b->state == VAS_MEM_COMMIT ? sz : "0", block_protect(b, p, sizeof p), "", "");
        }
    }
    if (s->broken)
        fprintf(out, "%s(walk stopped: query failed or did not advance at 0x%" PRIX64 ")\n", indent,
                s->broken_at);
    fprintf(out, "%s\n%stotals\n%s%-9s %-16s %-16s %-8s %s\n", indent, indent, indent, "kind", "size",
            "committed", "blocks", "readable");
    for (k = 0; k < SPACE_KINDS; k++) {
        const space_total *t = &s->totals[k];
        fprintf(out, "%s%-9s %-16s %-16s %-8zu %s\n", indent, space_kind_name((space_kind)k),
                hex(t->size, sz, sizeof sz), hex(t->committed, c, sizeof c), t->blocks,
                space_size_readable(t->size, r1, sizeof r1));
    }
    fprintf(out, "%s%-9s %-16s %-16s %-8zu %s\n", indent, "total", hex(s->span, sz, sizeof sz), "", s->n_blocks,
            space_size_readable(s->span, r1, sizeof r1));
    fprintf(out, "%s\n%sfree (allocatable): %s (%s)\n", indent, indent, hex(s->free_bytes, sz, sizeof sz),
            space_size_readable(s->free_bytes, r1, sizeof r1));
    fprintf(out, "%slargest free block: %s at %s (%s)\n", indent, hex(s->largest_free, sz, sizeof sz),
            hex(s->largest_free_at, a, sizeof a), space_size_readable(s->largest_free, r2, sizeof r2));
    fprintf(out, "%sfragmentation: %.4f%% (1 - largest free block / free)\n", indent, 100.0 * s->fragmentation);
}
