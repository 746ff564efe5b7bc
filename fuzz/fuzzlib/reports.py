"""reports.py - writes one campaign's results four ways from one dict:
report.json (everything), report.md (for people, links coverage.svg),
junit.xml (a testcase per engine and per finding, for CI test views) and
report.sarif (SARIF 2.1.0, a result per finding, for code-scanning views).

The dict is what campaign.py assembles: "engines", "corpus",
"findings", "coverage", "timeline", "planted_bug", "seconds", "cores".
"""
import json
import os
import xml.etree.ElementTree as ET

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def write_json(report, path):
    with open(path, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")


def finding_failed(report, finding):
    """A finding fails the run unless it is the planted bug of a
    --planted-bug run or a known open one (fuzz/known-findings.json)."""
    if report.get("planted_bug") and finding.get("planted"):
        return False
    return finding.get("status", "new") in ("new", "regression")


def write_junit(report, path):
    suite = ET.Element("testsuite", name="fuzz_campaign")
    cases = []
    for engine in report["engines"]:
        case = ET.Element("testcase", classname="fuzz.engine", name=engine["name"],
                          time="%.1f" % engine.get("seconds", 0))
        if engine.get("errors"):
            ET.SubElement(case, "failure", message="; ".join(engine["errors"])).text = engine.get("log_tail", "")
        ET.SubElement(case, "system-out").text = "execs %s, %s exec/s, log %s" % (
            engine.get("execs"), engine.get("execs_per_sec"), engine.get("log"))
        cases.append(case)
    regression = report.get("regression")
    if regression is not None:
        case = ET.Element("testcase", classname="fuzz.regression", name="replay")
        if regression.get("failed"):
            ET.SubElement(case, "failure", message="a saved regression input diverges again").text = regression.get("output", "")
        cases.append(case)
    for f in report["findings"]:
        case = ET.Element("testcase", classname="fuzz.finding", name=f["name"],
                          time="%.1f" % f["time_to_find_s"])
        text = "%s\n\n%s" % (f["signature"]["summary"], f.get("trace_text", ""))
        if finding_failed(report, f):
            ET.SubElement(case, "failure", message=f["signature"]["key"]).text = text
        else:
            ET.SubElement(case, "system-out").text = "planted bug found:\n" + text
        cases.append(case)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    for c in cases:
        suite.append(c)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


# Where a divergence in an operation is decided: SARIF locations must name a
# file in the repository (code-scanning views resolve them against it).
HANDLERS = {"alloc": "impl/src/vas_alloc.c", "free": "impl/src/vas_free.c", "protect": "impl/src/vas_protect.c",
            "query": "impl/src/vas_query.c", "read": "impl/src/vas_access.c", "write": "impl/src/vas_access.c",
            "exec": "impl/src/vas_access.c", "charge": "impl/src/vas_space.c"}


def sarif_location(finding):
    """A repository file for a finding: the sanitizer's source line, else
    the impl file that handles the diverging operation, else the target."""
    loc = finding["signature"].get("location")
    if loc:
        return {"artifactLocation": {"uri": loc["file"]}, "region": {"startLine": max(1, int(loc["line"]))}}
    key = finding["signature"]["key"]
    opcode = key.split(":")[1] if key.startswith("divergence:") else None
    if key.endswith((":odd=oracle", ":golden=oracle")):
        return {"artifactLocation": {"uri": "oracle/oracle.c"}}   # the golden case, or the vote, blames the oracle
    uri = HANDLERS.get(opcode) or "fuzz/%s.c" % finding.get("target", "fuzz_diff")
    return {"artifactLocation": {"uri": uri}}


def write_sarif(report, path, repo_uri=None):
    rules, results = [], []
    rule_index = {}
    for f in report["findings"]:
        sig = f["signature"]
        if sig["key"] not in rule_index:
            rule_index[sig["key"]] = len(rules)
            rules.append({"id": sig["key"], "name": f["name"],
                          "shortDescription": {"text": sig["summary"][:200]},
                          "properties": {"kind": sig["kind"]}})
        physical = sarif_location(f)
        results.append({
            "ruleId": sig["key"], "ruleIndex": rule_index[sig["key"]],
            "level": "error" if finding_failed(report, f) else "note",
            "message": {"text": "%s\nFound by %s after %.1f s. Readable trace:\n%s" % (
                sig["summary"], ", ".join(f["engines"]), f["time_to_find_s"], f.get("trace_text", ""))},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"divergenceSignature": sig["key"]},
        })
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
             "runs": [{"tool": {"driver": {"name": "vas-fuzz-campaign", "informationUri": repo_uri or "https://example.invalid/vas",
                                           "rules": rules}},
                       "results": results}]}
    with open(path, "w") as f:
        json.dump(sarif, f, indent=2)
        f.write("\n")


