"""The campaign's front page (fuzz/fuzzlib/frontpage.py, `fuzz.py
frontpage`): index.md and index.html from one dict, checked in a real
headless browser (Debian's chromium, ci/install_deps.sh) by
fuzz/fuzzlib/pagecheck.py: the page loads, every link resolves, nothing
logs a console error. The checker itself is shown to fail on a broken link,
a missing fragment and a script error.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_frontpage.py   (about 10 s)
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import frontpage, pagecheck  # noqa: E402

METRIC = {"runs": 3, "budget_s": 60, "setups": ["libFuzzer, empty corpus", "AFL++, empty corpus"],
          "bugs": [{"id": "P01", "what": "decommit keeps the last page", "behaviour": "G050",
                    "reached": True, "triggered": True,
                    "results": {"libFuzzer, empty corpus": {"killed": 3, "runs": 3, "median_s": 0.7, "min_s": 0.2, "max_s": 1.9},
                                "AFL++, empty corpus": {"killed": 2, "runs": 3, "median_s": 12.0, "min_s": 4.0, "max_s": 30.0}}},
                   {"id": "P02", "what": "guard flag kept on protect", "reached": False, "triggered": False,
                    "results": {"libFuzzer, empty corpus": {"killed": 0, "runs": 3, "median_s": None,
                                                           "min_s": None, "max_s": None}}}],
          "summary": {"libFuzzer, empty corpus": {"bugs": 2, "killed": 1, "median_s": 0.7},
                      "AFL++, empty corpus": {"bugs": 1, "killed": 1, "median_s": 12.0}},
          "engines": {"libFuzzer": {"kills": 3, "median_s": 0.7}, "AFL++": {"kills": 2, "median_s": 12.0}}}
def history_row(commit, impl_covered):
    return {"commit": commit, "time": "2026-12-01T00:00:00Z",
            "impl": {"lines": 1000, "lines_covered": impl_covered, "branches": 400, "branches_covered": 150},
            "oracle": {"lines": 500, "lines_covered": 450, "branches": 100, "branches_covered": 80}}


def campaign_out(tmp_path, metric=True):
    """An output folder as ci/campaign.sh leaves it (small)."""
    out = tmp_path / "campaign"
    (out / "fuzz" / "findings").mkdir(parents=True)
    (out / "differential").mkdir()
    (out / "steps.tsv").write_text("unit tests (ctest)\tpass\tunit-tests.txt\n"
                                   "differential impl vs oracle\tpass\tdifferential/impl-oracle.txt\n"
                                   "differential fuzzing\tFAIL\tfuzz/report.md\n"
                                   "conformance suite\tFAIL\tconformance/summary.md\n")   # died: no report
    (out / "unit-tests.txt").write_text("100% tests passed\n")
    (out / "differential" / "impl-oracle.txt").write_text("traces: 1000, divergent: 0, 5123 traces/s\n")
    (out / "fuzz" / "report.md").write_text("# Fuzzing campaign\n| libFuzzer | 1 | 100 | 50 | ok |\n")
    (out / "fuzz" / "findings" / "divergence-free-abc123.trace").write_text(
        "commit-limit: 0x20000\n\nr0 = alloc 0 0xFFFF COMMIT EXECUTE_READ|GUARD\nfree r0+0xFFF 0xFFF DECOMMIT\n")
    (out / "fuzz" / "findings" / "divergence-free-abc123.reproduce.sh").write_text("#!/bin/sh\n")
    (out / "fuzz" / "report.json").write_text(json.dumps({"findings": [{
        "name": "divergence-free-abc123", "status": "new",
        "signature": {"key": "divergence:free:result", "summary": "free: result differs (op 2 of 2)"},
        "trace": "findings/divergence-free-abc123.trace",
        "reproduce": "findings/divergence-free-abc123.reproduce.sh",
        "blame": {"by": "golden", "blamed": ["impl"], "vote": None},
        "wine": {"verdict": "Wine agrees with oracle", "draft": "findings/divergence-free-abc123.wine-draft.trace"}}],
        "coverage": {"semantics": {"rule_totals": {"reached": 27, "not reached": 1, "not tagged": 37},
                                   "entry_totals": {"reached": 55, "not reached": 2, "no tagged rule": 219},
                                   "rules": [{"rule": "3.3", "status": "not reached"},
                                             {"rule": "2.1", "status": "reached"}]}}}))
    (out / "fuzz" / "findings" / "divergence-free-abc123.wine-draft.trace").write_text("name: draft\n")
    if metric:
        (out / "metric").mkdir()
        (out / "metric" / "metric.json").write_text(json.dumps(METRIC))
    history = tmp_path / "coverage-history.jsonl"
    history.write_text("".join(json.dumps(history_row(c, n)) + "\n" for c, n in (("aaa", 500), ("bbb", 620))))
    return out, history


def draw_map(out):
    """The map step of ci/campaign.sh, with the real vastrace."""
    done = subprocess.run([sys.executable, os.path.join(REPO, "ci", "campaign_map.py"), "--vastrace", real_vastrace(),
                           "--out", str(out / "map"), "--findings", str(out / "fuzz" / "findings"),
                           "--seeds", os.path.join(REPO, "corpus", "seed")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (out / "map.md").write_text(done.stdout)


def real_vastrace():
    path = os.environ.get("VASTRACE", os.path.join(REPO, "build", "harness", "vastrace"))
    assert os.access(path, os.X_OK), "vastrace not found at %s: build it (cmake --build build) or set VASTRACE" % path
    return path


def run_frontpage(out, history, check=True):
    cmd = [sys.executable, os.path.join(FUZZ, "fuzz.py"), "frontpage", "--out", str(out), "--history", str(history),
           "--facts", "2 cores, fuzzing 60 s"] + (["--check"] if check else [])
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)


@pytest.fixture(scope="module")
def browser():
    path = pagecheck.find_browser()
    assert path, "chromium is not installed: bash ci/install_deps.sh installs it"
    return path


def test_front_page_loads_with_every_link_resolving(tmp_path, browser):
    out, history = campaign_out(tmp_path)
    draw_map(out)
    done = run_frontpage(out, history)
    assert done.returncode == 0, done.stdout        # --check: loaded in chromium, no problem found
    page = (out / "index.html").read_text()
    md = (out / "index.md").read_text()
    data = json.loads((out / "index.json").read_text())
    # One source: every step, with its status, on both pages, in order.
    steps = [(s["name"], s["status"]) for s in data["steps"]]
    assert len(steps) == 4 and data["verdict"] == "FAIL"
    for name, status in steps:
        assert re.search(r"\| %s \| %s \|" % (re.escape(name), status), md)
        assert "<td>%s</td><td class=\"%s\">%s</td>" % (name, status, status) in page
    # A step that left no report is shown as missing, never linked.
    assert "conformance/summary.md (missing)" in md and 'href="conformance/summary.md"' not in page
    # The charts are inline SVG: the trend across the two runs, time to detect.
    assert page.count("<svg") == 2 and "Coverage across runs (2 in the history file)" in page
    assert "Time to detect" in page and "goal: median &lt; 5 s" in page
    # The kill matrix, the same cells on both pages.
    for cell in ("3/3 (0.7 s)", "2/3 (12 s)", "0/3"):
        assert cell in md and cell in page
    # The metric's figures per setup and per engine; the semantics coverage.
    for text in (md, page):
        assert "1 of 2" in text and "12 s" in text
        assert "27 reached, 1 not reached (3.3), 37 not tagged; catalogue entries they cite: 55 reached" in text
    # The map of the finding's trace, drawn by the real `vastrace map --svg`.
    assert "<svg" in (out / "map" / "map.svg").read_text() and 'src="map/map.svg"' in page
    assert "a finding of this campaign: divergence-free-abc123.trace" in page
    assert (out / "map" / "map.trace").read_text() == \
        (out / "fuzz" / "findings" / "divergence-free-abc123.trace").read_text()
    # The finding's blame and Wine's verdict, its draft case linked.
    for text in (md, page):
        assert "blamed: impl (golden); under Wine: Wine agrees with oracle" in text
    assert 'href="fuzz/findings/divergence-free-abc123.wine-draft.trace"' in page
    # Links to every report, the finding's files among them.
    for rel in ("unit-tests.txt", "differential/impl-oracle.txt", "fuzz/report.md", "metric/metric.json",
                "fuzz/findings/divergence-free-abc123.reproduce.sh", "map/map.txt", "map/map.trace"):
        assert 'href="%s"' % rel in page and "(%s)" % rel in md


def test_metric_and_map_absent_say_so(tmp_path):
    out, history = campaign_out(tmp_path, metric=False)
    done = run_frontpage(out, history, check=False)
    assert done.returncode == 0, done.stdout
    md, page = (out / "index.md").read_text(), (out / "index.html").read_text()
    assert "Bug-based metric: not run." in md and "Bug-based metric: not run." in page
    assert "Time to detect" not in page
    assert "Not drawn (no map/map.svg)." in md and "Not drawn (no map/map.svg)." in page


def test_history_with_a_torn_last_line_loses_that_run_only(tmp_path):
    history = tmp_path / "h.jsonl"
    history.write_text(json.dumps(history_row("aaa", 500)) + "\n" + '{"commit": "bb')
    assert [r["commit"] for r in frontpage.read_history(str(history))] == ["aaa"]


def test_checker_fails_on_a_broken_link_and_a_missing_fragment(tmp_path, browser):
    out, history = campaign_out(tmp_path)
    assert run_frontpage(out, history, check=False).returncode == 0
    os.unlink(out / "fuzz" / "report.md")          # a report gone after the page was written
    page = out / "index.html"
    page.write_text(page.read_text().replace("</body>", '<a href="#no-such-section">x</a></body>'))
    problems = pagecheck.check_page(str(page), browser=browser)
    assert any("fuzz/report.md: no such file" in p for p in problems), problems
    assert any("no element has id 'no-such-section'" in p for p in problems), problems
    assert run_frontpage(out, history, check=False).returncode == 0
    assert 'href="fuzz/report.md"' not in page.read_text()     # rewritten: the step shows it missing


def test_checker_fails_on_script_errors_and_leaving_the_folder(tmp_path, browser):
    out, history = campaign_out(tmp_path)
    assert run_frontpage(out, history, check=False).returncode == 0
    page = out / "index.html"
    page.write_text(page.read_text().replace(
        "</body>", '<a href="../elsewhere.txt">up</a><img src="http://127.0.0.1:9/x.png">'
                   '<script>console.error("drawn wrong"); no_such_function();</script></body>'))
    (tmp_path / "elsewhere.txt").write_text("exists, but outside the campaign's folder\n")
    problems = pagecheck.check_page(str(page), browser=browser)
    text = "\n".join(problems)
    assert "console.error: drawn wrong" in text
    assert "no_such_function is not defined" in text
    assert "../elsewhere.txt points outside the page's folder" in text
    assert "http://127.0.0.1:9/x.png leaves the page" in text


def test_checker_reports_a_page_that_is_not_there(tmp_path):
    assert pagecheck.check_page(str(tmp_path / "index.html")) == ["no page %s" % (tmp_path / "index.html")]
