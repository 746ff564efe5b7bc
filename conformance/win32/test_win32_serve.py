"""test_win32_serve.py - `vastrace.exe serve` under Wine: the real Windows API
behind the backend protocol (docs/backend-protocol.md). protocol-check passes
against it; the conformance cases run through it as an exec: backend give the
same verdicts as `vastrace.exe check` in one Wine process; the known-deviations
list of the impl-vs-Wine fuzz target is current; a short run of that target
completes with figures.

Run from the repository root with VASTRACE set (the native vastrace) and the
native build's fuzz/wine_signatures next to it.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_win32 import REPO, exe, wine_command, wine_env  # noqa: F401  (exe is a fixture)

sys.path.insert(0, str(REPO / "harness" / "tests"))
from test_runner import find_vastrace  # noqa: E402


def serve_spec(exe):
    return "exec:%s %s serve" % (wine_command(), exe)


def run_native(*args, timeout=900):
    return subprocess.run([find_vastrace(), *args], capture_output=True, text=True,
                          env=wine_env(), timeout=timeout)


def test_protocol_check_passes_on_the_wine_server(exe):
    r = run_native("protocol-check", serve_spec(exe))
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    assert "server 'win32'" in r.stdout


def test_cases_through_the_server_match_check_in_one_process(exe):
    # Every case, GetWriteWatch's page list included (carried as the record's data).
    cases = sorted(str(p) for p in (REPO / "conformance" / "cases").rglob("*.trace"))
    served = run_native("check", "--json", "--backend", serve_spec(exe), *cases)
    # Through standard input: the paths overflow a Windows command line.
    direct = subprocess.run([wine_command(), str(exe), "check", "--json", "--files-from", "-"],
                            input="".join(c + "\n" for c in cases), capture_output=True,
                            text=True, env=wine_env(), timeout=900)
    import json
    a = [json.loads(line) for line in served.stdout.splitlines() if line.strip()]
    b = [json.loads(line) for line in direct.stdout.splitlines() if line.strip()]
    assert len(a) == len(b) == len(cases)
    differ = [(x["file"], x["status"], y["status"]) for x, y in zip(a, b) if x["status"] != y["status"]]
    assert differ == []


def test_known_deviations_list_is_current(exe):
    sig = Path(find_vastrace()).parent.parent / "fuzz" / "wine_signatures"
    r = subprocess.run(["bash", str(REPO / "fuzz" / "make_wine_known.sh"), "--check", "--signatures",
                        str(sig), "--exe", str(exe)], capture_output=True, text=True, env=wine_env(),
                       timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