def pct(covered, total):
    return "%.1f%% (%d/%d)" % (100.0 * covered / total if total else 0.0, covered, total)


def group_count(ranges_text):
    """"3-5, 9" -> 4"""
    n = 0
    for r in ranges_text.split(", "):
        a, _, b = r.partition("-")
        n += int(b or a) - int(a) + 1
    return n


def coverage_markdown(report, out_dir):
    """The coverage section: per folder and per file (the union of every
    target's replay, with each target's own line figure), then the lines
    of impl/src never run, grouped by reason and by function."""
    out = ["## Coverage of the final corpus", ""]
    cov = report.get("coverage")
    if not cov:
        return out + ["Not measured: %s" % report.get("coverage_error", "no coverage build")]
    targets = cov.get("replayed_by") or [report.get("target", "fuzz_diff")]
    per_target = cov.get("target_files", {})
    out.append("The final corpus replayed by the coverage build of %s%s. Why lines are not reached: "
               "`fuzz/COVERAGE.md`." % (", ".join("`%s`" % t for t in targets),
                                        " (figures are the union)" if len(targets) > 1 else ""))
    extra = list(targets) if len(targets) > 1 else []
    head = "| %s | lines | branches |" + "".join(" %s lines |" % t for t in extra)
    rule = "|---|---|---|" + "---|" * len(extra)
    out += ["", head % "folder", rule]
    for name, f in sorted(cov["folders"].items()):
        row = "| %s/ | %s | %s |" % (name, pct(f["lines_covered"], f["lines"]),
                                    pct(f["branches_covered"], f["branches"]))
        for t in extra:
            tf = cov.get("targets", {}).get(t, {}).get(name)
            row += " %s |" % (pct(tf["lines_covered"], tf["lines"]) if tf else "-")
        out.append(row)
    totals = cov.get("uncovered_by_reason")
    impl = cov["folders"].get("impl")
    if totals is not None and impl and impl["lines"]:
        # Reachable = what ran plus what did not run and has no reason. (Not
        # total minus explained: llvm-cov's export and show count lines a
        # little differently, which could push the share past 100%.)
        reachable = impl["lines_covered"] + totals.get("unexplained", 0)
        out += ["", "impl/ lines left once the never-run lines with a reason are set aside (the lines "
                "the targets can reach): %s." % pct(impl["lines_covered"], reachable)]
    files = cov.get("files", {})
    if files:
        out += ["", "### Per file", "", head % "file", rule]
        for name in sorted(files):
            f = files[name]
            if not f["lines"] or not name.startswith(("impl/src/", "oracle/")):
                continue
            row = "| %s | %s | %s |" % (name, pct(f["lines_covered"], f["lines"]),
                                        pct(f["branches_covered"], f["branches"]))
            for t in extra:
                tf = per_target.get(t, {}).get(name)
                row += " %s |" % (pct(tf["lines_covered"], tf["lines"]) if tf else "-")
            out.append(row)
    out += ["", "![coverage over time](coverage.svg)", "", "[coverage over time](coverage.svg)", "",
            "### Lines of impl/src never run", ""]
    missing = cov.get("uncovered_impl_src", {})
    if not missing:
        return out + ["None."]
    if totals:
        out += ["| reason | lines |", "|---|---|"]
        for reason, n in sorted(totals.items(), key=lambda kv: (kv[0] != "unexplained", -kv[1], kv[0])):
            out.append("| %s | %d |" % ("**unexplained**" if reason == "unexplained" else reason, n))
        out.append("")
    for name in sorted(missing):
        groups = missing[name]
        if groups and isinstance(groups[0], str):      # plain ranges, no reasons
            out.append("- `%s`: %s" % (name, ", ".join(groups)))
            continue
        out.append("- `%s`:" % name)
        for g in groups:
            out.append("  - `%s` %s (%d): %s%s" % (g["function"], g["lines"], group_count(g["lines"]),
                                                   "**unexplained**" if g["reason"] == "unexplained" else g["reason"],
                                                   " - " + g["why"] if g.get("why") else ""))
    out += semantics_markdown(cov.get("semantics"))
    idle = cov.get("idle_tags")
    if idle:
        out += ["", "`fuzz-unreached` tags that covered no never-run line in this run (stale, or code the "
                "fuzzers now reach; sse-fallback code is compiled out): " + ", ".join("`%s`" % t for t in idle)]
    return out


