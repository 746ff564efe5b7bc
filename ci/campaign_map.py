#!/usr/bin/env python3
"""campaign_map.py - the address-space map on the campaign's front page.

Picks one interesting trace and draws its map with `vastrace map --svg`:
a finding of the campaign if there is one (the first fuzzing finding, else
the first divergence the differential runs saved), else the seed whose map
has the most rows (the busiest address space the seeds make). Writes
OUT/map.trace, OUT/map.txt (the table) and OUT/map.svg (the picture), and
prints the Markdown block index.md shows.

Usage: campaign_map.py --vastrace V --out DIR [--findings DIR]... --seeds DIR
Exit 0, or 2 when no trace could be mapped.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile


def run(vastrace, *args):
    return subprocess.run([vastrace, *args], capture_output=True, text=True, timeout=120)


def first_finding(dirs):
    """The first .trace in the first folder that has one (sorted by name)."""
    for d in dirs:
        found = sorted(glob.glob(os.path.join(d, "*.trace")))
        if found:
            return found[0]
    return None


def map_rows(text):
    """The number of rows (allocations and free stretches) of a map table."""
    rows = 0
    for line in text.splitlines():
        if line.startswith("totals"):
            break
        if line.startswith("0x"):
            rows += 1
    return rows


def busiest_seed(vastrace, seeds, work):
    """(rows, trace path) of the seed whose map has the most rows."""
    best = None
    for i, path in enumerate(sorted(glob.glob(os.path.join(seeds, "*.bin")))):
        decoded = run(vastrace, "decode", path)
        if decoded.returncode != 0:
            continue
        trace = os.path.join(work, "seed-%d.trace" % i)
        with open(trace, "w") as f:
            f.write("# %s\n%s" % (os.path.basename(path), decoded.stdout))
        mapped = run(vastrace, "map", trace)
        if mapped.returncode != 0:
            continue
        rows = map_rows(mapped.stdout)
        if best is None or rows > best[0]:
            best = (rows, trace, os.path.basename(path))
    return best


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vastrace", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--findings", action="append", default=[], help="a folder of finding .trace files")
    ap.add_argument("--seeds", required=True, help="a folder of .bin seeds")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        chosen = first_finding(args.findings)
        why = "a finding of this campaign: %s" % os.path.basename(chosen) if chosen else None
        if chosen is None:
            best = busiest_seed(args.vastrace, args.seeds, work)
            if best is None:
                print("campaign_map.py: no trace could be mapped", file=sys.stderr)
                return 2
            chosen, why = best[1], "the seed with the busiest map (%d rows): %s" % (best[0], best[2])
        with open(chosen) as f:
            text = f.read()
        with open(os.path.join(args.out, "map.trace"), "w") as f:
            f.write(text)
        # Run inside OUT: the picture's title names map.trace, no machine path.
        mapped = subprocess.run([os.path.abspath(args.vastrace), "map", "--svg", "map.svg", "map.trace"],
                                capture_output=True, text=True, timeout=120, cwd=args.out)
    if mapped.returncode != 0:
        print("campaign_map.py: vastrace map failed: %s" % mapped.stderr.strip(), file=sys.stderr)
        return 2
    with open(os.path.join(args.out, "map.txt"), "w") as f:
        f.write(mapped.stdout)
    rel = os.path.basename(os.path.normpath(args.out))
    summary = [l for l in mapped.stdout.splitlines()
               if l.startswith(("free (allocatable)", "largest free block", "fragmentation"))]
    print("## Address space map\n")
    print("%s (on impl, after its last operation; `vastrace map`, docs/trace-format.md).\n" % why)
    print("![address space map](%s/map.svg)\n" % rel)
    print("[the table](%s/map.txt), [the trace](%s/map.trace)\n" % (rel, rel))
    print("```\n%s\n```" % "\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
