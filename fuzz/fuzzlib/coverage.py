"""coverage.py - what a corpus covers of impl/ and oracle/: replays inputs
with the coverage build (clang source-based coverage + the regression
driver) of every fuzz target, merges the raw profiles with llvm-profdata
and reads lines and branches per folder and per file from llvm-cov - for
each target and for their union (fuzz_diff never runs host-backed code,
fuzz_diff_host runs it on the same inputs) - and the not-covered lines of
impl/src, grouped by function, each group with the reason the fuzzer cannot
reach it: a `fuzz-unreached:` tag in the C source next to the code it
explains (read by unreached_tags below; the categories are explained in
fuzz/COVERAGE.md).

The timeline replays the corpus as it stood at several moments of the run
(seeds, then every engine's queue entries by the time they were written),
so it measures the same thing as the final figure, without taking CPU from
the engines while they run.
"""
import json
import os
import re
import shutil
import subprocess
import time

from . import semantics_coverage, table

CHUNK = 200            # inputs per replay process (command-line length)
# When set (time.time() seconds), every step's subprocess times out there:
# a campaign's --budget holds for coverage too (TimeoutExpired propagates).
DEADLINE = None


def _timeout():
    return None if DEADLINE is None else max(1.0, DEADLINE - time.time())


def _run(*args, **kw):
    return subprocess.run(*args, timeout=_timeout(), **kw)
FOLDERS = ("impl", "oracle")
HOST_FOLDER = "impl/src/host/"   # host-backed code: runs only when fuzz_diff_host replays

# The reason categories a fuzz-unreached tag may name; fuzz/COVERAGE.md explains each.
CATEGORIES = ("alloc-failure", "pool-growth", "tree-height", "config", "defensive", "debug-check",
              "unused-api", "win32-shim", "sse-fallback", "host-failure", "host-unused", "host-kernel")
TAG = re.compile(r"fuzz-unreached(-file)?:\s*([A-Za-z0-9-]+)\s*(?:(?:\u2014|--?)\s*(.*?))?\s*(?:\*/.*)?$")


def tool(name):
    """llvm-profdata / llvm-cov, preferring the version clang is (14)."""
    for candidate in (name + "-14", name):
        path = shutil.which(candidate)
        if path:
            return path
    return None


def replay_files(binaries, files, profile_dir, tag):
    """Runs every file through every coverage binary, writing raw profiles
    into profile_dir. The regression driver stops at the first divergence,
    so the files after it are replayed by a new process."""
    os.makedirs(profile_dir, exist_ok=True)
    for b_index, binary in enumerate(binaries):
        env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(profile_dir, "%s-%d-%%p.profraw" % (tag, b_index)))
        pending = list(files)
        while pending:
            chunk = pending[:CHUNK]
            done = _run([binary] + chunk, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, errors="replace")
            replayed = sum(1 for line in done.stdout.splitlines() if line.startswith(("OK", "FAIL")))
            if done.returncode == 0:
                pending = pending[len(chunk):]
            else:   # the failing input is consumed; one the driver cannot read is skipped
                pending = pending[max(replayed, 1):]


