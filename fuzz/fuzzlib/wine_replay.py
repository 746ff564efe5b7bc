"""wine_replay.py - a divergence between the models replayed through the
real Windows API: the win32 backend (vastrace.exe, built by
conformance/win32/build.sh) runs the finding's trace up to the diverging
operation under Wine and writes down what it did (`vastrace.exe record`).
After the diverging operation come queries of the state it left (probes():
its pages, every named allocation), so that a divergence the region map
shows, not the result, is in what Wine writes down too. That recording, with
a header saying what it is, is a draft conformance case; it is checked on
each backend of the fuzz target by the replay build that diverged
(`TARGET_replay --check`: a planted bug's build is held to it too), and the
backends that pass it are the side the real implementation agrees with.

The draft goes beside the finding as NAME.wine-draft.trace:

  name: draft-NAME
  source: draft: replayed under Wine on DATE (vastrace.exe record of ...)
  profile / commit-limit as the finding's
  the operations, each with the expectation Wine produced

It is a draft: Wine is not Windows (fuzz/wine-known-deviations.tsv lists
where it is known to differ), so a person confirms it on Windows, or against
the documentation, before it becomes a case under conformance/cases/. What
the recording cannot state (an address Wine chose is "nonzero", a free
region's size and the commit charge are left out: cmd_record.c) cannot
decide; when every model passes, the verdict says so.

wine64 runs x64 processes only: a finding in the x86 profiles is not
replayed, and the verdict says that too.
"""
import os
import re
import shutil
import subprocess
import time

from . import findings

X64_ONLY = ("x86", "x86_laa")


def wine_program():
    return shutil.which("wine") or shutil.which("wine64")


def profile_of(trace_text):
    for line in trace_text.splitlines():
        if line.startswith("profile:"):
            return line.split(":", 1)[1].strip().lower()
    return "x64"


def offset(expr, delta):
    """expr + delta as the trace language writes it (one offset a name)."""
    m = re.match(r"^([a-z_][a-z0-9_]*)?(?:([+-])?(0x[0-9A-Fa-f]+|\d+))?$", expr)
    if not m or not (m.group(1) or m.group(3)):
        return expr
    name, sign, number = m.groups()
    value = int(number, 16) if number and number.lower().startswith("0x") else int(number or "0", 10)
    value = (-value if sign == "-" else value) + delta
    if not name:
        return "%#x" % value
    return name if value == 0 else "%s%s%#x" % (name, "+" if value > 0 else "-", abs(value))


def draft_text(recorded, finding_name, date, n_probes):
    """The recording with the draft's header in front (the recording's own
    name:/source: lines, if any, give way to it) and a comment before the
    probes."""
    body = [l for l in recorded.splitlines() if not l.startswith(("name:", "source:"))]
    op_lines = [i for i, l in enumerate(body) if l.strip() and not l.startswith("#") and ":" not in l.split()[0]]
    if n_probes and len(op_lines) >= n_probes:
        body.insert(op_lines[-n_probes], "# probes: the state the diverging operation left, as Wine shows it")
    head = ["name: draft-%s" % finding_name,
            "source: draft: replayed under Wine on %s (vastrace.exe record of finding %s; "
            "confirm on Windows before it becomes a case)" % (date, finding_name), ""]
    return "\n".join(head + body) + "\n"


