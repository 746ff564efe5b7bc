"""campaign.py - one time-boxed differential fuzzing run: builds the
targets, runs libFuzzer and AFL++ side by side on the given cores, merges
what they found into the corpus, turns crashes into deduplicated, minimized
regression traces, measures coverage of impl/ and oracle/ and writes
report.md, report.json, junit.xml, report.sarif and coverage.svg into the
output folder. `fuzz.py campaign`, `fuzz.py smoke` and `fuzz.py
fault-injection` all run through Campaign (with parts skipped).

Exit status of run(): 0 no finding (with planted_bug: the planted bug was
found), 1 otherwise; SetupError when the campaign could not be set up.
"""
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from . import (build as builder, corpus_merge, coverage, engines, findings, golden, judge, known, modes, plot,
               provenance, reports, table, wine_replay)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHASES = ("coverage", "merge")   # what --skip may leave out
# With --budget: the time set aside for the phases after fuzzing, and how
# far past the budget a run may end (stated in report.json, tested).
RESERVE_S, RESERVE_SHARE, BUDGET_MARGIN_S = 8.0, 0.3, 10.0
TIMELINE_MIN_LEFT_S = 15.0   # the coverage timeline only with this much of the budget left


class Campaign:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        self.work = os.path.join(self.out, "work")
        # --corpus-dir: a corpus kept between runs (a CI cache): read at the
        # start, only added to at the end; the seeds come on top of it.
        self.kept = bool(args.corpus_dir)
        self.corpus = os.path.abspath(args.corpus_dir or args.corpus)
        if self.kept:
            os.makedirs(self.corpus, exist_ok=True)
        self.restored = len(corpus_merge.list_inputs(self.corpus))
        self.extra_seeds = os.path.join(REPO, "corpus", "seed") if self.kept else None
        self.known = known.load(args.known)
        self.regression = os.path.abspath(args.regression) if args.regression else None
        self.cases = None          # the golden cases (golden.py), read at the first divergence
        self.wine_used = False
        self.planted = args.planted_bug
        self.target = args.target
        self.dictionary = os.path.join(REPO, "fuzz", "vas.dict")
        if not os.path.exists(self.dictionary):
            self.dictionary = None
        self.log_file = None
        self.skip = set(args.skip.split(",")) if args.skip else set()
        self.started = time.time()
        budget = getattr(args, "budget", None)
        self.deadline = self.started + budget if budget else None
        self.phases = {}       # phase -> seconds spent, for report.json
        # Every engine instance's seed derives from this one (report.json).
        self.seed = args.seed if args.seed is not None else int(time.time()) % 1000000

    # ---- setup -----------------------------------------------------------

    @contextlib.contextmanager
    def phase(self, name):
        t = time.time()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.time() - t, 2)

    def left(self):
        """Seconds left of --budget (None without one)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.time())

    def fuzz_seconds_for_budget(self):
        """--seconds, or with --budget what is left once the time the
        phases after fuzzing need is set aside (RESERVE_S plus
        RESERVE_SHARE of what is left: merge, findings, coverage, reports),
        and the grace an engine is given past its deadline before it is
        ended (engines.GRACE): the phase may last that long, and what it
        does not use goes to the merge."""
        if self.deadline is None:
            return self.args.seconds
        left = self.left()
        seconds = int(left - (RESERVE_S + RESERVE_SHARE * left) - engines.GRACE)
        if self.args.seconds:
            seconds = min(seconds, self.args.seconds)
        if seconds < 1:
            raise engines.SetupError("--budget %d s leaves no time to fuzz after %.0f s of building"
                                     % (self.args.budget, time.time() - self.started))
        return seconds

    def timeout(self, cap):
        """A subprocess timeout: cap, or less when the budget ends sooner."""
        left = self.left()
        return cap if left is None else max(1.0, min(cap, left))

    def scrub(self, value):
        """The report with machine paths taken out of every text in it (tool
        output quotes absolute paths): the output folder becomes OUT/, the
        repository its relative paths."""
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, str):
            roots = [(self.out, "OUT"), (REPO, ".")]
            if not self.corpus.startswith(REPO + os.sep):
                roots.insert(0, (self.corpus, "CORPUS"))  # a kept corpus outside the repository
            for root, name in roots:
                value = value.replace(root + os.sep, name + "/" if name != "." else "")
                value = value.replace(root, name)  # the folder itself (a cwd, a --corpus-dir)
        return value

    def portable(self, cmd):
        return provenance.portable(cmd, [(self.out, "OUT"), (REPO, "")])

    def rel(self, path):
        """A path for a report: relative to the repository or to the output
        folder, never absolute (reports travel between machines)."""
        path = os.path.abspath(path)
        for root in (self.out, REPO):
            if path == root or path.startswith(root + os.sep):
                return os.path.relpath(path, root)
        return os.path.basename(path)

    def log(self, message):
        line = "[%s] %s" % (time.strftime("%H:%M:%S"), message)
        print(line, file=sys.stderr, flush=True)
        if self.log_file:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def check_tools(self):
        missing = [t for t in ("clang", "afl-fuzz", "afl-clang-fast") if shutil.which(t) is None]
        missing += [t for t in ("llvm-profdata", "llvm-cov") if coverage.tool(t) is None]
        if missing:
            raise engines.SetupError("missing tools: " + ", ".join(missing))
        if not os.path.isdir(self.corpus):
            raise engines.SetupError("no corpus folder %s" % self.corpus)

    def build(self):
        root = os.path.abspath(self.args.build_dir)
        p = self.planted
        with_mutator = getattr(self.args, "mutator", False)

        def b(engine, planted=p, mutator=False):
            out = os.path.join(root, engine + ("-planted" if planted else "") + ("-mutator" if mutator else ""))
            try:
                return os.path.join(builder.build(REPO, engine, planted, out, self.log, mutator=mutator), self.target)
            except builder.BuildError as e:
                raise engines.SetupError("build of %s failed:\n%s" % (engine, e))
        self.libfuzzer = b("libfuzzer", mutator=with_mutator)
        try:
            self.mutator_library = (builder.mutator_library(REPO, os.path.join(root, "afl-mutator"), self.log)
                                    if with_mutator else None)
        except builder.BuildError as e:
            raise engines.SetupError("build of the AFL++ custom mutator failed:\n%s" % e)
        self.afl = b("afl")
        self.afl_cmplog = b("afl-cmplog")
        # One AFL++ secondary runs the sanitizer build, when there are secondaries.
        self.afl_asan = b("afl-asan") if engines.split_cores(self.args.cores)[1] > 1 else None
        self.replay = b("replay")
        self.replay_clean = b("replay", False) if p else self.replay
        self.coverage_bin = None if "coverage" in self.skip else b("coverage", False)
        self.vastrace = self.find_vastrace()

    def find_vastrace(self):
        for candidate in (os.environ.get("VASTRACE"), os.path.join(REPO, "build-ci", "harness", "vastrace"),
                          os.path.join(REPO, "build", "harness", "vastrace")):
            if candidate and os.access(candidate, os.X_OK):
                return candidate
        build = os.path.join(REPO, "build-ci")
        self.log("build: vastrace into %s" % build)
        for cmd in (["cmake", "-S", REPO, "-B", build, "-G", "Ninja", "-DVAS_SANITIZE=OFF",
                     "-DCMAKE_BUILD_TYPE=Release"], ["ninja", "-C", build, "vastrace"]):
            if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
                self.log("vastrace could not be built; traces come from the replay driver's --print")
                return None
        return os.path.join(build, "harness", "vastrace")

    def replay_regressions(self):
        """Every saved finding must still agree (the bug stays fixed)."""
        if not self.regression or not os.path.isdir(self.regression):
            return None
        done = subprocess.run([self.replay_clean, self.regression], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace")
        self.log("regression replay: %s" % (done.stdout.strip().splitlines() or ["(nothing)"])[-1])
        return {"failed": done.returncode != 0, "output": done.stdout[-4000:]}

    # ---- fuzzing ---------------------------------------------------------

    def run_engines(self, seconds):
        lf_count, afl_count = engines.split_cores(self.args.cores)
        sources = [self.corpus, self.extra_seeds, self.regression]
        lf_corpus = os.path.join(self.work, "libfuzzer-corpus")
        afl_seeds = os.path.join(self.work, "afl-in")
        self.seed_count = engines.copy_inputs(sources, lf_corpus)
        engines.copy_inputs(sources, afl_seeds)
        self.lf_corpus = lf_corpus
        self.afl_sync = os.path.join(self.work, "afl-sync")
        stop_early = self.planted
        self.seconds = seconds
        self.log("fuzzing %s for %d s: %d libFuzzer worker(s), %d AFL++ instance(s)"
                 % (self.target, seconds, lf_count, afl_count))
        self.t0 = time.time()
        deadline = self.t0 + seconds
        self.lf_workers = [engines.LibFuzzerWorker(self.libfuzzer, lf_corpus, os.path.join(self.work, "libfuzzer-%d" % i),
                                                   self.dictionary, i, stop_early, seed=self.seed + 1000 * i,
                                                   value_profile=i == lf_count - 1)
                           for i in range(lf_count)]
        flavours = engines.afl_flavours(afl_count, self.afl_asan is not None)
        self.afl_instances = [engines.AflInstance(self.afl_asan if flavours[i] == ("asan",) else self.afl,
                                                  self.afl_cmplog, afl_seeds, self.afl_sync,
                                                  "main" if i == 0 else "secondary-%d" % i, i == 0,
                                                  self.dictionary, os.path.join(self.work, "afl"),
                                                  seed=self.seed + 100000 + i, flavour=flavours[i],
                                                  foreign=lf_corpus, custom_mutator=self.mutator_library)
                              for i in range(afl_count)]
        self.bridge = engines.CorpusBridge(lambda: [(a.name, os.path.join(a.out_dir, "queue"))
                                                    for a in self.afl_instances], lf_corpus)
        for a in self.afl_instances:
            a.start(seconds, stop_early)
        for w in self.lf_workers:
            w.start(self.t0, deadline)
        self.bridge.start()
        for w in self.lf_workers:
            w.join()
        for a in self.afl_instances:
            a.wait(deadline)
        self.bridge.finish()
        self.fuzz_seconds = time.time() - self.t0
        self.log("engines done after %.1f s" % self.fuzz_seconds)

    def engine_summaries(self):
        lf_execs = sum(w.execs for w in self.lf_workers)
        lf_secs = max([w.seconds for w in self.lf_workers] + [0.001])
        lf_errors = [e for w in self.lf_workers for e in w.errors]
        if lf_execs == 0:
            lf_errors.append("libFuzzer reported no executions")
        lf = {"name": "libFuzzer", "instances": len(self.lf_workers), "execs": lf_execs,
              "execs_per_sec": round(lf_execs / lf_secs, 1) if lf_execs else 0, "seconds": round(lf_secs, 1),
              "rounds": sum(w.rounds for w in self.lf_workers), "errors": lf_errors,
              "log": os.path.relpath(self.lf_workers[0].log_path, self.out),
              "crashes": sum(len(w.artifacts()) for w in self.lf_workers),
              "seeds": [w.seed for w in self.lf_workers],
              "commands": [self.portable(c) for w in self.lf_workers for c in w.commands]}
        execs, eps, errors = 0, 0.0, []
        for a in self.afl_instances:
            stats = a.stats()
            if not stats:
                errors.append("AFL++ %s did not start (status %s), see %s" % (a.name, a.status, self.rel(a.log_path)))
                continue
            execs += int(stats.get("execs_done", 0))
            run_time = float(stats.get("run_time", 0)) or 1.0
            eps += int(stats.get("execs_done", 0)) / run_time
        afl = {"name": "AFL++", "instances": len(self.afl_instances), "execs": execs,
               "execs_per_sec": round(eps, 1), "seconds": round(self.fuzz_seconds, 1), "errors": errors,
               "log": os.path.relpath(self.afl_instances[0].log_path, self.out),
               "crashes": sum(len(a.crashes()) for a in self.afl_instances),
               "edges_found": max([int(a.stats().get("edges_found", 0)) for a in self.afl_instances] + [0]),
               "total_edges": max([int(a.stats().get("total_edges", 0)) for a in self.afl_instances] + [0]),
               "seeds": [a.seed for a in self.afl_instances],
               "exchanged_to_libfuzzer": self.bridge.copied,
               "commands": [self.portable(a.command) for a in self.afl_instances if a.command]}
        for e, path in ((lf, self.lf_workers[0].log_path), (afl, self.afl_instances[0].log_path)):
            if e["errors"]:
                try:
                    with open(path, errors="replace") as f:
                        e["log_tail"] = f.read()[-3000:]
                except OSError:
                    pass
        return [lf, afl]

    # ---- after the run ---------------------------------------------------

    def afl_queue_flat(self):
        """Every AFL++ instance's queue in one flat folder, for the merge."""
        flat = os.path.join(self.work, "afl-queue")
        os.makedirs(flat, exist_ok=True)
        for a in self.afl_instances:
            for path in a.queue():
                shutil.copy2(path, os.path.join(flat, a.name + "-" + os.path.basename(path).replace(":", "_")))
        return flat

    def merge(self):
        grow = not (self.planted or self.args.no_grow)

        def verify(folder):
            # Bounded by the budget like the merge itself: an unverified set
            # leaves the kept corpus as it was.
            try:
                done = subprocess.run([self.replay, folder], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, errors="replace", timeout=self.timeout(300))
            except subprocess.TimeoutExpired:
                return "the budget ran out while replaying the merged set"
            return None if done.returncode == 0 else "the merged set does not replay cleanly"

        result = corpus_merge.merge_corpus(
            corpus_merge.libfuzzer_merge(self.libfuzzer, self.work, timeout=self.timeout(max(300, 5 * self.seconds))),
            self.corpus, [self.lf_corpus, self.afl_queue_flat()], os.path.join(self.out, "corpus-min"),
            grow=grow, verify=verify)
        self.log("corpus: %d -> %d inputs (%d added), minimized set %d%s"
                 % (result.before, result.after, len(result.added), result.minimized,
                    ", " + result.error if result.error else ""))
        d = result.as_dict()
        d["path"] = self.rel(self.corpus)
        d["grown"] = grow
        d["kept"], d["restored"] = self.kept, self.restored
        return d

    def crash_files(self):
        rows = []
        for w in self.lf_workers:
            rows += [("libFuzzer", p, os.path.getmtime(p) - self.t0) for p in w.artifacts()]
        for a in self.afl_instances:
            rows += [("AFL++", p, os.path.getmtime(p) - self.t0) for p in a.crashes()]
        return rows

    def signature_of(self, path):
        _status, text = findings.run_input(self.libfuzzer, path)
        return findings.parse_signature(text, REPO)

    def process_findings(self):
        crashes = self.crash_files()
        groups = findings.dedupe(crashes, self.signature_of)
        dest = os.path.join(self.out, "findings")
        os.makedirs(dest, exist_ok=True)
        budget = int(min(60, max(5, self.seconds // 4)))
        if self.deadline is not None and groups:   # share what is left of the reserve
            budget = int(max(1, min(budget, 0.3 * self.left() / len(groups))))
        for f in groups:
            f.name = findings.slug(f.signature)
            self.log("finding %s: %s (%d files)" % (f.name, f.signature.summary, len(f.files)))
            smallest = min((p for _e, p, _t in f.files), key=os.path.getsize)
            candidate = os.path.join(self.work, f.name + ".min")
            shutil.copyfile(smallest, candidate)
            minimized = findings.libfuzzer_minimize(self.libfuzzer, smallest, candidate + ".lf", budget, self.work)
            if minimized and self.signature_of(minimized).key == f.signature.key:
                shutil.move(minimized, candidate)
            if f.signature.kind == "divergence":
                self.minimize_as_trace(f, candidate, time.time() + budget)
            bin_path = os.path.join(dest, f.name + ".bin")
            shutil.copyfile(candidate, bin_path)
            f.bin_path, f.min_size = bin_path, os.path.getsize(bin_path)
            f.trace_text = self.decode(bin_path)
            f.trace_path = os.path.join(dest, f.name + ".trace")
            with open(f.trace_path, "w") as out:
                out.write("# %s: %s\n# found by %s after %.1f s (fuzz.py campaign%s)\n%s" % (
                    f.name, f.signature.summary, ", ".join(f.engines()), f.first_seconds,
                    ", planted bug" if self.planted else "", f.trace_text))
            if self.planted:
                status, _ = findings.run_input(self.replay_clean, bin_path)
                f.planted = status == 0
            full_report = findings.run_input(self.replay, bin_path)[1]
            f.report_text = full_report[-4000:]
            # The whole report beside the finding: each backend's answer and
            # region table, and the map before the diverging op (vastrace map).
            f.report_path = os.path.join(dest, f.name + ".report.txt")
            with open(f.report_path, "w") as out:
                out.write(full_report)
            if f.signature.kind == "divergence":
                self.judge(f, full_report, dest)
            f.reruns = self.rerun(f, bin_path)
            self.write_reproducer(f, dest)
            if self.args.promote and self.regression and not (self.planted and f.planted):
                os.makedirs(self.regression, exist_ok=True)
                for suffix in (".bin", ".trace"):
                    target = os.path.join(self.regression, f.name + suffix)
                    if not os.path.exists(target):
                        shutil.copyfile(os.path.join(dest, f.name + suffix), target)
        return groups

    def judge(self, finding, report, dest):
        """Blame (golden.py: a conformance case covering the diverging
        operation outranks the vote) and, with --wine-exe, the divergence
        replayed under Wine with a draft case beside the finding
        (wine_replay.py): judge.py, on the replay build that diverged."""
        if self.cases is None:
            self.cases = golden.load_cases(self.args.cases)
        self.wine_used = self.wine_used or bool(self.args.wine_exe)
        finding.blame, finding.wine = judge.judge_report(
            report, finding.name, dest, self.replay, self.cases, os.path.join(self.work, "judge"), REPO,
            wine_exe=self.args.wine_exe, wineprefix=self.args.wine_exe and self.wineprefix(),
            timeout=self.timeout(120))
        self.log("finding %s: blame %s%s" % (
            finding.name, "+".join(finding.blame["blamed"]) + " by " + finding.blame["by"] if finding.blame.get("by")
            else "none", "; " + finding.wine["verdict"] if finding.wine else ""))

    def add_judgement(self, f, g):
        """judge()'s findings into the finding's dict f: "blame", "wine"
        (its draft as a report path) and, when a golden case decided, the
        signature naming the blamed backends (before the registry reads it)."""
        f["blame"] = getattr(g, "blame", None)
        f["wine"] = getattr(g, "wine", None)
        if f["wine"] and f["wine"].get("draft"):
            f["wine"]["draft"] = self.rel(f["wine"]["draft"])
        if f["blame"] and f["blame"].get("by") == "golden":
            f["signature"]["key"] = golden.rekey(f["signature"]["key"], f["blame"])
            f["signature"]["summary"] += "; golden case %s blames %s%s" % (
                f["blame"]["case"], ", ".join(f["blame"]["blamed"]),
                " (the vote said %s)" % f["blame"]["vote"] if f["blame"]["vote"] else "")

    def wineprefix(self):
        return self.args.wineprefix or os.path.join(os.path.dirname(os.path.abspath(self.args.wine_exe)), "wineprefix")

    def rerun(self, finding, path):
        """Runs the minimized input --reruns times on each build that can
        run it (the libFuzzer build, the replay build): how often the same
        signature came back. A finding that does not always repeat on a
        build that saw it at all, or on the libFuzzer build that found it,
        is marked flaky."""
        n = self.args.reruns
        counts = {}
        for build, binary in (("libfuzzer", self.libfuzzer), ("replay", self.replay)):
            counts[build] = sum(1 for _ in range(n) if self.repeats(binary, path, finding))
        flaky = n > 0 and (counts["libfuzzer"] < n or any(0 < c < n for c in counts.values()))
        return {"runs": n, "reproduced": counts, "flaky": flaky}

    def repeats(self, binary, path, finding):
        status, text = findings.run_input(binary, path)
        return status != 0 and findings.parse_signature(text, REPO).key == finding.signature.key

    def write_reproducer(self, finding, dest):
        path = os.path.join(dest, finding.name + ".reproduce.sh")
        flags = " --planted-bug" if self.planted else ""
        with open(path, "w") as f:
            f.write("""#!/bin/sh
# Reproduces finding %s (%s):
# builds the replay driver of %s%s and replays %s.trace beside this
# script. Exit status 1: it still diverges. Run inside the vas repository
# (or set VAS_REPO to it).
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=${VAS_REPO:-$(git rev-parse --show-toplevel)}
exec python3 "$repo/fuzz/fuzz.py" regression --targets %s%s "$here/%s.trace"
""" % (finding.name, finding.signature.key, self.target, " with the planted bug" if self.planted else "",
       finding.name, self.target, flags, finding.name))
        os.chmod(path, 0o755)
        finding.reproducer = path

    def decode(self, bin_path):
        if self.vastrace:
            done = subprocess.run([self.vastrace, "decode", bin_path], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
            if done.returncode == 0:
                return done.stdout
        done = subprocess.run([self.replay, "--print", bin_path], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
        return done.stdout

    def minimize_as_trace(self, finding, candidate, deadline):
        """Delta debugging over the decoded trace's operations, checked with
        the replay build (it carries the planted bug when vastrace does
        not); the result goes back to bytes with `vastrace encode`."""
        if not self.vastrace:
            return
        text = self.decode(candidate)
        scratch = os.path.join(self.work, finding.name + ".dd.trace")

        def same_bug(trace_text):
            with open(scratch, "w") as f:
                f.write(trace_text)
            status, report = findings.run_input(self.replay, scratch)
            return status == 1 and findings.parse_signature(report, REPO).key == finding.signature.key

        smaller = findings.minimize_trace(text, same_bug, deadline)
        if smaller.count("\n") >= text.count("\n"):
            return
        with open(scratch, "w") as f:
            f.write(smaller)
        encoded = candidate + ".dd.bin"
        if subprocess.run([self.vastrace, "encode", scratch, encoded], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return
        if self.signature_of(encoded).key == finding.signature.key:
            shutil.move(encoded, candidate)

    def coverage_targets(self):
        """Every coverage build of a target ({name: path}): the corpus is
        replayed through each, so host-backed code counts even when the run
        fuzzed fuzz_diff (fuzz_diff_host runs the same inputs as x86)."""
        folder = os.path.dirname(self.coverage_bin)
        found = {self.target: self.coverage_bin}
        # Targets that need an outside program (Wine) are not replayed here.
        for name in (t.name for t in table.TARGETS if not t.requires):
            path = os.path.join(folder, name)
            if name not in found and os.access(path, os.X_OK) and not self.args.only_target_coverage:
                found[name] = path
        return found

    def measure_coverage(self, merged):
        inputs = [os.path.join(self.corpus, n) for n in corpus_merge.list_inputs(self.corpus)]
        min_dir = os.path.join(self.out, "corpus-min")
        inputs += [os.path.join(min_dir, n) for n in corpus_merge.list_inputs(min_dir)]
        if self.regression:
            inputs += [os.path.join(self.regression, n) for n in corpus_merge.list_inputs(self.regression)]
        cov = coverage.corpus_coverage(self.coverage_targets(), inputs, self.work, REPO)
        timed = [(0.0, os.path.join(self.lf_corpus, n)) for n in corpus_merge.list_inputs(self.lf_corpus)]
        timed = [(max(0.0, os.path.getmtime(p) - self.t0), p) for _t, p in timed]
        flat = os.path.join(self.work, "afl-queue")
        timed += [(max(0.0, os.path.getmtime(os.path.join(flat, n)) - self.t0), os.path.join(flat, n))
                  for n in corpus_merge.list_inputs(flat)]
        if self.seconds == 0:
            return cov, []     # nothing was fuzzed: no timeline
        if self.deadline is not None and self.left() < TIMELINE_MIN_LEFT_S:
            self.log("coverage: no timeline (%.0f s of the budget left)" % self.left())
            return cov, []
        timeline = coverage.coverage_timeline(self.coverage_bin, timed, self.seconds, 10, self.work, REPO)
        return cov, timeline

    def no_engines(self):
        """prune and coverage modes do not fuzz."""
        self.t0 = time.time()
        self.seconds = 0
        self.lf_workers, self.afl_instances = [], []
        self.lf_corpus = os.path.join(self.work, "libfuzzer-corpus")
        os.makedirs(self.lf_corpus, exist_ok=True)
        self.fuzz_seconds = 0.0

    def against_base(self, found, groups):
        """code-change: a new finding that diverges on the base commit's
        build too is pre-existing (listed, not failing)."""
        new = [(f, g) for f, g in zip(found, groups) if f["status"] == "new"]
        if not new:
            return
        try:
            base = modes.build_base_replay(REPO, self.args.base, self.work, self.target, self.log)
        except subprocess.CalledProcessError as e:
            self.log("code-change: no build of %s: %s" % (self.args.base, (e.stderr or b"")[-500:]))
            for f, _g in new:
                f["base_error"] = "the base commit could not be built: every finding counts as new"
            return
        for (f, _g), status in zip(new, modes.classify_against_base([g.bin_path for _f, g in new], base)):
            f["status"] = status

    def merge_through_every_target(self, out_dir, in_dirs):
        """A run_merge for prune. Coverage is measured through every target
        (coverage_targets: fuzz_diff_host reaches host-backed code fuzz_diff
        never runs), so the merge runs through each target's libFuzzer build
        in turn: a merge into a folder that already holds inputs adds only
        those with features the folder lacks, and the union keeps what each
        target needs."""
        folder = os.path.dirname(self.libfuzzer)
        binaries = [self.libfuzzer] + [os.path.join(folder, name) for name in self.coverage_targets()
                                       if name != self.target and os.access(os.path.join(folder, name), os.X_OK)]
        for binary in binaries:
            control = os.path.join(self.work, "merge.control")
            if os.path.exists(control):
                os.remove(control)   # a finished merge's control file is not one to resume
            status = corpus_merge.libfuzzer_merge(binary, self.work, timeout=self.timeout(600))(out_dir, in_dirs)
            if status != 0:
                return status
        return 0

    def prune(self):
        """prune: the kept corpus minimized by libFuzzer's merge; the
        minimized set replaces it only when its coverage of impl/ and
        oracle/ (lines and branches) is equal or better."""
        min_dir = os.path.join(self.out, "corpus-min")
        result = corpus_merge.merge_corpus(self.merge_through_every_target, self.corpus, [], min_dir, grow=False)
        d = result.as_dict()
        d.update(path=self.rel(self.corpus), kept=self.kept, restored=self.restored, grown=False, pruned=0)
        if result.error:
            return d
        binaries = self.coverage_targets()
        full = coverage.corpus_coverage(binaries, [os.path.join(self.corpus, n) for n in corpus_merge.list_inputs(self.corpus)],
                                        os.path.join(self.work, "cov-full"), REPO)["folders"]
        small = coverage.corpus_coverage(binaries, [os.path.join(min_dir, n) for n in corpus_merge.list_inputs(min_dir)],
                                         os.path.join(self.work, "cov-min"), REPO)["folders"]
        keys = ("lines_covered", "branches_covered")
        d["coverage_before"] = {k: full[k] for k in full}
        d["coverage_after"] = {k: small[k] for k in small}
        if all(small[f][k] >= full[f][k] for f in full for k in keys):
            d["pruned"] = corpus_merge.replace_with(self.corpus, min_dir)
            d["after"] = len(corpus_merge.list_inputs(self.corpus))
        else:
            d["error"] = "the minimized set covers less: the corpus was kept as it was"
        self.log("prune: %d -> %d inputs%s" % (d["before"], d["after"], ", " + d["error"] if d.get("error") else ""))
        return d

    def coverage_extras(self, cov):
        """coverage mode: the HTML line view and the trend from --history."""
        extras = {}
        try:
            index = modes.html_line_view(coverage.tool("llvm-cov"), cov["profdata"],
                                         list(self.coverage_targets().values()), REPO,
                                         os.path.join(self.out, "coverage-html"))
            extras["coverage_html"] = self.rel(index)
        except (subprocess.CalledProcessError, OSError, KeyError) as e:
            extras["coverage_html_error"] = str(e)[:300]
        history = self.args.history or os.path.join(self.out, "coverage-history.jsonl")
        rows = modes.append_history(history, modes.history_row(cov, provenance.git_commit(REPO)["commit"]))
        points, delta = modes.trend(rows)
        extras["coverage_trend"] = {"history": self.rel(history), "runs": len(rows),
                                    "impl_lines_pct": [round(p[1], 2) for p in points],
                                    "impl_branches_pct": [round(p[2], 2) for p in points],
                                    "change_vs_previous": delta}
        return extras

    def coverage_within_budget(self, merged):
        """(coverage, timeline, error): the timeline only while the budget
        lasts; a coverage step stopped by the budget is an error, not a hang."""
        if self.deadline is not None and self.left() < 1.0:
            return None, [], "the budget ran out before coverage"  # each step would still take its 1 s minimum
        try:
            cov, timeline = self.measure_coverage(merged)
            return cov, timeline, None
        except subprocess.TimeoutExpired:
            return None, [], "the budget ran out while measuring coverage"
        except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as e:
            return None, [], str(e)

    def draw(self, timeline):
        lines = [("impl/", [(t, i) for t, i, _o in timeline]), ("oracle/", [(t, o) for t, _i, o in timeline])]
        edges = []
        for k, w in enumerate(self.lf_workers):
            edges.append(("libFuzzer%s cov" % ("" if k == 0 else " %d" % k), [(t, c) for t, c, _f, _u in w.cov]))
        for a in self.afl_instances:
            rows = a.plot()
            edges.append(("AFL++ %s edges" % a.name, [(0.0, rows[0][1])] + [(t, e) for t, e, _m in rows]
                          if rows else []))
        with open(os.path.join(self.out, "coverage.svg"), "w") as f:
            f.write(plot.coverage_svg(max(1, self.seconds), lines, edges))

    # ---- the whole run ---------------------------------------------------

    def run(self):
        os.makedirs(self.work, exist_ok=True)
        self.log_file = open(os.path.join(self.out, "campaign.log"), "w")
        with self.phase("build"):
            self.check_tools()
            self.build()
        with self.phase("regression replay"):
            regression = self.replay_regressions()
        fuzzing = self.args.mode in ("batch", "code-change")
        with self.phase("fuzzing"):
            if fuzzing:
                self.run_engines(self.fuzz_seconds_for_budget())
                engine_rows = self.engine_summaries()
            else:
                self.no_engines()
                engine_rows = []
        with self.phase("merge"):
            if self.args.mode == "prune":
                merged = self.prune()
            elif "merge" in self.skip or not fuzzing:
                n = len(corpus_merge.list_inputs(self.corpus))
                merged = {"path": self.rel(self.corpus), "before": n, "after": n, "added": 0, "minimized": 0,
                          "error": "skipped (--skip merge)", "grown": False, "kept": self.kept,
                          "restored": self.restored}
            else:
                merged = self.merge()
        with self.phase("findings"):
            groups = self.process_findings()
        coverage.DEADLINE = self.deadline
        with self.phase("coverage"):
            if "coverage" in self.skip or self.args.mode == "prune":
                cov, timeline, coverage_error = None, [], "skipped (--skip coverage)"
            else:
                cov, timeline, coverage_error = self.coverage_within_budget(merged)
            extras = self.coverage_extras(cov) if cov and (self.args.mode == "coverage" or self.args.history) else {}
        self.draw(timeline)
        found = [f.as_dict() for f in groups]
        for f, g in zip(found, groups):
            for key in ("bin", "trace"):
                f[key] = self.rel(f[key]) if f.get(key) else None
            f["files"] = [self.rel(p) for p in f["files"]]
            f["trace_rel"] = f["trace"]
            f["reproduce"] = self.rel(g.reproducer) if getattr(g, "reproducer", None) else None
            f["reruns"] = getattr(g, "reruns", None)
            f["target"] = self.target
            self.add_judgement(f, g)
        for f in found:
            f["status"], entry = known.classify(f["signature"]["key"], self.known)
            f["known_entry"] = entry
        if self.args.mode == "code-change":
            with self.phase("base replay"):
                self.against_base(found, groups)
        if self.planted and self.args.require_every_engine:
            by = {e for f in found if f["planted"] for e in f["engines"]}
            ok = by >= {"libFuzzer", "AFL++"}
            verdict = ("planted bug found by %s" % ", ".join(sorted(by)) if ok
                       else "planted bug NOT found by every engine (found by: %s)" % (", ".join(sorted(by)) or "none"))
        elif self.planted:
            ok = any(f["planted"] for f in found)
            verdict = "planted bug found" if ok else "planted bug NOT found"
        else:
            failing = [f for f in found if known.fails(f["status"])]
            ok = not failing and not (regression and regression["failed"])
            counts = ", ".join("%d %s" % (sum(1 for f in found if f["status"] == st), st)
                               for st in ("new", "regression", "known", "pre-existing")
                               if any(f["status"] == st for f in found))
            verdict = ("no findings" if not found else "%d finding(s): %s" % (len(found), counts))
            if regression and regression["failed"]:
                verdict += "; a saved regression input diverges again"
        if cov:
            cov.pop("profdata", None)
        times = [f["time_to_find_s"] for f in found if f["planted"] or not self.planted]
        report = {"target": self.target, "seconds": self.seconds, "cores": self.args.cores,
                  "budget": {"seconds": self.args.budget, "margin_s": BUDGET_MARGIN_S} if self.deadline else None,
                  "seed": self.seed, "provenance": dict(provenance.git_commit(REPO),
                                                        tools=provenance.tool_versions(coverage.tool("llvm-cov")),
                                                        command=self.portable([os.path.relpath(sys.argv[0], REPO)
                                                                               if os.path.isabs(sys.argv[0]) else sys.argv[0]]
                                                                              + sys.argv[1:])),
                  "phases_s": self.phases,
                  "planted_bug": self.planted, "mutator": bool(self.mutator_library), "verdict": verdict, "ok": ok, "engines": engine_rows,
                  "corpus": merged, "findings": found, "coverage": cov, "coverage_error": coverage_error,
                  "timeline": timeline, "regression": regression, "mode": self.args.mode,
                  "base": self.args.base if self.args.mode == "code-change" else None,
                  "time_to_find_s": min(times) if times else None}
        report.update(extras)
        report = self.scrub(report)
        with self.phase("reports"):
            reports.write_all(report, self.out)
        # scrub copied the report, so the reports' own time goes in by hand.
        report["phases_s"]["reports"] = self.phases["reports"]
        report["phases_s"]["total"] = round(time.time() - self.started, 2)
        reports.write_json(report, os.path.join(self.out, "report.json"))  # with the reports' own time
        self.log("%s; reports in %s" % (verdict, self.out))
        return 0 if ok else 1


def add_arguments(p):
    p.add_argument("--seconds", type=int, help="time box of the fuzzing itself")
    p.add_argument("--budget", type=int, help="wall-clock seconds for the whole run (build, fuzzing, merge, "
                   "findings, coverage, reports); the fuzzing gets what the other phases leave")
    p.add_argument("--cores", type=int, default=2, help="cores to use (at least 2: one per engine)")
    p.add_argument("--out", required=True, help="folder for the reports and the work files")
    p.add_argument("--corpus", default=os.path.join(REPO, "corpus", "seed"),
                   help="starting corpus; new inputs are added to it (never removed)")
    p.add_argument("--mode", default="batch", choices=modes.MODES,
                   help="batch: fuzz past findings; code-change: only findings the --base build does not "
                        "have fail; prune: minimize --corpus-dir, keep it only if coverage holds; coverage: "
                        "no fuzzing, HTML line view and trend (fuzz/fuzzlib/modes.py)")
    p.add_argument("--base", default="HEAD~1", help="code-change: the commit findings are replayed on")
    p.add_argument("--history", help="coverage history file (JSON lines) to append this run to; coverage "
                                     "mode defaults to OUT/coverage-history.jsonl")
    p.add_argument("--corpus-dir", help="a corpus kept between runs (a CI cache): read at the start, only "
                   "added to at the end (never an input removed); the seeds come on top; the report says "
                   "how many inputs were restored and added")
    p.add_argument("--known", default=os.path.join(REPO, "fuzz", "known-findings.json"),
                   help="the known-findings registry: known open findings do not fail the run, a fixed one "
                        "that comes back does")
    p.add_argument("--regression", default=os.path.join(REPO, "corpus", "regression"),
                   help="saved findings: replayed first, used as seeds, target of --promote")
    p.add_argument("--cases", default=os.path.join(REPO, "conformance", "cases"),
                   help="golden cases: one that covers a finding's diverging operation decides the blame, "
                        "outranking the majority vote (fuzz/fuzzlib/golden.py)")
    p.add_argument("--wine-exe", help="vastrace.exe (conformance/win32/build.sh): each divergence is replayed "
                   "under Wine, the report says which side Wine agrees with, and a draft case goes beside "
                   "the finding (fuzz/fuzzlib/wine_replay.py)")
    p.add_argument("--wineprefix", help="WINEPREFIX for --wine-exe (default: beside vastrace.exe)")
    p.add_argument("--target", default="fuzz_diff", choices=[t.name for t in table.TARGETS])
    p.add_argument("--only-target-coverage", action="store_true",
                   help="measure coverage with the fuzzed target only (default: the union of every "
                        "target's replay of the final corpus, and each target's own figures)")
    p.add_argument("--planted-bug", action="store_true",
                   help="build with the planted decommit bug; succeed only if it is found")
    p.add_argument("--require-every-engine", action="store_true",
                   help="with --planted-bug: succeed only if every engine found it")
    p.add_argument("--mutator", action="store_true",
                   help="both engines also mutate whole operations (fuzz/mutator.c: libFuzzer's custom "
                        "mutator, AFL++'s AFL_CUSTOM_MUTATOR_LIBRARY)")
    p.add_argument("--promote", action="store_true", help="also save findings into --regression")
    p.add_argument("--no-grow", action="store_true", help="leave --corpus as it is (corpus-min only)")
    p.add_argument("--seed", type=int, help="base of every engine instance's seed (default: from the clock; "
                   "report.json records it, so a rerun can repeat it)")
    p.add_argument("--reruns", type=int, default=10,
                   help="each finding is rerun this many times on every build; fewer repeats mark it flaky")
    p.add_argument("--skip", default="", help="comma-separated phases to leave out: " + ", ".join(PHASES))
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-fuzz"),
                   help="where each engine's build goes (reused while up to date)")


def check_arguments(p, args):
    if (args.seconds is not None and args.seconds < 1) or (args.budget is not None and args.budget < 1) or args.cores < 2:
        p.error("--seconds and --budget must be >= 1 and --cores >= 2")
    if args.mode == "prune" and not args.corpus_dir:
        p.error("--mode prune needs --corpus-dir (the kept corpus it minimizes)")
    if args.mode in ("batch", "code-change") and args.seconds is None and args.budget is None:
        p.error("give --seconds, --budget or both")
    unknown = set(filter(None, args.skip.split(","))) - set(PHASES)
    if unknown:
        p.error("--skip: unknown phase(s) %s" % ", ".join(sorted(unknown)))


def _terminated(signum, _frame):
    raise SystemExit(128 + signum)


def run(args):
    """Runs one campaign; every process it started has ended when this
    returns or raises, whatever the way out (SIGTERM included)."""
    engines.STOPPING.clear()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main else None
    campaign = None
    try:
        campaign = Campaign(args)
        return campaign.run()
    except (engines.SetupError, known.RegistryError) as e:
        print("campaign: setup error: %s" % e, file=sys.stderr)
        return 2
    finally:
        engines.end_all()
        if campaign is not None and campaign.wine_used:
            wine_replay.stop(campaign.wineprefix())
        if in_main:
            signal.signal(signal.SIGTERM, previous)
