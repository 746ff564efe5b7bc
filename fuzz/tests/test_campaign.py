"""Tests of the campaign (fuzz/fuzz.py campaign, fuzz/fuzzlib): the corpus
merge never loses an input, findings group by signature, every report file
is well formed, and a real 10-second campaign writes all of them.

Run: /usr/bin/python3 -m pytest -q fuzz/tests
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import corpus_merge, coverage, findings, plot, reports  # noqa: E402


def make_corpus(folder, contents):
    os.makedirs(folder, exist_ok=True)
    for name, data in contents.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def snapshot(folder):
    out = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = f.read()
    return out


ORIGINAL = {"a.bin": b"\x01\x02", "b.bin": b"\x03", "README.md": b"# seeds\n", "c": b"\x00\x00\x07"}


# ---- merge -------------------------------------------------------------

def copying_merge(out_dir, in_dirs):
    """A stand-in for libFuzzer -merge=1: every distinct input into out_dir."""
    for d in in_dirs:
        for name in corpus_merge.list_inputs(d):
            src = os.path.join(d, name)
            shutil.copyfile(src, os.path.join(out_dir, corpus_merge.file_sha1(src)))
    return 0


def test_merge_adds_new_inputs_and_keeps_the_old(tmp_path):
    corpus, queue = str(tmp_path / "corpus"), str(tmp_path / "queue")
    make_corpus(corpus, ORIGINAL)
    make_corpus(queue, {"id:000001": b"\x09\x09", "id:000002": b"\x01\x02"})  # one new, one known
    result = corpus_merge.merge_corpus(copying_merge, corpus, [queue], str(tmp_path / "min"))
    after = snapshot(corpus)
    assert result.error is None
    for name, data in ORIGINAL.items():
        assert after[name] == data
    assert len(result.added) == 1 and after[result.added[0]] == b"\x09\x09"
    assert result.before == 3 and result.after == 4
    assert result.minimized == 4


@pytest.mark.parametrize("how", ["raises", "nonzero", "partial-then-raises"])
def test_failed_merge_leaves_every_original_input(tmp_path, how):
    corpus, queue = str(tmp_path / "corpus"), str(tmp_path / "queue")
    make_corpus(corpus, ORIGINAL)
    make_corpus(queue, {"id:000001": b"\x09\x09"})

    def failing_merge(out_dir, in_dirs):
        if how == "nonzero":
            return 1
        if how == "partial-then-raises":
            with open(os.path.join(out_dir, "half"), "wb") as f:
                f.write(b"\x09")
        raise KeyboardInterrupt() if how == "raises" else OSError("disk full")

    if how == "raises":
        # An interruption must propagate, and still leave the corpus whole.
        with pytest.raises(KeyboardInterrupt):
            corpus_merge.merge_corpus(failing_merge, corpus, [queue], str(tmp_path / "min"))
    else:
        result = corpus_merge.merge_corpus(failing_merge, corpus, [queue], str(tmp_path / "min"))
        assert result.error is not None and result.added == []
    assert snapshot(corpus) == ORIGINAL


def test_merge_interrupted_while_adding_keeps_originals(tmp_path, monkeypatch):
    corpus, queue = str(tmp_path / "corpus"), str(tmp_path / "queue")
    make_corpus(corpus, ORIGINAL)
    make_corpus(queue, {"id:1": b"\x0a", "id:2": b"\x0b", "id:3": b"\x0c"})
    real_link = os.link
    calls = []

    def link_then_fail(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("no space left on device")
        return real_link(src, dst)

    monkeypatch.setattr(corpus_merge.os, "link", link_then_fail)
    result = corpus_merge.merge_corpus(copying_merge, corpus, [queue], str(tmp_path / "min"))
    after = snapshot(corpus)
    assert "stopped" in result.error
    for name, data in ORIGINAL.items():
        assert after[name] == data
    assert not [n for n in after if n.startswith(".incoming-")]   # no half-written file left
    assert len(after) == len(ORIGINAL) + 1                          # the one added before the failure


def test_merge_refused_by_verification_adds_nothing(tmp_path):
    corpus, queue = str(tmp_path / "corpus"), str(tmp_path / "queue")
    make_corpus(corpus, ORIGINAL)
    make_corpus(queue, {"id:1": b"\x0a"})
    result = corpus_merge.merge_corpus(copying_merge, corpus, [queue], str(tmp_path / "min"),
                                       verify=lambda folder: "replay diverged")
    assert result.error == "replay diverged"
    assert snapshot(corpus) == ORIGINAL


def test_merge_without_grow_only_writes_the_minimized_set(tmp_path):
    corpus, queue = str(tmp_path / "corpus"), str(tmp_path / "queue")
    make_corpus(corpus, ORIGINAL)
    make_corpus(queue, {"id:1": b"\x0a"})
    result = corpus_merge.merge_corpus(copying_merge, corpus, [queue], str(tmp_path / "min"), grow=False)
    assert snapshot(corpus) == ORIGINAL and result.minimized == 4


# ---- signatures and dedupe ------------------------------------------------

DIVERGENCE_REPORT = """==== fuzz_diff: backends diverged ====
DIVERGENCE at op 2 of 3: commit charge differs: impl 0x%X, oracle 0x2000

