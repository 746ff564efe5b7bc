"""Coverage of the semantics (fuzz/fuzzlib/semantics_coverage.py): which
rules of docs/semantics.md, and which catalogue entries they cite, a corpus
reaches, from `semantics: ID` tags in impl/src and llvm-cov's line counts.
The last test replays real inputs through the real coverage build.

Run: /usr/bin/python3 -m pytest -q fuzz/tests/test_semantics_coverage.py
"""
import os
import sys

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FUZZ)
sys.path.insert(0, FUZZ)

from fuzzlib import build, coverage, reports, semantics_coverage as sc  # noqa: E402


def test_rules_are_read_with_the_entries_they_cite():
    rules = {rid: entries for rid, _n, entries in sc.read_rules(os.path.join(REPO, "docs", "semantics.md"))}
    assert rules["2.1"] == ["G001"]
    assert "G050" in rules["3.decommit"] and "G043" in rules["3.release"]
    assert rules["4.1"] == ["G067"]
    assert "9.virtuallock.3" in rules and not any("decision" in r for r in rules)
    assert "2" not in rules          # a section whose steps are its rules is not a rule itself
    assert "7" in rules              # one without steps is


def test_every_tag_names_a_rule_and_sits_on_code():
    rules = {rid for rid, _n, _e in sc.read_rules(os.path.join(REPO, "docs", "semantics.md"))}
    tags = sc.read_tags(REPO)
    assert len(tags) > 40, "the semantics: tags in impl/src went missing"
    for rel, number, ids in tags:
        assert set(ids) <= rules, (rel, number, ids)
        with open(os.path.join(REPO, rel)) as f:
            line = f.read().splitlines()[number - 1]
        assert line.split("/*")[0].strip(), "%s:%d tags no code" % (rel, number)


def test_a_rule_is_reached_when_a_tagged_line_ran():
    tags = sc.read_tags(REPO)
    size_zero = [(rel, n) for rel, n, ids in tags if "2.1" in ids]
    assert size_zero == [("impl/src/vas_alloc.c", size_zero[0][1])]
    counts = {}
    for rel, n, _ids in tags:
        counts.setdefault(rel, {})[n] = 0
    rel, n = size_zero[0]
    counts[rel][n] = 3
    result = sc.measure(REPO, counts)
    by_rule = {r["rule"]: r for r in result["rules"]}
    assert by_rule["2.1"]["status"] == "reached" and by_rule["2.1"]["code"] == [{"line": "%s:%d" % (rel, n), "count": 3}]
    assert by_rule["3.1"]["status"] == "not reached"
    assert by_rule["14"]["status"] == "not tagged"     # bulk operations: harness, not impl/src
    assert result["entries"]["G001"] == "reached" and result["entries"]["G037"] == "not reached"
    assert result["entries"]["G002"] == "no tagged rule"
    text = "\n".join(reports.semantics_markdown(result))
    assert "| 2.1 | reached | G001 | `impl/src/vas_alloc.c:%d` (3) |" % n in text
    assert "| 3.1 | **not reached** |" in text and "G037" in text.split("Catalogue entries never reached: ")[1]


def test_real_corpus_reaches_the_rules_its_inputs_exercise(tmp_path):
    """The coverage build replays one seed (the G001 case: size 0), then the
    whole seed corpus; the first reaches 2.1 and not 3.1, the second more."""
    out = build.build(REPO, "coverage", False, log=lambda m: None, targets=["fuzz_diff"])
    binary = os.path.join(out, "fuzz_diff")
    seeds = os.path.join(REPO, "corpus", "seed")
    one = [os.path.join(seeds, n) for n in sorted(os.listdir(seeds)) if "G001" in n and n.endswith(".bin")]
    assert one

    def rules_reached(files, tag):
        profdata = coverage.measure([binary], files, str(tmp_path), tag)
        result = sc.measure(REPO, coverage.line_counts(profdata, [binary], REPO))
        return {r["rule"] for r in result["rules"] if r["status"] == "reached"}, result

    few, _ = rules_reached(one[:1], "one")
    assert "2.1" in few and "3.1" not in few
    many, result = rules_reached([os.path.join(seeds, n) for n in sorted(os.listdir(seeds)) if n.endswith(".bin")],
                                 "all")
    assert few < many and {"3.1", "3.decommit", "4.4", "5.1"} <= many
    assert result["entry_totals"].get("reached", 0) > 20