def blame_text(blame):
    """Who is blamed, and on what authority (golden.py)."""
    if not blame:
        return "not judged"
    if blame.get("by") == "golden":
        return "**%s**, by the golden case `%s` (lines %s)%s" % (
            ", ".join(blame["blamed"]), blame["case"], ", ".join(str(n) for n in blame["case_lines"]),
            "; it outranks the vote, which said %s" % blame["vote"] if blame.get("vote") else "")
    text = ("**%s**, by the majority vote" % blame["vote"]) if blame.get("vote") else "nobody (no majority to vote with)"
    if blame.get("case"):
        text += "; the golden case `%s` covers the operation but every backend meets it" % blame["case"]
    elif not blame.get("error"):
        text += "; no conformance case covers the diverging operation"
    return text + ("; " + blame["error"] if blame.get("error") else "")


def wine_text(wine):
    if not wine:
        return "not replayed (no --wine-exe)"
    text = wine["verdict"]
    if wine.get("draft"):
        text += "; draft case `%s`" % wine["draft"]
    return text


def semantics_markdown(sem):
    """Which rules of docs/semantics.md and which catalogue entries the
    corpus reached (fuzz/fuzzlib/semantics_coverage.py)."""
    if not sem:
        return []
    rt, et = sem["rule_totals"], sem["entry_totals"]
    out = ["", "### Semantics coverage", "",
           "Rules of `docs/semantics.md` whose code (tagged `semantics: ID` in impl/src) the corpus ran: "
           "%d reached, %d not reached, %d not tagged (cannot tell). Catalogue entries cited by a reached rule: "
           "%d reached, %d not reached, %d cited by no tagged rule." % (
               rt.get("reached", 0), rt.get("not reached", 0), rt.get("not tagged", 0),
               et.get("reached", 0), et.get("not reached", 0), et.get("no tagged rule", 0)),
           "", "| rule | status | catalogue | tagged code (times run) |", "|---|---|---|---|"]
    for r in sem["rules"]:
        status = "**not reached**" if r["status"] == "not reached" else r["status"]
        out.append("| %s | %s | %s | %s |" % (r["rule"], status, " ".join(r["entries"]) or "-",
                                             ", ".join("`%s` (%s)" % (c["line"], c["count"]) for c in r["code"]) or "-"))
    missed = sorted(e for e, st in sem["entries"].items() if st == "not reached")
    if missed:
        out += ["", "Catalogue entries never reached: " + ", ".join(missed) + "."]
    if sem.get("unknown_tags"):
        out += ["", "Tags naming no rule of docs/semantics.md: " + ", ".join("`%s`" % t for t in sem["unknown_tags"])]
    return out


def rerun_text(reruns):
    if not reruns:
        return "not rerun"
    counts = ", ".join("%s %d/%d" % (b, c, reruns["runs"]) for b, c in sorted(reruns["reproduced"].items()))
    return counts + (" - **flaky**" if reruns.get("flaky") else "")


def run_facts(report):
    """Budget, time per phase and provenance, for people."""
    out = []
    p = report.get("provenance") or {}
    if p:
        out.append("Commit `%s`%s, engine seed base %s. Command: `%s`." % (
            (p.get("commit") or "unknown")[:12], " (with local changes)" if p.get("dirty") else "",
            report.get("seed"), p.get("command")))
        out.append("Tools: " + "; ".join("%s: %s" % kv for kv in sorted((p.get("tools") or {}).items()) if kv[1]) + ".")
    phases = report.get("phases_s") or {}
    if phases:
        b = report.get("budget")
        out += ["", "| phase | seconds |", "|---|---|"] + ["| %s | %.1f |" % kv for kv in phases.items()]
        if b:
            out.append("")
            out.append("Budget %d s (a run may end up to %g s past it)." % (b["seconds"], b["margin_s"]))
    return out