--- trace up to the diverging op ---
r0 = alloc 0 0x4000 RESERVE|COMMIT READWRITE
free r0+0x1000 0x2000 DECOMMIT
--- results of: free r0+0x1000 0x2000 DECOMMIT
"""

ASAN_REPORT = """==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011
    #0 0x55 in page_runs_split /work/main/impl/src/page_runs.c:120:5
    #1 0x56 in vas_free /work/main/impl/src/vas_free.c:40:9
SUMMARY: AddressSanitizer: heap-buffer-overflow /work/main/impl/src/page_runs.c:120:5 in page_runs_split
"""


def test_divergence_signature_ignores_values():
    a = findings.parse_signature(DIVERGENCE_REPORT % 0x3000, "/work/main")
    b = findings.parse_signature(DIVERGENCE_REPORT % 0x5000, "/work/main")
    assert a.key == b.key == "divergence:free:commit charge"
    assert a.kind == "divergence"


def test_sanitizer_signature_has_type_frame_and_location():
    s = findings.parse_signature(ASAN_REPORT, "/work/main")
    assert s.key == "AddressSanitizer:heap-buffer-overflow:page_runs_split"
    assert s.location == ("impl/src/page_runs.c", 120)


def test_binding_prefix_is_not_the_opcode():
    text = (DIVERGENCE_REPORT % 1).replace("--- results of: free r0+0x1000 0x2000 DECOMMIT",
                                           "--- results of: r1 = alloc 0 0x1000 RESERVE NOACCESS")
    assert findings.parse_signature(text, "/r").key == "divergence:alloc:commit charge"


def test_dedupe_groups_identical_signatures():
    texts = {"c1": DIVERGENCE_REPORT % 0x3000, "c2": DIVERGENCE_REPORT % 0x7000, "c3": ASAN_REPORT,
             "c4": DIVERGENCE_REPORT.replace("commit charge differs", "query base differs") % 1}
    crashes = [("libFuzzer", "c1", 5.0), ("AFL++", "c2", 2.0), ("AFL++", "c3", 9.0), ("libFuzzer", "c4", 7.0)]
    groups = findings.dedupe(crashes, lambda p: findings.parse_signature(texts[p], "/work/main"))
    assert [g.signature.key for g in groups] == [
        "divergence:free:commit charge", "divergence:free:query base",
        "AddressSanitizer:heap-buffer-overflow:page_runs_split"]
    assert sorted(p for _e, p, _t in groups[0].files) == ["c1", "c2"]
    assert groups[0].first_seconds == 2.0
    assert groups[0].first_by_engine() == {"AFL++": 2.0, "libFuzzer": 5.0}


def test_ddmin_finds_the_two_lines_that_matter():
    lines = ["op%d" % i for i in range(20)]
    result = findings.ddmin(lines, lambda s: "op3" in s and "op17" in s)
    assert result == ["op3", "op17"]


def test_coverage_ranges():
    assert coverage.ranges([9, 3, 4, 5, 11, 12]) == ["3-5", "9", "11-12"]


# ---- reports -------------------------------------------------------------

def sample_report(planted=False):
    sig = findings.parse_signature(DIVERGENCE_REPORT % 0x3000, "/work/main")
    f = findings.Finding(sig)
    f.files = [("libFuzzer", "/tmp/crash-1", 1.5)]
    f.name, f.trace_text, f.planted = findings.slug(sig), "r0 = alloc 0 0x4000 RESERVE|COMMIT READWRITE\n", planted
    f.trace_path, f.bin_path, f.min_size = "findings/x.trace", "findings/x.bin", 14
    asan = findings.Finding(findings.parse_signature(ASAN_REPORT, "/work/main"))
    asan.files = [("AFL++", "/tmp/id:0", 3.0)]
    asan.name = findings.slug(asan.signature)
    return {"repo": "/work/main", "target": "fuzz_diff", "seconds": 10, "cores": 2, "planted_bug": planted,
            "verdict": "2 finding(s)", "ok": False,
            "engines": [{"name": "libFuzzer", "execs": 10, "execs_per_sec": 1.0, "errors": []},
                        {"name": "AFL++", "execs": 0, "execs_per_sec": 0, "errors": ["did not start"]}],
            "corpus": {"path": "corpus/seed", "before": 3, "after": 4, "added": 1, "minimized": 2, "error": None},
            "findings": [f.as_dict(), asan.as_dict()], "regression": {"failed": False, "output": ""},
            "coverage": {"folders": {"impl": {"lines": 10, "lines_covered": 5, "branches": 4, "branches_covered": 1,
                                              "lines_pct": 50.0, "branches_pct": 25.0},
                                     "oracle": {"lines": 0, "lines_covered": 0, "branches": 0, "branches_covered": 0,
                                                "lines_pct": 0, "branches_pct": 0}},
                         "files": {"impl/src/a.c": {"lines": 10, "lines_covered": 5, "branches": 4,
                                                    "branches_covered": 1},
                                   "impl/src/host/host_x.c": {"lines": 8, "lines_covered": 6, "branches": 2,
                                                              "branches_covered": 2}},
                         "replayed_by": ["fuzz_diff", "fuzz_diff_host"],
                         "targets": {"fuzz_diff": {"impl": {"lines": 10, "lines_covered": 4, "branches": 4,
                                                            "branches_covered": 1}}},
                         "target_files": {"fuzz_diff": {"impl/src/a.c": {"lines": 10, "lines_covered": 4,
                                                                         "branches": 4, "branches_covered": 1}}},
                         "uncovered_impl_src": {"impl/src/a.c": [
                             {"lines": "3-5", "function": "grow", "reason": "alloc-failure"},
                             {"lines": "9", "function": "newer", "reason": "unexplained"}]},
                         "uncovered_by_reason": {"alloc-failure": 3, "unexplained": 1},
                         "idle_tags": ["impl/src/a.c:7 defensive"]},
            "timeline": [[0, 40.0, 50.0], [10, 50.0, 60.0]]}


def test_reports_are_well_formed(tmp_path):
    reports.write_all(sample_report(), str(tmp_path))
    data = json.load(open(tmp_path / "report.json"))
    assert data["findings"][0]["signature"]["key"] == "divergence:free:commit charge"

    suite = ET.parse(str(tmp_path / "junit.xml")).getroot()
    assert suite.tag == "testsuite"
    names = [c.get("name") for c in suite.iter("testcase")]
    assert names[:2] == ["libFuzzer", "AFL++"] and len(names) == 5   # 2 engines, replay, 2 findings
    assert suite.get("failures") == "3"                              # AFL++ and both findings

    sarif = json.load(open(tmp_path / "report.sarif"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert len(results) == 2
    assert "r0 = alloc 0 0x4000" in results[0]["message"]["text"]
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "impl/src/page_runs.c"
    assert results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 120
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rule_ids

    md = open(tmp_path / "report.md").read()
    assert "coverage.svg" in md and "impl/src/a.c" in md and "3-5" in md
    assert "COVERAGE.md" in md
    per_file = [l for l in md.splitlines() if l.startswith("| impl/src/a.c |")]
    assert per_file == ["| impl/src/a.c | 50.0% (5/10) | 25.0% (1/4) | 40.0% (4/10) | - |"]
    assert "| **unexplained** | 1 |" in md and "`grow` 3-5 (3): alloc-failure" in md
    assert "covered no never-run line in this run" in md and "`impl/src/a.c:7 defensive`" in md


def test_enclosing_functions_follow_definitions(tmp_path):
    src = tmp_path / "x.c"
    src.write_text("/* top */\n#include <stdlib.h>\nstatic int helper(int a);\n\n"
                   "static int helper(int a)\n{\n    return a;\n}\n"
                   "void *grow(size_t n,\n           int z)\n{\n    int k = helper(1);\n"
                   "    return malloc(n);\n}\n")
    names = coverage.enclosing_functions(str(src))
    assert names[1] is None and names[3] is None       # comment, declaration
    assert names[7] == "helper" and names[13] == "grow" and names[10] == "grow"


TAGGED_C = """/* fuzz-unreached-file: host-failure - the kernel refusing */
#include <stdlib.h>