def merge_profiles(profile_dir, out):
    raws = sorted(os.path.join(profile_dir, n) for n in os.listdir(profile_dir) if n.endswith(".profraw"))
    if not raws:
        return None
    _run([tool("llvm-profdata"), "merge", "-sparse", "-o", out] + raws, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return out


def cov_objects(binaries):
    args = [binaries[0]]
    for b in binaries[1:]:
        args += ["-object", b]
    return args


def summarize(profdata, binaries, repo):
    """Lines and branches covered per folder (impl, oracle) and per file."""
    done = _run([tool("llvm-cov"), "export", "-summary-only", "-instr-profile", profdata]
                          + cov_objects(binaries), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    data = json.loads(done.stdout)["data"][0]
    folders = {f: {"lines": 0, "lines_covered": 0, "branches": 0, "branches_covered": 0} for f in FOLDERS}
    files = {}
    root = os.path.normpath(repo) + os.sep
    for entry in data["files"]:
        name = entry["filename"]
        if not name.startswith(root):
            continue
        rel = name[len(root):]
        folder = rel.split("/")[0]
        s = entry["summary"]
        files[rel] = {"lines": s["lines"]["count"], "lines_covered": s["lines"]["covered"],
                      "branches": s["branches"]["count"], "branches_covered": s["branches"]["covered"]}
        if folder in folders:
            for k, v in files[rel].items():
                folders[folder][k] += v
    for f in folders.values():
        f["lines_pct"] = round(100.0 * f["lines_covered"] / f["lines"], 2) if f["lines"] else 0.0
        f["branches_pct"] = round(100.0 * f["branches_covered"] / f["branches"], 2) if f["branches"] else 0.0
    return {"folders": folders, "files": files}


def ranges(numbers):
    """[3,4,5,9] -> ["3-5", "9"]"""
    out = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ["%d" % a if a == b else "%d-%d" % (a, b) for a, b in out]


def defined_function(line):
    """The name of the C function whose definition starts on this line, by
    the project's style: a definition starts at column 0 with its name before
    "(" and is not a declaration (no ";" at the end of its first line)."""
    head = line.split("(", 1)[0]
    if (line[:1].isalpha() or line[:1] == "_") and "(" in line and not line.rstrip().endswith(";") \
            and not line.startswith(("typedef", "_Static_assert", "static_assert")) and "=" not in head:
        words = head.replace("*", " ").split()
        if words:
            return words[-1]
    return None


def enclosing_functions(path):
    """[None, None, "f", "f", ...]: for each line (1-based, index 0 unused)
    the C function whose definition it lies in (see defined_function)."""
    names = [None]
    current = None
    with open(path, errors="replace") as f:
        for line in f:
            current = defined_function(line) or current
            names.append(current)
    return names


def split_comments(line, in_comment):
    """(code, comment text, still in a comment at the end of the line) for one
    line of C: string and character literals are blanked, comments removed
    from the code and collected."""
    code, comment, i, n = [], [], 0, len(line)
    while i < n:
        if in_comment:
            end = line.find("*/", i)
            comment.append(line[i:] if end < 0 else line[i:end])
            if end < 0:
                break
            in_comment, i = False, end + 2
        elif line.startswith("/*", i):
            in_comment, i = True, i + 2
        elif line.startswith("//", i):
            comment.append(line[i + 2:])
            break
        elif line[i] in "\"'":
            quote, j = line[i], i + 1
            while j < n and line[j] != quote:
                j += 2 if line[j] == "\\" else 1
            code.append(quote + quote)
            i = j + 1
        else:
            code.append(line[i])
            i += 1
    return "".join(code), " ".join(comment), in_comment


def unreached_tags(path):
    """The fuzz-unreached tags of one C file (fuzz/COVERAGE.md):
    (file tag, {function: tag}, {line: tag}), each tag a (category, why,
    line of the tag) triple.

    - `/* fuzz-unreached-file: CATEGORY - why */` covers the whole file;
    - `/* fuzz-unreached: CATEGORY - why */` outside any function covers the
      next function defined after it;
    - the same inside a function body covers its own line when it follows
      code, else the statement after it (to its `;`, or to the `}` closing
      the block the statement opens)."""
    file_tag, functions, lines = None, {}, {}
    pending_function = pending_statement = None
    statement_depth = None          # depth where the statement being covered started
    depth, in_comment = 0, False
    with open(path, errors="replace") as f:
        text = f.read().split("\n")
    for number, line in enumerate(text, 1):
        start_depth = depth
        code, comment, in_comment = split_comments(line, in_comment)
        depth += code.count("{") - code.count("}")
        name = defined_function(line) if start_depth == 0 else None
        if name and pending_function:
            functions[name], pending_function = pending_function, None
        if statement_depth is not None:
            lines[number] = statement_tag
            if depth <= statement_depth and (";" in code or "}" in code):
                statement_depth = None
        elif pending_statement and code.strip():
            statement_tag, pending_statement = pending_statement, None
            lines[number] = statement_tag
            if not (depth <= start_depth and (";" in code or "}" in code)):
                statement_depth = start_depth
        m = TAG.search(comment)
        if not m:
            continue
        tag = (m.group(2), m.group(3) or "", number)
        if m.group(1):
            file_tag = tag
        elif start_depth == 0 and not code.strip():
            pending_function = tag
        elif code.strip():
            lines[number] = tag
        else:
            pending_statement = tag
    return file_tag, functions, lines


def tag_locations(root, folder="impl/src"):
    """[(path relative to root, line, category)] of every fuzz-unreached tag
    under folder, to check that each names a known category."""
    found = []
    for dirpath, _, names in sorted(os.walk(os.path.join(root, folder))):
        for name in sorted(n for n in names if n.endswith((".c", ".h"))):
            path = os.path.join(dirpath, name)
            with open(path, errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = TAG.search(line)
                    if m:
                        found.append((os.path.relpath(path, root), number, m.group(2)))
    return found


def uncovered_lines(profdata, binaries, repo, folder="impl/src"):
    """{file: ["12-15", "40"]}: executable lines never run, from llvm-cov
    show's text form ("  LINE|  COUNT|source"; a blank count is not code)."""
    return {name: ranges(lines) for name, lines in uncovered_line_numbers(profdata, binaries, repo, folder).items()}


def uncovered_line_numbers(profdata, binaries, repo, folder="impl/src"):
    """{file: [12, 13, 14, 15, 40]}, see uncovered_lines."""
    return {name: sorted(n for n, c in lines.items() if c == 0)
            for name, lines in line_counts(profdata, binaries, repo, folder).items()
            if any(c == 0 for c in lines.values())}


def line_counts(profdata, binaries, repo, folder="impl/src"):
    """{file: {line: count}} for every line of code of folder's C sources
    (llvm-cov show's text form, "  LINE|  COUNT|source"; a blank count is
    not code and is left out)."""
    sources = sorted(os.path.join(d, n) for d, _, names in os.walk(os.path.join(repo, folder))
                     for n in names if n.endswith(".c"))
    if not sources:
        return {}
    done = _run([tool("llvm-cov"), "show", "-instr-profile", profdata, "-show-line-counts",
                           "-use-color=false"] + cov_objects(binaries) + sources,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace")
    result = {}
    current = sources[0] if len(sources) == 1 else None
    counts = {}
    root = os.path.normpath(repo) + os.sep

    def flush():
        if current and counts:
            result[current[len(root):] if current.startswith(root) else current] = dict(counts)

    for line in done.stdout.splitlines():
        if line.endswith(":") and line.startswith("/") and "|" not in line:
            flush()
            current, counts = line[:-1], {}
            continue
        parts = line.split("|", 2)
        if len(parts) < 3:
            continue
        number, count = parts[0].strip(), parts[1].strip()
        if number.isdigit() and count:
            counts[int(number)] = count_value(count)
    flush()
    return result


def count_value(text):
    """llvm-cov's count column: 12, 1.5k, 2.3M, 4G."""
    scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1:], 1)
    try:
        return int(float(text[:-1] if scale != 1 else text) * scale)
    except ValueError:
        return 0


def explain_uncovered(numbers, repo, host_replayed=True):
    """{file: [{"lines": "12-15", "function": "f", "reason": "alloc-failure",
    "why": "..."}]}: the never-run lines grouped by the function they are in
    and their reason: the narrowest fuzz-unreached tag that covers them (line,
    function, file), "host-only" for host-backed code when fuzz_diff_host did
    not replay, or "unexplained" - new code the fuzzer does not reach, to
    look at."""
    result = {}
    for name, lines in sorted(numbers.items()):
        path = os.path.join(repo, name)
        try:
            owners = enclosing_functions(path)
            file_tag, function_tags, line_tags = unreached_tags(path)
        except OSError:
            owners, file_tag, function_tags, line_tags = [], None, {}, {}
        groups = {}
        for n in lines:
            fn = owners[n] if n < len(owners) else None
            if not host_replayed and name.startswith(HOST_FOLDER):
                tag = ("host-only", "", None)
            else:
                tag = line_tags.get(n) or function_tags.get(fn) or file_tag or ("unexplained", "", None)
            groups.setdefault((fn, tag), []).append(n)
        result[name] = [dict({"lines": ", ".join(ranges(found)), "function": fn or "(file scope)",
                              "reason": tag[0], "why": tag[1]}, **({"tag_line": tag[2]} if tag[2] else {}))
                        for (fn, tag), found in groups.items()]
    return result


def idle_tags(explained, repo, host_replayed=True):
    """["impl/src/x.c:12 alloc-failure", ...]: the tags under impl/src that
    covered no never-run line - stale, or code the fuzzers now reach (or, for
    sse-fallback, code compiled out). Information for the report, not an
    error: one short run may miss lines a longer one reaches."""
    used = {(name, g["tag_line"]) for name, groups in explained.items() for g in groups if "tag_line" in g}
    return ["%s:%d %s" % (path, line, category) for path, line, category in tag_locations(repo)
            if (path, line) not in used and (host_replayed or not path.startswith(HOST_FOLDER))]


def reason_totals(explained):
    """{reason: number of never-run lines} over every file."""
    totals = {}
    for groups in explained.values():
        for g in groups:
            count = 0
            for r in g["lines"].split(", "):
                a, _, b = r.partition("-")
                count += int(b or a) - int(a) + 1
            totals[g["reason"]] = totals.get(g["reason"], 0) + count
    return totals


def measure(binaries, files, work, tag):
    """Replays files through binaries; returns (profdata or None)."""
    profile_dir = os.path.join(work, tag + "-profraw")
    shutil.rmtree(profile_dir, ignore_errors=True)
    replay_files(binaries, files, profile_dir, tag)
    return merge_profiles(profile_dir, os.path.join(work, tag + ".profdata"))


def corpus_coverage(binaries, files, work, repo):
    """Coverage of one set of inputs replayed through each coverage binary
    ({target name: path}), and through all of them together (the union,
    which is the headline: host code counts when fuzz_diff_host replays the
    same inputs). Per file and per folder, plus the not-covered lines of
    impl/src with their reasons."""
    if not isinstance(binaries, dict):
        binaries = {os.path.basename(b): b for b in binaries}
    targets = {}
    for name, binary in sorted(binaries.items()):
        profdata = measure([binary], files, work, "final-" + name)
        if profdata is not None:
            targets[name] = summarize(profdata, [binary], repo)
    if not targets:
        return None
    names = sorted(targets)
    objects = [binaries[n] for n in names]
    if len(names) == 1:
        union_profdata = os.path.join(work, "final-%s.profdata" % names[0])
    else:
        union_profdata = os.path.join(work, "final.profdata")
        _run([tool("llvm-profdata"), "merge", "-sparse", "-o", union_profdata]
                       + [os.path.join(work, "final-%s.profdata" % n) for n in names], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    summary = summarize(union_profdata, objects, repo)
    summary["replayed_by"] = names
    summary["targets"] = {n: t["folders"] for n, t in targets.items()}
    summary["target_files"] = {n: t["files"] for n, t in targets.items()}
    counts = line_counts(union_profdata, objects, repo)
    numbers = {name: sorted(n for n, c in lines.items() if c == 0) for name, lines in counts.items()
               if any(c == 0 for c in lines.values())}
    summary["semantics"] = semantics_coverage.measure(repo, counts)
    summary["uncovered_impl_src"] = explain_uncovered(numbers, repo, any(table.target(n).runs_host for n in names))
    summary["uncovered_by_reason"] = reason_totals(summary["uncovered_impl_src"])
    summary["idle_tags"] = idle_tags(summary["uncovered_impl_src"], repo, any(table.target(n).runs_host for n in names))
    summary["profdata"] = union_profdata
    return summary


def coverage_timeline(binary, timed_files, seconds, samples, work, repo):
    """[(t, impl lines %, oracle lines %)] for t = 0, seconds/samples, ...:
    each point replays only the inputs new since the previous one and merges
    the profiles cumulatively. timed_files: (seconds after start, path)."""
    profile_dir = os.path.join(work, "timeline-profraw")
    shutil.rmtree(profile_dir, ignore_errors=True)
    os.makedirs(profile_dir)
    ordered = sorted(timed_files)
    points = []
    done_upto = 0
    for i in range(samples + 1):
        t = seconds * i / samples
        batch = []
        while done_upto < len(ordered) and (ordered[done_upto][0] <= t or i == samples):
            batch.append(ordered[done_upto][1])
            done_upto += 1
        if batch:
            replay_files([binary], batch, profile_dir, "t%02d" % i)
        profdata = merge_profiles(profile_dir, os.path.join(work, "timeline.profdata"))
        if profdata is None:
            continue
        folders = summarize(profdata, [binary], repo)["folders"]
        points.append((round(t, 1), folders["impl"]["lines_pct"], folders["oracle"]["lines_pct"]))
    return points
