"""test_wine_target.py - the impl-vs-Wine target (fuzz/fuzz_diff_wine.c)
fuzzes only what its server offers: with a server that leaves threads and
processes out (`vastrace serve --without threads,processes`, as the Wine
target's server runs), the seeds that create threads or processes run with
those operations dropped, and so agree. Served by the Linux model here, so
no Wine is needed: what is tested is the target's preparation of inputs.

Needs the native build's fuzz/fuzz_diff_wine_replay and harness/vastrace
($VAS_BUILD, default build/).
"""
import glob
import os
import re
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("VAS_BUILD", os.path.join(REPO, "build"))
REPLAY = os.path.join(BUILD, "fuzz", "fuzz_diff_wine_replay")
VASTRACE = os.path.join(BUILD, "harness", "vastrace")


def seeds_that_create(words):
    """The seed inputs whose trace binds a name with one of these operations
    (of those made from the stack and process cases: printing all 560 under
    ASan takes a minute)."""
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "corpus", "seed", "*stacks*.bin"))
                       + glob.glob(os.path.join(REPO, "corpus", "seed", "*process*.bin"))):
        text = subprocess.run([REPLAY, "--print", path], capture_output=True, text=True).stdout
        if re.search(r"= (%s) " % "|".join(words), text):
            found.append(path)
    return found


def test_thread_and_process_ops_are_dropped_for_a_server_without_them(tmp_path):
    assert os.access(REPLAY, os.X_OK), "not built: %s (set VAS_BUILD)" % REPLAY
    seeds = seeds_that_create(["thread", "process"])
    assert len(seeds) >= 10, seeds
    env = dict(os.environ,
               VAS_WINE_SERVER="%s serve --backend impl --without threads,processes" % VASTRACE,
               VAS_WINE_KNOWN=os.path.join(REPO, "fuzz", "wine-known-deviations.tsv"),
               VAS_WINE_FINDINGS=str(tmp_path))
    r = subprocess.run([REPLAY, *seeds], capture_output=True, text=True, env=env, timeout=300)
    m = re.search(r"(\d+) inputs \(([\d.]+) operations each after the drops\), (\d+) agreed, .* "
                  r"(\d+) new deviations, (\d+) errors", r.stderr)
    assert m, r.stderr[-2000:]
    inputs, agreed, new, errors = int(m.group(1)), int(m.group(3)), int(m.group(4)), int(m.group(5))
    # Run on impl alone, a dropped thread or process would make the two
    # sides' maps differ (13 of 20 such seeds diverge without the drop).
    assert (inputs, agreed, new, errors) == (len(seeds), len(seeds), 0, 0), r.stderr[-2000:]
