"""What makes a campaign run trustworthy in CI (issue 10): the known-findings
registry, reruns that mark a flaky finding, a reproducer beside each
finding, SARIF locations inside the repository, and - in one real run - the
kept corpus (restored, added, nothing lost), one wall-clock budget with
time per phase, and a report with seeds, commit, tool versions, command
lines and no machine paths.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_campaign_ci.py
"""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import campaign, engines, findings, known, reports  # noqa: E402

DIVERGENCE = """DIVERGENCE at op 2 of 2: commit charge differs: impl 0x3000, oracle 0x2000
--- results of: free r0+0x1000 0x2000 DECOMMIT
"""


# ---- the registry ---------------------------------------------------------------

def write_registry(tmp_path, entries):
    path = tmp_path / "known.json"
    path.write_text(json.dumps({"findings": entries}))
    return str(path)


def entry(signature, status, fixed_in=None):
    return {"signature": signature, "first_seen": "2026-12-01", "status": status, "fixed_in": fixed_in,
            "trace": "corpus/regression/x.trace"}


def test_registry_classifies_new_known_and_regression(tmp_path):
    entries = known.load(write_registry(tmp_path, [entry("divergence:free:commit charge", "open"),
                                                   entry("divergence:alloc:result", "fixed", "abc123")]))
    assert known.classify("divergence:free:commit charge", entries)[0] == "known"
    assert known.classify("divergence:alloc:result", entries)[0] == "regression"
    assert known.classify("divergence:query:query base", entries)[0] == "new"
    assert [known.fails(s) for s in ("new", "known", "regression")] == [True, False, True]


def test_registry_refuses_a_fixed_entry_without_its_commit(tmp_path):
    with pytest.raises(known.RegistryError, match="fixed_in"):
        known.load(write_registry(tmp_path, [entry("x", "fixed")]))
    with pytest.raises(known.RegistryError, match="status"):
        known.load(write_registry(tmp_path, [entry("x", "closed")]))


def test_repository_registry_is_valid():
    known.load(os.path.join(FUZZ, "known-findings.json"))


def test_known_finding_does_not_fail_the_junit_report(tmp_path):
    base = {"seconds": 1, "cores": 2, "target": "fuzz_diff", "verdict": "", "engines": [], "findings": [],
            "corpus": {"path": "c", "before": 0, "after": 0, "added": 0, "minimized": 0}}
    sig = findings.parse_signature(DIVERGENCE, REPO)
    for status, failures in (("known", "0"), ("new", "1"), ("regression", "1")):
        f = {"name": "x", "signature": sig.as_dict(), "engines": ["AFL++"], "time_to_find_s": 1.0,
             "status": status, "trace_text": ""}
        reports.write_junit(dict(base, findings=[f]), str(tmp_path / "junit.xml"))
        assert 'failures="%s"' % failures in (tmp_path / "junit.xml").read_text()


def test_signature_names_the_backend_the_vote_blames():
    voted = DIVERGENCE.replace("oracle 0x2000\n", "oracle 0x2000\nodd one out: impl (the other 2 backends agree)\n")
    sig = findings.parse_signature(voted, REPO)
    assert sig.key == "divergence:free:commit charge:odd=impl" and "odd one out: impl" in sig.summary
    assert findings.parse_signature(DIVERGENCE, REPO).key == "divergence:free:commit charge"
    oracle_blamed = findings.parse_signature(voted.replace("odd one out: impl", "odd one out: oracle"), REPO)
    sarif = reports.sarif_location({"signature": oracle_blamed.as_dict()})
    assert sarif["artifactLocation"]["uri"] == "oracle/oracle.c"


# ---- reruns, reproducer, SARIF ---------------------------------------------------

def fake_target(tmp_path, name, body):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def bare_campaign(tmp_path, **kw):
    p = argparse.ArgumentParser()
    campaign.add_arguments(p)
    args = p.parse_args(["--seconds", "1", "--out", str(tmp_path / "out"), "--corpus", str(tmp_path)])
    for k, v in kw.items():
        setattr(args, k, v)
    os.makedirs(args.out, exist_ok=True)
    return campaign.Campaign(args)


