"""Blame (issue 10, item 6): a golden conformance case that covers the
diverging operation outranks the majority vote (fuzz/fuzzlib/golden.py),
and each divergence is replayed through the real Windows API under Wine,
which says which side it agrees with and leaves a draft case
(fuzz/fuzzlib/wine_replay.py). The real thing throughout: the planted
decommit bug's replay builds (`fuzz.py build --engine replay
--planted-bug`), `TARGET_replay --check`, vastrace.exe under Wine.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_blame.py
"""
import os
import re
import subprocess
import sys

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import build, findings, golden, reports, wine_replay  # noqa: E402

G042 = os.path.join(REPO, "conformance", "cases", "free", "G042-decommit-makes-pages-reserved.trace")
# The planted bug leaves the last page of a decommit of more than one page
# committed: impl (and host, which is impl mirrored) against the oracle.
FINDING = "r0 = alloc 0 0x2000 RESERVE|COMMIT READWRITE\nfree r0 0x2000 DECOMMIT\n"


@pytest.fixture(scope="module")
def planted():
    """The replay builds of fuzz_diff (impl, oracle) and fuzz_diff_host
    (impl, oracle, host; x86) with the planted decommit bug."""
    out = build.build(REPO, "replay", True, log=lambda m: None, targets=["fuzz_diff", "fuzz_diff_host"])
    return {t: os.path.join(out, t) for t in ("fuzz_diff", "fuzz_diff_host")}


def divergence(replay, tmp_path, text):
    path = tmp_path / "finding.trace"
    path.write_text(text)
    status, report = findings.run_input(replay, str(path))
    assert status == 1 and "DIVERGENCE at op" in report, report
    return report


# ---- which case covers which operation (no build needed) ----------------------

def test_a_decoded_finding_is_covered_by_the_case_it_repeats():
    cases = golden.load_cases(os.path.dirname(G042))
    case, j = golden.find_cover(golden.Trace(FINDING), cases)
    assert os.path.basename(case.path) == os.path.basename(G042) and j == 1
    # Spelling does not matter: names, decimal numbers, prefixes, flag order;
    # nor do look-only operations before it.
    spelled = ("first = alloc 0 8192 MEM_COMMIT|MEM_RESERVE PAGE_READWRITE\nquery first\n"
               "free first 8192 MEM_DECOMMIT\n")
    assert golden.find_cover(golden.Trace(spelled), cases)[0].path == case.path
    # What changes state does: one more allocation, another size, a profile.
    for other in ("r0 = alloc 0 0x2000 RESERVE|COMMIT READWRITE\nr1 = alloc 0 0x1000 RESERVE READWRITE\n"
                  "free r0 0x2000 DECOMMIT\n",
                  "r0 = alloc 0 0x3000 RESERVE|COMMIT READWRITE\nfree r0 0x2000 DECOMMIT\n",
                  "profile: x86\n" + FINDING):
        assert golden.find_cover(golden.Trace(other), cases) is None, other


def test_the_golden_cut_keeps_the_covered_operation_and_the_queries_after_it():
    case = golden.Trace(open(G042).read(), G042)
    text, lines = golden.golden_cut(case, 1)
    ops = [l for l in text.splitlines() if l and not l.startswith(("name:", "source:"))]
    assert ops[0] == "a = alloc 0 0x2000 RESERVE|COMMIT READWRITE"        # its expectation dropped
    assert ops[1] == "free a 0x2000 DECOMMIT -> 1" and ops[2].startswith("query a -> {")
    assert len(ops) == 3 and lines == [5, 6]      # the read after the query changes state: cut there


def test_every_case_operation_with_an_expectation_covers_itself():
    cases = golden.load_cases(os.path.join(REPO, "conformance", "cases", "free"))
    for case in cases:
        for j, (line, _tokens, expect) in enumerate(case.ops):
            if expect is None:
                continue
            prefix = golden.Trace("\n".join(case.lines[:line]))
            found = golden.find_cover(prefix, cases)
            assert found is not None, (case.path, line)
            # the cover found may be another case with the same history: same operation
            assert golden.canonical_ops(found[0], found[1] + 1)[-1] == golden.canonical_ops(prefix, j + 1)[-1]


# ---- golden outranks the vote (the planted bug, real builds) --------------------

