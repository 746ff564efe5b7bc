"""test_win32.py - the Windows conformance runner under Wine.

Builds build-win32/vastrace.exe with build.sh (or uses $VASTRACE_EXE), runs
hand-written traces through the real Windows API backend under wine64, and
checks the `check --json` contract, fault recovery, cleanup between traces in
one process, and `record`. A sample of conformance/cases is also run, to
check that every case yields one well-formed result.

Run: /usr/bin/python3 -m pytest conformance/win32/test_win32.py
Needs wine (64-bit) and x86_64-w64-mingw32-gcc; when either is missing the
tests fail saying so (they are not skipped).
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BUILD = REPO / "build-win32"
JSON_KEYS = {"file", "case", "backend", "status", "line", "op", "expected", "actual",
             "message", "elapsed_us"}

# Hand-written traces: what Windows x64 and Wine 8 both do.
TRACES = {
    "alloc_query.trace": """\
name: alloc-query
a = alloc 0 0x20000 RESERVE NOACCESS -> nonzero
alloc a 0x1000 COMMIT READWRITE -> a
query a -> {base=a alloc_base=a alloc_protect=NOACCESS size=0x1000 state=COMMIT protect=READWRITE type=PRIVATE ret=48}
query a+0x1000 -> {base=a+0x1000 alloc_base=a size=0x1F000 state=RESERVE protect=0 type=PRIVATE}
query a len=47 -> 0 err=BAD_LENGTH
alloc 0 0 COMMIT READWRITE -> 0 err=INVALID_PARAMETER
free a+0x1000 0 RELEASE -> 0 err=INVALID_ADDRESS
free a 0 RELEASE -> 1
query a -> {base=a alloc_base=0 state=FREE protect=NOACCESS type=0}
""",
    "access.trace": """\
name: access-faults
a = alloc 0 0x3000 RESERVE|COMMIT READWRITE -> nonzero
write a 0102030405 -> ok
read a 5 -> ok data=0102030405
free a+0x2000 0x1000 DECOMMIT -> 1
read a+0x1FFE 4 -> AV at=a+0x2000
write a+0x1FFF 0102 -> AV at=a+0x2000
protect a 0x1000 READONLY -> 1 old=READWRITE
write a 01 -> AV at=a
read a 1 -> ok data=01
protect a+0x1000 0x1000 READWRITE|GUARD -> 1 old=READWRITE
write a+0xFF0 fill=0xAB*0x20 -> AV at=a+0xFF0
protect a 0x1000 READWRITE -> 1 old=READONLY
write a+0xFF0 fill=0xAB*0x20 -> GUARD at=a+0x1000
read a+0xFF0 0x10 -> ok data=fill=0x00*0x10
query a+0x1000 -> {protect=READWRITE}
write a+0xFF0 fill=0xAB*0x20 -> ok
read a+0x1000 2 -> ok data=abab
free a 0 RELEASE -> 1
read a 1 -> AV at=a
""",
    "exec.trace": """\
name: exec
a = alloc 0 0x2000 RESERVE|COMMIT READWRITE -> nonzero
exec a -> AV at=a
write a c3 -> ok
protect a 0x1000 EXECUTE_READ -> 1 old=READWRITE
exec a -> ok
protect a 0x1000 EXECUTE_READ|GUARD -> 1 old=EXECUTE_READ
exec a -> GUARD at=a
exec a -> ok
free a+0x1000 0x1000 DECOMMIT -> 1
exec a+0x1000 -> AV at=a+0x1000
""",
    "fixed_1.trace": """\
name: fixed-address-first
b = alloc 0x50000000 0x10000 RESERVE|COMMIT READWRITE -> 0x50000000
write b fill=0x11*0x10000 -> ok
""",
    "fixed_2.trace": """\
name: fixed-address-again
query 0x50000000 -> {base=0x50000000 alloc_base=0 state=FREE}
b = alloc 0x50000000 0x10000 RESERVE|COMMIT READWRITE -> 0x50000000
read b+0xFFFF 1 -> ok data=00
""",
    "lasterror.trace": """\
