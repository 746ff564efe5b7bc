#!/usr/bin/env python3
"""conformance.py - runs the golden Windows cases on every backend and reports.

Every case under conformance/cases/ runs on every backend that is available,
as `vastrace backends` lists them (harness/backends/backend_registry.c):

  impl, oracle   the two models, through `vastrace check --backend X --json`;
  host           the host-backed model, when `vastrace check --backend host`
                 passes a tiny probe case;
  win32          the real Windows API under Wine, through the mingw-w64 build
                 of vastrace (build-win32/vastrace.exe), one Wine process for
                 the whole batch.

Each (case, backend) gets one status:

  pass              every expectation held;
  fail              an expectation failed (the report shows the operation,
                    what was expected and what happened) or the case errored;
  known-deviation   the case says `wine-deviates:` and failed on win32: Wine
                    differs from Windows there, shown with the case's reason;
  unexpected-pass   the case says `wine-deviates:` but passed on win32;
  n/a               the backend cannot run the case (an x86 profile under
                    wine64, a commit limit or charge Windows cannot observe).

Reports go to --out: report.html, summary.md, results.json, junit.xml. One
benchmark line per backend goes to stdout. The exit code is 0 when impl and
oracle pass every case and no other backend failed a case unexpectedly.

Used as a module by test_conformance.py: discover_cases, find_backends,
run_suite, write_reports.
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CASES = os.path.join(HERE, "cases")
DEFAULT_VASTRACE = os.path.join(REPO, "build", "harness", "vastrace")
DEFAULT_WIN32_EXE = os.path.join(REPO, "build-win32", "vastrace.exe")

PASS, FAIL, KNOWN, XPASS, NA = "pass", "fail", "known-deviation", "unexpected-pass", "n/a"
STATUSES = (PASS, FAIL, KNOWN, XPASS, NA)

# Messages vastrace prints when a backend refuses rather than disagrees
# (harness/tools/cmd_check.c): those cases are n/a on that backend.
REFUSAL_MESSAGES = ("cannot create an address space", "cannot perform this operation",
                    "does not support this operation")

PROBE_TRACE = """name: host-probe
source: conformance.py probe
profile: x86
a = alloc 0 0x1000 RESERVE|COMMIT READWRITE -> nonzero
write a 01 -> ok
read a 1 -> ok data=01
"""


# ---- Cases ------------------------------------------------------------------

@dataclass
class Case:
    path: str                 # absolute path of the .trace file
    rel: str                  # path relative to the cases directory, e.g. alloc/G001-....trace
    name: str                 # the name: header (or the file stem when missing)
    group: str                # first directory under cases/ (alloc, free, ...)
    sources: list = field(default_factory=list)
    wine_deviates: list = field(default_factory=list)
    model_only: list = field(default_factory=list)  # why a real system cannot run it
    profile: str = "x64"
    commit_limit: int = 0
    uses_charge: bool = False
    has_name: bool = False


HEADER = re.compile(r"^(name|source|wine-deviates|model-only|profile|commit-limit|layout):\s*(.*?)\s*$")


def strip_comment(line):
    """Drops a trailing " # comment" (and whole-line comments)."""
    if line.lstrip().startswith("#"):
        return ""
    cut = line.find(" #")
    return line if cut < 0 else line[:cut]


def read_case(path, root):
    """Reads the headers of one trace; the operations are vastrace's business,
    except that a `charge` operation marks the case as needing a charge."""
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    case = Case(path=os.path.abspath(path), rel=rel,
                name=os.path.splitext(os.path.basename(path))[0],
                group=rel.split("/")[0] if "/" in rel else "")
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = strip_comment(raw.rstrip("\n"))
            m = HEADER.match(line.strip())
            if m:
                key, value = m.groups()
                if key == "name":
                    case.name, case.has_name = value, True
                elif key == "source":
                    case.sources.append(value)
                elif key == "wine-deviates":
                    case.wine_deviates.append(value)
                elif key == "profile":
                    case.profile = value
                elif key == "commit-limit":
                    case.commit_limit = int(value, 0)
                elif key == "model-only":
                    case.model_only.append(value)
                continue
            words = line.split()
            if "charge" in words[:1]:
                case.uses_charge = True
    return case


def discover_cases(paths=None):
    """All .trace files under the given files/directories (default: cases/),
    sorted by path so reports are stable. A case's rel path is relative to
    the directory it was found under (cases/ for single files inside it)."""
    found = []
    for p in paths or [DEFAULT_CASES]:
        if os.path.isdir(p):
            for dirpath, _, files in os.walk(p):
                found += [(os.path.join(dirpath, f), p) for f in files if f.endswith(".trace")]
        else:
            inside = os.path.abspath(p).startswith(DEFAULT_CASES + os.sep)
            found.append((p, DEFAULT_CASES if inside else os.path.dirname(os.path.abspath(p))))
    return [read_case(f, root) for f, root in sorted(found)]


# ---- Backends ---------------------------------------------------------------

@dataclass
class Backend:
    name: str
    command: list             # argv prefix; the case files are appended
    kind: str = "external"    # model, mirror or windows (`vastrace backends`); external: exec:, so:
    env: dict = None          # extra environment
    cwd: str = None
    available: bool = True
    reason: str = ""          # why unavailable
    timeout: float = 600.0

    def not_applicable(self, case):
        """Why this backend cannot run the case, or "" when it can."""
        if self.kind != "windows":
            return ""
        if case.profile != "x64":
            return "profile %s: wine64 runs x64 processes only" % case.profile
        if case.commit_limit:
            return "commit-limit: Windows' limit cannot be set per test"
        if case.uses_charge:
            return "charge: the process commit charge on Windows includes memory the test did not make"
        if case.model_only:
            return "model-only: " + "; ".join(case.model_only)
        return ""


def registry(vastrace):
    """The project's backends as vastrace's registry lists them (`vastrace
    backends`, harness/backends/backend_registry.c: the one list), in report
    order: [(name, kind, program)], program None for vastrace's own."""
    try:
        p = subprocess.run([vastrace, "backends"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise SystemExit("conformance.py: cannot run %s (%s): the list of backends comes "
                         "from `vastrace backends`" % (vastrace, e))
    if p.returncode != 0:
        raise SystemExit("conformance.py: `%s backends` failed: %s" % (vastrace, p.stderr.strip()))
    return [tuple(line.split()[:2]) + ((line.split()[2:] or [None])[0],)
            for line in p.stdout.splitlines() if line.strip()]


def vastrace_backend(name, vastrace, kind="external"):
    return Backend(name=name, kind=kind, command=[vastrace, "check", "--backend", name, "--json"])


def probe_host(vastrace, name="host"):
    """A mirror backend counts as available when it passes a tiny case."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.trace")
        with open(probe, "w") as f:
            f.write(PROBE_TRACE)
        try:
            p = subprocess.run([vastrace, "check", "--backend", name, "--json", probe],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as e:
            return str(e)
        if p.returncode != 0:
            return (p.stderr.strip() or p.stdout.strip() or "exit %d" % p.returncode)[:200]
    return ""


def win32_backend(exe, name="win32"):
    """vastrace.exe under Wine, or an unavailable Backend saying why."""
    wine = shutil.which("wine") or shutil.which("wine64")
    b = Backend(name=name, kind="windows", command=[], timeout=300.0)
    if not os.path.isfile(exe):
        b.available, b.reason = False, "%s not built" % exe
    elif wine is None:
        b.available, b.reason = False, "wine is not installed"
    else:
        build_dir = os.path.dirname(os.path.abspath(exe))
        b.command = [wine, os.path.abspath(exe), "check", "--backend", name, "--json"]
        b.env = {"WINEPREFIX": os.path.join(build_dir, "wineprefix"), "WINEDEBUG": "-all"}
    return b


def find_backends(vastrace, win32_exe=DEFAULT_WIN32_EXE, only=None):
    """The backends to run, in report order (default: every backend of the
    registry); unavailable ones are kept (with a reason) so the report says
    why a column is empty."""
    known = {name: (kind, program) for name, kind, program in registry(vastrace)}
    backends = []
    for name in only or list(known):
        if name.startswith(("exec:", "so:")):
            # A protocol server or a plugin (docs/backend-protocol.md):
            # vastrace opens it and runs every case through it.
            backends.append(vastrace_backend(name, vastrace))
            continue
        if name not in known:
            raise ValueError("unknown backend %r (`vastrace backends` lists %s)"
                             % (name, ", ".join(known)))
        kind, program = known[name]
        if program is not None:          # the Windows build's: vastrace.exe under Wine
            backends.append(win32_backend(win32_exe, name))
            continue
        b = vastrace_backend(name, vastrace, kind)
        why = probe_host(vastrace, name) if kind == "mirror" else ""
        if why:
            b.available, b.reason = False, "%s backend not usable: %s" % (name, why)
        backends.append(b)
    return backends


# ---- Running ----------------------------------------------------------------

@dataclass
class Result:
    status: str
    detail: str = ""          # the readable diff, the n/a reason or the error message
    line: int = None
    op: str = None
    expected: str = None
    actual: str = None
    elapsed_us: int = 0


def describe_failure(record):
    """The readable diff for one failed case: the operation, expected, actual."""
    if record.get("status") == "fail":
        return "line %s: %s\n  expected: %s\n  actual:   %s" % (
            record.get("line"), record.get("op"), record.get("expected"), record.get("actual"))
    where = "line %s: %s\n  " % (record["line"], record.get("op")) if record.get("line") else ""
    return "error: %s%s" % (where, record.get("message") or "no message")


def run_batch(backend, cases):
    """Runs cases in one process of the backend; returns ({rel: json record}, stderr)."""
    # The paths go through standard input: hundreds of them overflow a
    # Windows command line (32,767 characters) under Wine.
    paths = "".join(c.path + "\n" for c in cases)
    env = dict(os.environ, **(backend.env or {}))
    try:
        p = subprocess.run(backend.command + ["--files-from", "-"], input=paths,
                           capture_output=True, text=True, env=env,
                           cwd=backend.cwd, timeout=backend.timeout)
        out, err = p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = "timed out after %.0f s" % backend.timeout
    records = {}
    by_path = {c.path: c for c in cases}
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue  # Wine may print its own chatter
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        case = by_path.get(rec.get("file"))
        if case is None:  # a path rewritten on the way (Wine): match by name
            case = next((c for c in cases if c.name == rec.get("case")), None)
        if case is not None:
            records[case.rel] = rec
    return records, err


def classify(backend, case, record):
    """Turns one vastrace JSON record into a Result for the report."""
    status = record.get("status")
    res = Result(status=FAIL, line=record.get("line"), op=record.get("op"),
                 expected=record.get("expected"), actual=record.get("actual"),
                 elapsed_us=record.get("elapsed_us") or 0)
    message = record.get("message") or ""
    if status == "error" and any(m in message for m in REFUSAL_MESSAGES):
        res.status, res.detail = NA, "backend refused: " + message
        return res
    deviates = backend.kind == "windows" and case.wine_deviates
    if status == "pass":
        res.status = XPASS if deviates else PASS
        if deviates:
            res.detail = "passes on Wine although the case says: " + "; ".join(case.wine_deviates)
        return res
    res.detail = describe_failure(record)
    if deviates:
        res.status = KNOWN
        res.detail = "known Wine deviation: %s\n%s" % ("; ".join(case.wine_deviates), res.detail)
    return res


def run_backend(backend, cases):
    """All cases on one backend: ({rel: Result}, seconds, cases run)."""
    results = {}
    todo = []
    for c in cases:
        why = backend.not_applicable(c)
        if why:
            results[c.rel] = Result(status=NA, detail=why)
        else:
            todo.append(c)
    start = time.monotonic()
    # A crashing runner loses the rest of its batch: rerun what is left,
    # blaming the first case without a result for the crash.
    while todo:
        records, stderr = run_batch(backend, todo)
        for c in todo:
            if c.rel in records:
                results[c.rel] = classify(backend, c, records[c.rel])
        missing = [c for c in todo if c.rel not in records]
        if not missing:
            break
        tail = stderr.strip().splitlines()[-3:]
        first = missing[0]
        rec = {"status": "error", "message": "no result from the runner (crashed?) %s" % " | ".join(tail)}
        results[first.rel] = classify(backend, first, rec)
        todo = missing[1:]
    seconds = time.monotonic() - start
    ran = sum(1 for r in results.values() if r.status != NA)
    return results, seconds, ran


@dataclass
class Suite:
    cases: list
    backends: list
    results: dict             # backend name -> {rel: Result}
    seconds: dict             # backend name -> wall seconds
    ran: dict                 # backend name -> cases run (not n/a)

    def counts(self, name):
        counts = {s: 0 for s in STATUSES}
        for r in self.results.get(name, {}).values():
            counts[r.status] += 1
        return counts

    def windows(self):
        """The real-Windows backend's name and results ({} when it did not run)."""
        b = next((b for b in self.backends if b.kind == "windows"), None)
        return (b.name if b else "the Windows backend"), self.results.get(b.name, {}) if b else {}

    def ok(self):
        """The models pass everything; nothing else fails unexpectedly."""
        for b in self.backends:
            if not b.available:
                if b.kind == "model":
                    return False
                continue
            res = self.results[b.name]
            if b.kind == "model":
                if any(res[c.rel].status != PASS for c in self.cases):
                    return False
            elif any(r.status == FAIL for r in res.values()):
                return False
        return True


def run_suite(cases, backends):
    results, seconds, ran = {}, {}, {}
    for b in backends:
        if b.available:
            results[b.name], seconds[b.name], ran[b.name] = run_backend(b, cases)
    return Suite(cases=cases, backends=backends, results=results, seconds=seconds, ran=ran)


def benchmark_lines(suite):
    lines = []
    for b in suite.backends:
        if b.name not in suite.seconds:
            continue
        n, s = suite.ran[b.name], suite.seconds[b.name]
        lines.append("benchmark: backend=%s cases=%d seconds=%.3f cases/s=%.1f"
                     % (b.name, n, s, n / s if s > 0 else 0.0))
    return lines


# ---- Reports ----------------------------------------------------------------

def results_json(suite):
    return {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "ok": suite.ok(),
        "backends": [{"name": b.name, "available": b.available, "reason": b.reason,
                      "seconds": suite.seconds.get(b.name), "cases_run": suite.ran.get(b.name),
                      "counts": suite.counts(b.name) if b.available else None}
                     for b in suite.backends],
        "cases": [{"name": c.name, "file": c.rel, "group": c.group, "sources": c.sources,
                   "wine_deviates": c.wine_deviates, "profile": c.profile,
                   "results": {name: vars(res[c.rel]) for name, res in suite.results.items()}}
                  for c in suite.cases],
    }


def junit_xml(suite):
    root = ET.Element("testsuites", name="vas-conformance")
    for b in suite.backends:
        if not b.available:
            continue
        counts = suite.counts(b.name)
        ts = ET.SubElement(root, "testsuite", name="conformance.%s" % b.name,
                           tests=str(len(suite.cases)), failures=str(counts[FAIL]),
                           skipped=str(counts[KNOWN] + counts[NA]), errors="0",
                           time="%.3f" % suite.seconds[b.name])
        for c in suite.cases:
            r = suite.results[b.name][c.rel]
            tc = ET.SubElement(ts, "testcase", classname="conformance.%s.%s" % (b.name, c.group),
                               name=c.name, time="%.6f" % (r.elapsed_us / 1e6))
            if r.status == FAIL:
                first = r.detail.splitlines()[0] if r.detail else "failed"
                ET.SubElement(tc, "failure", message=first).text = r.detail
            elif r.status == KNOWN:
                ET.SubElement(tc, "skipped", message="known Wine deviation: " + "; ".join(c.wine_deviates)).text = r.detail
            elif r.status == NA:
                ET.SubElement(tc, "skipped", message="n/a: " + r.detail)
            elif r.status == XPASS:
                ET.SubElement(tc, "system-out").text = "unexpected pass: " + r.detail
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def summary_md(suite):
    out = ["# Conformance summary", "",
           "Result: **%s** (%d cases)" % ("OK" if suite.ok() else "FAILED", len(suite.cases)), "",
           "| backend | pass | fail | known Wine deviation | unexpected pass | n/a | seconds | cases/s |",
           "|---|---|---|---|---|---|---|---|"]
    for b in suite.backends:
        if not b.available:
            out.append("| %s | unavailable: %s | | | | | | |" % (b.name, b.reason))
            continue
        k, s, n = suite.counts(b.name), suite.seconds[b.name], suite.ran[b.name]
        out.append("| %s | %d | %d | %d | %d | %d | %.3f | %.1f |" % (
            b.name, k[PASS], k[FAIL], k[KNOWN], k[XPASS], k[NA], s, n / s if s > 0 else 0))
    fails = [(b, c, suite.results[b][c.rel]) for b in suite.results for c in suite.cases
             if suite.results[b][c.rel].status == FAIL]
    out += ["", "## Failures", ""]
    if not fails:
        out.append("None.")
    for b, c, r in fails:
        out += ["### %s on %s" % (c.name, b), "", "`%s`" % c.rel, "", "```", r.detail, "```", ""]
    out += ["", "## Wine deviations", ""]
    devs = [c for c in suite.cases if c.wine_deviates]
    if not devs:
        out.append("None recorded.")
    windows, on_windows = suite.windows()
    for c in devs:
        st = on_windows.get(c.rel)
        out.append("- %s (%s): %s" % (c.name, st.status if st else windows + " not run",
                                      "; ".join(c.wine_deviates)))
    out += ["", "## Benchmark", "", "```"] + benchmark_lines(suite) + ["```", ""]
    return "\n".join(out)


CSS = """
body { font-family: sans-serif; font-size: 13px; margin: 1em; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }
th { background: #eee; position: sticky; top: 0; }
td.pass { background: #c8f0c8; } td.fail { background: #f5b5b5; }
td.known-deviation { background: #f7e08a; } td.unexpected-pass { background: #a8d0f5; }
td.na { background: #e4e4e4; color: #666; }
pre { margin: 0.3em 0; white-space: pre-wrap; font-size: 12px; }
summary { cursor: pointer; }
"""


def report_html(suite):
    e = html.escape
    avail = [b for b in suite.backends if b.available]
    h = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>vas conformance</title>",
         "<style>%s</style></head><body>" % CSS,
         "<h1>vas conformance: %s</h1>" % ("OK" if suite.ok() else "FAILED"),
         "<p>%d cases. Colours: <span style='background:#c8f0c8'>pass</span> "
         "<span style='background:#f5b5b5'>fail</span> "
         "<span style='background:#f7e08a'>known Wine deviation</span> "
         "<span style='background:#a8d0f5'>unexpected pass</span> "
         "<span style='background:#e4e4e4'>n/a</span>. Click a failing cell for its diff.</p>" % len(suite.cases),
         "<h2>Timing per backend</h2><table><tr><th>backend</th><th>status</th><th>pass</th><th>fail</th>"
         "<th>known deviation</th><th>unexpected pass</th><th>n/a</th><th>seconds</th><th>cases/s</th></tr>"]
    for b in suite.backends:
        if not b.available:
            h.append("<tr><td>%s</td><td colspan='8'>unavailable: %s</td></tr>" % (e(b.name), e(b.reason)))
            continue
        k, s, n = suite.counts(b.name), suite.seconds[b.name], suite.ran[b.name]
        h.append("<tr><td>%s</td><td>ran %d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                 "<td>%.3f</td><td>%.1f</td></tr>" % (e(b.name), n, k[PASS], k[FAIL], k[KNOWN], k[XPASS],
                                                      k[NA], s, n / s if s > 0 else 0))
    h.append("</table><h2>Wine deviations</h2><ul>")
    devs = [c for c in suite.cases if c.wine_deviates]
    windows, on_windows = suite.windows()
    for c in devs:
        st = on_windows.get(c.rel)
        h.append("<li><b>%s</b> [%s]: %s</li>" % (e(c.name), e(st.status if st else windows + " not run"),
                                                 e("; ".join(c.wine_deviates))))
    if not devs:
        h.append("<li>None recorded.</li>")
    h.append("</ul><h2>Matrix</h2><table><tr><th>case</th>%s</tr>"
             % "".join("<th>%s</th>" % e(b.name) for b in avail))
    for c in suite.cases:
        row = ["<td title='%s'>%s</td>" % (e("\n".join(c.sources)), e(c.rel))]
        for b in avail:
            r = suite.results[b.name][c.rel]
            cls = "na" if r.status == NA else r.status
            if r.detail and r.status in (FAIL, KNOWN, XPASS, NA):
                body = "<details><summary>%s</summary><pre>%s</pre></details>" % (e(r.status), e(r.detail))
            else:
                body = e(r.status)
            row.append("<td class='%s'>%s</td>" % (cls, body))
        h.append("<tr>%s</tr>" % "".join(row))
    h.append("</table></body></html>")
    return "\n".join(h)