def write_markdown(report, path):
    out = ["# Fuzzing campaign", ""]
    out.append("Mode %s: %d s on %d cores, target `%s`%s. Result: **%s**." % (
        report.get("mode", "batch"), report["seconds"], report["cores"], report["target"],
        ", planted decommit bug compiled in" if report.get("planted_bug") else "", report["verdict"]))
    out += [""] + run_facts(report)
    out += ["", "## Engines", "", "| engine | instances | executions | exec/s | notes |", "|---|---|---|---|---|"]
    for e in report["engines"]:
        out.append("| %s | %s | %s | %s | %s |" % (e["name"], e.get("instances", 1), e.get("execs"),
                                                e.get("execs_per_sec"), "; ".join(e.get("errors", [])) or "ok"))
    c = report["corpus"]
    out += ["", "## Corpus", "",
            "- `%s`%s: %d inputs before, %d after (%d added)" % (
                c["path"], " (kept between runs: %d restored)" % c.get("restored", 0) if c.get("kept") else "",
                c["before"], c["after"], c["added"]),
            "- minimized covering set (`corpus-min/`): %d inputs" % c["minimized"]]
    if c.get("error"):
        out.append("- merge: **%s** (the corpus was left as it was)" % c["error"])
    out += ["", "## Findings", ""]
    if not report["findings"]:
        out += ["None.", ""]
    for f in report["findings"]:
        by_engine = ", ".join("%s %.1f s" % kv for kv in sorted(f["time_to_find_by_engine_s"].items()))
        out += ["### %s%s" % (f["name"], " (the planted bug)" if f.get("planted") else ""), "",
                "- status: **%s**%s" % (f.get("status", "new"), " (fuzz/known-findings.json)"
                                        if f.get("status") in ("known", "regression") else ""),
                "- signature: `%s`" % f["signature"]["key"],
                "- %s" % f["signature"]["summary"],
                "- found by: %s (%d crash files)" % (by_engine, f["count"]),
                "- minimized input: `%s` (%s bytes), trace `%s`" % (f.get("bin"), f.get("size"), f.get("trace")),
                "- divergence report (each backend's answer and region table, the map before the "
                "diverging op): `%s`" % f.get("report"),
                "- reruns: %s" % rerun_text(f.get("reruns")),
                "- blamed: %s" % blame_text(f.get("blame")),
                "- under Wine (the real API): %s" % wine_text(f.get("wine")),
                "- reproduce: `%s`" % f.get("reproduce"),
                "", "```", f.get("trace_text", "").rstrip(), "```", ""]
    out += coverage_markdown(report, os.path.dirname(os.path.abspath(path)))
    if report.get("coverage_html"):
        out += ["", "Line view of impl/ and oracle/: [%s](%s)" % (report["coverage_html"], report["coverage_html"])]
    t = report.get("coverage_trend")
    if t:
        out += ["", "### Trend (impl/, from `%s`, %d runs)" % (t["history"], t["runs"]), "",
                "| run | lines % | branches % |", "|---|---|---|"]
        out += ["| %d | %.2f | %.2f |" % (i + 1, l, b) for i, (l, b) in
                enumerate(zip(t["impl_lines_pct"], t["impl_branches_pct"]))]
        if t.get("change_vs_previous"):
            out += ["", "Change against the run before: lines %+.2f, branches %+.2f points." % tuple(t["change_vs_previous"])]
    if report.get("timeline"):
        out += ["", "### Over time", "", "| s | impl/ lines % | oracle/ lines % |", "|---|---|---|"]
        for t, impl, oracle in report["timeline"]:
            out.append("| %g | %.1f | %.1f |" % (t, impl, oracle))
        out += ["", "(The timeline replays with the fuzzed target `%s` only.)" % report["target"]]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_all(report, out_dir):
    write_json(report, os.path.join(out_dir, "report.json"))
    write_junit(report, os.path.join(out_dir, "junit.xml"))
    write_sarif(report, os.path.join(out_dir, "report.sarif"))
    write_markdown(report, os.path.join(out_dir, "report.md"))
