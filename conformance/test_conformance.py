"""test_conformance.py - the golden cases hold on both models, are well formed,
and the runner reports failures readably in every report format.

Run from the repository root:  VASTRACE=build/harness/vastrace /usr/bin/python3 -m pytest conformance
(without VASTRACE the first built vastrace among build/, build-conf/ is used).
"""

import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance  # noqa: E402

REPO = conformance.REPO
CASES = conformance.discover_cases()
# The case every report test plants its wrong expectation into.
PLANT_CASE = "alloc/G002-reserve-rounds-size-to-pages.trace"


def find_vastrace():
    env = os.environ.get("VASTRACE")
    if env:
        return env
    for d in ("build", "build-conf"):
        p = os.path.join(REPO, d, "harness", "vastrace")
        if os.access(p, os.X_OK):
            return p
    return conformance.DEFAULT_VASTRACE


VASTRACE = find_vastrace()


@pytest.fixture(scope="module")
def model_results():
    """Every case on impl and on oracle, one vastrace process per backend."""
    assert os.access(VASTRACE, os.X_OK), "vastrace not built at %s (set VASTRACE)" % VASTRACE
    results = {}
    for name in ("impl", "oracle"):
        results[name], _, _ = conformance.run_backend(conformance.vastrace_backend(name, VASTRACE), CASES)
    return results


@pytest.mark.parametrize("backend", ["impl", "oracle"])
@pytest.mark.parametrize("case", CASES, ids=[c.rel for c in CASES])
def test_model_passes_golden_case(model_results, backend, case):
    r = model_results[backend][case.rel]
    assert r.status == conformance.PASS, "%s on %s:\n%s" % (case.rel, backend, r.detail)


def test_case_count():
    assert len(CASES) >= 200


@pytest.mark.parametrize("case", CASES, ids=[c.rel for c in CASES])
def test_case_has_name_and_source(case):
    assert case.has_name, "%s has no name: header" % case.rel
    assert case.name == os.path.splitext(os.path.basename(case.rel))[0], "name: differs from the file name"
    assert case.sources, "%s has no source: line" % case.rel
    # At least one source is Windows evidence: a Microsoft Learn page or a
    # test in a named repository.
    evidence = [s for s in case.sources if "learn.microsoft.com" in s or re.match(r"[\w.-]+/[\w.-]+ \S+/", s)]
    assert evidence, "%s cites no Microsoft page or repository test" % case.rel
    if "docs/semantics.md decision" in " ".join(case.sources):
        assert len(evidence) >= 1


def test_case_names_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


def test_cases_cover_every_group():
    groups = {c.group for c in CASES}
    assert groups >= {"alloc", "free", "protect", "query", "guard", "access", "contents", "profiles", "charge"}


def plant_wrong_expectation(tmp_path):
    """A copy of one case whose query now expects the wrong region size."""
    src = os.path.join(conformance.DEFAULT_CASES, PLANT_CASE)
    text = open(src).read()
    assert "size=0x10000" in text
    dst = tmp_path / "planted.trace"
    dst.write_text(text.replace("size=0x10000", "size=0x20000"))
    return str(dst)


def test_planted_wrong_expectation_is_reported_with_diff(tmp_path):
    planted = plant_wrong_expectation(tmp_path)
    cases = conformance.discover_cases([planted])
    backends = conformance.find_backends(VASTRACE, only=["impl", "oracle"])
    suite = conformance.run_suite(cases, backends)
    assert not suite.ok()
    out = tmp_path / "report"
    conformance.write_reports(suite, str(out))
    for backend in ("impl", "oracle"):
        r = suite.results[backend][cases[0].rel]
        assert r.status == conformance.FAIL
        assert "query a" in r.detail
        assert "expected: {" in r.detail and "size=0x20000" in r.detail
        assert "actual:" in r.detail and "size=0x10000" in r.detail.split("actual:")[1]
    summary = (out / "summary.md").read_text()
    assert "FAILED" in summary and "expected: {" in summary and "size=0x20000" in summary
    page = (out / "report.html").read_text()
    assert "<details><summary>fail</summary>" in page and "size=0x20000" in page
    failures = ET.parse(str(out / "junit.xml")).getroot().findall(".//failure")
    assert len(failures) == 2 and "size=0x20000" in failures[0].text


