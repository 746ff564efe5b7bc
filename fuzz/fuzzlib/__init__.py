"""fuzz/fuzzlib: the pieces of the fuzz driver (fuzz/fuzz.py), one job per module.

table        the one table of fuzz targets and engines
build        compiles every target for one engine
seeds        regenerates what depends on the binary trace format
campaign     one time-boxed run: build, fuzz, merge, findings, coverage, reports
modes        batch, code-change, prune and coverage runs
engines      runs libFuzzer and AFL++ in process groups, tuned for short runs
corpus_merge merges the engines' queues into the corpus without losing inputs
findings     collects, deduplicates and minimizes crashes into regression traces
known        the known-findings registry (fuzz/known-findings.json)
provenance   commit, tool versions, machine-free command lines
coverage     replays a corpus with the coverage build: totals and a timeline
reports      report.md, report.json, junit.xml, report.sarif
plot         coverage.svg, drawn with the standard library
"""
