#!/usr/bin/env python3
"""ci/fuzz_campaign.py - one time-boxed differential fuzzing run for CI:
builds the targets, runs libFuzzer and AFL++ side by side on the given
cores, merges what they found into the corpus, turns crashes into
deduplicated, minimized regression traces, measures coverage of impl/ and
oracle/ and writes report.md, report.json, junit.xml, report.sarif and
coverage.svg into the output folder.

  python3 ci/fuzz_campaign.py --seconds N [--cores K] --out DIR
      [--corpus corpus/seed] [--regression corpus/regression]
      [--target fuzz_diff] [--planted-bug] [--promote] [--no-grow]

Exit status: 0 no finding (with --planted-bug: the planted bug was found),
1 otherwise, 2 when the campaign could not be set up.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fuzzlib import corpus_merge, coverage, engines, findings, plot, reports  # noqa: E402

REPO = os.path.dirname(HERE)
TARGETS = ("fuzz_diff", "fuzz_diff_host")


class Campaign:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        self.work = os.path.join(self.out, "work")
        self.corpus = os.path.abspath(args.corpus)
        self.regression = os.path.abspath(args.regression) if args.regression else None
        self.planted = args.planted_bug
        self.target = args.target
        self.dictionary = os.path.join(REPO, "fuzz", "vas.dict")
        if not os.path.exists(self.dictionary):
            self.dictionary = None
        self.log_file = None

    # ---- setup -----------------------------------------------------------

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
        b = lambda engine, planted=p: engines.build_engine(REPO, engine, planted, root, self.target, self.log)
        self.libfuzzer = b("libfuzzer")
        self.afl = b("afl")
        self.afl_cmplog = b("afl-cmplog")
        self.replay = b("replay")
        self.replay_clean = b("replay", False) if p else self.replay
        self.coverage_bin = b("coverage", False)
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

    def run_engines(self):
        seconds = self.args.seconds
        lf_count, afl_count = engines.split_cores(self.args.cores)
        sources = [self.corpus, self.regression]
        lf_corpus = os.path.join(self.work, "libfuzzer-corpus")
        afl_seeds = os.path.join(self.work, "afl-in")
        self.seed_count = engines.copy_inputs(sources, lf_corpus)
        engines.copy_inputs(sources, afl_seeds)
        self.lf_corpus = lf_corpus
        self.afl_sync = os.path.join(self.work, "afl-sync")
        stop_early = self.planted
        self.log("fuzzing %s for %d s: %d libFuzzer worker(s), %d AFL++ instance(s)"
                 % (self.target, seconds, lf_count, afl_count))
        self.t0 = time.time()
        deadline = self.t0 + seconds
        self.lf_workers = [engines.LibFuzzerWorker(self.libfuzzer, lf_corpus, os.path.join(self.work, "libfuzzer-%d" % i),
                                                   self.dictionary, i, stop_early) for i in range(lf_count)]
        self.afl_instances = [engines.AflInstance(self.afl, self.afl_cmplog, afl_seeds, self.afl_sync,
                                                  "main" if i == 0 else "secondary-%d" % i, i == 0,
                                                  self.dictionary, os.path.join(self.work, "afl"))
                              for i in range(afl_count)]
        for a in self.afl_instances:
            a.start(seconds, stop_early)
        for w in self.lf_workers:
            w.start(self.t0, deadline)
        for w in self.lf_workers:
            w.join()
        for a in self.afl_instances:
            a.wait(deadline)
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
              "crashes": sum(len(w.artifacts()) for w in self.lf_workers)}
        execs, eps, errors = 0, 0.0, []
        for a in self.afl_instances:
            stats = a.stats()
            if not stats:
                errors.append("AFL++ %s did not start (status %s), see %s" % (a.name, a.status, a.log_path))
                continue
            execs += int(stats.get("execs_done", 0))
            run_time = float(stats.get("run_time", 0)) or 1.0
            eps += int(stats.get("execs_done", 0)) / run_time
        afl = {"name": "AFL++", "instances": len(self.afl_instances), "execs": execs,
               "execs_per_sec": round(eps, 1), "seconds": round(self.fuzz_seconds, 1), "errors": errors,
               "log": os.path.relpath(self.afl_instances[0].log_path, self.out),
               "crashes": sum(len(a.crashes()) for a in self.afl_instances),
               "edges_found": max([int(a.stats().get("edges_found", 0)) for a in self.afl_instances] + [0]),
               "total_edges": max([int(a.stats().get("total_edges", 0)) for a in self.afl_instances] + [0])}
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
            done = subprocess.run([self.replay, folder], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, errors="replace")
            return None if done.returncode == 0 else "the merged set does not replay cleanly"

        result = corpus_merge.merge_corpus(
            corpus_merge.libfuzzer_merge(self.libfuzzer, self.work, timeout=max(300, 5 * self.args.seconds)),
            self.corpus, [self.lf_corpus, self.afl_queue_flat()], os.path.join(self.out, "corpus-min"),
            grow=grow, verify=verify)
        self.log("corpus: %d -> %d inputs (%d added), minimized set %d%s"
                 % (result.before, result.after, len(result.added), result.minimized,
                    ", " + result.error if result.error else ""))
        d = result.as_dict()
        d["path"] = os.path.relpath(self.corpus, REPO) if self.corpus.startswith(REPO) else self.corpus
        d["grown"] = grow
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
        budget = int(min(60, max(5, self.args.seconds // 4)))
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
                out.write("# %s: %s\n# found by %s after %.1f s (fuzz_campaign.py%s)\n%s" % (
                    f.name, f.signature.summary, ", ".join(f.engines()), f.first_seconds,
                    ", planted bug" if self.planted else "", f.trace_text))
            if self.planted:
                status, _ = findings.run_input(self.replay_clean, bin_path)
                f.planted = status == 0
            f.report_text = findings.run_input(self.replay, bin_path)[1][-4000:]
            if self.args.promote and self.regression and not (self.planted and f.planted):
                os.makedirs(self.regression, exist_ok=True)
                for suffix in (".bin", ".trace"):
                    target = os.path.join(self.regression, f.name + suffix)
                    if not os.path.exists(target):
                        shutil.copyfile(os.path.join(dest, f.name + suffix), target)
        return groups

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
        for name in TARGETS:
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
        timeline = coverage.coverage_timeline(self.coverage_bin, timed, self.args.seconds, 10, self.work, REPO)
        return cov, timeline

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
            f.write(plot.coverage_svg(self.args.seconds, lines, edges))

    # ---- the whole run ---------------------------------------------------

    def run(self):
        os.makedirs(self.work, exist_ok=True)
        self.log_file = open(os.path.join(self.out, "campaign.log"), "w")
        self.check_tools()
        self.build()
        regression = self.replay_regressions()
        self.run_engines()
        engine_rows = self.engine_summaries()
        merged = self.merge()
        groups = self.process_findings()
        coverage_error = None
        try:
            cov, timeline = self.measure_coverage(merged)
        except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as e:
            cov, timeline, coverage_error = None, [], str(e)
        self.draw(timeline)
        found = [f.as_dict() for f in groups]
        for f in found:
            f["trace_rel"] = os.path.relpath(f["trace"], self.out) if f.get("trace") else None
        if self.planted:
            ok = any(f["planted"] for f in found)
            verdict = "planted bug found" if ok else "planted bug NOT found"
        else:
            ok = not found and not (regression and regression["failed"])
            verdict = "no findings" if ok else "%d finding(s)" % len(found)
        if cov:
            cov.pop("profdata", None)
        times = [f["time_to_find_s"] for f in found if f["planted"] or not self.planted]
        report = {"repo": REPO, "target": self.target, "seconds": self.args.seconds, "cores": self.args.cores,
                  "planted_bug": self.planted, "verdict": verdict, "ok": ok, "engines": engine_rows,
                  "corpus": merged, "findings": found, "coverage": cov, "coverage_error": coverage_error,
                  "timeline": timeline, "regression": regression,
                  "time_to_find_s": min(times) if times else None}
        reports.write_all(report, self.out)
        self.log("%s; reports in %s" % (verdict, self.out))
        return 0 if ok else 1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, required=True, help="time box of the fuzzing itself")
    p.add_argument("--cores", type=int, default=2, help="cores to use (at least 2: one per engine)")
    p.add_argument("--out", required=True, help="folder for the reports and the work files")
    p.add_argument("--corpus", default=os.path.join(REPO, "corpus", "seed"),
                   help="starting corpus; new inputs are added to it (never removed)")
    p.add_argument("--regression", default=os.path.join(REPO, "corpus", "regression"),
                   help="saved findings: replayed first, used as seeds, target of --promote")
    p.add_argument("--target", default="fuzz_diff", choices=list(TARGETS))
    p.add_argument("--only-target-coverage", action="store_true",
                   help="measure coverage with the fuzzed target only (default: the union of every "
                        "target's replay of the final corpus, and each target's own figures)")
    p.add_argument("--planted-bug", action="store_true",
                   help="build with the planted decommit bug; succeed only if it is found")
    p.add_argument("--promote", action="store_true", help="also save findings into --regression")
    p.add_argument("--no-grow", action="store_true", help="leave --corpus as it is (corpus-min only)")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-fuzz-ci"),
                   help="where fuzz/build.sh puts each engine's build (reused while up to date)")
    args = p.parse_args(argv)
    if args.seconds < 1 or args.cores < 2:
        p.error("--seconds must be >= 1 and --cores >= 2")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        return Campaign(args).run()
    except engines.SetupError as e:
        print("fuzz_campaign.py: setup error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