def test_golden_case_outranks_the_vote(planted, tmp_path):
    """impl and host share impl's code, so the planted bug wins the vote
    2 to 1 against the oracle; the golden case says impl and host are wrong."""
    report = divergence(planted["fuzz_diff_host"], tmp_path, "profile: x86\n" + FINDING)
    assert golden.vote_of(report) == "oracle"
    cases = tmp_path / "cases"
    cases.mkdir()
    # G042 as it would read for the x86 profile (fuzz_diff_host forces x86).
    (cases / "G042-x86.trace").write_text(open(G042).read().replace("\n\n", "\nprofile: x86\n\n", 1))
    result = golden.blame(report, golden.load_cases(str(cases)), planted["fuzz_diff_host"],
                          str(tmp_path / "work"), str(tmp_path))
    assert result["by"] == "golden" and result["blamed"] == ["host", "impl"] and result["vote"] == "oracle"
    assert result["checks"]["oracle"]["status"] == "pass"
    assert result["checks"]["impl"]["status"] == "fail" and "size=0x1000" in result["checks"]["impl"]["actual"]
    key = "divergence:free:commit charge:odd=oracle"
    assert golden.rekey(key, result) == "divergence:free:commit charge:golden=host+impl"
    text = reports.blame_text(result)
    assert "**host, impl**, by the golden case `cases/G042-x86.trace`" in text and "the vote, which said oracle" in text


def test_without_a_covering_case_the_vote_stands(planted, tmp_path):
    report = divergence(planted["fuzz_diff_host"], tmp_path, "profile: x86\n" + FINDING)
    result = golden.blame(report, golden.load_cases(os.path.join(REPO, "conformance", "cases")),
                          planted["fuzz_diff_host"], str(tmp_path / "work"), REPO)
    assert result["by"] == "vote" and result["blamed"] == ["oracle"]   # the checked-in cases are x64
    assert golden.rekey("k:odd=oracle", result) == "k:odd=oracle"
    assert "no conformance case covers" in reports.blame_text(result)


def test_two_backends_golden_names_the_one_that_is_wrong(planted, tmp_path):
    report = divergence(planted["fuzz_diff"], tmp_path, FINDING)
    assert golden.vote_of(report) is None           # two backends: nothing to vote with
    result = golden.blame(report, golden.load_cases(os.path.join(REPO, "conformance", "cases")),
                          planted["fuzz_diff"], str(tmp_path / "work"), REPO)
    assert result["by"] == "golden" and result["blamed"] == ["impl"]
    assert result["case"] == "conformance/cases/free/G042-decommit-makes-pages-reserved.trace"


# ---- the real Windows API under Wine -----------------------------------------

