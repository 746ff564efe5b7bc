"""coverage.py - what a corpus covers of impl/ and oracle/: replays inputs
with the coverage build (clang source-based coverage + the regression
driver) of every fuzz target, merges the raw profiles with llvm-profdata
and reads lines and branches per folder and per file from llvm-cov - for
each target and for their union (fuzz_diff never runs host-backed code,
fuzz_diff_host runs it on the same inputs) - and the not-covered lines of
impl/src, grouped by function, each group with the reason the fuzzer cannot
reach it (coverage_reasons.py, explained in fuzz/COVERAGE.md).

The timeline replays the corpus as it stood at several moments of the run
(seeds, then every engine's queue entries by the time they were written),
so it measures the same thing as the final figure, without taking CPU from
the engines while they run.
"""
import json
import os
import shutil
import subprocess

from . import coverage_reasons

CHUNK = 200            # inputs per replay process (command-line length)
FOLDERS = ("impl", "oracle")


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
            done = subprocess.run([binary] + chunk, env=env, stdout=subprocess.PIPE,
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
    subprocess.run([tool("llvm-profdata"), "merge", "-sparse", "-o", out] + raws, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return out


def cov_objects(binaries):
    args = [binaries[0]]
    for b in binaries[1:]:
        args += ["-object", b]
    return args


def summarize(profdata, binaries, repo):
    """Lines and branches covered per folder (impl, oracle) and per file."""
    done = subprocess.run([tool("llvm-cov"), "export", "-summary-only", "-instr-profile", profdata]
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


def enclosing_functions(path):
    """[None, None, "f", "f", ...]: for each line (1-based, index 0 unused)
    the C function whose definition it lies in, by the project's style: a
    definition starts at column 0 with its name before "(" and is not a
    declaration (no ";" at the end of its first line)."""
    names = [None]
    current = None
    with open(path, errors="replace") as f:
        for line in f:
            head = line.split("(", 1)[0]
            if (line[:1].isalpha() or line[:1] == "_") and "(" in line and not line.rstrip().endswith(";") \
                    and not line.startswith(("typedef", "_Static_assert", "static_assert")) and "=" not in head:
                words = head.replace("*", " ").split()
                if words:
                    current = words[-1]
            names.append(current)
    return names


def uncovered_lines(profdata, binaries, repo, folder="impl/src"):
    """{file: ["12-15", "40"]}: executable lines never run, from llvm-cov
    show's text form ("  LINE|  COUNT|source"; a blank count is not code)."""
    return {name: ranges(lines) for name, lines in uncovered_line_numbers(profdata, binaries, repo, folder).items()}


def uncovered_line_numbers(profdata, binaries, repo, folder="impl/src"):
    """{file: [12, 13, 14, 15, 40]}, see uncovered_lines."""
    sources = sorted(os.path.join(repo, folder, n) for n in os.listdir(os.path.join(repo, folder))
                     if n.endswith(".c"))
    if not sources:
        return {}
    done = subprocess.run([tool("llvm-cov"), "show", "-instr-profile", profdata, "-show-line-counts",
                           "-use-color=false"] + cov_objects(binaries) + sources,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace")
    result = {}
    current = sources[0] if len(sources) == 1 else None
    missing = []
    root = os.path.normpath(repo) + os.sep

    def flush():
        if current and missing:
            result[current[len(root):] if current.startswith(root) else current] = sorted(missing)

    for line in done.stdout.splitlines():
        if line.endswith(":") and line.startswith("/") and "|" not in line:
            flush()
            current, missing = line[:-1], []
            continue
        parts = line.split("|", 2)
        if len(parts) < 3:
            continue
        number, count = parts[0].strip(), parts[1].strip()
        if number.isdigit() and count == "0":
            missing.append(int(number))
    flush()
    return result


def explain_uncovered(numbers, repo, host_replayed=True):
    """{file: [{"lines": "12-15", "function": "f", "reason": "alloc-failure"}]}:
    the never-run lines grouped by the function they are in, each group with
    the reason fuzz/COVERAGE.md gives for it (coverage_reasons.py), or
    "unexplained" - new code the fuzzer does not reach, to look at."""
    result = {}
    for name, lines in sorted(numbers.items()):
        try:
            owners = enclosing_functions(os.path.join(repo, name))
        except OSError:
            owners = []
        groups = {}
        order = []
        for n in lines:
            fn = owners[n] if n < len(owners) else None
            if fn not in groups:
                groups[fn] = []
                order.append(fn)
            groups[fn].append(n)
        result[name] = [{"lines": ", ".join(ranges(groups[fn])), "function": fn or "(file scope)",
                         "reason": coverage_reasons.reason_for(name, fn, host_replayed)} for fn in order]
    return result


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
        subprocess.run([tool("llvm-profdata"), "merge", "-sparse", "-o", union_profdata]
                       + [os.path.join(work, "final-%s.profdata" % n) for n in names], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    summary = summarize(union_profdata, objects, repo)
    summary["replayed_by"] = names
    summary["targets"] = {n: t["folders"] for n, t in targets.items()}
    summary["target_files"] = {n: t["files"] for n, t in targets.items()}
    numbers = uncovered_line_numbers(union_profdata, objects, repo)
    summary["uncovered_impl_src"] = explain_uncovered(numbers, repo, "fuzz_diff_host" in names)
    summary["uncovered_by_reason"] = reason_totals(summary["uncovered_impl_src"])
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