name: last-error
geterr -> 0
seterr 1234
a = alloc 0 0x1000 RESERVE|COMMIT READWRITE -> nonzero
geterr -> 1234
protect a 0x1000 READWRITE nullold -> 0 err=NOACCESS
geterr -> NOACCESS
""",
}
WRONG = """\
name: wrong-expectation
a = alloc 0 0x1000 RESERVE|COMMIT READWRITE -> nonzero
read a 1 -> AV at=a
"""
X86 = """\
name: x86-profile
profile: x86
a = alloc 0 0x1000 RESERVE|COMMIT READWRITE -> nonzero
"""


def wine_command():
    """The wine launcher for 64-bit programs, or a failure naming what is missing."""
    for name in ("wine64", "wine"):
        path = shutil.which(name)
        if path:
            return path
    if os.path.exists("/usr/lib/wine/wine64"):
        return "/usr/lib/wine/wine64"
    pytest.fail("wine is not installed (apt-get install wine wine64): "
                "the Windows backend cannot be tested")


def wine_env():
    env = dict(os.environ)
    env.setdefault("WINEPREFIX", str(BUILD / "wineprefix"))
    env["WINEDEBUG"] = "-all"
    return env


@pytest.fixture(scope="session")
def exe():
    """Path of vastrace.exe: $VASTRACE_EXE, else freshly built by build.sh."""
    given = os.environ.get("VASTRACE_EXE")
    if given:
        if not Path(given).is_file():
            pytest.fail(f"VASTRACE_EXE={given} does not exist")
        return Path(given)
    if not shutil.which("x86_64-w64-mingw32-gcc"):
        pytest.fail("x86_64-w64-mingw32-gcc is not installed (apt-get install "
                    "gcc-mingw-w64-x86-64): vastrace.exe cannot be built")
    built = subprocess.run(["sh", str(HERE / "build.sh"), str(BUILD)],
                           capture_output=True, text=True)
    assert built.returncode == 0, f"build.sh failed:\n{built.stderr}"
    # The build is -Wall -Wextra clean: any warning is a regression.
    assert "warning:" not in built.stderr, built.stderr
    return BUILD / "vastrace.exe"


def run_exe(exe, *args, timeout=600, input=None):
    return subprocess.run([wine_command(), str(exe), *map(str, args)], capture_output=True,
                          text=True, env=wine_env(), timeout=timeout, input=input)


def check_json(exe, files):
    """Runs `check --json` over files in one Wine process; returns (rc, results).
    The paths go through standard input: a Windows command line holds 32,767
    characters, fewer than 400 absolute paths in a deep checkout."""
    done = run_exe(exe, "check", "--json", "--files-from", "-",
                   input="".join(f"{f}\n" for f in files))
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    results = [json.loads(line) for line in lines]
    return done.returncode, results, done.stderr


@pytest.fixture(scope="session")
def traces(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traces")
    for name, text in {**TRACES, "wrong.trace": WRONG, "x86.trace": X86}.items():
        (folder / name).write_text(text)
    return folder


def test_hand_written_traces_pass_in_one_process(exe, traces):
    files = [traces / name for name in TRACES]
    rc, results, stderr = check_json(exe, files)
    assert len(results) == len(files), stderr
    for path, res in zip(files, results):
        assert set(res) == JSON_KEYS
        assert res["file"].endswith(path.name)
        assert res["backend"] == "win32"
        assert res["status"] == "pass", res
        assert isinstance(res["elapsed_us"], int) and res["elapsed_us"] >= 0
    assert rc == 0


def test_failed_expectation_is_reported_and_batch_goes_on(exe, traces):
    files = [traces / "wrong.trace", traces / "access.trace"]
    rc, results, _ = check_json(exe, files)
    assert rc == 1
    wrong, after = results
    assert wrong["status"] == "fail"
    assert wrong["case"] == "wrong-expectation"
    assert wrong["line"] == 3
    assert wrong["op"] == "read a 1"
    assert wrong["actual"] == "ok data=00"
    assert after["status"] == "pass"  # the process survived and went on


def test_x86_profile_cannot_be_provided(exe, traces):
    rc, results, _ = check_json(exe, [traces / "x86.trace", traces / "exec.trace"])
    assert rc == 2
    assert results[0]["status"] == "error"
    assert "x86" in (results[0]["message"] or "") or "cannot" in (results[0]["message"] or "")
    assert results[1]["status"] == "pass"


def test_record_writes_what_windows_did(exe, traces, tmp_path):
    out = tmp_path / "access.recorded.trace"
    done = run_exe(exe, "record", traces / "access.trace", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.startswith("name: access-faults\n")
    assert "a = alloc 0 0x3000 RESERVE|COMMIT READWRITE -> nonzero\n" in text
    assert "read a+0x1FFE 4 -> AV at=a+0x2000\n" in text
    assert "write a+0xFF0 fill=0xAB*0x20 -> GUARD at=a+0x1000\n" in text
    rc, results, _ = check_json(exe, [out])
    assert rc == 0 and results[0]["status"] == "pass", results


def test_record_of_a_wrong_expectation_corrects_it(exe, traces, tmp_path):
    out = tmp_path / "wrong.recorded.trace"
    done = run_exe(exe, "record", "--backend", "win32", traces / "wrong.trace", out)
    assert done.returncode == 0, done.stderr
    assert "read a 1 -> ok data=00\n" in out.read_text()


def test_conformance_cases_each_give_one_result(exe):
    cases = sorted((REPO / "conformance" / "cases").rglob("*.trace"))
    if not cases:
        pytest.fail("no conformance cases under conformance/cases")
    rc, results, stderr = check_json(exe, cases)
    assert len(results) == len(cases), stderr[-2000:]
    for path, res in zip(cases, results):
        assert set(res) == JSON_KEYS
        assert res["status"] in ("pass", "fail", "error")
        assert Path(res["file"]).name == path.name
    assert rc in (0, 1, 2)
    passed = sum(res["status"] == "pass" for res in results)
    print(f"{passed}/{len(results)} conformance cases pass under Wine")
    assert passed > 0
