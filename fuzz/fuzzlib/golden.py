"""golden.py - blame by golden expectation: where a conformance case covers
the operation a finding diverges on, the case decides which backend is
wrong, and that outranks the majority vote (the vote only counts: impl and
the host-backed model share impl's code, so a bug of impl is two votes
against the oracle's one).

When a case covers the operation. Both traces are normalized the same way:
expectations and comments dropped, names that are bound and used renamed
in order of binding (v0, v1, ...; a binding nothing uses is dropped, as the
decoder names every alloc), numbers in hex, flag words without MEM_/PAGE_
and sorted (`COMMIT|RESERVE`), and `profile:`/`commit-limit:` compared (x64
and none by default). The case covers the finding's diverging operation
when, at some operation j of the case, that operation is the same as the
finding's diverging one and the operations before it that change state are
the same as the finding's (operations that only look - query, charge,
geterr, wsmin, wsmax, locked - are left out on both sides). The rule is
syntactic on purpose: a match is never wrong, only sometimes missed, and a
miss leaves the vote in charge.

What decides. The case cut after operation j and the operations that only
look right after it (what the case checks of the state j leaves), with the
expectations of those operations alone, is checked on every backend of the
target by the replay build that diverged (`TARGET_replay --check`, so a
planted bug's build is held to the case too). The backends that fail it
are blamed. When none fails (the case does not pin what differed) the case
does not decide and the vote stands.
"""
import glob
import os
import re

from . import findings

PURE = {"query", "charge", "geterr", "wsmin", "wsmax", "locked"}
HEADER = re.compile(r"^(name|source|wine-deviates|profile|commit-limit):\s*(.*?)\s*$")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
EXPR = re.compile(r"^([a-z_][a-z0-9_]*)?([+-]?)((?:0x[0-9A-Fa-f]+)|\d+)?$")
NUMBER = re.compile(r"^(0x[0-9A-Fa-f]+|\d+)$")


class Trace:
    """A trace as golden.py compares it: headers and one entry per
    operation (raw text, line number, tokens, expectation)."""

    def __init__(self, text, path=None):
        self.path = path
        self.headers = {}
        self.lines = text.splitlines()
        self.ops = []            # (line number, tokens, expectation text or None)
        self.prefixes = {}       # upto -> canonical_ops(self, upto), computed once
        for number, raw in enumerate(self.lines, 1):
            line = re.split(r"\s#|^#", raw, maxsplit=1)[0].strip()
            if not line:
                continue
            h = HEADER.match(line)
            if h and not self.ops:
                if h.group(1) in ("profile", "commit-limit"):
                    self.headers[h.group(1)] = h.group(2)
                continue
            body, _, expect = line.partition("->")
            self.ops.append((number, body.split(), expect.strip() if _ else None))

    def settings(self):
        limit = self.headers.get("commit-limit", "0")
        return (self.headers.get("profile", "x64").lower(), number_of(limit) if NUMBER.match(limit) else limit)


def bound_name(tokens):
    return tokens[0] if len(tokens) > 2 and tokens[1] == "=" else None


def op_name(tokens):
    return tokens[2] if bound_name(tokens) else (tokens[0] if tokens else "")


def canonical_ops(trace, upto):
    """The first `upto` operations, normalized (see the module comment)."""
    if upto not in trace.prefixes:
        trace.prefixes[upto] = normalize(trace, upto)
    return trace.prefixes[upto]


def normalize(trace, upto):
    ops = [tokens for _n, tokens, _e in trace.ops[:upto]]
    used = set()
    for tokens in ops:
        args = tokens[3:] if bound_name(tokens) else tokens[1:]
        for t in args:
            m = EXPR.match(t)
            if m and m.group(1):
                used.add(m.group(1))
    names = {}
    out = []
    for tokens in ops:
        bound = bound_name(tokens)
        args = tokens[3:] if bound else tokens[1:]
        words = [canon(t, names) for t in args]
        if op_name(tokens) == "write" and len(args) > 1 and "=" not in args[1]:
            words[1] = args[1].lower()    # the bytes written, not a number
        if bound and bound in used:
            names[bound] = "v%d" % len(names)
            out.append(" ".join([names[bound], "=", op_name(tokens)] + words))
        else:
            out.append(" ".join([op_name(tokens)] + words))
    return out


def number_of(text):
    return int(text, 16) if text.lower().startswith("0x") else int(text, 10)