def test_cli_exit_codes(tmp_path, capsys):
    good = os.path.join(conformance.DEFAULT_CASES, PLANT_CASE)
    args = ["--vastrace", VASTRACE, "--backends", "impl,oracle", "--out", str(tmp_path / "r")]
    assert conformance.main(args + [good]) == 0
    assert conformance.main(args + [plant_wrong_expectation(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"benchmark: backend=impl cases=1 seconds=[\d.]+ cases/s=", printed)


def test_reports_are_written_and_parse(tmp_path):
    cases = CASES[::25]
    backends = conformance.find_backends(VASTRACE, only=["impl", "oracle"])
    suite = conformance.run_suite(cases, backends)
    paths = conformance.write_reports(suite, str(tmp_path))
    data = json.load(open(paths["results.json"]))
    assert len(data["cases"]) == len(cases)
    assert data["cases"][0]["results"]["impl"]["status"] == "pass"
    root = ET.parse(paths["junit.xml"]).getroot()
    assert len(root.findall(".//testcase")) == 2 * len(cases)
    assert "<table>" in open(paths["report.html"]).read()
    assert "| impl |" in open(paths["summary.md"]).read()


def test_wine_statuses(tmp_path):
    """A stand-in win32 backend (really impl) shows how wine-deviates and n/a
    cases are classified, without needing Wine."""
    src = open(os.path.join(conformance.DEFAULT_CASES, PLANT_CASE)).read()
    header = "wine-deviates: planted reason\n"
    (tmp_path / "dev_pass.trace").write_text(src.replace("\n\n", "\n" + header + "\n", 1))
    (tmp_path / "dev_fail.trace").write_text(
        src.replace("size=0x10000", "size=0x20000").replace("\n\n", "\n" + header + "\n", 1))
    (tmp_path / "x86.trace").write_text(src.replace("\n\n", "\nprofile: x86\n\n", 1))
    (tmp_path / "plain_fail.trace").write_text(src.replace("size=0x10000", "size=0x30000"))
    cases = conformance.discover_cases([str(tmp_path)])
    fake = conformance.Backend(name="win32", kind="windows", command=[VASTRACE, "check", "--backend", "impl", "--json"])
    suite = conformance.run_suite(cases, [fake])
    by_file = {os.path.basename(c.rel): suite.results["win32"][c.rel] for c in cases}
    assert by_file["dev_pass.trace"].status == conformance.XPASS
    assert by_file["dev_fail.trace"].status == conformance.KNOWN
    assert "planted reason" in by_file["dev_fail.trace"].detail
    assert by_file["x86.trace"].status == conformance.NA
    assert by_file["plain_fail.trace"].status == conformance.FAIL
    assert not suite.ok()
    out = tmp_path / "out"
    conformance.write_reports(suite, str(out))
    root = ET.parse(str(out / "junit.xml")).getroot()
    skipped = [s.get("message") for s in root.findall(".//skipped")]
    assert any("known Wine deviation: planted reason" in m for m in skipped)
    assert any(m.startswith("n/a: profile x86") for m in skipped)


def test_the_backends_are_the_registry_s():
    """The columns come from `vastrace backends` (backend_registry.c), not a list of our own."""
    rows = conformance.registry(VASTRACE)
    assert ("impl", "model", None) in rows and ("oracle", "model", None) in rows
    assert ("win32", "windows", "vastrace.exe") in rows
    backends = conformance.find_backends(VASTRACE, win32_exe="/nonexistent/vastrace.exe")
    assert [b.name for b in backends] == [name for name, _, _ in rows]
    assert [b.kind for b in backends] == [kind for _, kind, _ in rows]
    win32 = next(b for b in backends if b.kind == "windows")
    assert not win32.available and "not built" in win32.reason
    with pytest.raises(ValueError):
        conformance.find_backends(VASTRACE, only=["no-such-backend"])
