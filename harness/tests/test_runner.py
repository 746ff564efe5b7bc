"""test_runner.py - the vastrace command line: exit codes, the --json contract
of `check`, the malformed-trace message, diff and random.

Run from the repository root:
    /usr/bin/python3 -m pytest harness/tests/test_runner.py
The binary is $VASTRACE, else the first of build-runner/, build/ that has one.
"""
import json
import os
import subprocess
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_vastrace():
    if os.environ.get("VASTRACE"):
        return os.environ["VASTRACE"]
    for build in ("build-runner", "build"):
        path = os.path.join(ROOT, build, "harness", "vastrace")
        if os.path.exists(path):
            return path
    pytest.skip("vastrace not built (set VASTRACE)")


def vastrace(*args):
    return subprocess.run([find_vastrace(), *args], capture_output=True, text=True, timeout=300)


PASSING = """name: runner-pass
a = alloc 0 0x20000 RESERVE NOACCESS -> nonzero
alloc a 0x1000 COMMIT READWRITE -> a
write a+0x10 0102 -> ok
read a+0x10 2 -> ok data=0102
read a+0x1000 1 -> AV at=a+0x1000
protect a 0x1000 READONLY -> 1 old=READWRITE
query a -> {base=a alloc_base=a state=COMMIT protect=READONLY size=0x1000}
charge -> 0x1000
free a 0 RELEASE -> 1
"""

# Line 3 expects the wrong protection; line 4 would fail too but is never reached.
FAILING = """name: runner-fail
a = alloc 0 0x10000 RESERVE|COMMIT READWRITE -> nonzero
protect a 0x1000 READONLY -> 1 old=EXECUTE_READ
query a -> {state=FREE}
"""

MALFORMED = """a = alloc 0 0x10000 RESERVE NOACCESS
protect a 0x1000 FROBNICATE
"""

JSON_KEYS = {"file", "case", "backend", "status", "line", "op", "expected", "actual",
             "message", "elapsed_us"}


@pytest.fixture
def traces(tmp_path):
    paths = {}
    for name, text in (("pass", PASSING), ("fail", FAILING), ("bad", MALFORMED)):
        p = tmp_path / (name + ".trace")
        p.write_text(text)
        paths[name] = str(p)
    return paths


def test_usage_errors_exit_2():
    assert vastrace().returncode == 2
    assert vastrace("no-such-command").returncode == 2
    assert vastrace("run").returncode == 2
    assert vastrace("check", "--backend", "no-such-backend", "x.trace").returncode == 2
    assert vastrace("diff", "--backends", "impl,nope", "x.trace").returncode == 2
    assert vastrace("random", "--traces").returncode == 2


def test_help_lists_commands_and_backends():
    r = vastrace("help")
    assert r.returncode == 0
    for word in ("run", "check", "diff", "random", "impl", "oracle"):
        assert word in r.stdout


