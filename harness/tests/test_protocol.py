"""test_protocol.py - the backend protocol (docs/backend-protocol.md) end to
end: `vastrace serve` behind `exec:`, `vastrace protocol-check` against every
server the project ships, and the client's handling of servers that crash,
hang, close early, answer garbage or another protocol version: each reported
naming the backend and the operation, the run going on, every server reaped.

Run from the repository root with VASTRACE set (see test_runner.py).
"""
import glob
import os
import re
import subprocess
import sys
import uuid

import pytest

from test_runner import ROOT, find_vastrace

SERVER = os.path.join(ROOT, "harness", "tests", "servers", "misbehaving_server.py")
CASES = sorted(glob.glob(os.path.join(ROOT, "conformance", "cases", "**", "*.trace"), recursive=True))

WRITES = """a = alloc 0 0x10000 RESERVE|COMMIT READWRITE
query a
write a 01
read a 1
"""
NO_WRITES = """a = alloc 0 0x10000 RESERVE|COMMIT READWRITE
query a
"""


def run(*args, env=None, timeout=300):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([find_vastrace(), *args], capture_output=True, text=True,
                          timeout=timeout, env=e)


def serve(backend):
    return "exec:%s serve --backend %s" % (find_vastrace(), backend)


def misbehaving(mode):
    """An exec: spec with a marker, so the test can look for leftovers."""
    marker = "mark-" + uuid.uuid4().hex
    return "exec:%s %s %s %s" % (sys.executable, SERVER, mode, marker), marker


def leftovers(marker):
    p = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return p.stdout.split()


@pytest.fixture
def traces(tmp_path):
    w, n = tmp_path / "writes.trace", tmp_path / "no-writes.trace"
    w.write_text(WRITES)
    n.write_text(NO_WRITES)
    return str(w), str(n)


@pytest.mark.parametrize("backend", ["impl", "oracle", "host"])
def test_protocol_check_passes_on_every_shipped_server(backend):
    r = run("protocol-check", serve(backend))
    assert r.returncode == 0, r.stdout + r.stderr
    for check in ("handshake", "version mismatch", "malformed requests", "fresh-space isolation",
                  "every operation"):
        assert "PASS " + check in r.stdout
    assert "equal to the built-in model's" in r.stdout
    if backend == "impl":  # the model behind the servers offers every family in full
        assert re.search(r"in the (\d+) of \1 families offered in full", r.stdout), r.stdout