def probes(trace_text):
    """Queries that show the state the last operation left, to append after
    it: its address and each page of its range (at most 16), and the base
    of every allocation the trace names. A divergence the region map shows
    (not the result) is then in what Wine's recording states."""
    ops = [l.split("->")[0].split(" #")[0].split() for l in trace_text.splitlines()
           if l.strip() and not l.startswith("#") and ":" not in l.split()[0]]
    names = [t[0] for t in ops if len(t) > 2 and t[1] == "="]
    out = []
    if ops:
        last = ops[-1][2:] if len(ops[-1]) > 2 and ops[-1][1] == "=" else ops[-1]
        if len(last) > 1 and last[0] not in ("query", "charge", "geterr", "seterr", "wsmin", "wsmax", "locked", "wsset"):
            addr = ops[-1][0] if last[0] == "alloc" and last[1] == "0" and len(ops[-1]) > 2 else last[1]
            size = last[2] if len(last) > 2 and last[0] in ("alloc", "free", "protect", "lock", "unlock", "read") else "0"
            try:
                pages = min(16, (int(size, 0) + 0xFFF) // 0x1000)
            except ValueError:
                pages = 0
            out += [offset(addr, 0x1000 * k) for k in range(0, pages + 1)]
    out += names
    seen, queries = set(), []
    for a in out:
        if a not in seen and a != "0":
            seen.add(a)
            queries.append("query " + a)
    return queries


def verdict(checks):
    agree = sorted(m for m, c in checks.items() if c["status"] == "pass")
    if any(c["status"] == "error" for c in checks.values()):
        return "undecided: a backend could not run the draft", agree
    if len(agree) == len(checks):
        return ("undecided: Wine's recording agrees with every model (what differed is not in what it "
                "can state: a commit charge, an address it chose, a free region's size)"), agree
    if not agree:
        return "Wine agrees with neither model", agree
    return "Wine agrees with %s" % " and ".join(agree), agree


def replay(trace_text, finding_name, dest_dir, wine_exe, replay_build, work, wineprefix=None,
           timeout=120, date=None):
    """Replays one divergence (trace_text: the trace up to the diverging
    operation) under Wine, with probes() after it. The draft is checked on
    the target's backends by the replay build that diverged
    (findings.check_expectations). Returns {"verdict", "agrees_with",
    "draft", "checks"} or {"verdict": "not replayed: ..."}."""
    if profile_of(trace_text) in X64_ONLY:
        return {"verdict": "not replayed: wine64 runs x64 processes only (profile %s)" % profile_of(trace_text)}
    wine = wine_program()
    if wine is None:
        return {"verdict": "not replayed: wine is not installed"}
    if not wine_exe or not os.path.exists(wine_exe):
        return {"verdict": "not replayed: no vastrace.exe (conformance/win32/build.sh)"}
    os.makedirs(work, exist_ok=True)
    source = os.path.join(work, finding_name + ".wine-input.trace")
    added = probes(trace_text)
    with open(source, "w") as f:
        f.write(trace_text.rstrip("\n") + "\n" + "".join(q + "\n" for q in added))
    env = dict(os.environ, WINEDEBUG="-all")
    if wineprefix:
        env["WINEPREFIX"] = wineprefix
    try:
        done = subprocess.run([wine, os.path.abspath(wine_exe), "record", "--backend", "win32", source],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"verdict": "not replayed: vastrace.exe record did not finish in %d s under Wine" % timeout}
    recorded = done.stdout.replace("\r\n", "\n")
    if done.returncode != 0 or not recorded.strip():
        return {"verdict": "not replayed: vastrace.exe record failed under Wine (%d): %s"
                % (done.returncode, done.stderr.strip()[-300:])}
    draft = os.path.join(dest_dir, finding_name + ".wine-draft.trace")
    with open(draft, "w") as f:
        f.write(draft_text(recorded, finding_name, date or time.strftime("%Y-%m-%d"), len(added)))
    try:
        checks = findings.check_expectations(replay_build, draft, timeout)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        return {"verdict": "undecided: the draft could not be checked (%s)" % e, "draft": draft}
    text, agree = verdict(checks)
    return {"verdict": text, "agrees_with": agree, "draft": draft, "checks": checks}


def stop(wineprefix):
    """Ends the wineserver of wineprefix (it outlives the replays)."""
    server = shutil.which("wineserver")
    if server:
        subprocess.run([server, "-k"], env=dict(os.environ, WINEPREFIX=wineprefix), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
