"""metric.py - the bug-based metric (fuzz/planted.md): every planted bug of
impl/ fuzzed K times in each setup (libFuzzer or AFL++, from an empty corpus
or the seeds, with or without the structure-aware mutator), each run timed
to its first crash, the crash checked to be that bug's. Writes metric.json
(the schema is in fuzz/planted.md; the campaign's front page reads it) and
metric.md.

Every engine process runs nice'd in its own process group and is ended with
its group (engines.start_group / end_group), whatever way the run ends.
"""
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

from . import build as builder, engines, provenance

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLANTED_MD = os.path.join(REPO, "fuzz", "planted.md")
DICT = os.path.join(REPO, "fuzz", "vas.dict")
TARGET = "fuzz_diff"
LIBFUZZER_ENGINE = "libfuzzer-nosan"   # no sanitizer: the plants are semantic, speed is the measure
AFL_ENGINE = "afl"
GRACE_S = 10                           # past --seconds before a run's group is killed
POLL_S = 0.2
# AFL++ (4.04c) runs every seed once before fuzzing and drops one that
# crashes, saying so on its output, and records no crash for it (newer
# versions can, with AFL_CRASHING_SEEDS_AS_NEW_CRASH): the metric takes that
# line as the run's crash, at the time it appears, as it takes libFuzzer's
# crash on a seed.
AFL_CRASHING_SEED = re.compile(r"Test case '([^']+)' results in a crash")


class Setup:
    def __init__(self, engine, corpus, mutator):
        self.engine, self.corpus, self.mutator = engine, corpus, mutator   # "libFuzzer"/"AFL++", "empty"/"seed"

    @property
    def name(self):
        return "%s%s, %s corpus" % (self.engine, " + mutator" if self.mutator else "", self.corpus)


SETUPS = [Setup(e, c, m) for e in ("libFuzzer", "AFL++") for m in (False, True) for c in ("empty", "seed")]
# --quick (the test command): bugs the seeds trigger at once and one that
# needs a fuzzer's mutation, K=1, the seed corpus, without the mutator.
QUICK_BUGS = ("P01", "P16", "P28")
QUICK_SETUPS = [s for s in SETUPS if s.corpus == "seed" and not s.mutator]

ROW = re.compile(r"^\| (P\d\d) \| ([^|]+) \| `([^`]+)` \| (.+) \|$")


def planted_bugs(path=PLANTED_MD):
    """[(id, behaviour, where, what)] from the table in fuzz/planted.md."""
    bugs = []
    with open(path) as f:
        for line in f:
            m = ROW.match(line.strip())
            if m:
                bugs.append(tuple(g.strip() for g in m.groups()))
    return bugs


def plant_number(bug_id):
    return int(bug_id[1:])


class Builds:
    """The four builds the metric runs: libFuzzer with and without the
    mutator, AFL++ (and its mutator shared object), the replay driver that
    checks each crash; all but the mutator object with -DVAS_PLANTS."""

    def __init__(self, setups, log):
        def b(engine, mutator=False):
            return os.path.join(builder.build(REPO, engine, log=log, targets=[TARGET], plants=True, mutator=mutator),
                                TARGET)
        self.replay = b("replay")
        engines_needed = {(s.engine, s.mutator) for s in setups}
        self.libfuzzer = b(LIBFUZZER_ENGINE) if ("libFuzzer", False) in engines_needed else None
        self.libfuzzer_mutator = b(LIBFUZZER_ENGINE, True) if ("libFuzzer", True) in engines_needed else None
        self.afl = b(AFL_ENGINE) if any(e == "AFL++" for e, _m in engines_needed) else None
        self.mutator_so = builder.mutator_library(REPO, log=log) if ("AFL++", True) in engines_needed else None

    def keep(self, folder):
        """Copies every build into folder and uses the copies: a rebuild
        of build-fuzz/ while the metric runs (a change of the sources, another
        run) must not pull a binary from under it."""
        for name in ("replay", "libfuzzer", "libfuzzer_mutator", "afl", "mutator_so"):
            path = getattr(self, name)
            if path:
                copy = os.path.join(folder, name + "-" + os.path.basename(path))
                shutil.copy2(path, copy)
                setattr(self, name, copy)


def seed_inputs(dest, corpus):
    os.makedirs(dest, exist_ok=True)
    if corpus == "empty":
        with open(os.path.join(dest, "zero"), "wb") as f:
            f.write(b"\0")
        return
    src = os.path.join(REPO, "corpus", "seed")
    for n in sorted(os.listdir(src)):
        if n.endswith(".bin"):
            shutil.copyfile(os.path.join(src, n), os.path.join(dest, n))


