"""findings.py - turns the engines' crash files into a few distinct,
minimized, readable regression traces.

A crash file is run once through the libFuzzer target, which prints either
the harness's divergence report or a sanitizer report on stderr. Its
signature (what diverged, on which operation; or the sanitizer's error type
and top frame) groups files that are the same bug. Each group's smallest
input is minimized twice: by libFuzzer (-minimize_crash, bytes), then by
delta debugging over the decoded trace's operations (a candidate counts only
if it still diverges with the same signature), and saved as NAME.bin (the
fuzzer input) + NAME.trace (`vastrace decode`).
"""
import hashlib
import os
import re
import shutil
import subprocess
import time

from . import engines

DIVERGENCE = re.compile(r"^DIVERGENCE at op (\d+) of (\d+)(?: \([^)]*\))?: (.*)$", re.M)
RESULTS_OF = re.compile(r"^--- results of: (.*)$", re.M)
ODD_ONE_OUT = re.compile(r"^odd one out: (\S+)", re.M)
CANNOT = re.compile(r"^(\S+) cannot perform op \d+", re.M)
SAN_SUMMARY = re.compile(r"^SUMMARY: (\w+Sanitizer): (\S+)", re.M)
UBSAN = re.compile(r"^(\S+?):(\d+):\d+: runtime error: (.*)$", re.M)
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+?):(\d+)(?::\d+)?$", re.M)
LEAK = re.compile(r"ERROR: LeakSanitizer: detected memory leaks")
NUMBER = re.compile(r"\b(0x[0-9A-Fa-f]+|\d+)\b")
# Folders a source location must be in to be reported as where a bug is.
CODE_FOLDERS = ("impl/", "oracle/", "harness/")


class Signature:
    def __init__(self, key, kind, summary, location=None):
        self.key = key            # what groups findings: equal keys, same bug
        self.kind = kind          # divergence | sanitizer | timeout | oom | leak | harness | unknown
        self.summary = summary    # one line for people
        self.location = location  # (repo-relative file, line) when a frame names one

    def as_dict(self):
        return {"key": self.key, "kind": self.kind, "summary": self.summary,
                "location": {"file": self.location[0], "line": self.location[1]} if self.location else None}


def repo_relative(path, repo):
    path = os.path.normpath(path)
    root = os.path.normpath(repo) + os.sep
    return path[len(root):] if path.startswith(root) else None


def first_code_frame(text, repo):
    """The innermost stack frame in the project's own code."""
    for m in FRAME.finditer(text):
        rel = repo_relative(m.group(2), repo)
        if rel and rel.startswith(CODE_FOLDERS):
            return m.group(1), rel, int(m.group(3))
    return None


def parse_signature(text, repo):
    """The signature of one crash from what the target printed on stderr."""
    m = DIVERGENCE.search(text)
    if m:
        desc = m.group(3).strip()
        field = desc.split(" differs")[0] if " differs" in desc else desc.split(":")[0]
        field = NUMBER.sub("N", field).replace(" at region N", "")
        op = RESULTS_OF.search(text)
        op_text = op.group(1).strip() if op else ""
        if "=" in op_text.split(" ")[:3]:
            op_text = op_text.split("=", 1)[1].strip()
        opcode = op_text.split(" ")[0] if op_text else "?"
        odd = ODD_ONE_OUT.search(text)   # the majority vote's verdict, with 3+ backends
        blame = ":odd=" + odd.group(1) if odd else ""
        return Signature("divergence:%s:%s%s" % (opcode, field, blame), "divergence",
                         "%s: %s (op %s of %s)%s" % (opcode, desc, m.group(1), m.group(2),
                                                     "; odd one out: " + odd.group(1) if odd else ""))
    m = CANNOT.search(text)
    if m:
        return Signature("harness:%s-cannot-perform" % m.group(1), "harness", m.group(0))
    u = UBSAN.search(text)
    if u:
        rel = repo_relative(u.group(1), repo) or os.path.basename(u.group(1))
        message = NUMBER.sub("N", u.group(3))
        return Signature("ubsan:%s:%s" % (message, rel), "sanitizer",
                         "runtime error: %s at %s:%s" % (u.group(3), rel, u.group(2)), (rel, int(u.group(2))))
    s = SAN_SUMMARY.search(text)
    if s and s.group(2) != "deadly":
        frame = first_code_frame(text, repo)
        top = frame[0] if frame else "?"
        kind = "leak" if LEAK.search(text) else "sanitizer"
        return Signature("%s:%s:%s" % (s.group(1), s.group(2), top), kind,
                         "%s %s in %s" % (s.group(1), s.group(2), top), frame[1:] if frame else None)
    if "libFuzzer: timeout" in text:
        return Signature("timeout", "timeout", "the input runs longer than the timeout")
    if "out-of-memory" in text:
        return Signature("oom", "oom", "the input exhausts memory")
    frame = first_code_frame(text, repo)
    if frame:
        return Signature("crash:%s" % frame[0], "unknown", "crash in %s" % frame[0], frame[1:])
    tail = [line for line in text.splitlines() if line.strip()][-1:] or ["(no output)"]
    return Signature("unknown:" + hashlib.sha1(tail[0].encode()).hexdigest()[:8], "unknown", tail[0][:200])


