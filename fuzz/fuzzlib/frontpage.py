"""frontpage.py - the campaign's front page (ci/campaign.sh): index.md and
index.html beside it, both written from one dict that is also saved as
index.json, so the two pages cannot disagree.

gather() reads the campaign's output folder:
  steps.tsv                   one step a line: name, pass|FAIL, report path
                              (ci/campaign.sh's record())
  fuzz*/report.json           the fuzzing runs' findings (reports.py)
  the coverage history file   one JSON line per run (modes.history_row):
                              the trend plot across runs
  metric/metric.json          the bug-based metric (below); "not run" when absent
  map/map.svg, map.md         the map of one interesting trace, as
                              ci/campaign_map.py drew it (`vastrace map`)
  everything else             listed under "Reports", each a link
and the figures the step logs print (FIGURES).

The bug-based metric's file, as read here (fuzz/planted.md describes the
run that writes it, and its further fields; "summary" per setup and
"engines" are shown when present):
  {"runs": K, "budget_s": S,
   "setups": ["libFuzzer, empty corpus", ...],      # the kill matrix's columns
   "bugs": [{"id": "...", "what": "one line", "behaviour": "G003",
             "reached": true, "triggered": true,
             "results": {SETUP: {"killed": k, "runs": n,
                                 "median_s": m, "min_s": a, "max_s": b}}}]}
A setup a bug was not run in is left out of its "results"; median_s and
friends are null when no run killed it.

index.html is plain HTML with inline SVG charts (plot.py), no script; every
link is relative to the output folder and only to files that exist (a
missing report is shown as missing, not linked): pagecheck.py holds the page
to that in a real browser (fuzz/tests/test_frontpage.py).
"""
import glob
import html
import json
import os
import re
import time

from . import plot

STEPS = "steps.tsv"
METRIC = os.path.join("metric", "metric.json")
MAP_DIR = "map"        # ci/campaign_map.py's output
# Folders of the output that hold work files, not reports.
NOT_REPORTS = {"work", "corpus-min", "kept-corpus", "wineprefix", "coverage-html", "fuzz-builds"}
REPORT_EXT = (".md", ".json", ".txt", ".log", ".xml", ".sarif", ".svg", ".trace", ".sh", ".tsv", ".jsonl")
MAX_LISTED = 60        # reports listed per folder (the rest are counted)

# What the front page quotes from the step logs: (label, files, lines kept).
FIGURES = [
    ("differential", "differential/*.txt", r"divergent|traces/s|ops/s"),
    ("conformance", "conformance.log", r"(?i)^benchmark"),
    ("fuzz", "fuzz/report.md", r"^\| (libFuzzer|AFL\+\+|impl/|oracle/) |^impl/ lines left"),
    ("fuzz-host", "fuzz-host/report.md", r"^\| (libFuzzer|AFL\+\+|impl/|oracle/) |^impl/ lines left"),
    ("fault injection", "fault-injection.txt", r"(?i)found|after"),
    ("Wine in the fuzzing loop", "wine-fuzz.txt", r"^wine_fuzz.sh: [0-9]|inputs"),
    ("backend protocol", "bench/protocol.txt", r""),
]


def read_steps(out):
    rows = []
    try:
        with open(os.path.join(out, STEPS)) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3:
                    rows.append({"name": parts[0], "status": parts[1], "report": parts[2]})
    except OSError:
        pass
    for r in rows:   # a step that died before writing its report: no link to nothing
        r["report_exists"] = bool(r["report"]) and os.path.exists(os.path.join(out, r["report"]))
    return rows


def read_figures(out):
    figures = []
    for label, pattern, keep in FIGURES:
        lines = []
        for path in sorted(glob.glob(os.path.join(out, pattern))):
            with open(path, errors="replace") as f:
                text = f.read().splitlines()
            picked = [l for l in text if not keep or re.search(keep, l)]
            if len(glob.glob(os.path.join(out, pattern))) > 1:
                picked = [os.path.splitext(os.path.basename(path))[0] + ":"] + picked
            lines += picked[:12]
        if lines:
            figures.append({"label": label, "lines": lines})
    return figures


def read_history(path):
    rows = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        continue   # a torn last line (a killed run) loses that run only
    return rows


