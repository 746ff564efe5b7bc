"""The structure-aware mutator (fuzz/mutator.c) as AFL++ loads it: the
shared object of the afl-mutator engine, called through its afl_custom_*
entry points with ctypes. Its outputs must be inputs that decode to valid
traces (the replay driver prints them), it must change whole operations
(the number of operations changes in many, bulk operations appear), and it must
never hand back more than max_size bytes.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_mutator.py   (reuses build-fuzz/ while up to date)
"""
import ctypes
import os
import re
import subprocess
import sys

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import build  # noqa: E402

SEEDS = ["corpus-handcrafted-alloc-index-two-leaves.bin", "corpus-handcrafted-protect-runs.bin",
         "corpus-handcrafted-guard-one-shot.bin"]


def load(tmp_path):
    so = build.mutator_library(REPO, log=lambda m: None)   # build-fuzz/afl-mutator, reused while up to date
    lib = ctypes.CDLL(so)
    lib.afl_custom_init.restype = ctypes.c_void_p
    lib.afl_custom_init.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    lib.afl_custom_fuzz.restype = ctypes.c_size_t
    lib.afl_custom_fuzz.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)), ctypes.c_char_p,
                                    ctypes.c_size_t, ctypes.c_size_t]
    lib.afl_custom_deinit.argtypes = [ctypes.c_void_p]
    return lib


def test_mutations_change_whole_operations(tmp_path):
    lib = load(tmp_path)
    replay = os.path.join(build.build(REPO, "replay", log=lambda m: None), "fuzz_diff")
    state = lib.afl_custom_init(None, 7)
    out = ctypes.POINTER(ctypes.c_ubyte)()
    outputs = []
    try:
        for name in SEEDS:
            data = open(os.path.join(REPO, "corpus", "seed", name), "rb").read()
            other = open(os.path.join(REPO, "corpus", "seed", SEEDS[0]), "rb").read()
            for i in range(60):
                n = lib.afl_custom_fuzz(state, data, len(data), ctypes.byref(out), other, len(other), 4096)
                assert 0 < n <= 4096
                outputs.append((name, bytes(out[:n])))
        small = lib.afl_custom_fuzz(state, data, len(data), ctypes.byref(out), None, 0, 8)
        assert small <= 8
    finally:
        lib.afl_custom_deinit(state)
    folder = tmp_path / "outputs"
    folder.mkdir()
    for i, (_name, data) in enumerate(outputs):
        (folder / ("m%03d" % i)).write_bytes(data)
    printed = subprocess.run([replay, "--print", str(folder)], stdout=subprocess.PIPE, text=True, check=True).stdout
    seed_ops = {}
    for name in SEEDS:
        text = subprocess.run([replay, "--print", os.path.join(REPO, "corpus", "seed", name)],
                              stdout=subprocess.PIPE, text=True, check=True).stdout
        seed_ops[name] = sum(1 for line in text.splitlines() if line and not line.startswith(("#", "profile", "commit")))
    # Every output decodes (the replay driver printed each one) ...
    assert printed.count("bulk ") >= 2, "inserted operations are sometimes bulk operations (churn at scale)"
    # ... and the operation count changed for many of them (insert, delete,
    # duplicate, splice), not only bytes inside one operation.
    counts = []
    for i, (name, data) in enumerate(outputs):
        text = subprocess.run([replay, "--print", str(folder / ("m%03d" % i))], stdout=subprocess.PIPE,
                              text=True, check=True).stdout
        ops = sum(1 for line in text.splitlines() if line and not line.startswith(("#", "profile", "commit")))
        counts.append(ops != seed_ops[name])
    assert sum(counts) >= len(outputs) // 8, "too few mutations changed the number of operations"