def write_reports(suite, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    files = {
        "results.json": json.dumps(results_json(suite), indent=1),
        "junit.xml": junit_xml(suite),
        "summary.md": summary_md(suite),
        "report.html": report_html(suite),
    }
    for name, text in files.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return {name: os.path.join(out_dir, name) for name in files}


# ---- CLI --------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="Run the golden conformance cases on every backend.")
    ap.add_argument("paths", nargs="*", help="case files or directories (default: conformance/cases)")
    ap.add_argument("--vastrace", default=os.environ.get("VASTRACE", DEFAULT_VASTRACE),
                    help="native vastrace (default: $VASTRACE or build/harness/vastrace)")
    ap.add_argument("--win32-exe", default=DEFAULT_WIN32_EXE, help="the mingw-w64 vastrace.exe")
    ap.add_argument("--backends", default=None,
                    help="comma-separated names of `vastrace backends` (default: all of them), "
                         "and any 'exec:COMMAND' (a protocol server) or 'so:PATH' (a plugin)")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "conformance"), help="report directory")
    args = ap.parse_args(argv)

    cases = discover_cases(args.paths or None)
    backends = find_backends(args.vastrace, args.win32_exe,
                             args.backends.split(",") if args.backends else None)
    for b in backends:
        if not b.available:
            print("backend %s unavailable: %s" % (b.name, b.reason))
    suite = run_suite(cases, backends)
    written = write_reports(suite, args.out)
    for b in backends:
        if b.available:
            k = suite.counts(b.name)
            print("%-7s pass %d, fail %d, known Wine deviations %d, unexpected passes %d, n/a %d"
                  % (b.name, k[PASS], k[FAIL], k[KNOWN], k[XPASS], k[NA]))
    for name, res in suite.results.items():
        for c in suite.cases:
            if res[c.rel].status == FAIL:
                print("FAIL %s on %s\n%s" % (c.rel, name, res[c.rel].detail))
    for line in benchmark_lines(suite):
        print(line)
    print("reports: %s" % ", ".join(sorted(written.values())))
    return 0 if suite.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