def test_run_prints_ops_and_results(traces):
    r = vastrace("run", traces["pass"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "protect a 0x1000 READONLY -> 1 old=READWRITE" in r.stdout
    assert "=> 1 old=READWRITE" in r.stdout
    assert "=> AV at=a+0x1000" in r.stdout


def test_run_failed_expectation_exits_1(traces):
    r = vastrace("run", traces["fail"])
    assert r.returncode == 1
    assert "FAIL %s:3:" % traces["fail"] in r.stdout


def test_check_text(traces):
    r = vastrace("check", traces["pass"])
    assert r.returncode == 0
    assert r.stdout.strip() == "PASS " + traces["pass"]

    r = vastrace("check", traces["pass"], traces["fail"])
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "PASS " + traces["pass"]
    assert lines[1] == "FAIL %s:3: protect a 0x1000 READONLY" % traces["fail"]
    assert lines[2] == "  expected: 1 old=EXECUTE_READ"
    assert lines[3] == "  actual:   1 old=READWRITE"
    assert len(lines) == 4  # the case stopped at its first failure


def test_check_files_from_a_list_and_from_stdin(traces, tmp_path):
    """A batch too long for a Windows command line goes through --files-from;
    the results come in the list's order, after those named as arguments."""
    listing = tmp_path / "cases.txt"
    listing.write_text("%s\n\n%s\r\n" % (traces["fail"], traces["pass"]))
    r = vastrace("check", traces["pass"], "--files-from", str(listing))
    assert r.returncode == 1
    assert [line.split()[0] for line in r.stdout.splitlines() if not line.startswith(" ")] == \
        ["PASS", "FAIL", "PASS"]
    r = subprocess.run([find_vastrace(), "check", "--json", "--files-from", "-"],
                       input=traces["pass"] + "\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert json.loads(r.stdout)["file"] == traces["pass"]


def test_check_files_from_errors(tmp_path):
    r = vastrace("check", "--files-from", str(tmp_path / "missing.txt"))
    assert r.returncode == 2 and "missing.txt" in r.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    r = vastrace("check", "--files-from", str(empty))
    assert r.returncode == 2 and "names no trace" in r.stderr


@pytest.mark.parametrize("backend", ["impl", "oracle"])
def test_check_json_contract(traces, backend):
    r = vastrace("check", "--json", "--backend", backend, traces["pass"], traces["fail"])
    assert r.returncode == 1
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(objs) == 2
    for o in objs:
        assert set(o) == JSON_KEYS
        assert o["backend"] == backend
        assert isinstance(o["elapsed_us"], int) and o["elapsed_us"] >= 0
    ok, bad = objs
    assert ok["file"] == traces["pass"] and ok["case"] == "runner-pass"
    assert ok["status"] == "pass" and ok["line"] is None and ok["message"] is None
    assert bad["case"] == "runner-fail" and bad["status"] == "fail"
    assert bad["line"] == 3
    assert bad["op"] == "protect a 0x1000 READONLY"
    assert bad["expected"] == "1 old=EXECUTE_READ"
    assert bad["actual"] == "1 old=READWRITE"


def test_malformed_trace_exits_2_naming_file_line_token(traces):
    r = vastrace("check", traces["bad"])
    assert r.returncode == 2
    assert "%s:2: error:" % traces["bad"] in r.stderr
    assert "near 'FROBNICATE'" in r.stderr

    r = vastrace("check", "--json", traces["pass"], traces["bad"], traces["fail"])
    assert r.returncode == 2  # worse than a failure
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["status"] for o in objs] == ["pass", "error", "fail"]
    err = objs[1]
    assert set(err) == JSON_KEYS
    assert err["line"] == 2
    assert err["message"].startswith("%s:2: error:" % traces["bad"])
    assert "near 'FROBNICATE'" in err["message"]

    for cmd in ("run", "diff"):
        r = vastrace(cmd, traces["bad"])
        assert r.returncode == 2
        assert "%s:2: error:" % traces["bad"] in r.stderr


def test_missing_file_exits_2(tmp_path):
    r = vastrace("check", "--json", str(tmp_path / "absent.trace"))
    assert r.returncode == 2
    assert json.loads(r.stdout)["status"] == "error"


def test_diff_same(traces):
    r = vastrace("diff", traces["pass"])
    assert r.returncode == 0, r.stdout
    assert r.stdout.startswith("SAME ")
    r = vastrace("diff", "--backends", "oracle,impl", traces["pass"], traces["fail"])
    assert r.returncode == 0, r.stdout


def test_random_is_deterministic_and_prints_figures(tmp_path):
    args = ("random", "--traces", "30", "--ops", "40", "--seed", "7", "--save-dir", str(tmp_path))
    first, second = vastrace(*args), vastrace(*args)
    assert first.returncode == 0, first.stdout
    summary = [l for l in first.stdout.splitlines() if " traces, " in l]
    assert summary == ["30 traces, 1200 ops on impl,oracle, seed 7: 0 divergent"]
    assert summary == [l for l in second.stdout.splitlines() if " traces, " in l]
    assert "traces/s" in first.stdout and "ops/s" in first.stdout
    assert "impl " in first.stdout and "oracle " in first.stdout
    assert os.listdir(tmp_path) == []  # nothing diverged, nothing saved
