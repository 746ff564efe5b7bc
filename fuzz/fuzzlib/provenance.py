"""provenance.py - what a report needs so that a run can be repeated and
compared: the commit (and whether the tree had local changes), the tools'
versions, and command lines with the machine's own paths taken out.
"""
import os
import platform
import subprocess


def git_commit(repo):
    def git(*args):
        done = subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
        return done.stdout.strip() if done.returncode == 0 else None
    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": sha, "dirty": bool(status) if status is not None else None}


def first_line(cmd):
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in done.stdout.splitlines():
        if line.strip():
            return line.strip()
    return None


def tool_versions(llvm_cov=None):
    versions = {"python": platform.python_version(),
                "clang": first_line(["clang", "--version"]),
                "cc": first_line([os.environ.get("CC", "cc"), "--version"])}
    # afl-fuzz prints its banner ("afl-fuzz++4.04c based on afl by ...") first.
    versions["afl-fuzz"] = first_line(["afl-fuzz", "-h"])
    if llvm_cov:
        versions["llvm-cov"] = next((l.strip() for l in (subprocess.run(
            [llvm_cov, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines())
            if "version" in l), None)
    return versions


def portable(cmd, roots):
    """A command line as text with each root (the repository, the output
    folder) written as a relative path, so reports hold no machine paths."""
    words = []
    for word in cmd:
        for root, name in roots:
            root = os.path.abspath(root)
            word = word.replace(root + os.sep, name + "/" if name else "").replace(root, name or ".")
        words.append(word)
    return " ".join(words)
