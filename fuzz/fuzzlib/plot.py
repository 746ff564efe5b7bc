"""plot.py - coverage over time as an SVG line chart, standard library only.

Two panels share the time axis: line coverage of impl/ and oracle/ (percent,
from replaying corpus snapshots) and the engines' own edge counts (AFL++'s
edges_found, libFuzzer's cov:), each series drawn as a polyline.
"""
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
WIDTH, PANEL_H, LEFT, RIGHT, TOP, GAP = 720, 220, 64, 170, 36, 56


def nice_max(value):
    if value <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5):
        for scale in (1, 10, 100, 1000, 10000, 100000):
            if step * scale >= value:
                return float(step * scale)
    return float(value)


def panel(out, y0, title, series, x_max, y_max, y_label):
    """series: [(name, [(x, y)])]."""
    plot_w = WIDTH - LEFT - RIGHT
    out.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>' % (LEFT, y0 - 10, escape(title)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>' % (LEFT, y0, plot_w, PANEL_H))
    for i in range(5):
        frac = i / 4.0
        y = y0 + PANEL_H - frac * PANEL_H
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (LEFT, y, LEFT + plot_w, y))
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%g</text>' % (LEFT - 4, y + 3, round(y_max * frac, 2)))
        x = LEFT + frac * plot_w
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%gs</text>' % (x, y0 + PANEL_H + 13, round(x_max * frac, 1)))
    out.append('<text x="14" y="%d" font-size="10" transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>'
               % (y0 + PANEL_H // 2, y0 + PANEL_H // 2, escape(y_label)))
    for k, (name, points) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        coords = ["%.1f,%.1f" % (LEFT + plot_w * min(x, x_max) / x_max, y0 + PANEL_H - PANEL_H * y / y_max)
                  for x, y in points]
        if len(coords) == 1:
            out.append('<circle cx="%s" cy="%s" r="3" fill="%s"/>' % (tuple(coords[0].split(",")) + (color,)))
        elif coords:
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (color, " ".join(coords)))
        last = "%g" % points[-1][1] if points else "no data"
        ly = y0 + 14 + 16 * k
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>'
                   % (WIDTH - RIGHT + 10, ly - 4, WIDTH - RIGHT + 26, ly - 4, color))
        out.append('<text x="%d" y="%d" font-size="11">%s (%s)</text>' % (WIDTH - RIGHT + 30, ly, escape(name), last))


def coverage_svg(seconds, line_series, edge_series, title="Coverage over time"):
    """line_series / edge_series: [(name, [(seconds, value)])]. Returns the
    SVG document as a string."""
    x_max = float(max([seconds] + [x for _n, pts in line_series + edge_series for x, _y in pts] or [1])) or 1.0
    height = TOP + 2 * PANEL_H + GAP + 40
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">'
           % (WIDTH, height, WIDTH, height),
           '<title>%s</title>' % escape(title),
           '<rect width="100%" height="100%" fill="white"/>']
    panel(out, TOP, "Line coverage (corpus replayed with the coverage build)", line_series, x_max, 100.0, "% lines")
    edge_max = nice_max(max([y for _n, pts in edge_series for _x, y in pts] or [1]))
    panel(out, TOP + PANEL_H + GAP, "Engine coverage (AFL++ edges_found, libFuzzer cov)", edge_series,
          x_max, edge_max, "edges / counters")
    out.append("</svg>")
    return "\n".join(out) + "\n"
