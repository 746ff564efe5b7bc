/*
 * space_map_svg.c - the map as a picture: a legend with the totals, then
 * one bar per row of the map (an allocation, a free stretch, an unusable
 * tail), top to bottom in address order. A bar's length grows with the
 * logarithm of its size, so a 4 KiB allocation and 128 TiB of free space
 * are both visible; inside an allocation's bar its blocks share the length
 * in proportion, committed blocks solid, reserved ones pale, guard pages
 * dark. Each row is one <g class="region"> with a <title> tooltip.
 */
#include <inttypes.h>
#include <string.h>
#include "harness/space_map.h"

#define WIDTH 1100
#define ROW_H 18
#define ADDR_W 150     /* the address column, left of the bars */
#define BAR_MAX 520    /* the longest bar, px */
#define BAR_MIN 6      /* the shortest bar, px */
#define LEGEND_H 86

static const char *const colours[SPACE_KINDS] = {
    "#ffffff",  /* free */
    "#9e9e9e",  /* unusable */
    "#8e44ad",  /* image */
    "#16a085",  /* mapped */
    "#f1c40f",  /* private */
    "#e67e22",  /* stack */
    "#c0392b",  /* heap */
    "#2c3e50",  /* guard */
};

/* text, with the five XML specials escaped. */
static void put_escaped(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(*text, out);
        }
    }
}

/* log2 of a size in pages, at least 0, linear between powers of two (no
 * libm: the Windows and fuzz builds link none): the scale the bars share. */
static double page_log(uint64_t size)
{
    uint64_t pages = size / VAS_PAGE_SIZE;
    int bits = 0;
    if (pages <= 1)
        return 0.0;
    while (bits < 63 && (pages >> (bits + 1)) != 0)
        bits++;
    return bits + ((double)pages / (double)((uint64_t)1 << bits) - 1.0);
}

static double bar_length(uint64_t size, double max_log)
{
    return BAR_MIN + (BAR_MAX - BAR_MIN) * (max_log > 0 ? page_log(size) / max_log : 1.0);
}

static void put_size(FILE *out, uint64_t bytes)
{
    char buf[32];
    fputs(space_size_readable(bytes, buf, sizeof buf), out);
}

static void put_legend(const space_map *s, FILE *out, int top)
{
    int k, x = 10;
    for (k = 0; k < SPACE_KINDS; k++) {
        int y = top + (k / 4) * 22, col = x + (k % 4) * 270;
        fprintf(out, "<g class=\"legend\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
                     "stroke=\"#555\"/><text x=\"%d\" y=\"%d\">%s: ",
                col, y, colours[k], col + 20, y + 12, space_kind_name((space_kind)k));
        put_size(out, s->totals[k].size);
        if (s->totals[k].committed) {
            fputs(" (", out);
            put_size(out, s->totals[k].committed);
            fputs(" committed)", out);
        }
        fputs("</text></g>\n", out);
    }
}

/* One row's bar: its blocks in proportion (at least 3 px each). */
static void put_bar(const space_map *s, const space_row *row, FILE *out, int y, double len)
{
    double x = ADDR_W;
    size_t i;
    for (i = row->first_block; i < row->first_block + row->n_blocks; i++) {
        const space_block *b = &s->blocks[i];
        double w = len * ((double)b->size / (double)row->size);
        int committed = b->state == VAS_MEM_COMMIT;
        if (w < 3)
            w = 3;  /* a guard page in a terabyte still shows */
        fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"%s\"/>",
                x, y + 2, w, ROW_H - 4, colours[b->kind],
                committed || b->state == VAS_MEM_FREE ? "1" : "0.35");
        x += w;
    }
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"none\" stroke=\"#555\"/>",
            ADDR_W, y + 2, x - ADDR_W, ROW_H - 4);
}

void space_map_svg(const space_map *s, FILE *out, const char *title)
{
    int height = LEGEND_H + 40 + (int)s->n_rows * ROW_H + 40, y;
    double max_log = 0;
    size_t i;
    char protect[64];

    for (i = 0; i < s->n_rows; i++)
        if (page_log(s->rows[i].size) > max_log)
            max_log = page_log(s->rows[i].size);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"12\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n",
            WIDTH, height, WIDTH, height);
    fputs("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", out);
    put_escaped(out, title ? title : "address space map");
    fputs("</text>\n", out);
    put_legend(s, out, 32);
    y = LEGEND_H + 12;
    fprintf(out, "<text x=\"10\" y=\"%d\" fill=\"#555\">bar length: log2 of the size in pages; "
                 "inside a bar, its blocks: solid committed, pale reserved</text>\n", y);
    y += 16;
    fprintf(out, "<text x=\"10\" y=\"%d\" fill=\"#555\">allocatable free ", y);
    put_size(out, s->free_bytes);
    fputs(", largest free block ", out);
    put_size(out, s->largest_free);
    fprintf(out, ", fragmentation %.2f%%</text>\n", 100.0 * s->fragmentation);
    y += 14;
    for (i = 0; i < s->n_rows; i++, y += ROW_H) {
        const space_row *row = &s->rows[i];
        double len = bar_length(row->size, max_log);
        fprintf(out, "<g class=\"region\" data-kind=\"%s\" data-base=\"0x%" PRIX64 "\" data-size=\"0x%" PRIX64
                     "\"><title>0x%" PRIX64 " %s 0x%" PRIX64 " bytes, 0x%" PRIX64 " committed",
                space_kind_name(row->kind), row->base, row->size, row->base, space_kind_name(row->kind),
                row->size, row->committed);
        if (row->label) {
            fputs(", ", out);
            put_escaped(out, row->label);
        }
        fprintf(out, "</title><text x=\"10\" y=\"%d\">0x%" PRIX64 "</text>", y + ROW_H - 5, row->base);
        put_bar(s, row, out, y, len);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\">%s ", ADDR_W + len + 8, y + ROW_H - 5, space_kind_name(row->kind));
        put_size(out, row->size);
        if (row->kind != SPACE_FREE && row->kind != SPACE_UNUSABLE) {
            fputs(", ", out);
            put_size(out, row->committed);
            fprintf(out, " committed, %s",
                    trace_const_format(CONST_PROTECT, row->alloc_protect, protect, sizeof protect));
        }
        if (row->label) {
            fputs(", ", out);
            put_escaped(out, row->label);
        }
        fputs("</text></g>\n", out);
    }
    if (s->broken)
        fprintf(out, "<text x=\"10\" y=\"%d\" fill=\"#c0392b\">walk stopped at 0x%" PRIX64 "</text>\n",
                y + 14, s->broken_at);
    fputs("</svg>\n", out);
}
