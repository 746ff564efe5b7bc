#!/usr/bin/env python3
"""compare_policies.py - what the lockstep comparison costs at scale: ops/s
of `vastrace random` (impl vs oracle) for short and long traces, with the
old comparison (a full walk of region starts after every op, `--compare
walk`) and the default (a sample around each op, full walks now and then,
`--compare sampled`). Prints the median of REPEATS runs and the ratio.

  python3 harness/bench/compare_policies.py [--vastrace PATH] [--repeats 3]

Build vastrace in Release for meaningful figures (the sanitizer build is
many times slower).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# (ops per trace, traces): about the same total work per row.
SHAPES = ((100, 2000), (5000, 8))
OPS_PER_S = re.compile(r"benchmark: \d+ traces/s, (\d+) ops/s \(whole loop")


def ops_per_second(vastrace, ops, traces, policy):
    done = subprocess.run([vastrace, "random", "--backends", "impl,oracle", "--traces", str(traces),
                           "--ops", str(ops), "--seed", "1", "--compare", policy],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    m = OPS_PER_S.search(done.stdout)
    if done.returncode != 0 or not m:
        sys.exit("compare_policies.py: vastrace failed:\n" + done.stdout[-2000:])
    return int(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vastrace", default=os.environ.get("VASTRACE") or os.path.join(REPO, "build", "harness", "vastrace"))
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    print("| ops per trace | walk after every op (ops/s) | sampled (ops/s) | ratio |")
    print("|---|---|---|---|")
    for ops, traces in SHAPES:
        medians = {}
        for policy in ("walk", "sampled"):
            medians[policy] = statistics.median(ops_per_second(args.vastrace, ops, traces, policy)
                                                for _ in range(args.repeats))
        print("| %d | %d | %d | %.1fx |" % (ops, medians["walk"], medians["sampled"],
                                            medians["sampled"] / max(1, medians["walk"])), flush=True)


if __name__ == "__main__":
    main()
