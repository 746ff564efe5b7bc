"""Every process a fuzzing run starts ends with it: the engines, AFL++'s
forkservers (the CMPLOG one sits stopped between runs and outlived
afl-fuzz once), libFuzzer's merge and minimize children - on a normal end
and when the run is sent SIGTERM.

Each run gets a unique marker in its environment; afterwards no process on
the machine may carry it.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_processes.py
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import engines  # noqa: E402


def carriers(marker):
    """Pids of live (not zombie) processes whose environment holds marker."""
    return sorted(carrier_states(marker))


def carrier_states(marker):
    """{pid: state letter} of the live (not zombie) processes whose
    environment holds marker."""
    needle = ("VAS_PROCESS_MARK=" + marker).encode()
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read()
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in env.split(b"\0") and state != "Z":
            found[int(pid)] = state
    return found


def marked_env():
    marker = uuid.uuid4().hex
    return marker, dict(os.environ, VAS_PROCESS_MARK=marker)


def test_end_group_kills_a_stopped_child_its_leader_left_behind():
    marker, env = marked_env()
    # The leader starts a child, stops it (as AFL++ leaves a forkserver) and exits.
    proc = engines.start_group(["sh", "-c", "sleep 300 & kill -STOP $!; exit 0"], env=env)
    proc.wait()
    assert wait_for(lambda: "T" in carrier_states(marker).values()), \
        "the test did not manage to leave a stopped child"
    engines.end_group(proc)
    # SIGKILL is delivered asynchronously: give the kernel a moment.
    assert wait_for(lambda: carriers(marker) == []), carriers(marker)


# As AFL++ starts a forkserver: in a session of its own (setsid), stopped.
FORKSERVER_LIKE = "setsid sh -c 'kill -STOP $$; sleep 300' & sleep 300"


def stopped_elsewhere(marker, proc):
    """The forkserver-like child has left proc's session and stopped itself.
    (Counting processes is not enough: under load the count is reached
    while the child is still a fork of sh that has not run setsid.)"""
    found = []
    for pid, state in carrier_states(marker).items():
        try:
            if state == "T" and os.getsid(pid) != proc.pid:
                found.append(pid)
        except ProcessLookupError:
            continue
    return found


def wait_for(predicate, seconds=30):
    deadline = time.time() + seconds
    while not predicate() and time.time() < deadline:
        time.sleep(0.05)
    return predicate()


def test_end_group_kills_a_stopped_descendant_in_another_session():
    marker, env = marked_env()
    proc = engines.start_group(["sh", "-c", FORKSERVER_LIKE], env=env)
    assert wait_for(lambda: stopped_elsewhere(marker, proc)), \
        "the setsid child did not stop in a session of its own: %r" % carrier_states(marker)
    engines.end_group(proc)
    assert wait_for(lambda: carriers(marker) == []), carriers(marker)


def test_end_all_kills_an_orphan_whose_leader_was_killed():
    """afl-fuzz killed outright leaves its forkserver to whoever reaps
    orphans: the run does (a child subreaper), and ends it."""
    marker, env = marked_env()
    proc = engines.start_group(["sh", "-c", FORKSERVER_LIKE], env=env)
    assert wait_for(lambda: stopped_elsewhere(marker, proc)), carrier_states(marker)
    os.killpg(proc.pid, signal.SIGKILL)          # the leader's group only
    proc.wait()
    assert wait_for(lambda: len(carriers(marker)) == 1), "no orphan left to test with"
    try:
        engines.end_all()
        assert wait_for(lambda: carriers(marker) == []), carriers(marker)
    finally:
        engines.STOPPING.clear()
        for pid in carriers(marker):
            os.kill(pid, signal.SIGKILL)


def test_run_group_ends_children_on_timeout():
    marker, env = marked_env()
    status, _out = engines.run_group(["sh", "-c", "sleep 300 & sleep 300"], timeout=0.5, env=env)
    assert status is None
    assert wait_for(lambda: carriers(marker) == []), carriers(marker)  # SIGKILL lands asynchronously


def tools_present():
    return all(shutil.which(t) for t in ("clang", "afl-fuzz", "afl-clang-fast"))


def campaign_cmd(tmp_path, seconds):
    corpus = tmp_path / "corpus"
    shutil.copytree(os.path.join(REPO, "corpus", "seed"), str(corpus))
    return [sys.executable, os.path.join(FUZZ, "fuzz.py"), "campaign", "--seconds", str(seconds),
            "--out", str(tmp_path / "out"), "--corpus", str(corpus), "--no-grow", "--skip", "coverage,merge"]


@pytest.mark.skipif(not tools_present(), reason="clang or AFL++ missing")
def test_campaign_leaves_no_process_behind(tmp_path):
    marker, env = marked_env()
    done = subprocess.run(campaign_cmd(tmp_path, 5), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)
    assert done.returncode in (0, 1), done.stdout[-3000:]
    # The AFL++ main ran with a CMPLOG forkserver.
    assert "-c" in open(tmp_path / "out" / "work" / "afl" / "afl-main.log").readline().split()
    assert carriers(marker) == []


@pytest.mark.skipif(not tools_present(), reason="clang or AFL++ missing")
def test_campaign_sent_sigterm_leaves_no_process_behind(tmp_path):
    marker, env = marked_env()
    proc = subprocess.Popen(campaign_cmd(tmp_path, 60), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    stats = tmp_path / "out" / "work" / "afl-sync" / "main" / "fuzzer_stats"
    try:
        deadline = time.time() + 600     # the builds, when nothing is built yet
        while not stats.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.5)
        assert stats.exists(), "AFL++ never started"
        assert len(carriers(marker)) >= 3   # the run, afl-fuzz, its forkservers, libFuzzer
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert carriers(marker) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in carriers(marker):   # never leave the machine worse than found
            os.kill(pid, signal.SIGKILL)
