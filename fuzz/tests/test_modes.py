"""The run modes (fuzz/fuzzlib/modes.py): code-change tells new findings
from pre-existing ones by replaying them on the base build; prune keeps the
minimized corpus only when coverage holds; coverage mode writes the HTML
line view and a trend from the history file it appends to.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_modes.py
"""
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import corpus_merge, coverage, modes  # noqa: E402


def test_code_change_classifies_by_the_base_build(tmp_path):
    base = tmp_path / "base_replay"
    # The base build diverges (exit 1) on inputs holding OLD, as a bug the
    # base commit already had; agrees on the rest.
    base.write_text("#!/bin/sh\ngrep -q OLD \"$1\" && exit 1\nexit 0\n")
    base.chmod(base.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "a").write_text("OLD bug")
    (tmp_path / "b").write_text("a bug this change brought")
    assert modes.classify_against_base([str(tmp_path / "a"), str(tmp_path / "b")], str(base)) == \
        ["pre-existing", "new"]


def test_base_replay_is_built_from_a_worktree_that_is_removed_again(tmp_path):
    if shutil.which("cc") is None:
        pytest.skip("no cc")
    binary = modes.build_base_replay(REPO, "HEAD", str(tmp_path), "fuzz_diff", lambda m: None)
    assert os.access(binary, os.X_OK)
    listed = subprocess.run(["git", "-C", REPO, "worktree", "list"], stdout=subprocess.PIPE, text=True).stdout
    assert str(tmp_path) not in listed
    seed = os.path.join(REPO, "corpus", "seed", sorted(corpus_merge.list_inputs(os.path.join(REPO, "corpus", "seed")))[0])
    assert modes.classify_against_base([seed], binary) == ["new"]   # a seed agrees on HEAD


def test_trend_and_history(tmp_path):
    history = str(tmp_path / "h" / "history.jsonl")
    cov = {"folders": {"impl": {"lines": 200, "lines_covered": 100, "branches": 50, "branches_covered": 10},
                       "oracle": {"lines": 10, "lines_covered": 5, "branches": 2, "branches_covered": 1}}}
    modes.append_history(history, modes.history_row(cov, "abc"))
    cov["folders"]["impl"]["lines_covered"] = 110
    rows = modes.append_history(history, modes.history_row(cov, "def"))
    assert [r["commit"] for r in rows] == ["abc", "def"]
    points, delta = modes.trend(rows)
    assert [round(p[1], 1) for p in points] == [50.0, 55.0] and delta == (5.0, 0.0)


def test_replace_with_keeps_exactly_the_minimized_set(tmp_path):
    corpus, small = tmp_path / "corpus", tmp_path / "min"
    corpus.mkdir()
    small.mkdir()
    for name, data in (("a", b"1"), ("b", b"2"), ("c", b"3")):
        (corpus / name).write_bytes(data)
    (small / "x").write_bytes(b"1")
    (small / "y").write_bytes(b"4")
    assert corpus_merge.replace_with(str(corpus), str(small)) == 2
    assert sorted((corpus / n).read_bytes() for n in os.listdir(corpus)) == [b"1", b"4"]


def tools_present():
    return all(shutil.which(t) for t in ("clang", "afl-fuzz", "afl-clang-fast")) and coverage.tool("llvm-cov")


def small_corpus(tmp_path, n):
    folder = tmp_path / "kept"
    folder.mkdir()
    seeds = os.path.join(REPO, "corpus", "seed")
    for name in corpus_merge.list_inputs(seeds)[:n]:
        shutil.copyfile(os.path.join(seeds, name), str(folder / name))
    return folder