def replay_diverges(replay, path, plant):
    env = dict(os.environ)
    env.pop("VAS_PLANT", None)
    env.pop("VAS_PLANT_REACHED", None)
    if plant:
        env["VAS_PLANT"] = str(plant)
    try:
        done = subprocess.run(["nice", replay, path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60)
    except subprocess.TimeoutExpired:
        return None
    return done.returncode != 0


def afl_crashing_seed(log_path, inputs):
    """The seed AFL++'s output says crashed in its first pass over the
    seeds (its copy in the queue names the original: orig:NAME), or None."""
    with open(log_path, errors="replace") as f:
        m = AFL_CRASHING_SEED.search(f.read())
    if not m:
        return None
    orig = re.search(r"orig:(.+)$", m.group(1))
    return os.path.join(inputs, orig.group(1)) if orig else None


def run_once(builds, bug_id, setup, k, seconds, work, seed):
    """One engine run on one bug. Returns a dict: killed, other, reached,
    seconds (to the crash, or the whole run), command."""
    plant = plant_number(bug_id)
    os.makedirs(work, exist_ok=True)
    reached = os.path.join(work, "reached")
    env = dict(os.environ, VAS_PLANT=str(plant), VAS_PLANT_REACHED=reached)
    inputs = os.path.join(work, "in")
    seed_inputs(inputs, setup.corpus)
    if setup.engine == "libFuzzer":
        binary = builds.libfuzzer_mutator if setup.mutator else builds.libfuzzer
        cmd = [binary, "-seed=%d" % seed, "-max_total_time=%d" % seconds, "-timeout=10", "-rss_limit_mb=4096",
               "-artifact_prefix=" + work + "/", "-dict=" + DICT, "-print_final_stats=1", inputs]
        crash_dir, crash_prefix = work, "crash-"
    else:
        env = dict(engines.afl_environment(True), VAS_PLANT=str(plant), VAS_PLANT_REACHED=reached)
        # A seed that crashes is fuzzed past, not dropped: AFL++ then finds
        # the crash again from it at once (it does not record seeds that
        # crash, and with AFL_SKIP_CRASHES it would not use them at all).
        env.pop("AFL_SKIP_CRASHES", None)
        if setup.mutator:
            env["AFL_CUSTOM_MUTATOR_LIBRARY"] = builds.mutator_so
        out = os.path.join(work, "out")
        cmd = ["afl-fuzz", "-s", str(seed), "-i", inputs, "-o", out, "-m", "none", "-t", "10000",
               "-V", str(seconds), "-x", DICT, "--", builds.afl]
        crash_dir, crash_prefix = os.path.join(out, "default", "crashes"), "id:"
    cmd = ["nice", "-n", "10"] + cmd
    log_path = os.path.join(work, "engine.log")
    started = time.time()
    crashing_seed = None
    with open(log_path, "w") as log:
        proc = engines.start_group(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None and time.time() - started < seconds + GRACE_S:
                time.sleep(POLL_S)
                if setup.engine == "AFL++":
                    crashing_seed = afl_crashing_seed(log_path, inputs)
                    if crashing_seed:
                        break
        finally:
            elapsed = time.time() - started
            engines.end_group(proc)
    crashes = sorted(os.path.join(crash_dir, n) for n in os.listdir(crash_dir)
                     if n.startswith(crash_prefix)) if os.path.isdir(crash_dir) else []
    if crashing_seed:
        crashes = [crashing_seed]
    result = {"killed": False, "other": False, "reached": os.path.exists(reached), "seconds": round(elapsed, 2),
              "command": provenance.portable(cmd, [(work, "RUN"), (REPO, "")])}
    if crashes:
        on, off = replay_diverges(builds.replay, crashes[0], plant), replay_diverges(builds.replay, crashes[0], None)
        result["killed"] = bool(on) and off is False
        result["other"] = not result["killed"]
    return result


def summarize(bugs, setups, results, runs, seconds):
    """metric.json's dict from results[(bug_id, setup name)] = [run dicts]."""
    out_bugs = []
    for bug_id, behaviour, where, what in bugs:
        per = {}
        for s in setups:
            rs = results.get((bug_id, s.name))
            if rs is None:
                continue
            times = sorted(r["seconds"] for r in rs if r["killed"])
            per[s.name] = {"killed": len(times), "runs": len(rs), "reached": sum(r["reached"] for r in rs),
                           "other": sum(r["other"] for r in rs),
                           "median_s": round(statistics.median(times), 2) if times else None,
                           "min_s": times[0] if times else None, "max_s": times[-1] if times else None}
        out_bugs.append({"id": bug_id, "what": what, "behaviour": behaviour, "where": where,
                         "reached": any(r["reached"] for r in per.values()),
                         "triggered": any(r["killed"] for r in per.values()), "results": per})
    summary, by_engine = {}, {}
    for s in setups:
        times = [r["seconds"] for (b, name), rs in results.items() if name == s.name for r in rs if r["killed"]]
        killed = sum(1 for b in out_bugs if b["results"].get(s.name, {}).get("killed"))
        summary[s.name] = {"bugs": sum(1 for b in out_bugs if s.name in b["results"]), "killed": killed,
                           "median_s": round(statistics.median(times), 2) if times else None}
        by_engine.setdefault(s.engine, []).extend(times)
    engines_row = {e: {"kills": len(t), "median_s": round(statistics.median(t), 2) if t else None}
                   for e, t in by_engine.items()}
    return {"runs": runs, "budget_s": seconds, "setups": [s.name for s in setups], "bugs": out_bugs,
            "summary": summary, "engines": engines_row}


def cell(r):
    if r is None:
        return "-"
    text = "%d/%d" % (r["killed"], r["runs"])
    if r["median_s"] is not None:
        text += " (%.1f s)" % r["median_s"]
    if r["other"]:
        text += " +%d other" % r["other"]
    return text


def write_markdown(m, path):
    lines = ["# Bug-based metric", "",
             "%d planted bugs (fuzz/planted.md), %d run(s) per bug and setup, each at most %d s; "
             "a cell is kills/runs (median time to detect)." % (len(m["bugs"]), m["runs"], m["budget_s"]), "",
             "| setup | bugs killed | median time to detect |", "|---|---|---|"]
    for name in m["setups"]:
        s = m["summary"][name]
        lines.append("| %s | %d of %d | %s |" % (name, s["killed"], s["bugs"],
                                                 "%.1f s" % s["median_s"] if s["median_s"] is not None else "-"))
    lines += ["", "| engine | kills | median time to detect |", "|---|---|---|"]
    for e, r in sorted(m["engines"].items()):
        lines.append("| %s | %d | %s |" % (e, r["kills"], "%.1f s" % r["median_s"] if r["median_s"] is not None else "-"))
    lines += ["", "## Kill matrix", "", "| bug | what | reached | " + " | ".join(m["setups"]) + " |",
              "|---|---|---|" + "---|" * len(m["setups"])]
    for b in m["bugs"]:
        lines.append("| %s | %s | %s | %s |" % (b["id"], b["what"], "yes" if b["reached"] else "no",
                                                " | ".join(cell(b["results"].get(s)) for s in m["setups"])))
    never = [b["id"] for b in m["bugs"] if not b["triggered"]]
    lines += ["", "Not killed in any setup: %s." % (", ".join(never) if never else "none")]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run(args, log):
    """fuzz.py metric. Returns 0 when it ran (whatever it measured: the
    figures are the output), 2 when it could not run."""
    bugs = planted_bugs()
    if args.quick:
        bugs = [b for b in bugs if b[0] in QUICK_BUGS]
        setups, runs, seconds = QUICK_SETUPS, 1, args.seconds or 30
    else:
        setups, runs, seconds = SETUPS, args.runs, args.seconds or 60
    if args.bugs:
        wanted = set(args.bugs.split(","))
        bugs = [b for b in bugs if b[0] in wanted]
    if args.setups:
        wanted = set(n.strip() for n in args.setups.split(";"))
        setups = [s for s in setups if s.name in wanted]
    if not bugs or not setups:
        log("metric: no bug or no setup chosen")
        return 2
    if any(s.engine == "AFL++" for s in setups) and shutil.which("afl-fuzz") is None:
        log("metric: afl-fuzz is not installed")
        return 2
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    started = time.time()
    builds = Builds(setups, log)
    work_root = tempfile.mkdtemp(prefix="vas-metric-")
    builds.keep(work_root)
    jobs = [(b[0], s, k) for b in bugs for s in setups for k in range(runs)]
    log("metric: %d bugs x %d setups x %d runs = %d runs of at most %d s, %d at a time"
        % (len(bugs), len(setups), runs, len(jobs), seconds, args.jobs))
    results = {}

    def one(job):
        bug_id, setup, k = job
        work = os.path.join(work_root, "%s-%d-%s" % (bug_id, k, re.sub(r"[^a-z0-9]+", "-", setup.name.lower())))
        r = run_once(builds, bug_id, setup, k, seconds, work, seed=args.seed + 1000 * k + plant_number(bug_id))
        shutil.rmtree(work, ignore_errors=True)
        return job, r
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for (bug_id, setup, k), r in pool.map(one, jobs):
                results.setdefault((bug_id, setup.name), []).append(r)
                log("metric: %s %s run %d: %s in %.1f s%s" % (bug_id, setup.name, k + 1,
                                                             "killed" if r["killed"] else "other crash" if r["other"]
                                                             else "not killed", r["seconds"],
                                                             "" if r["reached"] else " (not reached)"))
    finally:
        engines.end_all()
        shutil.rmtree(work_root, ignore_errors=True)
    m = summarize(bugs, setups, results, runs, seconds)
    m.update({"seconds": round(time.time() - started, 1), "jobs": args.jobs,
              "commit": provenance.git_commit(REPO).get("commit"),
              "command": "python3 fuzz/fuzz.py metric " + " ".join(args.argv)})
    with open(os.path.join(out, "metric.json"), "w") as f:
        json.dump(m, f, indent=1)
    write_markdown(m, os.path.join(out, "metric.md"))
    for name in m["setups"]:
        s = m["summary"][name]
        log("metric: %-32s %d of %d bugs killed, median %s" % (name, s["killed"], s["bugs"],
                                                               "%.1f s" % s["median_s"] if s["median_s"] is not None else "-"))
    log("metric: wrote %s and metric.md (%.0f s)" % (os.path.join(out, "metric.json"), m["seconds"]))
    return 0
