"""plot.py - the campaign's charts as SVG, standard library only.

coverage_svg: coverage over time within one run. Two panels share the time
axis: line coverage of impl/ and oracle/ (percent, from replaying corpus
snapshots) and the engines' own edge counts (AFL++'s edges_found,
libFuzzer's cov:), each series drawn as a polyline.
trend_svg: coverage across runs (one point per row of the history file).
detect_svg: the bug-based metric's time to detect, per bug and setup
(median as a dot, min to max as a bar, a cross where no run detected it).
"""
import math
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


def panel(out, y0, title, series, x_max, y_max, y_label, x_tick="%gs", x_min=0.0, x_at=None):
    """series: [(name, [(x, y)])]; x_tick formats the x axis' labels, at
    x_at (default: five evenly spaced)."""
    plot_w = WIDTH - LEFT - RIGHT
    out.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>' % (LEFT, y0 - 10, escape(title)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>' % (LEFT, y0, plot_w, PANEL_H))
    for i in range(5):
        frac = i / 4.0
        y = y0 + PANEL_H - frac * PANEL_H
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (LEFT, y, LEFT + plot_w, y))
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%g</text>' % (LEFT - 4, y + 3, round(y_max * frac, 2)))
    for value in x_at or [round(x_min + (x_max - x_min) * i / 4.0, 1) for i in range(5)]:
        x = LEFT + plot_w * (value - x_min) / (x_max - x_min)
        out.append(('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">' + x_tick + '</text>')
                   % (x, y0 + PANEL_H + 13, value))
    out.append('<text x="14" y="%d" font-size="10" transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>'
               % (y0 + PANEL_H // 2, y0 + PANEL_H // 2, escape(y_label)))
    for k, (name, points) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        coords = ["%.1f,%.1f" % (LEFT + plot_w * (min(x, x_max) - x_min) / (x_max - x_min),
                                 y0 + PANEL_H - PANEL_H * y / y_max) for x, y in points]
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


def svg_open(width, height, title):
    return ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">'
            % (width, height, width, height), '<title>%s</title>' % escape(title),
            '<rect width="100%" height="100%" fill="white"/>']


def trend_svg(rows, title="Coverage across runs"):
    """rows: the coverage history file's rows (modes.history_row), oldest
    first. One point per run: lines and branches of impl/ and oracle/, in
    percent. Returns an <svg> element (no XML declaration: it is inlined)."""
    series = []
    for folder in ("impl", "oracle"):
        for what in ("lines", "branches"):
            pts = [(i + 1, 100.0 * r[folder][what + "_covered"] / r[folder][what])
                   for i, r in enumerate(rows) if r.get(folder) and r[folder].get(what)]
            series.append(("%s/ %s %%" % (folder, what), [(x, round(y, 2)) for x, y in pts]))
    out = svg_open(WIDTH, TOP + PANEL_H + 40, title)
    panel(out, TOP, "%s (%d in the history file)" % (title, len(rows)), series, float(max(2, len(rows))), 100.0,
          "% covered", x_tick="run %g", x_min=1.0,
          x_at=sorted({1 + round(i * (max(2, len(rows)) - 1) / 4.0) for i in range(5)}))
    out.append("</svg>")
    return "\n".join(out) + "\n"


DETECT_LABEL_W, DETECT_ROW_GAP, DETECT_LANE_H = 190, 8, 9
GOAL_S = 5.0   # issue 10's goal: median time to detect under 5 s per engine


def log_x(seconds, lo, hi, x0, w):
    seconds = min(max(seconds, lo), hi)
    return x0 + w * (math.log10(seconds) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))


def detect_svg(bugs, setups, title="Time to detect"):
    """bugs: [(label, {setup: (median, min, max) or None})]; setups: the
    setups in order (one colour each). Seconds on a log axis; None (never
    detected) is a cross at the right edge."""
    lo = 0.01
    hi = max([GOAL_S * 2] + [v[2] for _l, cells in bugs for v in cells.values() if v]) * 1.5
    hi = 10 ** math.ceil(math.log10(hi))
    x0, w = DETECT_LABEL_W, WIDTH - DETECT_LABEL_W - 30
    row_h = DETECT_LANE_H * max(1, len(setups)) + DETECT_ROW_GAP
    legend_h = 16 * len(setups) + 8
    top = 30 + legend_h
    height = top + row_h * len(bugs) + 30
    out = svg_open(WIDTH, height, title)
    out.append('<text x="10" y="18" font-size="13" font-weight="bold">%s (seconds, log scale)</text>' % escape(title))
    for k, s in enumerate(setups):
        y = 30 + 16 * k + 8
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>'
                   % (x0, y - 4, x0 + 16, y - 4, COLORS[k % len(COLORS)]))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>' % (x0 + 22, y, escape(s)))
    bottom = top + row_h * len(bugs)
    t = lo
    while t <= hi * 1.001:
        x = log_x(t, lo, hi, x0, w)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>' % (x, top, x, bottom))
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%g</text>' % (x, bottom + 13, t))
        t *= 10
    gx = log_x(GOAL_S, lo, hi, x0, w)
    out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d62728" stroke-dasharray="4 3"/>' % (gx, top, gx, bottom))
    out.append('<text x="%.1f" y="%d" font-size="10" fill="#d62728">goal: median &lt; %g s</text>' % (gx + 3, bottom + 26, GOAL_S))
    for i, (label, cells) in enumerate(bugs):
        y0 = top + i * row_h
        out.append('<text x="%d" y="%d" font-size="11" text-anchor="end">%s</text>'
                   % (x0 - 6, y0 + row_h // 2 + 2, escape(label[:30])))
        for k, s in enumerate(setups):
            color = COLORS[k % len(COLORS)]
            y = y0 + DETECT_LANE_H * k + DETECT_LANE_H // 2 + 2
            v = cells.get(s)
            if v is None:
                if s in cells:   # run, never detected
                    xe = x0 + w
                    out.append('<path d="M%.1f %.1f l6 6 m0 -6 l-6 6" stroke="%s" stroke-width="1.5"/>'
                               % (xe - 3, y - 3, color))
                continue
            med, mn, mx = v
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"/>'
                       % (log_x(mn, lo, hi, x0, w), y, log_x(mx, lo, hi, x0, w), y, color))
            out.append('<circle cx="%.1f" cy="%d" r="3.5" fill="%s"><title>%s %s: median %g s (min %g, max %g)</title></circle>'
                       % (log_x(med, lo, hi, x0, w), y, color, escape(label), escape(s), med, mn, mx))
    out.append("</svg>")
    return "\n".join(out) + "\n"