def read_metric(path):
    """(metric, error): the metric as read, or why there is none."""
    if not os.path.exists(path):
        return None, "not run"
    try:
        with open(path) as f:
            m = json.load(f)
        for b in m["bugs"]:
            b.setdefault("results", {})
        m.setdefault("setups", sorted({s for b in m["bugs"] for s in b["results"]}))
        return m, None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        return None, "unreadable (%s)" % e


def metric_tables(m):
    """The metric's headline figures as tables (title, header, rows): kills
    and median time to detect per setup and per engine, when metric.json
    has them ("summary", "engines")."""
    def secs(v):
        return "-" if v is None else "%.2g s" % v
    tables = []
    if isinstance(m.get("summary"), dict):
        tables.append({"title": "per setup", "head": ["setup", "bugs killed", "median time to detect"],
                       "rows": [[name, "%s of %s" % (r.get("killed"), r.get("bugs")), secs(r.get("median_s"))]
                                for name, r in m["summary"].items()]})
    if isinstance(m.get("engines"), dict):
        tables.append({"title": "per engine", "head": ["engine", "kills", "median time to detect"],
                       "rows": [[name, str(r.get("kills")), secs(r.get("median_s"))] for name, r in m["engines"].items()]})
    return tables


def read_semantics(out):
    """The first fuzzing run's semantics coverage (report.json
    coverage.semantics, semantics_coverage.py): totals and what was not
    reached; None when no run measured it."""
    for path in sorted(glob.glob(os.path.join(out, "*", "report.json"))):
        try:
            with open(path) as f:
                sem = ((json.load(f).get("coverage") or {}).get("semantics"))
        except (OSError, ValueError, AttributeError):
            continue
        if sem:
            return {"run": os.path.basename(os.path.dirname(path)), "rule_totals": sem.get("rule_totals", {}),
                    "entry_totals": sem.get("entry_totals", {}),
                    "rules_not_reached": [r["rule"] for r in sem.get("rules", []) if r["status"] == "not reached"]}
    return None


def semantics_text(sem):
    rt, et = sem["rule_totals"], sem["entry_totals"]
    return ("Rules of docs/semantics.md the %s corpus reached (by their tagged code): %d reached, %d not reached%s, "
            "%d not tagged; catalogue entries they cite: %d reached, %d not reached (details: %s/report.md)." % (
                sem["run"], rt.get("reached", 0), rt.get("not reached", 0),
                " (" + ", ".join(sem["rules_not_reached"]) + ")" if sem["rules_not_reached"] else "",
                rt.get("not tagged", 0), et.get("reached", 0), et.get("not reached", 0), sem["run"]))


def read_findings(out):
    """Every fuzzing run's findings, their files as paths in out."""
    found = []
    for path in sorted(glob.glob(os.path.join(out, "*", "report.json"))):
        run = os.path.basename(os.path.dirname(path))
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError):
            continue
        for f in report.get("findings") or []:
            files = {k: "%s/%s" % (run, f[k]) for k in ("trace", "reproduce") if f.get(k)}
            wine = f.get("wine") or {}
            if wine.get("draft"):
                files["Wine draft"] = "%s/%s" % (run, wine["draft"])
            files = {k: v for k, v in files.items() if os.path.exists(os.path.join(out, v))}
            blame = f.get("blame") or {}
            found.append({"run": run, "name": f.get("name"), "status": f.get("status", "new"),
                          "summary": (f.get("signature") or {}).get("summary", ""), "files": files,
                          "blamed": "%s (%s)" % (", ".join(blame["blamed"]), blame["by"]) if blame.get("by") else None,
                          "wine": wine.get("verdict")})
    return found


def list_reports(out):
    """Report files under out, grouped by folder: [(folder, [paths], more)]."""
    groups = []
    for folder, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if d not in NOT_REPORTS)
        rel = os.path.relpath(folder, out)
        names = sorted(n for n in files if n.endswith(REPORT_EXT) and not (rel == "." and n.startswith("index.")))
        paths = [n if rel == "." else "%s/%s" % (rel, n) for n in names]
        html_view = os.path.join(folder, "coverage-html", "index.html")
        if os.path.exists(html_view):
            paths.append(os.path.relpath(html_view, out))
        if paths:
            groups.append({"folder": "." if rel == "." else rel, "paths": paths[:MAX_LISTED],
                           "more": max(0, len(paths) - MAX_LISTED)})
    return groups