@pytest.mark.parametrize("mode,words", [
    ("garbage", "FAIL fresh-space isolation"),
    ("version", "FAIL handshake"),
    ("refuse", "FAIL handshake"),
    ("close", "FAIL fresh-space isolation"),
])
def test_protocol_check_fails_broken_servers(mode, words):
    spec, marker = misbehaving(mode)
    r = run("protocol-check", spec, env={"VAS_EXEC_TIMEOUT": "2"}, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert words in r.stdout
    assert leftovers(marker) == []


def test_served_impl_matches_in_process_on_every_case():
    r = run("diff", "--backends", "impl," + serve("impl"), *CASES)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert r.stdout.count("SAME ") == len(CASES)


def test_served_oracle_passes_the_conformance_cases():
    # Every case, GetWriteWatch's page list included (carried as the record's data).
    assert any(line.startswith("watch ") for c in CASES for line in open(c))
    r = run("check", "--backend", serve("oracle"), *CASES)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "does not support" not in r.stdout


def test_random_through_the_protocol():
    # The server declares every family (HELLO_OK features): no operation of
    # the random traces is dropped, stacks, views and processes included.
    r = run("random", "--backends", "impl," + serve("oracle"), "--traces", "100", "--ops", "60",
            "--seed", "11")
    assert r.returncode == 0, r.stdout
    assert "100 traces, 6000 ops on" in r.stdout, r.stdout
    assert "0 divergent" in r.stdout


def test_a_server_is_sent_only_the_families_it_declares(tmp_path):
    # misbehaving_server.py declares no optional family: the random traces
    # sent to it hold only the basic calls, while the same traces run in
    # process hold stacks, views and the rest.
    log = tmp_path / "ops"
    spec, marker = misbehaving("ok")
    r = run("random", "--backends", "impl," + spec, "--traces", "50", "--ops", "60", "--seed", "11",
            env={"VAS_TEST_OPLOG": str(log)}, timeout=300)
    words = set(log.read_text().split())
    assert "alloc" in words, r.stdout + r.stderr
    family = {"watch", "resetwatch", "lock", "unlock", "wsset", "wsmin", "wsmax", "locked", "isbadread",
              "isbadwrite", "isbadcode", "isbadstr", "thread", "thread_exit", "guarantee", "touch",
              "process", "close", "readproc", "writeproc", "section", "map", "unmap", "alloc2", "map3",
              "unmap2", "unmapex", "charge"}
    assert not words & family, words & family
    direct = run("random", "--backends", "impl,oracle", "--traces", "50", "--ops", "60", "--seed", "11")
    assert "50 traces, 3000 ops on" in direct.stdout, direct.stdout
    assert leftovers(marker) == []


def test_serve_without_leaves_families_out(tmp_path):
    # --without threads,processes: the handshake leaves both families out
    # (protocol-check says so), their operations are answered UNSUPPORTED,
    # the rest runs; an unknown family is refused by name.
    spec = serve("impl") + " --without threads,processes"
    r = run("protocol-check", spec)
    assert r.returncode == 0, r.stdout + r.stderr
    features = int(re.search(r"features (0x[0-9A-Fa-f]+)", r.stdout).group(1), 16)
    assert features & 64 == 0 and features & 128 == 0, r.stdout  # THREADS, PROCESSES
    assert features & 256, r.stdout                               # SECTIONS still offered
    assert re.search(r"thread stacks.*not offered", r.stdout), r.stdout
    assert re.search(r"processes.*operations UNSUPPORTED", r.stdout), r.stdout
    t = tmp_path / "t.trace"
    t.write_text("s = thread 0x20000\np = process\na = alloc 0 0x1000 RESERVE|COMMIT READWRITE\n")
    r = run("run", "--backend", spec, str(t))
    assert r.stdout.count("=> unsupported by") == 2, r.stdout
    assert "=> 0x" in r.stdout.split("a = alloc")[1], r.stdout
    r = subprocess.run([find_vastrace(), "serve", "--without", "threads,bogus"], capture_output=True,
                       text=True, input="", timeout=30)
    assert r.returncode == 2 and "unknown operation family 'bogus'" in r.stderr, r.stderr


def test_a_planted_divergence_is_seen_through_the_protocol(tmp_path):
    # The server runs impl, the client oracle: the comparison itself must
    # work on replayed results (a query of a free region compares maps).
    t = tmp_path / "t.trace"
    t.write_text("a = alloc 0 0x10000 RESERVE READWRITE\nalloc a 0x1000 COMMIT READWRITE\n"
                 "protect a 0x1000 READONLY\n")
    r = run("diff", "--backends", "oracle," + serve("impl"), str(t))
    assert r.returncode == 0, r.stdout
    spec, marker = misbehaving("ok")
    r = run("diff", "--backends", "impl," + spec, str(t))
    assert r.returncode == 1
    assert "DIVERGENCE at op 1" in r.stdout
    assert leftovers(marker) == []


def test_crash_is_a_finding_naming_the_op_and_the_run_goes_on(traces):
    spec, marker = misbehaving("crash-on-write")
    r = run("check", "--backend", spec, *traces)
    assert r.returncode == 2, r.stdout
    lines = r.stdout.splitlines()
    assert lines[0] == "ERROR " + traces[0]
    assert "server died (killed by signal 11" in lines[1]
    assert "during op 3 of 4: write a 01" in lines[1]
    assert spec in lines[1]
    assert lines[2] == "PASS " + traces[1]  # a restarted server ran the next trace
    assert leftovers(marker) == []

    r = run("diff", "--backends", "impl," + spec, traces[0])
    assert r.returncode == 1  # a crash on an input is a finding
    assert "BACKEND FAILURE" in r.stdout and "during op 3 of 4" in r.stdout
    assert "write a 01" in r.stdout.split("--- the trace ---")[1]
    assert leftovers(marker) == []


def test_hang_is_killed_and_reported(traces):
    spec, marker = misbehaving("hang-on-write")
    r = run("check", "--backend", spec, *traces, env={"VAS_EXEC_TIMEOUT": "1"}, timeout=60)
    assert r.returncode == 2
    assert "no answer within 1 s" in r.stdout and "during op 3 of 4: write a 01" in r.stdout
    assert "PASS " + traces[1] in r.stdout
    assert leftovers(marker) == []


@pytest.mark.parametrize("mode,message", [
    ("garbage", "out of range"),
    ("close", "server died (exited with status 0)"),
])
def test_garbage_and_early_close_are_reported(traces, mode, message):
    spec, marker = misbehaving(mode)
    r = run("check", "--backend", spec, traces[1], env={"VAS_EXEC_TIMEOUT": "2"}, timeout=60)
    assert r.returncode == 2
    assert message in r.stdout and spec in r.stdout
    assert leftovers(marker) == []


@pytest.mark.parametrize("mode,message", [
    ("version", "protocol version mismatch: client speaks 1, server answered 2"),
    ("refuse", "server refused the handshake (client speaks version 1): this server speaks version 7"),
])
def test_version_mismatch_is_reported(traces, mode, message):
    spec, marker = misbehaving(mode)
    r = run("check", "--backend", spec, traces[1])
    assert r.returncode == 2
    assert message in r.stderr
    assert leftovers(marker) == []


def test_conformance_runner_takes_exec_backends(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "conformance", "conformance.py"),
                        "--vastrace", find_vastrace(), "--backends", "impl," + serve("oracle"),
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "exec:" in r.stdout and "fail 0" in r.stdout


def test_fuzz_targets_take_outside_backends(tmp_path):
    replay = os.path.join(os.path.dirname(os.path.dirname(find_vastrace())), "fuzz", "fuzz_diff_replay")
    seeds = sorted(glob.glob(os.path.join(ROOT, "corpus", "seed", "*.bin")))[:40]
    env = dict(os.environ, VAS_FUZZ_BACKENDS="impl," + serve("oracle"))
    r = subprocess.run([replay, *seeds], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "all OK" in r.stderr + r.stdout
    # A server that answers zeros diverges on the first seed with an alloc.
    spec, marker = misbehaving("ok")
    env["VAS_FUZZ_BACKENDS"] = "impl," + spec
    r = subprocess.run([replay, *seeds], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode != 0
    assert "backends diverged" in r.stderr
    assert leftovers(marker) == []