def test_reruns_mark_a_finding_that_does_not_always_repeat_as_flaky(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(DIVERGENCE)
    steady = fake_target(tmp_path, "steady", 'cat %s >&2; exit 1\n' % report)
    # Diverges on every other run: a counter file alternates.
    flaky = fake_target(tmp_path, "flaky", 'n=$(cat %s/n 2>/dev/null || echo 0); echo $((n+1)) > %s/n\n'
                        'if [ $((n %% 2)) = 0 ]; then cat %s >&2; exit 1; fi; exit 0\n'
                        % (tmp_path, tmp_path, report))
    c = bare_campaign(tmp_path, reruns=4)
    f = findings.Finding(findings.parse_signature(DIVERGENCE, REPO))
    c.libfuzzer, c.replay = steady, steady
    assert c.rerun(f, str(report)) == {"runs": 4, "reproduced": {"libfuzzer": 4, "replay": 4}, "flaky": False}
    c.replay = flaky
    r = c.rerun(f, str(report))
    assert r["reproduced"] == {"libfuzzer": 4, "replay": 2} and r["flaky"] is True


def test_reproducer_is_an_executable_script_naming_the_trace(tmp_path):
    c = bare_campaign(tmp_path)
    f = findings.Finding(findings.parse_signature(DIVERGENCE, REPO))
    f.name = "divergence-free-1"
    c.write_reproducer(f, str(tmp_path))
    script = tmp_path / "divergence-free-1.reproduce.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert '"$here/divergence-free-1.trace"' in text and "fuzz.py\" regression --targets fuzz_diff" in text
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0


def test_sarif_locations_are_files_in_the_repository(tmp_path):
    sig = findings.parse_signature(DIVERGENCE, REPO).as_dict()
    other = findings.parse_signature(DIVERGENCE.replace("free r0", "frobnicate r0"), REPO).as_dict()
    report = {"findings": [{"name": n, "signature": s, "engines": ["libFuzzer"], "time_to_find_s": 1.0,
                            "target": "fuzz_diff_host"} for n, s in (("a", sig), ("b", other))]}
    reports.write_sarif(report, str(tmp_path / "r.sarif"))
    sarif = json.load(open(tmp_path / "r.sarif"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["impl/src/vas_free.c", "fuzz/fuzz_diff_host.c"]
    assert all(os.path.isfile(os.path.join(REPO, u)) for u in uris)
    assert "originalUriBaseIds" not in sarif["runs"][0]


def test_afl_instances_differ_and_sync_within_a_short_run():
    assert engines.afl_flavours(1, True) == [()]
    flavours = engines.afl_flavours(5, True)
    assert flavours[0] == () and len(set(flavours[1:])) == 4 and ("asan",) in flavours
    assert ("asan",) not in engines.afl_flavours(5, False)
    env = engines.afl_environment(False, main=True)
    assert env["AFL_SYNC_TIME"] == "1" and env["AFL_FINAL_SYNC"] == "1"   # minutes: within a CI run
    assert "AFL_FINAL_SYNC" not in engines.afl_environment(False, main=False)


def test_bridge_copies_each_new_queue_entry_once(tmp_path):
    queue, dest = tmp_path / "queue", tmp_path / "lf"
    queue.mkdir()
    dest.mkdir()
    (queue / "id:000000,orig:a").write_bytes(b"1")
    bridge = engines.CorpusBridge(lambda: [("main", str(queue))], str(dest))
    bridge.pass_once()
    (queue / "id:000001,src:000000").write_bytes(b"2")
    (queue / ".state").mkdir()
    bridge.pass_once()
    bridge.pass_once()
    assert sorted(os.listdir(dest)) == ["afl-main-id_000000", "afl-main-id_000001"] and bridge.copied == 2


# ---- one real run: budget, kept corpus, provenance ---------------------------------

def tools_present():
    return all(shutil.which(t) for t in ("clang", "afl-fuzz", "afl-clang-fast"))


@pytest.mark.skipif(not tools_present(), reason="clang or AFL++ missing")
def test_budgeted_run_with_a_kept_corpus(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    seeds = sorted(os.listdir(os.path.join(REPO, "corpus", "seed")))
    restored = [n for n in seeds if n.endswith(".bin")][:3]
    for n in restored:
        shutil.copyfile(os.path.join(REPO, "corpus", "seed", n), str(kept / n))
    before = {n: (kept / n).read_bytes() for n in restored}
    out = tmp_path / "out"
    budget = 75
    # Build first (reused while up to date), so that the budget is tested
    # on a run and not on a first build of five engines on a busy machine.
    for engine in ("libfuzzer", "afl", "afl-cmplog", "replay", "coverage"):
        subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "build", "--engine", engine],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    started = time.time()
    done = subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "campaign", "--budget", str(budget),
                           "--corpus-dir", str(kept), "--seed", "4242", "--out", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.time() - started
    assert done.returncode in (0, 1), done.stdout[-3000:]
    data = json.load(open(out / "report.json"))
    # One budget for the whole run, stated margin, time per phase.
    assert data["budget"] == {"seconds": budget, "margin_s": campaign.BUDGET_MARGIN_S}
    assert elapsed <= budget + campaign.BUDGET_MARGIN_S, (elapsed, data["phases_s"])
    for phase in ("build", "fuzzing", "merge", "findings", "coverage", "reports", "total"):
        assert phase in data["phases_s"], phase
    assert data["phases_s"]["fuzzing"] >= data["seconds"] > 0
    # The kept corpus: restored inputs counted, new ones added, none lost.
    c = data["corpus"]
    assert c["kept"] and c["restored"] == len(restored)
    assert c["after"] == c["before"] + c["added"] and c["added"] > 0
    assert all((kept / n).read_bytes() == d for n, d in before.items())
    # Reproducibility: seeds, commit, tools, command lines.
    assert data["seed"] == 4242
    lf, afl = data["engines"]
    assert lf["seeds"] == [4242] and "-seed=4242" in lf["commands"][0]
    assert afl["seeds"] == [4242 + 100000] and "-s 104242" in afl["commands"][0]
    # Tuned for a short run: CMPLOG on the main, libFuzzer's folder imported
    # live (-F), a value-profile libFuzzer worker, AFL++ queue copied back.
    assert " -c " in afl["commands"][0] and " -F OUT/work/libfuzzer-corpus" in afl["commands"][0]
    assert "-use_value_profile=1" in lf["commands"][0]
    assert afl["exchanged_to_libfuzzer"] > 0
    assert len(data["provenance"]["commit"]) == 40
    assert data["provenance"]["tools"]["clang"] and data["provenance"]["tools"]["afl-fuzz"]
    assert "campaign --budget %d" % budget in data["provenance"]["command"]
    # No machine paths anywhere in the reports.
    for name in ("report.json", "report.md", "report.sarif", "junit.xml"):
        text = (out / name).read_text()
        assert REPO not in text and str(tmp_path) not in text, name