def read_map(out):
    """The map of one interesting trace that ci/campaign_map.py drew
    (MAP_DIR/map.svg, map.txt, map.trace; its Markdown block in map.md):
    {"svg", "files", "why", "summary"}, or None."""
    svg = os.path.join(out, MAP_DIR, "map.svg")
    if not os.path.exists(svg):
        return None
    why, summary, fenced = None, [], False
    try:
        with open(os.path.join(out, "map.md"), errors="replace") as f:
            for line in f.read().splitlines():
                if line.startswith("```"):
                    fenced = not fenced
                elif fenced:
                    summary.append(line)
                elif line.strip() and why is None and not line.startswith(("#", "!", "[")):
                    why = line.strip()
    except OSError:
        pass
    files = ["%s/%s" % (MAP_DIR, n) for n in ("map.txt", "map.trace") if os.path.exists(os.path.join(out, MAP_DIR, n))]
    return {"svg": "%s/map.svg" % MAP_DIR, "files": files, "why": why, "summary": summary}


def gather(out, history=None, metric=None, facts="", commit=None):
    """The front page's data, from the campaign's output folder."""
    out = os.path.abspath(out)
    steps = read_steps(out)
    metric_path = os.path.abspath(metric or os.path.join(out, METRIC))
    m, metric_error = read_metric(metric_path)
    rows = read_history(history)
    return {"title": "vas campaign, %s" % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commit": commit, "facts": facts,
            "verdict": "pass" if steps and all(s["status"] == "pass" for s in steps) else "FAIL",
            "steps": steps, "figures": read_figures(out),
            "coverage_trend": {"history": os.path.basename(history) if history else None, "rows": rows},
            "metric": m, "metric_error": metric_error,
            "metric_file": os.path.relpath(metric_path, out) if m else None,
            "trace_map": read_map(out),
            "metric_tables": metric_tables(m) if m else [], "semantics": read_semantics(out),
            "findings": read_findings(out), "reports": list_reports(out)}


# ---- the two renderings -------------------------------------------------------

def metric_cells(m):
    """[(bug label, {setup: (killed, runs, median, min, max)})] and the
    time-to-detect chart's rows."""
    rows, chart = [], []
    for b in m["bugs"]:
        label = b.get("id", "?") + (" " + b["what"] if b.get("what") else "")
        cells, times = {}, {}
        for s in m["setups"]:
            r = b["results"].get(s)
            if r is None:
                continue
            cells[s] = r
            med = r.get("median_s")
            times[s] = (med, r.get("min_s", med), r.get("max_s", med)) if med is not None else None
        rows.append((b, label, cells))
        chart.append((label, times))
    return rows, chart


def kill_text(r):
    if r is None:
        return "-"
    t = "%s/%s" % (r.get("killed", 0), r.get("runs", "?"))
    return t + (" (%.2g s)" % r["median_s"] if r.get("median_s") is not None else "")


