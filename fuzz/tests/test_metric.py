"""The bug-based metric (fuzz/planted.md, fuzz/fuzzlib/metric.py,
`fuzz.py metric`): the list of planted bugs and the PLANT(n) marks in
impl/src agree; the summary counts only verified kills; and the short CI
mode runs for real: three bugs, K=1, libFuzzer and AFL++ from the seed
corpus, each bug reached and killed, metric.json as the front page reads it.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_metric.py   (builds three
targets once, then about a minute)
"""
import glob
import json
import os
import re
import subprocess
import sys

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import frontpage, metric  # noqa: E402


def marks_in_source():
    """{n: [files]} for every PLANT(n) in impl/src."""
    found = {}
    for path in glob.glob(os.path.join(REPO, "impl", "src", "**", "*.c"), recursive=True):
        with open(path) as f:
            for n in re.findall(r"\bPLANT\((\d+)\)", f.read()):
                found.setdefault(int(n), set()).add(os.path.relpath(path, REPO))
    return found


def test_planted_md_lists_every_plant_and_nothing_else():
    bugs = metric.planted_bugs()
    assert len(bugs) >= 30
    listed = {metric.plant_number(b[0]): b for b in bugs}
    assert len(listed) == len(bugs), "a bug id repeats"
    marks = marks_in_source()
    assert set(listed) == set(marks), "planted.md and the PLANT(n) marks differ: %s" % (
        sorted(set(listed) ^ set(marks)))
    for n, (bug_id, behaviour, where, what) in listed.items():
        assert where in marks[n], "%s is planted in %s, planted.md says %s" % (bug_id, sorted(marks[n]), where)
        assert behaviour and what
    behaviours = {b[1].split(":")[0] for b in bugs}
    for needed in ("alloc", "free", "protect", "query", "charge", "contents", "guard pages", "faults",
                   "write watch", "locking", "index at scale"):
        assert needed in behaviours, "no planted bug covers %s" % needed


def test_summary_counts_only_verified_kills():
    bugs = [("P01", "alloc: errors", "impl/src/vas_alloc.c", "zero size")]
    s = metric.SETUPS[0]
    runs = [{"killed": True, "other": False, "reached": True, "seconds": 2.0},
            {"killed": False, "other": True, "reached": True, "seconds": 1.0},   # another bug's crash
            {"killed": True, "other": False, "reached": True, "seconds": 4.0},
            {"killed": False, "other": False, "reached": False, "seconds": 60.0}]
    m = metric.summarize(bugs, [s], {("P01", s.name): runs}, 4, 60)
    r = m["bugs"][0]["results"][s.name]
    assert (r["killed"], r["runs"], r["other"], r["reached"]) == (2, 4, 1, 3)
    assert (r["median_s"], r["min_s"], r["max_s"]) == (3.0, 2.0, 4.0)
    assert m["bugs"][0]["triggered"] and m["summary"][s.name]["killed"] == 1
    none = metric.summarize(bugs, [s], {("P01", s.name): runs[3:]}, 1, 60)["bugs"][0]
    assert not none["triggered"] and none["results"][s.name]["median_s"] is None


def test_quick_mode_runs_and_front_page_reads_it(tmp_path):
    out = tmp_path / "metric"
    done = subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "metric", "--quick", "--out", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:]
    m = json.loads((out / "metric.json").read_text())
    assert m["runs"] == 1 and m["setups"] == [s.name for s in metric.QUICK_SETUPS]
    assert [b["id"] for b in m["bugs"]] == list(metric.QUICK_BUGS)
    for b in m["bugs"]:
        assert b["reached"], "%s: the planted line never ran" % b["id"]
        assert b["triggered"], "%s: no engine killed it\n%s" % (b["id"], done.stdout[-3000:])
        for name, r in b["results"].items():
            assert r["runs"] == 1 and r["killed"] in (0, 1)
            if r["killed"]:
                assert 0 < r["median_s"] <= m["budget_s"] + metric.GRACE_S
    assert "## Kill matrix" in (out / "metric.md").read_text()
    read, error = frontpage.read_metric(str(out / "metric.json"))
    assert error is None and len(read["bugs"]) == len(metric.QUICK_BUGS)
    # Every engine process ended with its run.
    assert not [p for p in os.popen("ps -eo args").read().splitlines() if "VAS_PLANT" in p or str(tmp_path) in p]
