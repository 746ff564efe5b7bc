#!/usr/bin/env python3
"""fuzz.py - the one fuzzing driver: builds the targets for any engine,
runs them, replays and minimizes findings, merges corpora, regenerates the
seeds and runs the campaign. Targets and engines are listed once, in
fuzz/fuzzlib/table.py.

  python3 fuzz/fuzz.py list
  python3 fuzz/fuzz.py build [--engine libfuzzer] [--planted-bug] [--plants] [--mutator] [--out DIR] [--targets a,b]
  python3 fuzz/fuzz.py smoke [--seconds 20] [--targets a,b] [--mutator]     (alias: run)
  python3 fuzz/fuzz.py regression [--targets a,b] [PATH ...]
  python3 fuzz/fuzz.py minimize [--target T] [--planted-bug] FINDING OUT
  python3 fuzz/fuzz.py merge [--target T] --corpus DIR QUEUE ...
  python3 fuzz/fuzz.py seeds [--check]
  python3 fuzz/fuzz.py add-regression [--target T] [--planted-bug] FINDING NAME
  python3 fuzz/fuzz.py fault-injection [--seconds 60] [--corpus empty|seed]
  python3 fuzz/fuzz.py campaign --seconds N --out DIR [...]     (fuzz.py campaign --help)
  python3 fuzz/fuzz.py metric --out DIR [--runs K] [--seconds S] [--quick]   (fuzz/planted.md)
  python3 fuzz/fuzz.py oss-fuzz                                  (for .clusterfuzzlite/build.sh)
  python3 fuzz/fuzz.py frontpage --out DIR [--history F] [--check]  (ci/campaign.sh's index.md/.html)
  python3 fuzz/fuzz.py judge --out DIR [--wine-exe EXE] TRACE|DIR ...  (blame + Wine for saved divergences)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fuzzlib import (build, campaign, corpus_merge, findings, frontpage, golden, judge, metric, pagecheck, seeds,  # noqa: E402
                     table)

REPO = os.path.dirname(HERE)
DICT = os.path.join(HERE, "vas.dict")


def log(message):
    print(message, file=sys.stderr, flush=True)


def chosen_targets(spec, smoke_only=False):
    if spec:
        return [table.target(n) for n in spec.replace(" ", ",").split(",") if n]
    return [t for t in table.TARGETS if t.smoke or not smoke_only]


def built(engine, planted=False, targets=None):
    return build.build(REPO, engine, planted, log=log, targets=targets)


# ---- subcommands -------------------------------------------------------------

def cmd_list(args):
    if args.cmake:  # fuzz/CMakeLists.txt: NAME:CTEST:SOURCE[,SOURCE...] per target
        print(";".join("%s:%s:%s" % (t.name, t.ctest_name or "-", ",".join(t.sources)) for t in table.TARGETS))
        return 0
    print("targets:")
    for t in table.TARGETS:
        print("  %-16s %s%s" % (t.name, t.doc, "" if t.smoke else " (not in smoke)"))
    print("engines:")
    for e in table.ENGINES.values():
        print("  %-16s %s" % (e.name, e.doc))
    return 0


def cmd_build(args):
    targets = [t.name for t in chosen_targets(args.targets)]
    build.build(REPO, args.engine, args.planted_bug, args.out and os.path.abspath(args.out), log, targets,
                plants=args.plants, mutator=args.mutator)
    return 0


def cmd_smoke(args):
    """Each target fuzzed by libFuzzer and AFL++ side by side for N seconds
    from the seeds (a campaign without merge and coverage); any finding
    fails, printed as a readable trace."""
    failed = 0
    for t in chosen_targets(args.targets, smoke_only=True):
        missing = table.missing_programs(t)
        if missing:
            log("smoke: %s needs %s, which is not installed" % (t.name, ", ".join(missing)))
            failed = 1
            continue
        work = tempfile.mkdtemp(prefix="vas-smoke-")
        corpus = os.path.join(work, "corpus")
        shutil.copytree(os.path.join(REPO, "corpus", "seed"), corpus)
        ns = campaign_namespace(seconds=args.seconds, out=os.path.join(work, "out"), corpus=corpus,
                                target=t.name, no_grow=True, skip="coverage,merge", mutator=args.mutator)
        log("== smoke: %s, libFuzzer + AFL++ for %d s%s" % (t.name, args.seconds,
                                                          ", structure-aware mutator" if args.mutator else ""))
        rc = campaign.run(ns)
        report = read_report(ns.out)
        for e in (report or {}).get("engines", []):
            print("%s %s: %s execs, %s exec/s%s" % (t.name, e["name"], e["execs"], e["execs_per_sec"],
                                                   "; " + "; ".join(e["errors"]) if e.get("errors") else ""))
        if rc != 0:
            failed = 1
            for f in (report or {}).get("findings", []):
                print("FINDING on %s: %s\n%s" % (t.name, f["signature"]["summary"], f.get("trace_text", "")))
            print("smoke: work kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("smoke: " + ("FAILED" if failed else "no findings"))
    return failed


def cmd_regression(args):
    paths = args.paths or [os.path.join(REPO, "corpus", "regression"), os.path.join(REPO, "corpus", "seed")]
    out = built("replay", args.planted_bug)
    status = 0
    for t in chosen_targets(args.targets):
        done = subprocess.run([os.path.join(out, t.name)] + paths)
        status |= done.returncode != 0
    return status


def cmd_minimize(args):
    fuzzer = os.path.join(built("libfuzzer", args.planted_bug, [args.target]), args.target)
    work = tempfile.mkdtemp(prefix="vas-min-")
    try:
        result = findings.libfuzzer_minimize(fuzzer, os.path.abspath(args.finding), os.path.abspath(args.out),
                                             args.seconds, work)
        if result is None:
            shutil.copyfile(args.finding, args.out)
            log("minimize: libFuzzer found nothing smaller; copied the finding")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%s: %d bytes" % (args.out, os.path.getsize(args.out)))
    return 0


def cmd_merge(args):
    fuzzer = os.path.join(built("libfuzzer", False, [args.target]), args.target)
    replay = os.path.join(built("replay", False, [args.target]), args.target)
    work = tempfile.mkdtemp(prefix="vas-merge-")

    def verify(folder):
        done = subprocess.run([replay, folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return None if done.returncode == 0 else "the merged set does not replay cleanly"
    try:
        result = corpus_merge.merge_corpus(corpus_merge.libfuzzer_merge(fuzzer, work, timeout=args.timeout),
                                           os.path.abspath(args.corpus), [os.path.abspath(q) for q in args.queues],
                                           os.path.join(work, "min"), grow=True, verify=verify)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("merge: %d -> %d inputs (%d added)%s" % (result.before, result.after, len(result.added),
                                                  ", " + result.error if result.error else ""))
    return 1 if result.error else 0


def cmd_seeds(args):
    return seeds.regenerate(REPO, args.check, log=print)


def cmd_add_regression(args):
    """Keeps a crashing input as a regression case: checks it still
    diverges, shrinks it, saves corpus/regression/NAME.bin and NAME.trace."""
    import re
    if not re.fullmatch(r"[a-z0-9_-]+", args.name):
        log("add-regression: NAME must be [a-z0-9_-]+")
        return 2
    replay = os.path.join(built("replay", args.planted_bug, [args.target]), args.target)
    if subprocess.run([replay, args.finding], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        log("add-regression: %s does not diverge on %s with this code; nothing to keep" % (args.finding, args.target))
        return 1
    dest = os.path.join(REPO, "corpus", "regression")
    os.makedirs(dest, exist_ok=True)
    binary = os.path.join(dest, args.name + ".bin")
    args.out, args.seconds = binary, 60
    cmd_minimize(args)
    text = subprocess.run([replay, "--print", binary], stdout=subprocess.PIPE, text=True).stdout
    with open(os.path.join(dest, args.name + ".trace"), "w") as f:
        f.write("# %s: fuzzer finding on %s, minimized from %s.\n%s" % (
            args.name, args.target, os.path.basename(args.finding), text))
    print("saved corpus/regression/%s.bin and .trace:\n%s" % (args.name, text))
    return 0


def cmd_fault_injection(args):
    """The planted decommit bug (-DVAS_PLANTED_BUG_DECOMMIT=1) must be
    found by libFuzzer and by AFL++ within the time, each finding must
    diverge with the bug and agree without it; minimized and printed."""
    work = tempfile.mkdtemp(prefix="vas-fault-")
    corpus = os.path.join(work, "corpus")
    os.makedirs(corpus)
    if args.corpus == "empty":
        # The seeds hold conformance cases that decommit several pages, which
        # trip the bug on the first execution and would measure nothing.
        with open(os.path.join(corpus, "zero"), "wb") as f:
            f.write(b"\0")
        regression = None
    else:
        for n in corpus_merge.list_inputs(os.path.join(REPO, "corpus", "seed")):
            shutil.copyfile(os.path.join(REPO, "corpus", "seed", n), os.path.join(corpus, n))
        regression = os.path.join(REPO, "corpus", "regression")
    ns = campaign_namespace(seconds=args.seconds, out=os.path.join(work, "out"), corpus=corpus,
                            regression=regression, planted_bug=True, require_every_engine=True,
                            no_grow=True, skip="coverage,merge")
    print("== fault injection: planted decommit bug, %d s, %s corpus, work in %s" % (args.seconds, args.corpus, work))
    rc = campaign.run(ns)
    report = read_report(ns.out) or {}
    for f in report.get("findings", []):
        for engine, t in sorted(f["time_to_find_by_engine_s"].items()):
            print("%s: found in %.1f s%s" % (engine, t, " (the planted bug)" if f.get("planted") else " (ANOTHER bug)"))
        print("minimized to %s bytes; as a trace:\n%s" % (f.get("size"), f.get("trace_text", "")))
    for e in report.get("engines", []):
        print("%s: %s execs, %s exec/s" % (e["name"], e["execs"], e["execs_per_sec"]))
    print("fault-injection: %s" % report.get("verdict", "no report"))
    if rc == 0:
        shutil.rmtree(work, ignore_errors=True)
    return rc


def cmd_metric(args):
    """The bug-based metric (fuzz/planted.md): each planted bug fuzzed K
    times per setup, time to detect and the kill matrix in metric.json and
    metric.md."""
    args.argv = sys.argv[2:] if len(sys.argv) > 2 and sys.argv[1] == "metric" else []
    return metric.run(args, log)


def cmd_campaign(args):
    return campaign.run(args)


def cmd_oss_fuzz(args):
    """What .clusterfuzzlite/build.sh runs inside the OSS-Fuzz builder: every
    target into $OUT with its dictionary, options and seed corpus zip (the
    seeds plus the regression inputs, so findings stay findings)."""
    out, work = os.environ.get("OUT"), os.environ.get("WORK")
    if not out or not work:
        log("oss-fuzz: OUT and WORK must be set (OSS-Fuzz / ClusterFuzzLite set them)")
        return 2
    packaged = [t for t in table.TARGETS if t.oss_fuzz]
    folder = build.build(REPO, "oss-fuzz", out=os.path.join(work, "vas-fuzz"), log=log,
                         targets=[t.name for t in packaged])
    for t in packaged:
        shutil.copy2(os.path.join(folder, t.name), os.path.join(out, t.name))
        shutil.copyfile(DICT, os.path.join(out, t.name + ".dict"))
        with open(os.path.join(out, t.name + ".options"), "w") as f:
            f.write("[libfuzzer]\ndict = %s.dict\n" % t.name)
        with zipfile.ZipFile(os.path.join(out, t.name + "_seed_corpus.zip"), "w") as z:
            for sub in ("seed", "regression"):
                src = os.path.join(REPO, "corpus", sub)
                for n in corpus_merge.list_inputs(src):
                    z.write(os.path.join(src, n), arcname=sub + "-" + n)
    return 0


def cmd_judge(args):
    """Saved divergence traces (vastrace random --save-dir) judged as the
    campaign judges its findings (judge.py): blame by a covering golden
    case or the vote, and with --wine-exe the real API's side and a draft
    case. Writes OUT/judge.md, judge.json and the drafts."""
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    replay = os.path.join(built("replay", args.planted_bug, [args.target]), args.target)
    wine_exe = args.wine_exe and os.path.abspath(args.wine_exe)
    prefix = args.wineprefix or (wine_exe and os.path.join(os.path.dirname(wine_exe), "wineprefix"))
    try:
        rows = judge.judge_traces([os.path.abspath(p) for p in args.paths], replay, golden.load_cases(args.cases),
                                  out, REPO, wine_exe, prefix)
    finally:
        if wine_exe:
            from fuzzlib import wine_replay
            wine_replay.stop(prefix)
    judge.write(rows, out, lambda p: os.path.relpath(p, out) if p.startswith(out + os.sep) else os.path.basename(p))
    print("judge: %d divergence(s) judged, %s" % (len(rows), os.path.join(out, "judge.md")))
    return 0


def cmd_frontpage(args):
    """The campaign's front page from its output folder (frontpage.py):
    index.md, index.html, index.json; with --check, index.html loaded in
    headless chromium (fails on a link that does not resolve or a console
    error)."""
    out = os.path.abspath(args.out)
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True).stdout.strip() or None
    page = frontpage.gather(out, history=args.history and os.path.abspath(args.history), metric=args.metric,
                            facts=args.facts, commit=commit)
    frontpage.write_all(page, out)
    print("frontpage: %s (%d steps, %s)" % (os.path.join(out, "index.html"), len(page["steps"]), page["verdict"]))
    if args.check:
        try:
            problems = pagecheck.check_page(os.path.join(out, "index.html"))
        except pagecheck.BrowserError as e:
            problems = ["could not check: %s" % e]
        for p in problems:
            print("frontpage: index.html: %s" % p)
        return 1 if problems else 0
    return 0


# ---- helpers -------------------------------------------------------------------

def campaign_namespace(**given):
    p = argparse.ArgumentParser()
    campaign.add_arguments(p)
    ns = p.parse_args(["--seconds", str(given.pop("seconds")), "--out", given.pop("out")])
    for k, v in given.items():
        setattr(ns, k, v)
    return ns


def read_report(out):
    import json
    try:
        with open(os.path.join(out, "report.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("list", help="the targets and engines")
    s.add_argument("--cmake", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("build", help="build every target for one engine")
    s.add_argument("--engine", default="libfuzzer", choices=list(table.ENGINES))
    s.add_argument("--planted-bug", action="store_true", help="impl with -DVAS_PLANTED_BUG_DECOMMIT=1")
    s.add_argument("--plants", action="store_true",
                   help="impl with -DVAS_PLANTS: the planted bugs of fuzz/planted.md, one chosen by $VAS_PLANT")
    s.add_argument("--mutator", action="store_true",
                   help="link the structure-aware mutator (fuzz/mutator.c) into the targets "
                        "(engine afl-mutator builds it alone as AFL++'s shared object)")
    s.add_argument("--out", help="default: build-fuzz/ENGINE[-planted][-plants][-mutator]")
    s.add_argument("--targets", help="comma-separated (default: all)")
    s.set_defaults(func=cmd_build)
    for name in ("smoke", "run"):
        s = sub.add_parser(name, help="short libFuzzer + AFL++ run of each target; fails on a finding")
        s.add_argument("--seconds", type=int, default=20)
        s.add_argument("--targets")
        s.add_argument("--mutator", action="store_true", help="with the structure-aware mutator (fuzz/mutator.c)")
        s.set_defaults(func=cmd_smoke)
    s = sub.add_parser("regression", help="replay files or folders through each target (no engine)")
    s.add_argument("--targets")
    s.add_argument("--planted-bug", action="store_true")
    s.add_argument("paths", nargs="*")
    s.set_defaults(func=cmd_regression)
    s = sub.add_parser("minimize", help="shrink a crashing input with libFuzzer -minimize_crash")
    s.add_argument("--target", default="fuzz_diff")
    s.add_argument("--planted-bug", action="store_true")
    s.add_argument("--seconds", type=int, default=30)
    s.add_argument("finding")
    s.add_argument("out")
    s.set_defaults(func=cmd_minimize)
    s = sub.add_parser("merge", help="add what queues cover to a corpus (never removing an input)")
    s.add_argument("--target", default="fuzz_diff")
    s.add_argument("--corpus", required=True)
    s.add_argument("--timeout", type=int, default=600)
    s.add_argument("queues", nargs="+")
    s.set_defaults(func=cmd_merge)
    s = sub.add_parser("seeds", help="regenerate corpus/seed, regression .bin files and fuzz/vas.dict")
    s.add_argument("--check", action="store_true", help="fail if anything is stale, change nothing")
    s.set_defaults(func=cmd_seeds)
    s = sub.add_parser("add-regression", help="keep a finding as corpus/regression/NAME.{bin,trace}")
    s.add_argument("--target", default="fuzz_diff")
    s.add_argument("--planted-bug", action="store_true")
    s.add_argument("finding")
    s.add_argument("name")
    s.set_defaults(func=cmd_add_regression)
    s = sub.add_parser("fault-injection", help="both engines must find the planted decommit bug")
    s.add_argument("--seconds", type=int, default=60)
    s.add_argument("--corpus", choices=("empty", "seed"), default="empty")
    s.set_defaults(func=cmd_fault_injection)
    s = sub.add_parser("metric", help="the bug-based metric: planted bugs, time to detect, kill matrix")
    s.add_argument("--out", required=True, help="folder for metric.json and metric.md")
    s.add_argument("--runs", type=int, default=3, help="runs per bug and setup (K)")
    s.add_argument("--seconds", type=int, help="each run's time box (default 60; --quick 30)")
    s.add_argument("--jobs", type=int, default=2, help="runs at a time (one core each)")
    s.add_argument("--bugs", help="comma-separated bug ids (default: every bug of fuzz/planted.md)")
    s.add_argument("--setups", help="semicolon-separated setup names (default: all eight)")
    s.add_argument("--seed", type=int, default=1, help="base of the engines' seeds")
    s.add_argument("--quick", action="store_true", help="CI: three bugs, K=1, seed corpus, no mutator")
    s.set_defaults(func=cmd_metric)
    s = sub.add_parser("campaign", help="a time-boxed CI fuzzing run with reports")
    campaign.add_arguments(s)
    s.set_defaults(func=cmd_campaign, validate=campaign.check_arguments, parser=s)
    s = sub.add_parser("oss-fuzz", help="build into $OUT as OSS-Fuzz / ClusterFuzzLite expect")
    s.set_defaults(func=cmd_oss_fuzz)
    s = sub.add_parser("judge", help="blame and Wine's verdict for saved divergence traces")
    s.add_argument("--out", required=True)
    s.add_argument("--target", default="fuzz_diff", help="the target whose replay build diffs the traces")
    s.add_argument("--planted-bug", action="store_true", help="the replay build with the planted decommit bug")
    s.add_argument("--cases", default=os.path.join(REPO, "conformance", "cases"))
    s.add_argument("--wine-exe", help="vastrace.exe (conformance/win32/build.sh): replay each under Wine")
    s.add_argument("--wineprefix")
    s.add_argument("paths", nargs="+", help=".trace files or folders of them")
    s.set_defaults(func=cmd_judge)
    s = sub.add_parser("frontpage", help="the campaign's index.md and index.html from its output folder")
    s.add_argument("--out", required=True, help="the campaign's output folder (with steps.tsv)")
    s.add_argument("--history", help="the coverage history file (JSON lines) for the trend plot")
    s.add_argument("--metric", help="the bug-based metric's metric.json (default OUT/metric/metric.json)")
    s.add_argument("--facts", default="", help="one line for the header (cores, budgets)")
    s.add_argument("--check", action="store_true", help="load index.html in headless chromium; fail on problems")
    s.set_defaults(func=cmd_frontpage)
    args = p.parse_args(argv)
    if getattr(args, "validate", None):
        args.validate(args.parser, args)
    try:
        return args.func(args)
    except build.BuildError as e:
        log("fuzz.py: build failed:\n%s" % e)
        return 2
    except KeyError as e:
        log("fuzz.py: %s" % e.args[0])
        return 2


if __name__ == "__main__":
    sys.exit(main())