def test_churn_recipes_reach_the_index_at_scale(tmp_path):
    """Churn inserts recipes of a few operations that make hundreds of
    allocations and use the index after changing it (fuzz/mutator.c, "Churn
    at scale"): from one small seed, some outputs hold each of them."""
    lib = load(tmp_path)
    replay = os.path.join(build.build(REPO, "replay", log=lambda m: None), "fuzz_diff")
    state = lib.afl_custom_init(None, 11)
    out = ctypes.POINTER(ctypes.c_ubyte)()
    data = open(os.path.join(REPO, "corpus", "seed", SEEDS[1]), "rb").read()
    folder = tmp_path / "churn"
    folder.mkdir()
    try:
        for i in range(1500):
            n = lib.afl_custom_fuzz(state, data, len(data), ctypes.byref(out), None, 0, 4096)
            if bytes([31]) in bytes(out[:n]):     # slot 31: a bulk operation
                (folder / ("m%04d" % i)).write_bytes(bytes(out[:n]))
    finally:
        lib.afl_custom_deinit(state)
    texts = [subprocess.run([replay, "--print", str(p)], stdout=subprocess.PIPE, text=True, check=True).stdout
             for p in sorted(folder.iterdir())]
    flat = ["\n".join(line for line in t.splitlines() if line and not line.startswith("#")) for t in texts]
    # holes below allocations too large for them, top-down
    assert any("bulk free 0 " in t and " 0x20000 RESERVE|TOP_DOWN" in t for t in flat)
    # passes releasing every second allocation
    assert any(t.count(" 0x1000 2\n") >= 1 and "bulk free" in t for t in flat)
    # a short run released and reserved over at its first granule
    assert any(re.search(r"bulk free (r\d+)\+(0x[0-9A-F]+) [2-8] 1\nr\d+ = alloc \1\+\2 ", t) for t in flat)


def successful_placeholder_calls(run_output):
    """Which placeholder calls succeeded in `vastrace run` output (an op line,
    then "  => RESULT"; a failure is "0 err=...")."""
    kinds = {"split": r"free .*PRESERVE_PLACEHOLDER", "coalesce": r"free .*COALESCE_PLACEHOLDERS",
             "map3": r"(\w+ = )?map3 ", "unmap2": r"unmap2 ", "replace": r"(\w+ = )?alloc2 .*REPLACE_PLACEHOLDER"}
    lines = run_output.splitlines()
    found = set()
    for op, result in zip(lines, lines[1:]):
        if result.startswith("  => ") and not re.match(r"0( |$)", result[5:]):
            found |= {kind for kind, pattern in kinds.items() if re.match(pattern, op)}
    return found


def test_placeholder_recipes_make_placeholder_calls_succeed(tmp_path):
    """Placeholder recipes (fuzz/mutator.c) insert a placeholder's life into
    an input without placeholders: run on impl, the outputs hold a successful
    split, coalesce, map3, unmap2 and replace (random operands almost never
    do: issue 12)."""
    lib = load(tmp_path)
    replay = os.path.join(build.build(REPO, "replay", log=lambda m: None), "fuzz_diff")
    vastrace = os.environ.get("VASTRACE", os.path.join(REPO, "build", "harness", "vastrace"))
    assert os.access(vastrace, os.X_OK), "vastrace not found at %s: build it or set VASTRACE" % vastrace
    state = lib.afl_custom_init(None, 13)
    out = ctypes.POINTER(ctypes.c_ubyte)()
    data = open(os.path.join(REPO, "corpus", "seed", SEEDS[1]), "rb").read()
    assert b"alloc2" not in subprocess.run([replay, "--print", os.path.join(REPO, "corpus", "seed", SEEDS[1])],
                                           stdout=subprocess.PIPE, check=True).stdout
    succeeded = set()
    recipes = 0
    try:
        for i in range(600):
            n = lib.afl_custom_fuzz(state, data, len(data), ctypes.byref(out), None, 0, 4096)
            path = tmp_path / ("m%04d" % i)
            path.write_bytes(bytes(out[:n]))
            text = subprocess.run([replay, "--print", str(path)], stdout=subprocess.PIPE, text=True,
                                  check=True).stdout
            if "RESERVE|RESERVE_PLACEHOLDER NOACCESS" not in text:
                continue
            recipes += 1
            trace = tmp_path / ("m%04d.trace" % i)
            trace.write_text(text)
            ran = subprocess.run([vastrace, "run", "--backend", "impl", str(trace)], stdout=subprocess.PIPE,
                                 text=True).stdout
            succeeded |= successful_placeholder_calls(ran)
    finally:
        lib.afl_custom_deinit(state)
    assert recipes >= 10, "placeholder recipes are inserted (%d of 600 outputs)" % recipes
    assert succeeded == {"split", "coalesce", "map3", "unmap2", "replace"}, succeeded