def write_markdown(page, path):
    out = ["# " + page["title"], ""]
    out.append("commit `%s`%s. Result: **%s**." % (page.get("commit") or "unknown",
                                                    ", " + page["facts"] if page.get("facts") else "", page["verdict"]))
    out += ["", "The same page with charts: [index.html](index.html).", "",
            "| step | result | report |", "|---|---|---|"]
    for s in page["steps"]:
        link = "[%s](%s)" % (s["report"], s["report"]) if s["report_exists"] else "%s (missing)" % s["report"]
        out.append("| %s | %s | %s |" % (s["name"], s["status"], link))
    t = page["coverage_trend"]
    out += ["", "## Coverage across runs", ""]
    if t["rows"]:
        out += ["| run | commit | impl/ lines % | impl/ branches % | oracle/ lines % |", "|---|---|---|---|---|"]
        for i, r in enumerate(t["rows"]):
            out.append("| %d | `%s` | %s | %s | %s |" % (i + 1, (r.get("commit") or "?")[:10], share(r, "impl", "lines"),
                                                       share(r, "impl", "branches"), share(r, "oracle", "lines")))
    else:
        out.append("No history yet.")
    if page.get("semantics"):
        out += ["", semantics_text(page["semantics"])]
    out += ["", "## Bug-based metric", ""]
    m = page["metric"]
    if not m:
        out.append("Bug-based metric: %s." % page["metric_error"])
    else:
        rows, _chart = metric_cells(m)
        out.append("%d planted bugs, %s runs each per setup (`%s`). Cell: runs that killed the bug / runs "
                   "(median time to detect)." % (len(rows), m.get("runs", "?"), page["metric_file"]))
        for t in page["metric_tables"]:
            out += ["", "| " + " | ".join(t["head"]) + " |", "|" + "---|" * len(t["head"])]
            out += ["| " + " | ".join(r) + " |" for r in t["rows"]]
        out += ["", "| bug | reached | triggered | " + " | ".join(m["setups"]) + " |",
                "|---|---|---|" + "---|" * len(m["setups"])]
        for b, label, cells in rows:
            out.append("| %s | %s | %s | %s |" % (label, yes(b.get("reached")), yes(b.get("triggered")),
                                                 " | ".join(kill_text(cells.get(s)) for s in m["setups"])))
    out += ["", "## Findings", ""]
    for f in page["findings"]:
        files = ", ".join("[%s](%s)" % (k, v) for k, v in sorted(f["files"].items()))
        out.append("- %s `%s` (%s): %s %s%s" % (f["run"], f["name"], f["status"], f["summary"], files,
                                               finding_verdicts(f)))
    if not page["findings"]:
        out.append("None.")
    out += ["", "## Map of one trace", ""]
    tm = page["trace_map"]
    if tm:
        out += [tm["why"] or "The map (on impl, after its last operation).", "",
                "![address space map](%s)" % tm["svg"], "",
                ", ".join("[%s](%s)" % (os.path.basename(p), p) for p in tm["files"])]
        if tm["summary"]:
            out += ["", "```"] + tm["summary"] + ["```"]
    else:
        out.append("Not drawn (no map/map.svg).")
    out += ["", "## Figures", "", "```"]
    for fig in page["figures"]:
        out += [fig["label"] + ":"] + fig["lines"]
    out += ["```", "", "## Reports", ""]
    for g in page["reports"]:
        out.append("- %s: %s%s" % (g["folder"], ", ".join("[%s](%s)" % (os.path.basename(p), p) for p in g["paths"]),
                                   " and %d more" % g["more"] if g["more"] else ""))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def finding_verdicts(f):
    parts = []
    if f.get("blamed"):
        parts.append("blamed: " + f["blamed"])
    if f.get("wine"):
        parts.append("under Wine: " + f["wine"])
    return (" - " + "; ".join(parts)) if parts else ""


def share(row, folder, what):
    f = row.get(folder) or {}
    return "%.2f" % (100.0 * f[what + "_covered"] / f[what]) if f.get(what) else "-"


def yes(value):
    return "?" if value is None else ("yes" if value else "**no**")


CSS = """body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
.pass{background:#dfd}.FAIL{background:#fdd}.missing{color:#a00}.k0{background:#fdd}.kall{background:#dfd}
.ksome{background:#ffd}pre{background:#f6f6f6;padding:.5em;overflow-x:auto}svg{max-width:100%;height:auto}
img.map{max-width:100%;border:1px solid #ccc}"""


def e(text):
    return html.escape(str(text), quote=True)


def a(path, text=None):
    return '<a href="%s">%s</a>' % (e(path), e(text or path))


def kill_class(r):
    if r is None:
        return ""
    k, n = r.get("killed", 0), r.get("runs", 0)
    return "k0" if not k else ("kall" if k == n else "ksome")