def run_input(binary, path, timeout=60):
    """Runs one input through a target; returns (status, stderr text)."""
    try:
        done = subprocess.run([binary, path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=timeout, text=True, errors="replace")
        return done.returncode, done.stderr
    except subprocess.TimeoutExpired as e:
        return -1, (e.stderr or "") + "\nlibFuzzer: timeout (run_input)"


CHECK_LINE = re.compile(r"^CHECK (\S+) (pass|fail|error)(?: (\d+) (.*))?$")


def check_expectations(replay, path, timeout=60):
    """A trace's expectations checked on every backend of a target by its
    replay build (`TARGET_replay --check`, regression_driver.c):
    {backend: {"status": pass|fail|error, "line": N, "actual": text}}."""
    done = subprocess.run([replay, "--check", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace", timeout=timeout)
    verdicts = {}
    for line in done.stdout.splitlines():
        m = CHECK_LINE.match(line)
        if m:
            verdicts[m.group(1)] = {"status": m.group(2), "line": int(m.group(3) or 0), "actual": m.group(4) or ""}
    if not verdicts:
        raise RuntimeError("%s --check printed no verdict: %s" % (os.path.basename(replay),
                                                                  done.stderr.strip()[-300:]))
    return verdicts


class Finding:
    """One deduplicated bug: every crash file with the same signature."""

    def __init__(self, signature):
        self.signature = signature
        self.files = []           # (engine, path, seconds after the start)
        self.name = None
        self.bin_path = None
        self.trace_path = None
        self.trace_text = ""
        self.report_text = ""
        self.report_path = None   # the whole divergence report (with the map), beside the trace
        self.planted = None       # with --planted-bug: does it disappear without the bug?
        self.min_size = None

    @property
    def first_seconds(self):
        return min(t for _e, _p, t in self.files)

    def engines(self):
        return sorted({e for e, _p, _t in self.files})

    def first_by_engine(self):
        first = {}
        for engine, _path, t in self.files:
            first[engine] = min(t, first.get(engine, t))
        return first

    def as_dict(self):
        return {"name": self.name, "signature": self.signature.as_dict(), "engines": self.engines(),
                "time_to_find_s": round(self.first_seconds, 2),
                "time_to_find_by_engine_s": {k: round(v, 2) for k, v in self.first_by_engine().items()},
                "count": len(self.files), "bin": self.bin_path, "trace": self.trace_path,
                "report": self.report_path,
                "size": self.min_size, "planted": self.planted, "trace_text": self.trace_text,
                "files": [p for _e, p, _t in self.files]}


def dedupe(crashes, signature_of):
    """crashes: (engine, path, seconds) rows. signature_of(path) -> Signature.
    Returns Findings, one per distinct signature key, earliest first."""
    groups = {}
    for engine, path, seconds in crashes:
        sig = signature_of(path)
        if sig.key not in groups:
            groups[sig.key] = Finding(sig)
        groups[sig.key].files.append((engine, path, seconds))
    return sorted(groups.values(), key=lambda f: f.first_seconds)


def slug(signature):
    base = re.sub(r"[^a-z0-9]+", "-", signature.key.lower()).strip("-")[:48].strip("-")
    return "%s-%s" % (base or "finding", hashlib.sha1(signature.key.encode()).hexdigest()[:6])


def libfuzzer_minimize(binary, path, out_path, seconds, work):
    """libFuzzer's -minimize_crash: the smallest input it finds in the time
    that still crashes. Returns out_path, or None when it found none."""
    tmp = os.path.join(work, "minimize.tmp")
    if os.path.exists(tmp):
        os.unlink(tmp)
    # -minimize_crash runs the target in child processes: run_group ends them all.
    engines.run_group([binary, "-minimize_crash=1", "-max_total_time=%d" % max(1, seconds),
                       "-exact_artifact_path=" + tmp, path], timeout=seconds + 60, cwd=work,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.exists(tmp) and os.path.getsize(tmp) > 0:
        shutil.move(tmp, out_path)
        return out_path
    return None


def ddmin(units, still_fails):
    """Zeller's delta debugging: a 1-minimal sublist of units for which
    still_fails(sublist) is true (still_fails(units) must be)."""
    n = 2
    while len(units) >= 2:
        chunk = max(1, len(units) // n)
        subsets = [units[i:i + chunk] for i in range(0, len(units), chunk)]
        reduced = False
        for i in range(len(subsets)):
            complement = [u for j, s in enumerate(subsets) if j != i for u in s]
            if complement and still_fails(complement):
                units, n, reduced = complement, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(units):
                break
            n = min(len(units), n * 2)
    return units


def minimize_trace(trace_text, check, deadline):
    """Drops operations (text lines) from a trace while check(text) holds,
    until the result is 1-minimal or the deadline passes."""
    lines = trace_text.splitlines()
    keep = [l for l in lines if l.strip() and not l.lstrip().startswith("#")]

    def still_fails(subset):
        if time.time() > deadline:
            return False
        return check("\n".join(subset) + "\n")

    if not keep or not check("\n".join(keep) + "\n"):
        return trace_text
    return "\n".join(ddmin(keep, still_fails)) + "\n"
