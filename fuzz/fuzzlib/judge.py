"""judge.py - one divergence judged: who is to blame (golden.py: a covering
conformance case outranks the vote) and, given vastrace.exe, what the real
Windows API under Wine says (wine_replay.py, a draft case beside it). The
campaign judges each fuzzing finding this way; `fuzz.py judge` does the
same for saved divergence traces (`vastrace random --save-dir`, the
differential runs of ci/campaign.sh) and writes judge.md and judge.json.
"""
import json
import os
import subprocess

from . import findings, golden, wine_replay


def judge_report(report, name, dest, replay, cases, work, repo, wine_exe=None, wineprefix=None, timeout=120):
    """(blame, wine) for one divergence report of the replay build."""
    try:
        blame = golden.blame(report, cases, replay, work, repo, timeout=min(60, timeout))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        blame = {"by": None, "blamed": [], "vote": golden.vote_of(report), "error": str(e)[:300]}
    if not wine_exe:
        return blame, None
    prefix = golden.divergence_prefix(report)
    if prefix is None:
        return blame, {"verdict": "not replayed: no trace in the divergence report"}
    return blame, wine_replay.replay(prefix, name, dest, wine_exe, replay, work, wineprefix=wineprefix,
                                     timeout=timeout)


def judge_traces(paths, replay, cases, out, repo, wine_exe=None, wineprefix=None):
    """Every saved divergence trace of paths (files, or folders of .trace
    files) replayed on the replay build and judged. Returns the rows of
    judge.json."""
    traces = []
    for p in paths:
        if os.path.isdir(p):
            traces += sorted(os.path.join(p, n) for n in os.listdir(p) if n.endswith(".trace"))
        elif os.path.exists(p):
            traces.append(p)
    rows = []
    work = os.path.join(out, "work")
    for path in traces:
        name = os.path.splitext(os.path.basename(path))[0]
        status, report = findings.run_input(replay, path)
        row = {"trace": path, "name": name}
        if status == 0:
            row["verdict"] = "no divergence on this build"
        else:
            sig = findings.parse_signature(report, repo)
            row["divergence"] = sig.summary
            row["blame"], row["wine"] = judge_report(report, name, out, replay, cases, work, repo, wine_exe, wineprefix)
            if row["wine"] and row["wine"].get("draft"):
                row["wine"]["draft"] = os.path.relpath(row["wine"]["draft"], out)
        rows.append(row)
    return rows


def write(rows, out, shown_path=lambda p: p):
    from . import reports
    with open(os.path.join(out, "judge.json"), "w") as f:
        json.dump(rows, f, indent=2, sort_keys=True)
        f.write("\n")
    lines = ["# Divergences judged", "",
             "Each saved divergence replayed on the fuzz target's replay build; blamed by a covering golden "
             "case, else the vote (fuzz/fuzzlib/golden.py); replayed under Wine when vastrace.exe was given "
             "(fuzz/fuzzlib/wine_replay.py).", ""]
    if not rows:
        lines.append("No divergence to judge.")
    for r in rows:
        lines += ["## %s" % r["name"], "", "- trace: `%s`" % shown_path(r["trace"])]
        if "verdict" in r:
            lines.append("- %s" % r["verdict"])
        else:
            lines += ["- %s" % r["divergence"], "- blamed: %s" % reports.blame_text(r["blame"]),
                      "- under Wine (the real API): %s" % reports.wine_text(r["wine"])]
        lines.append("")
    with open(os.path.join(out, "judge.md"), "w") as f:
        f.write("\n".join(lines))