/* Grows the thing.
 * fuzz-unreached: alloc-failure - malloc never fails while fuzzing */
static int grow(int a)
{
    return a ? 1 : 0;
}

int check(int a)
{
    if (a > 3)
        abort();    /* fuzz-unreached: defensive - callers pass 0..3 */
    /* fuzz-unreached: defensive — the table has four rows */
    if (a < 0) {
        char *s = "}";
        abort();
    }
    return grow(a);
}

int brand_new(void)
{
    return 2;
}
"""


def test_unreached_tags_cover_line_function_statement_file(tmp_path):
    src = tmp_path / "x.c"
    src.write_text(TAGGED_C)
    file_tag, functions, lines = coverage.unreached_tags(str(src))
    assert file_tag == ("host-failure", "the kernel refusing", 1)
    assert functions == {"grow": ("alloc-failure", "malloc never fails while fuzzing", 5)}
    assert lines[14] == ("defensive", "callers pass 0..3", 14)
    assert [n for n in lines if n != 14] == [16, 17, 18, 19]        # the whole if block, braces in strings ignored
    assert lines[16] == ("defensive", "the table has four rows", 15)


def test_uncovered_lines_get_reasons(tmp_path):
    os.makedirs(tmp_path / "impl" / "src" / "host")
    (tmp_path / "impl" / "src" / "vas_alloc.c").write_text(TAGGED_C.replace("fuzz-unreached-file", "no file tag"))
    (tmp_path / "impl" / "src" / "host" / "host_x.c").write_text(TAGGED_C)
    explained = coverage.explain_uncovered({"impl/src/vas_alloc.c": [8, 13, 14, 18, 25]}, str(tmp_path))
    assert explained["impl/src/vas_alloc.c"] == [
        {"lines": "8", "function": "grow", "reason": "alloc-failure", "why": "malloc never fails while fuzzing",
         "tag_line": 5},
        {"lines": "13", "function": "check", "reason": "unexplained", "why": ""},
        {"lines": "14", "function": "check", "reason": "defensive", "why": "callers pass 0..3", "tag_line": 14},
        {"lines": "18", "function": "check", "reason": "defensive", "why": "the table has four rows",
         "tag_line": 15},
        {"lines": "25", "function": "brand_new", "reason": "unexplained", "why": ""}]
    assert coverage.reason_totals(explained) == {"alloc-failure": 1, "defensive": 2, "unexplained": 2}
    # Tags that covered nothing are reported (stale, or the code now runs).
    assert coverage.idle_tags(explained, str(tmp_path)) == ["impl/src/host/host_x.c:1 host-failure",
                                                            "impl/src/host/host_x.c:5 alloc-failure",
                                                            "impl/src/host/host_x.c:14 defensive",
                                                            "impl/src/host/host_x.c:15 defensive"]
    host = coverage.explain_uncovered({"impl/src/host/host_x.c": [8, 25]}, str(tmp_path))
    assert [g["reason"] for g in host["impl/src/host/host_x.c"]] == ["alloc-failure", "host-failure"]
    host = coverage.explain_uncovered({"impl/src/host/host_x.c": [1]}, str(tmp_path), host_replayed=False)
    assert host["impl/src/host/host_x.c"][0]["reason"] == "host-only"


def test_every_tag_names_a_known_category():
    tags = coverage.tag_locations(REPO)
    assert len(tags) > 20, "the fuzz-unreached tags in impl/src went missing"
    unknown = ["%s:%d: %s" % t for t in tags if t[2] not in coverage.CATEGORIES]
    assert not unknown, unknown


def test_every_category_is_explained():
    with open(os.path.join(REPO, "fuzz", "COVERAGE.md")) as f:
        guide = f.read()
    missing = [c for c in coverage.CATEGORIES if "`%s`" % c not in guide]
    assert not missing, "fuzz/COVERAGE.md does not explain %s" % missing


def test_planted_finding_passes_in_junit(tmp_path):
    report = sample_report(planted=True)
    report["findings"] = report["findings"][:1]
    reports.write_all(report, str(tmp_path))
    suite = ET.parse(str(tmp_path / "junit.xml")).getroot()
    finding = [c for c in suite.iter("testcase") if c.get("classname") == "fuzz.finding"][0]
    assert finding.find("failure") is None


def test_svg_is_well_formed_xml():
    svg = plot.coverage_svg(60, [("impl/", [(0, 40.0), (30, 45.5), (60, 50.0)]), ("oracle/", [(0, 90.0)])],
                            [("AFL++ main edges", [(0, 100), (60, 900)]), ("libFuzzer cov <&>", [])])
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 2


# ---- end to end ----------------------------------------------------------

def tools_present():
    return all(shutil.which(t) for t in ("clang", "afl-fuzz", "afl-clang-fast")) and coverage.tool("llvm-cov")


@pytest.mark.skipif(not tools_present(), reason="clang, AFL++ or llvm-cov missing")
def test_ten_second_campaign_writes_every_report(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(os.path.join(REPO, "corpus", "seed"), str(corpus))
    before = snapshot(str(corpus))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "campaign", "--seconds", "10",
                           "--out", str(out), "--corpus", str(corpus), "--regression", str(tmp_path / "regression")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert done.returncode in (0, 1), done.stdout[-3000:]
    for name in ("report.md", "report.json", "junit.xml", "report.sarif", "coverage.svg"):
        assert (out / name).stat().st_size > 0, name
    data = json.load(open(out / "report.json"))
    assert (done.returncode == 0) == data["ok"]
    assert {e["name"] for e in data["engines"]} == {"libFuzzer", "AFL++"}
    assert all(e["execs"] > 0 for e in data["engines"]), data["engines"]
    assert data["coverage"]["folders"]["impl"]["lines_covered"] > 0
    # Host code counts: the corpus is also replayed by fuzz_diff_host.
    assert data["coverage"]["replayed_by"] == ["fuzz_diff", "fuzz_diff_host"]
    host = [f for n, f in data["coverage"]["files"].items() if n.startswith("impl/src/host/")]
    assert host and sum(f["lines_covered"] for f in host) > 0
    assert sum(f["lines_covered"] for n, f in data["coverage"]["target_files"]["fuzz_diff"].items()
               if n.startswith("impl/src/host/")) == 0
    ET.parse(str(out / "junit.xml"))
    ET.parse(str(out / "coverage.svg"))
    assert json.load(open(out / "report.sarif"))["version"] == "2.1.0"
    after = snapshot(str(corpus))
    assert all(after.get(n) == d for n, d in before.items())   # the corpus only grew
    assert len(after) == len(before) + data["corpus"]["added"]
