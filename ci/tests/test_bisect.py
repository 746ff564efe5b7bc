"""ci/bisect.sh finds the commit that introduced a finding. The history is
a scratch repository of six commits whose fuzz/fuzz.py builds a stand-in
replay driver (diverges while the tree holds BUG); the fourth commit brings
the bug, the sixth keeps it.

Run: /usr/bin/python3 -m pytest -q ci/tests/test_bisect.py
"""
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FAKE_DRIVER = '''import os, sys
args = sys.argv[1:]
out = args[args.index("--out") + 1]
target = args[args.index("--targets") + 1]
os.makedirs(out, exist_ok=True)
bug = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "BUG")
with open(os.path.join(out, target), "w") as f:
    f.write("#!/bin/sh\\n[ -f %s ] && exit 1\\nexit 0\\n" % bug)
os.chmod(os.path.join(out, target), 0o755)
'''


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo)] + list(args), check=True, stdout=subprocess.PIPE,
                          text=True, env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                                              GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")).stdout.strip()


def test_bisect_names_the_commit_that_brought_the_bug(tmp_path):
    repo = tmp_path / "repo"
    (repo / "fuzz").mkdir(parents=True)
    git(repo.parent, "init", "-q", str(repo))
    (repo / "fuzz" / "fuzz.py").write_text(FAKE_DRIVER)
    commits = []
    for i in range(6):
        (repo / "n").write_text(str(i))
        if i == 3:
            (repo / "BUG").write_text("")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "commit %d" % i)
        commits.append(git(repo, "rev-parse", "HEAD"))
    finding = tmp_path / "finding.trace"
    finding.write_text("charge\n")
    done = subprocess.run(["bash", os.path.join(REPO, "ci", "bisect.sh"), str(finding)], cwd=str(repo),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().splitlines()[-1] == commits[3]
    assert "commit 3" in done.stdout
    # The repository's own checkout and worktree list are as they were.
    assert git(repo, "rev-parse", "HEAD") == commits[5]
    assert len(git(repo, "worktree", "list").splitlines()) == 1
