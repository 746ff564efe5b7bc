"""modes.py - the run modes, named as ClusterFuzzLite names them:

  batch        (default) fuzz the whole time, past every finding; known open
               findings (known.py) are listed and do not fail the run
  code-change  for a pull request: each finding is replayed on the base
               commit's build (--base REV); one that diverges there too is
               "pre-existing" and listed, only new ones fail the run
  prune        minimize the kept corpus (--corpus-dir); the minimized set
               replaces it only when its coverage is equal or better
  coverage     no fuzzing: the corpus's coverage as an HTML line view of
               impl/ and oracle/, and the trend across runs from a history
               file each run appends to
"""
import json
import os
import shutil
import subprocess
import time

from . import findings

MODES = ("batch", "code-change", "prune", "coverage")


def build_base_replay(repo, rev, work, target, log):
    """The replay build of target at commit rev, from a detached worktree
    (removed again); returns the binary's path. Commits from before the
    fuzz driver existed are built with their fuzz/build.sh."""
    src = os.path.join(work, "base-src")
    out = os.path.join(work, "base-build")
    if os.path.exists(src):
        subprocess.run(["git", "-C", repo, "worktree", "remove", "--force", src], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    subprocess.run(["git", "-C", repo, "worktree", "add", "--detach", src, rev], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if os.path.exists(os.path.join(src, "fuzz", "fuzz.py")):
            cmd = ["python3", os.path.join(src, "fuzz", "fuzz.py"), "build", "--engine", "replay", "--out", out]
        else:
            cmd = ["bash", os.path.join(src, "fuzz", "build.sh"), "--engine", "replay", "--out", out]
        log("code-change: building %s at %s" % (target, rev))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finally:
        subprocess.run(["git", "-C", repo, "worktree", "remove", "--force", src], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return os.path.join(out, target)


def classify_against_base(paths, base_replay):
    """For each input: "pre-existing" when it diverges on the base build
    too, else "new"."""
    return ["pre-existing" if findings.run_input(base_replay, p)[0] != 0 else "new" for p in paths]


# ---- coverage trend -------------------------------------------------------------

def history_row(cov, commit):
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit}
    for folder, f in sorted(cov["folders"].items()):
        row[folder] = {"lines": f["lines"], "lines_covered": f["lines_covered"],
                       "branches": f["branches"], "branches_covered": f["branches_covered"]}
    return row


def append_history(path, row):
    """Appends one run's totals (a JSON line) and returns every row so far."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def trend(rows, folder="impl"):
    """(run index, line %, branch %) of folder per run, and the change of
    the last run against the one before (None with one run)."""
    points = []
    for i, r in enumerate(rows):
        f = r.get(folder)
        if f and f["lines"]:
            points.append((i, 100.0 * f["lines_covered"] / f["lines"],
                           100.0 * f["branches_covered"] / f["branches"] if f["branches"] else 0.0))
    delta = None if len(points) < 2 else (round(points[-1][1] - points[-2][1], 2), round(points[-1][2] - points[-2][2], 2))
    return points, delta


def html_line_view(llvm_cov, profdata, binaries, repo, out_dir):
    """llvm-cov's HTML line view of impl/ and oracle/ into out_dir; returns
    the index page."""
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    args = [llvm_cov, "show", "-format=html", "-output-dir=" + out_dir, "-instr-profile", profdata,
            "-show-line-counts-or-regions", "-path-equivalence=%s,." % repo, binaries[0]]
    for b in binaries[1:]:
        args += ["-object", b]
    args += [os.path.join(repo, "impl"), os.path.join(repo, "oracle")]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=repo)
    return os.path.join(out_dir, "index.html")
