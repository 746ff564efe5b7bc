"""The shell scripts run with `set -u`: a variable read before any
assignment ends the script there. campaign.sh once read $metric_runs,
set only by --metric-runs, so the README's campaign command stopped at its
metric step. Here every variable a script reads must be assigned in it,
read with a default (${X:-...}), or be one the environment always has.

Run: /usr/bin/python3 -m pytest -q ci/tests
"""
import os
import re

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = ["ci/bisect.sh", "ci/campaign.sh", "ci/install_deps.sh", "ci/test.sh",
           "ci/test_install.sh", "fuzz/make_wine_known.sh", "fuzz/wine_fuzz.sh",
           "conformance/win32/build.sh", ".ci/run"]
ALWAYS_SET = {"HOME", "PATH", "PWD", "BASH_SOURCE", "RANDOM", "SECONDS", "LINENO", "BASHPID", "UID"}

READ = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(\}|\[|:?[-=+?]|[^A-Za-z0-9_]|$)")
# An assignment in an option's case branch (`--runs) runs=$2; shift 2 ;;`)
# happens only when that option is given: it does not count - that is the
# bug this test is for. Any other assignment does, and so do a loop's or a
# read's variables.
CASE_BRANCH = re.compile(r"^\s*[^\s()=]+\)\s")
ASSIGNED = [
    re.compile(r"(?:^|[\s;(&|])([A-Za-z_]\w*)(?:\[[^\]]*\])?\+?="),
    re.compile(r"\b(?:local|mapfile)\s+(?:-\w+\s+)*([A-Za-z_]\w*)"),
    re.compile(r"\bfor\s+([A-Za-z_]\w*)\s+in\b"),
    re.compile(r"\bread\s+(?:-\w+\s+)*((?:[A-Za-z_]\w*\s*)+)"),
]


def code_lines(text):
    """Lines without comments and without single-quoted text (awk programs,
    literal strings: a $ there is not the shell's)."""
    for line in text.splitlines():
        line = re.sub(r"'[^']*'", "''", line)
        if line.lstrip().startswith("#"):
            continue
        yield re.sub(r"\s#.*$", "", line)


def assigned(lines):
    names = set()
    for line in lines:
        if CASE_BRANCH.match(line):
            continue
        for pattern in ASSIGNED:
            for m in pattern.finditer(line):
                names.update(m.group(1).split())
    return names


def unassigned_reads(path):
    with open(os.path.join(REPO, path)) as f:
        lines = list(code_lines(f.read()))
    names = assigned(lines) | ALWAYS_SET
    missing = set()
    for line in lines:
        for m in READ.finditer(line):
            name, after = m.group(1), m.group(2)
            if after.startswith(":") or after in ("-", "=", "+", "?"):
                continue  # ${X:-default} and friends: safe under set -u
            if name not in names:
                missing.add(name)
    return sorted(missing)


@pytest.mark.parametrize("path", SCRIPTS)
def test_every_variable_read_is_assigned(path):
    assert unassigned_reads(path) == []


def test_the_check_finds_a_variable_only_an_option_sets(tmp_path, monkeypatch):
    script = tmp_path / "s.sh"
    script.write_text("set -u\nruns=1\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n"
                      "    --runs) runs=$2; shift 2 ;;\n    --seconds) seconds=$2; shift 2 ;;\n"
                      "  esac\ndone\necho \"$runs $seconds ${fallback:-0}\"\n")
    monkeypatch.setattr(__import__(__name__), "REPO", str(tmp_path))
    assert unassigned_reads("s.sh") == ["seconds"]
