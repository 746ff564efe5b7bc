"""semantics_coverage.py - which rules of docs/semantics.md, and which
catalogue behaviours (docs/catalogue.md Gnnn/Xnnn) they cite, the corpus
exercises, and which it never reaches (the coverage mode's third view,
beside lines and branches).

How. The model's code says which rule it carries out: a comment
`semantics: 2.1` (several ids may follow) on a line of impl/src tags that
line; on a comment line of its own, it tags the next line of code. A rule
is *reached* when the corpus, replayed by the coverage builds, ran one of
its tagged lines (llvm-cov's count for that line is not zero); *not
reached* when it has tagged lines and none ran; *not tagged* when no code
names it (then this view cannot tell, and says so). A catalogue entry is
reached when a rule that cites it is reached: the tag sits on the line that
decides the rule's outcome (the `return fail(...)` of a check, the line
that makes the change), so running that line is that behaviour happening.
This is coverage of the model's decisions, not a proof each one was
compared: the fuzz targets compare every result they run, so a reached
rule was also checked against the oracle.

Rule ids come from docs/semantics.md's own numbering: in section N, the
numbered step K is `N.K`; a paragraph or list that starts with a bold
label (`**Reserve**`, `**VirtualLock(addr, size)**`) is `N.label` (the label
in lower case, words joined by `-`), and the steps numbered under it are
`N.label.K`; a numbered section without either is `N` (`### N.M` sections
the same way, as `N.M...`). Each rule cites the catalogue entries written in
its text.
"""
import os
import re

SECTION = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ")
STEP = re.compile(r"^(\d+)\. ")
LABEL = re.compile(r"^\*\*(.+?)\*\*")
ENTRY = re.compile(r"\b([GX]\d{3})\b")
TAG = re.compile(r"semantics:\s*((?:\d+(?:\.[a-z0-9-]+)*\s*)+)")


def slug(label):
    text = label.split("(")[0].strip().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def read_rules(path):
    """[(rule id, line number, [catalogue ids it cites])] in document order."""
    rules = []
    section, label, current, unnumbered = None, None, None, False
    with open(path) as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("## ") or line.startswith("### "):
            m = SECTION.match(line)
            section, label = (m.group(1), None) if m else (None, None)
            current = None
            if section:
                rules.append([section, number, []])    # the section itself; dropped below if it has rules
                current = rules[-1]
            continue
        if section is None:
            continue
        m = LABEL.match(line)
        if m and not m.group(1).startswith("["):    # **[decision]** marks a rule, is not one
            label = slug(m.group(1))
            rules.append(["%s.%s" % (section, label), number, []])
            current = rules[-1]
        m = STEP.match(line)
        if m:
            rid = "%s.%s%s" % (section, label + "." if label else "", m.group(1))
            rules.append([rid, number, []])
            current = rules[-1]
        if current is not None:
            for e in ENTRY.findall(line):
                if e not in current[2]:
                    current[2].append(e)
    sections_with_rules = {r[0].rsplit(".", 1)[0] for r in rules if "." in r[0]}
    kept = []
    seen = set()
    for rid, number, entries in rules:
        if rid in sections_with_rules and not entries:
            continue                       # a section heading whose rules are its steps
        if rid in seen:
            rid = "%s@%d" % (rid, number)  # a list numbered twice: keep both, by line
        seen.add(rid)
        kept.append((rid, number, entries))
    return kept


def read_catalogue(path):
    """{entry id: its first sentence} for every Gnnn/Xnnn entry."""
    entries = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^\*\*([GX]\d{3})\*\*[:.]?\s*(.*)", line)
            if m:
                entries[m.group(1)] = m.group(2).split(". ")[0][:120]
    return entries


def read_tags(repo, folders=("impl/src",)):
    """[(repo-relative file, line, [rule ids])]: the `semantics:` tags of
    the C sources, each on the line it tags."""
    found = []
    for folder in folders:
        for root, _dirs, names in os.walk(os.path.join(repo, folder)):
            for name in sorted(n for n in names if n.endswith(".c")):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, repo)
                pending = None
                with open(path) as f:
                    for number, line in enumerate(f, 1):
                        m = TAG.search(line)
                        code = line.split("/*")[0].split("//")[0].strip()
                        ids = m.group(1).split() if m else []
                        if ids and code:
                            found.append((rel, number, ids))
                        elif ids:
                            pending = ids          # tags the next line of code
                        elif pending and code and not code.startswith("*"):
                            found.append((rel, number, pending))
                            pending = None
    return found


def measure(repo, counts, folders=("impl/src",)):
    """The semantics view from llvm-cov's line counts ({file: {line:
    count}}, counts only for lines that are code). Returns a dict for
    report.json: rules (reached / not reached / not tagged, each with its
    tagged lines), catalogue entries (reached / not reached / not cited by a
    tagged rule), and tags that name no rule (typos, stale ids)."""
    rules = read_rules(os.path.join(repo, "docs", "semantics.md"))
    catalogue = read_catalogue(os.path.join(repo, "docs", "catalogue.md"))
    known = {rid for rid, _n, _e in rules}
    tags = read_tags(repo, folders)
    where = {}
    unknown = []
    for rel, number, ids in tags:
        count = counts.get(rel, {}).get(number)
        for rid in ids:
            if rid not in known:
                unknown.append("%s:%d: %s" % (rel, number, rid))
                continue
            where.setdefault(rid, []).append({"line": "%s:%d" % (rel, number), "count": count})
    out_rules = []
    for rid, number, entries in rules:
        lines = where.get(rid, [])
        status = ("not tagged" if not lines else
                  "reached" if any(l["count"] for l in lines) else "not reached")
        out_rules.append({"rule": rid, "doc_line": number, "entries": entries, "status": status, "code": lines})
    reached_entries, tagged_entries = set(), set()
    for r in out_rules:
        if r["status"] != "not tagged":
            tagged_entries.update(r["entries"])
        if r["status"] == "reached":
            reached_entries.update(r["entries"])
    out_entries = {e: ("reached" if e in reached_entries else "not reached" if e in tagged_entries
                       else "no tagged rule") for e in sorted(catalogue)}
    totals = {}
    for r in out_rules:
        totals[r["status"]] = totals.get(r["status"], 0) + 1
    entry_totals = {}
    for s in out_entries.values():
        entry_totals[s] = entry_totals.get(s, 0) + 1
    return {"rules": out_rules, "entries": out_entries, "rule_totals": totals, "entry_totals": entry_totals,
            "unknown_tags": unknown, "titles": {e: catalogue[e] for e in out_entries}}