def write_html(page, path):
    h = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
         '<title>%s</title>' % e(page["title"]), '<style>%s</style></head><body>' % CSS,
         '<h1>%s</h1>' % e(page["title"]),
         '<p>commit <code>%s</code>%s. Result: <strong class="%s">%s</strong>. Plain text: %s.</p>'
         % (e(page.get("commit") or "unknown"), e(", " + page["facts"] if page.get("facts") else ""),
            e(page["verdict"]), e(page["verdict"]), a("index.md")),
         '<nav>%s</nav>' % " | ".join(a("#" + i, t) for i, t in (
             ("steps", "steps"), ("coverage", "coverage"), ("metric", "bug-based metric"),
             ("findings", "findings"), ("map", "trace map"), ("figures", "figures"), ("reports", "reports"))),
         '<h2 id="steps">Steps</h2>', '<table><tr><th>step</th><th>result</th><th>report</th></tr>']
    for s in page["steps"]:
        link = a(s["report"]) if s["report_exists"] else '<span class="missing">%s (missing)</span>' % e(s["report"])
        h.append('<tr><td>%s</td><td class="%s">%s</td><td>%s</td></tr>' % (e(s["name"]), e(s["status"]),
                                                                          e(s["status"]), link))
    h.append('</table>')
    t = page["coverage_trend"]
    h.append('<h2 id="coverage">Coverage across runs</h2>')
    if t["rows"]:
        h.append(plot.trend_svg(t["rows"]))
        h.append('<p>From the history file <code>%s</code> (one line per campaign).</p>' % e(t["history"]))
    else:
        h.append('<p>No history yet.</p>')
    if page.get("semantics"):
        h.append('<p>%s</p>' % e(semantics_text(page["semantics"])))
    h.append('<h2 id="metric">Bug-based metric</h2>')
    m = page["metric"]
    if not m:
        h.append('<p>Bug-based metric: %s.</p>' % e(page["metric_error"]))
    else:
        rows, chart = metric_cells(m)
        h.append('<p>%d planted bugs, %s runs each per setup (%s). Cell: runs that killed the bug / runs '
                 '(median time to detect).</p>' % (len(rows), e(m.get("runs", "?")), a(page["metric_file"])))
        h.append(plot.detect_svg(chart, m["setups"]))
        for t in page["metric_tables"]:
            h.append('<table><tr>%s</tr>%s</table>' % ("".join("<th>%s</th>" % e(c) for c in t["head"]), "".join(
                "<tr>%s</tr>" % "".join("<td>%s</td>" % e(c) for c in r) for r in t["rows"])))
        h.append('<table><tr><th>bug</th><th>reached</th><th>triggered</th>%s</tr>'
                 % "".join("<th>%s</th>" % e(s) for s in m["setups"]))
        for b, label, cells in rows:
            h.append('<tr><td>%s</td><td>%s</td><td>%s</td>%s</tr>' % (
                e(label), e(yes(b.get("reached")).strip("*")), e(yes(b.get("triggered")).strip("*")),
                "".join('<td class="%s">%s</td>' % (kill_class(cells.get(s)), e(kill_text(cells.get(s))))
                        for s in m["setups"])))
        h.append('</table>')
    h.append('<h2 id="findings">Findings</h2>')
    if page["findings"]:
        h.append('<ul>')
        for f in page["findings"]:
            h.append('<li>%s <code>%s</code> (%s): %s %s%s</li>' % (
                e(f["run"]), e(f["name"]), e(f["status"]), e(f["summary"]),
                " ".join(a(v, k) for k, v in sorted(f["files"].items())), e(finding_verdicts(f))))
        h.append('</ul>')
    else:
        h.append('<p>None.</p>')
    h.append('<h2 id="map">Map of one trace</h2>')
    tm = page["trace_map"]
    if tm:
        h.append('<p>%s %s</p>' % (
            e(tm["why"] or "The map (on impl, after its last operation)."), ", ".join(a(p, os.path.basename(p)) for p in [tm["svg"]] + tm["files"])))
        h.append('<p><img class="map" src="%s" alt="address space map"></p>' % e(tm["svg"]))
        if tm["summary"]:
            h.append('<pre>%s</pre>' % e("\n".join(tm["summary"])))
    else:
        h.append('<p>Not drawn (no map/map.svg).</p>')
    h.append('<h2 id="figures">Figures</h2><pre>')
    for fig in page["figures"]:
        h.append(e(fig["label"] + ":\n" + "\n".join(fig["lines"])))
    h.append('</pre><h2 id="reports">Reports</h2><ul>')
    for g in page["reports"]:
        h.append('<li>%s: %s%s</li>' % (e(g["folder"]), ", ".join(a(p, os.path.basename(p)) for p in g["paths"]),
                                         e(" and %d more" % g["more"]) if g["more"] else ""))
    h.append('</ul></body></html>')
    with open(path, "w") as f:
        f.write("\n".join(h) + "\n")


def write_all(page, out):
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(page, f, indent=2, sort_keys=True)
        f.write("\n")
    write_markdown(page, os.path.join(out, "index.md"))
    write_html(page, os.path.join(out, "index.html"))
