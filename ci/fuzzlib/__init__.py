"""ci/fuzzlib: the pieces of ci/fuzz_campaign.py, one job per module.

engines      builds the fuzz targets and runs libFuzzer and AFL++ time-boxed
corpus_merge merges the engines' queues into the corpus without losing inputs
findings     collects, deduplicates and minimizes crashes into regression traces
coverage     replays a corpus with the coverage build: totals and a timeline
reports      report.md, report.json, junit.xml, report.sarif
plot         coverage.svg, drawn with the standard library
"""
