"""Runs .clusterfuzzlite/build.sh the way OSS-Fuzz and ClusterFuzzLite do
(their environment variables, a scratch SRC/OUT/WORK) and checks that what
lands in $OUT is usable: each target a libFuzzer binary that runs its own
seed corpus and dictionary without a finding.

Run: /usr/bin/python3 -m pytest fuzz/tests
"""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "fuzz"))
from fuzzlib import table  # noqa: E402

TARGETS = [t.name for t in table.TARGETS if t.oss_fuzz]


@pytest.fixture(scope="module")
def oss_fuzz_out(tmp_path_factory):
    if shutil.which("clang") is None or shutil.which("clang++") is None:
        pytest.skip("clang is not installed")
    root = tmp_path_factory.mktemp("oss-fuzz")
    src, out, work = root / "src", root / "out", root / "work"
    for d in (src, out, work):
        d.mkdir()
    (src / "vas").symlink_to(REPO)
    env = dict(os.environ)
    env.update(
        CC="clang",
        CXX="clang++",
        CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only "
        "-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link",
        CXXFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only "
        "-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link",
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer",
        SANITIZER="address",
        FUZZING_ENGINE="libfuzzer",
        SRC=str(src),
        OUT=str(out),
        WORK=str(work),
    )
    done = subprocess.run(["bash", str(REPO / ".clusterfuzzlite" / "build.sh")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_target_and_its_files_are_in_out(oss_fuzz_out, target):
    binary = oss_fuzz_out / target
    assert binary.is_file() and os.access(binary, os.X_OK)
    assert (oss_fuzz_out / f"{target}.dict").read_text() == (REPO / "fuzz" / "vas.dict").read_text()
    assert f"dict = {target}.dict" in (oss_fuzz_out / f"{target}.options").read_text()
    seeds = list((REPO / "corpus" / "seed").glob("*.bin"))
    with zipfile.ZipFile(oss_fuzz_out / f"{target}_seed_corpus.zip") as z:
        names = z.namelist()
    assert len(names) >= len(seeds)
    assert not any(n.endswith((".md", ".trace")) for n in names)


@pytest.mark.parametrize("target", TARGETS)
def test_target_runs_its_seed_corpus_without_a_finding(oss_fuzz_out, target, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with zipfile.ZipFile(oss_fuzz_out / f"{target}_seed_corpus.zip") as z:
        z.extractall(corpus)
    run = subprocess.run([str(oss_fuzz_out / target), f"-dict={oss_fuzz_out / (target + '.dict')}",
                          "-runs=2000", "-seed=1", str(corpus)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Done 2000 runs" in run.stderr or "DONE" in run.stderr, run.stderr[-2000:]


def test_engine_actually_links_libfuzzer(oss_fuzz_out):
    # A target linked without LIB_FUZZING_ENGINE would have no libFuzzer flags.
    run = subprocess.run([str(oss_fuzz_out / "fuzz_diff"), "-help=1"],
                         capture_output=True, text=True, timeout=60)
    assert "Usage:" in run.stderr and "max_len" in run.stderr