def campaign(*args):
    return subprocess.run([sys.executable, os.path.join(FUZZ, "fuzz.py"), "campaign"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.skipif(not tools_present(), reason="clang, AFL++ or llvm-cov missing")
def test_coverage_mode_writes_the_line_view_and_a_trend(tmp_path):
    kept = small_corpus(tmp_path, 25)
    history = tmp_path / "history.jsonl"
    for run in ("one", "two"):
        done = campaign("--mode", "coverage", "--corpus-dir", str(kept), "--history", str(history),
                        "--out", str(tmp_path / run), "--regression", str(tmp_path / "none"))
        assert done.returncode == 0, done.stdout[-3000:]
    data = json.load(open(tmp_path / "two" / "report.json"))
    assert data["mode"] == "coverage" and data["engines"] == []
    html = tmp_path / "two" / data["coverage_html"]
    assert html.is_file() and "vas_alloc.c" in html.read_text()
    assert data["coverage_trend"]["runs"] == 2 and data["coverage_trend"]["change_vs_previous"] == [0.0, 0.0]
    assert "### Trend" in (tmp_path / "two" / "report.md").read_text()


@pytest.mark.skipif(not tools_present(), reason="clang, AFL++ or llvm-cov missing")
def test_prune_keeps_coverage_and_drops_redundant_inputs(tmp_path):
    kept = small_corpus(tmp_path, 30)
    for name in corpus_merge.list_inputs(str(kept))[:5]:   # the same input twice is redundant
        shutil.copyfile(str(kept / name), str(kept / ("copy-" + name)))
    before = len(os.listdir(kept))
    done = campaign("--mode", "prune", "--corpus-dir", str(kept), "--out", str(tmp_path / "out"),
                    "--regression", str(tmp_path / "none"))
    assert done.returncode == 0, done.stdout[-3000:]
    c = json.load(open(tmp_path / "out" / "report.json"))["corpus"]
    assert c["before"] == before and c["pruned"] >= 5 and c["after"] == before - c["pruned"]
    assert len(os.listdir(kept)) == c["after"]
    for folder in ("impl", "oracle"):
        for k in ("lines_covered", "branches_covered"):
            assert c["coverage_after"][folder][k] >= c["coverage_before"][folder][k]


def test_prune_keeps_the_corpus_when_the_minimized_set_covers_less(tmp_path, monkeypatch):
    """The other branch of prune: coverage of the minimized set is lower
    (here: one line fewer in oracle/), so the kept corpus stays byte for
    byte as it was and the report says why."""
    from fuzzlib import campaign as campaign_mod
    kept = tmp_path / "kept"
    kept.mkdir()
    for i in range(6):
        (kept / ("input-%d" % i)).write_bytes(bytes([i]) * (i + 1))
    before = {n: (kept / n).read_bytes() for n in os.listdir(kept)}

    def merge_keeping_two(out_dir, in_dirs):
        for name in sorted(os.listdir(in_dirs[0]))[:2]:
            shutil.copyfile(os.path.join(in_dirs[0], name), os.path.join(out_dir, name))
        return 0

    def measured(binaries, inputs, work, repo):
        lines = 100 if len(inputs) == 6 else 99
        return {"folders": {"impl": {"lines_covered": 50, "branches_covered": 20},
                            "oracle": {"lines_covered": lines, "branches_covered": 30}}}

    monkeypatch.setattr(coverage, "corpus_coverage", measured)
    c = campaign_mod.Campaign.__new__(campaign_mod.Campaign)
    c.out, c.work, c.corpus = str(tmp_path / "out"), str(tmp_path / "work"), str(kept)
    c.kept, c.restored, c.log_file = True, 6, None
    c.merge_through_every_target = merge_keeping_two
    c.coverage_targets = lambda: {"fuzz_diff": "unused"}
    os.makedirs(c.work)
    d = c.prune()
    assert d["pruned"] == 0 and d["after"] == 6
    assert "covers less" in d["error"]
    assert d["coverage_after"]["oracle"]["lines_covered"] < d["coverage_before"]["oracle"]["lines_covered"]
    assert {n: (kept / n).read_bytes() for n in os.listdir(kept)} == before