def canon(token, names):
    m = EXPR.match(token)
    if m and (m.group(1) or m.group(3)):
        name = names.get(m.group(1), m.group(1)) if m.group(1) else ""
        number = "%#x" % number_of(m.group(3)) if m.group(3) else ""
        return name + m.group(2) + number if name and number else (name or ("-" if m.group(2) == "-" else "") + number)
    if "=" in token:           # len=N, flags=N, fill=BYTE*COUNT
        key, _, value = token.partition("=")
        parts = [("%#x" % number_of(p)) if NUMBER.match(p) else p for p in value.split("*")]
        return key + "=" + "*".join(parts)
    if "|" in token or token.isupper() or token.startswith(("MEM_", "PAGE_")):
        parts = []
        for p in token.split("|"):
            p = re.sub(r"^(MEM_|PAGE_)", "", p)
            parts.append(("%#x" % number_of(p)) if NUMBER.match(p) else p)
        return "|".join(sorted(parts))
    return token.lower()


def state_changing(canonical):
    return [c for c in canonical if op_name(c.split()) not in PURE]


def load_cases(folder):
    cases = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.trace"), recursive=True)):
        with open(path, errors="replace") as f:
            cases.append(Trace(f.read(), path))
    return cases


def find_cover(finding, cases):
    """(case, j): the first case whose operation j (0-based) covers the
    finding's last operation, or None. Names are normalized over the same
    stretch on both sides (up to the operation compared)."""
    k = len(finding.ops)
    if k == 0:
        return None
    mine = canonical_ops(finding, k)
    target, before = mine[-1], state_changing(mine[:-1])
    for case in cases:
        if case.settings() != finding.settings():
            continue
        for j in range(len(case.ops)):
            if case.ops[j][2] is None or op_name(case.ops[j][1]) != op_name(finding.ops[-1][1]):
                continue
            theirs = canonical_ops(case, j + 1)
            if theirs[-1] == target and state_changing(theirs[:-1]) == before:
                return case, j
    return None


def golden_cut(case, j):
    """The case up to operation j and the look-only operations right after
    it, with only their expectations: (text to check, their line numbers)."""
    last = j
    while last + 1 < len(case.ops) and op_name(case.ops[last + 1][1]) in PURE:
        last += 1
    kept = [case.ops[i][0] for i in range(j, last + 1)]
    op_lines = {n for n, _t, _e in case.ops}
    out = []
    for number, raw in enumerate(case.lines[:case.ops[last][0]], 1):
        if number in op_lines and number not in kept:
            raw = raw.split("->")[0].rstrip()
        out.append(raw)
    return "\n".join(out) + "\n", kept


def divergence_prefix(report):
    """The trace up to the diverging operation, from a divergence report
    (diff_trace's "--- trace up to the diverging op ---" section)."""
    m = re.search(r"^--- trace up to the diverging op ---\n(.*?)^--- ", report, re.M | re.S)
    return m.group(1) if m else None


def vote_of(report):
    m = re.search(r"^odd one out: (\S+)", report, re.M)
    return m.group(1) if m else None


def blame(report, cases, replay, work, repo, timeout=60):
    """The blame of one divergence report: {"by": "golden"|"vote"|None,
    "blamed": [backends], "vote": backend or None, and with a covering
    case "case", "case_lines", "checks"}."""
    vote = vote_of(report)
    result = {"by": "vote" if vote else None, "blamed": [vote] if vote else [], "vote": vote}
    prefix = divergence_prefix(report)
    if prefix is None:
        return result
    cover = find_cover(Trace(prefix), cases)
    if cover is None:
        return result
    case, j = cover
    text, lines = golden_cut(case, j)
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "golden-" + os.path.basename(case.path))
    with open(path, "w") as f:
        f.write(text)
    checks = findings.check_expectations(replay, path, timeout)
    rel = os.path.relpath(case.path, repo) if case.path.startswith(repo + os.sep) else os.path.basename(case.path)
    result.update(case=rel, case_lines=lines, checks=checks)
    failing = sorted(b for b, c in checks.items() if c["status"] != "pass")
    if failing and len(failing) < len(checks):
        result.update(by="golden", blamed=failing)
    return result


def rekey(key, result):
    """The finding's signature key naming the blamed backend: golden blame
    replaces the vote's `:odd=X`."""
    if result.get("by") != "golden":
        return key
    return re.sub(r":odd=\S+$", "", key) + ":golden=" + "+".join(result["blamed"])