@pytest.fixture(scope="module")
def wine_exe():
    assert wine_replay.wine_program(), "wine is not installed (ci/install_deps.sh installs it)"
    exe = os.path.join(REPO, "build-win32", "vastrace.exe")
    if not os.path.exists(exe):
        done = subprocess.run(["sh", os.path.join(REPO, "conformance", "win32", "build.sh"),
                               os.path.dirname(exe)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert done.returncode == 0, done.stdout[-2000:]
    prefix = os.path.join(os.path.dirname(exe), "wineprefix")   # made once, reused (as conformance.py does)
    yield exe, prefix
    wine_replay.stop(prefix)


def test_wine_says_which_side_it_agrees_with_and_leaves_a_draft(planted, wine_exe, tmp_path):
    exe, prefix = wine_exe
    report = divergence(planted["fuzz_diff"], tmp_path, FINDING)
    prefix_text = golden.divergence_prefix(report)
    result = wine_replay.replay(prefix_text, "divergence-free-x", str(tmp_path), exe, planted["fuzz_diff"],
                                str(tmp_path / "work"), wineprefix=prefix, date="2026-12-02")
    assert result["verdict"] == "Wine agrees with oracle", result
    assert result["checks"]["impl"]["status"] == "fail"
    draft = open(result["draft"]).read()
    assert result["draft"] == str(tmp_path / "divergence-free-x.wine-draft.trace")
    assert "source: draft: replayed under Wine on 2026-12-02" in draft
    # Wine's own expectations: the address it chose as "nonzero", the state
    # the decommit left in the probes after it.
    assert "r0 = alloc 0 0x2000 RESERVE|COMMIT READWRITE -> nonzero" in draft
    assert re.search(r"^query r0 -> \{base=r0 .*size=0x2000 state=RESERVE", draft, re.M)
    # The draft is a case: the clean build's models both pass it.
    vastrace = os.environ.get("VASTRACE", os.path.join(REPO, "build", "harness", "vastrace"))
    for model in ("impl", "oracle"):
        done = subprocess.run([vastrace, "check", "--backend", model, result["draft"]], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        assert done.returncode == 0, done.stdout


def test_wine_cannot_decide_what_it_cannot_state_and_runs_x64_only(planted, wine_exe, tmp_path):
    exe, prefix = wine_exe
    x86 = wine_replay.replay("profile: x86\n" + FINDING, "f", str(tmp_path), exe, planted["fuzz_diff_host"],
                             str(tmp_path / "work"), wineprefix=prefix)
    assert x86["verdict"].startswith("not replayed: wine64 runs x64 processes only")
    # Every model agrees with Wine on a trace without the bug's shape.
    same = wine_replay.replay("r0 = alloc 0 0x1000 RESERVE|COMMIT READWRITE\nfree r0 0x1000 DECOMMIT\n", "g",
                              str(tmp_path), exe, planted["fuzz_diff"], str(tmp_path / "work"), wineprefix=prefix)
    assert same["verdict"].startswith("undecided: Wine's recording agrees with every model"), same
    missing = wine_replay.replay(FINDING, "h", str(tmp_path), str(tmp_path / "no.exe"), planted["fuzz_diff"],
                                 str(tmp_path / "work"))
    assert missing["verdict"] == "not replayed: no vastrace.exe (conformance/win32/build.sh)"


def test_the_report_states_blame_and_wine(tmp_path):
    finding = {"name": "f", "signature": {"key": "divergence:free:x:golden=impl", "summary": "s", "kind": "divergence"},
               "time_to_find_by_engine_s": {"libFuzzer": 1.0}, "count": 1, "bin": "findings/f.bin", "size": 9,
               "trace": "findings/f.trace", "reproduce": "findings/f.reproduce.sh", "status": "new",
               "blame": {"by": "golden", "blamed": ["impl"], "vote": None, "case": "conformance/cases/free/G042.trace",
                         "case_lines": [5, 6]},
               "wine": {"verdict": "Wine agrees with oracle", "draft": "findings/f.wine-draft.trace"}}
    report = {"seconds": 1, "cores": 2, "target": "fuzz_diff", "verdict": "1 finding(s)", "engines": [],
              "corpus": {"path": "c", "before": 0, "after": 0, "added": 0, "minimized": 0}, "findings": [finding]}
    reports.write_markdown(report, str(tmp_path / "report.md"))
    md = (tmp_path / "report.md").read_text()
    assert "- blamed: **impl**, by the golden case `conformance/cases/free/G042.trace` (lines 5, 6)" in md
    assert "- under Wine (the real API): Wine agrees with oracle; draft case `findings/f.wine-draft.trace`" in md
    assert reports.sarif_location({"signature": {"key": "divergence:free:x:golden=oracle"}}) == \
        {"artifactLocation": {"uri": "oracle/oracle.c"}}


def test_the_campaign_judges_a_finding_and_renames_its_signature(planted, wine_exe, tmp_path):
    """Campaign.judge and add_judgement, the campaign's own wiring, on a
    planted-bug divergence of fuzz_diff (the engines' part is tested in
    test_campaign.py; this one needs no fuzzing build)."""
    import argparse
    from fuzzlib import campaign
    exe, prefix = wine_exe
    p = argparse.ArgumentParser()
    campaign.add_arguments(p)
    args = p.parse_args(["--seconds", "1", "--out", str(tmp_path / "out"), "--planted-bug",
                         "--wine-exe", exe, "--wineprefix", prefix])
    c = campaign.Campaign(args)
    c.replay = planted["fuzz_diff"]
    report = divergence(planted["fuzz_diff"], tmp_path, FINDING)
    sig = findings.parse_signature(report, REPO)
    g = findings.Finding(sig)
    g.name = findings.slug(sig)
    dest = tmp_path / "out" / "findings"
    dest.mkdir(parents=True)
    c.judge(g, report, str(dest))
    f = {"signature": sig.as_dict()}
    c.add_judgement(f, g)
    assert f["blame"]["by"] == "golden" and f["blame"]["blamed"] == ["impl"]
    assert f["signature"]["key"] == sig.key + ":golden=impl"
    assert "golden case conformance/cases/free/G042-decommit-makes-pages-reserved.trace blames impl" in \
        f["signature"]["summary"]
    assert f["wine"]["verdict"] == "Wine agrees with oracle"
    assert f["wine"]["draft"] == "findings/%s.wine-draft.trace" % g.name and (dest / (g.name + ".wine-draft.trace")).exists()
    assert c.wine_used


def test_fuzz_py_judge_judges_saved_divergences(planted, wine_exe, tmp_path):
    """`fuzz.py judge`: saved traces (as vastrace random --save-dir leaves
    them) judged on the planted build: blame, Wine's side, a draft; a trace
    that agrees is said to."""
    exe, prefix = wine_exe
    saved = tmp_path / "divergences"
    saved.mkdir()
    (saved / "random-1.trace").write_text(FINDING)
    (saved / "random-2.trace").write_text("r0 = alloc 0 0x1000 RESERVE|COMMIT READWRITE\nfree r0 0 RELEASE\n")
    out = tmp_path / "judged"
    done = subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "judge", "--planted-bug", "--out", str(out),
                           "--wine-exe", exe, "--wineprefix", prefix, str(saved)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:]
    md = (out / "judge.md").read_text()
    assert "## random-1" in md and "- blamed: **impl**, by the golden case `conformance/cases/free/G042" in md
    assert "- under Wine (the real API): Wine agrees with oracle; draft case `random-1.wine-draft.trace`" in md
    assert (out / "random-1.wine-draft.trace").exists()
    assert "## random-2" in md and "- no divergence on this build" in md
