#!/usr/bin/env bash
# The main job (README.md): one campaign that builds everything from scratch
# and writes a report folder:
#   conformance/   golden cases on every backend (impl, oracle, host, win32 under Wine)
#   differential/  random traces diffed across backends
#   regression/    the regression and seed corpora replayed
#   fuzz/          libFuzzer + AFL++ side by side, findings, coverage
#   wine-fuzz/     impl vs the real Windows API under Wine: known and new deviations
#   metric/        the bug-based metric: planted bugs, kill matrix, time to detect
#   bench/         the model's, the host-backed mode's and the protocol's benchmarks
#   map/           the map of one interesting trace (map.svg, map.txt, map.trace)
#   index.md       what ran, what passed, where to look
#   index.html     the same with the coverage trend, the bug-based metric's
#                  chart and kill matrix, the map of one trace
#
# Usage: bash ci/campaign.sh [--out DIR] [--fuzz-seconds N] [--cores K] [--traces N]
#                            [--corpus-dir DIR]   (kept corpus, default out/kept-corpus)
#                            [--history FILE]     (coverage across runs, default out/coverage-history.jsonl)
#                            [--metric-runs K] [--metric-seconds S]  (bug-based metric, default 1 and 30)
#                            [--wine-seconds S]   (impl vs Wine fuzzing, default 600)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

out=out/campaign
fuzz_seconds=300
cores=$(nproc)
traces=10000
kept_corpus=out/kept-corpus
wine_seconds=600
metric_runs=1
metric_seconds=30
history=out/coverage-history.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --fuzz-seconds) fuzz_seconds=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --traces) traces=$2; shift 2 ;;
    --corpus-dir) kept_corpus=$2; shift 2 ;;
    --metric-runs) metric_runs=$2; shift 2 ;;
    --metric-seconds) metric_seconds=$2; shift 2 ;;
    --history) history=$2; shift 2 ;;
    --wine-seconds) wine_seconds=$2; shift 2 ;;
    *) echo "campaign.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$out" "$kept_corpus"
out=$(cd "$out" && pwd)
kept_corpus=$(cd "$kept_corpus" && pwd)
mkdir -p "$(dirname "$history")"
history=$(cd "$(dirname "$history")" && pwd)/$(basename "$history")

bash ci/install_deps.sh || exit 2

build=$root/build-campaign
rm -rf "$build"
step_log() { echo "== $*" >&2; }

# Release build without sanitizers: the campaign measures speed.
step_log "build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAS_SANITIZE=OFF >"$out/build.log" 2>&1 &&
  ninja -C "$build" >>"$out/build.log" 2>&1 || { echo "build failed, see $out/build.log" >&2; exit 2; }
vastrace=$build/harness/vastrace

declare -a names=() statuses=() links=()
record() { names+=("$1"); statuses+=("$2"); links+=("$3"); }
status_of() { if [ "$1" -eq 0 ]; then echo pass; else echo FAIL; fi; }

step_log "unit tests"
(cd "$build" && ctest -j"$cores" --output-on-failure) >"$out/unit-tests.txt" 2>&1
record "unit tests (ctest, release build)" "$(status_of $?)" "unit-tests.txt"

step_log "conformance"
sh conformance/win32/build.sh "$build/win32" >"$out/win32-build.log" 2>&1
VASTRACE_EXE=$build/win32/vastrace.exe WINEPREFIX=$build/win32/wineprefix \
  /usr/bin/python3 conformance/conformance.py --vastrace "$vastrace" \
  --win32-exe "$build/win32/vastrace.exe" --out "$out/conformance" >"$out/conformance.log" 2>&1
record "conformance suite" "$(status_of $?)" "conformance/summary.md"

step_log "differential"
mkdir -p "$out/differential"
"$vastrace" random --backends impl,oracle --traces "$traces" --ops 100 --seed 1 \
  --save-dir "$out/differential/divergences" >"$out/differential/impl-oracle.txt" 2>&1
record "differential impl vs oracle ($traces traces x 100 ops)" "$(status_of $?)" "differential/impl-oracle.txt"
"$vastrace" random --backends impl,oracle,host --traces $((traces / 10)) --ops 100 --seed 2 \
  --save-dir "$out/differential/divergences-host" >"$out/differential/impl-oracle-host.txt" 2>&1
record "differential impl vs oracle vs host ($((traces / 10)) traces x 100 ops)" "$(status_of $?)" "differential/impl-oracle-host.txt"
# Each saved divergence judged: blamed by a covering golden case (else the
# vote) and replayed under Wine with a draft case (fuzz.py judge).
/usr/bin/python3 fuzz/fuzz.py judge --out "$out/differential/judged" --wine-exe "$build/win32/vastrace.exe" \
  "$out/differential/divergences" >"$out/differential/judge.txt" 2>&1
record "differential divergences judged: blame, the real API under Wine, draft cases" "$(status_of $?)" "differential/judged/judge.md"

step_log "regression replay"
mkdir -p "$out/regression"
"$build/fuzz/fuzz_diff_replay" corpus/regression corpus/seed >"$out/regression/replay.txt" 2>&1
record "regression + seed corpus replay (impl vs oracle)" "$(status_of $?)" "regression/replay.txt"
"$build/fuzz/fuzz_diff_host_replay" corpus/regression corpus/seed >"$out/regression/replay-host.txt" 2>&1
record "regression + seed corpus replay (impl vs oracle vs host)" "$(status_of $?)" "regression/replay-host.txt"

step_log "fuzzing ($fuzz_seconds s)"
# Each divergence is blamed (a golden case covering it outranks the vote)
# and replayed under Wine, with a draft case beside it (--wine-exe).
# The fuzzing corpus is kept between campaigns (--corpus-dir): read at the
# start, only added to at the end, the seeds on top; the report says how many
# inputs were restored. The checked-in corpus changes only when someone
# promotes a finding (fuzz/fuzz.py add-regression).
/usr/bin/python3 fuzz/fuzz.py campaign --seconds "$fuzz_seconds" --cores "$cores" \
  --corpus-dir "$kept_corpus" --history "$history" --build-dir "$build/fuzz-builds" --out "$out/fuzz" \
  --wine-exe "$build/win32/vastrace.exe" >"$out/fuzz.log" 2>&1
record "differential fuzzing impl vs oracle, libFuzzer + AFL++ (${fuzz_seconds} s)" "$(status_of $?)" "fuzz/report.md"
/usr/bin/python3 fuzz/fuzz.py campaign --seconds $((fuzz_seconds / 3)) --cores "$cores" --target fuzz_diff_host \
  --corpus-dir "$kept_corpus" --no-grow --build-dir "$build/fuzz-builds" --out "$out/fuzz-host" >"$out/fuzz-host.log" 2>&1
record "differential fuzzing with the host backend in the loop ($((fuzz_seconds / 3)) s)" "$(status_of $?)" "fuzz-host/report.md"
# Fault injection from an empty corpus (the seeds already hold a trigger):
# each engine must find the planted decommit bug within 60 s, minimized.
/usr/bin/python3 fuzz/fuzz.py fault-injection --seconds 60 >"$out/fault-injection.txt" 2>&1
record "fault injection: planted decommit bug found by libFuzzer and AFL++ from an empty corpus (60 s each)" "$(status_of $?)" "fault-injection.txt"

step_log "bug-based metric"
# Every planted bug of impl/ (fuzz/planted.md), fuzzed K times in each of the
# eight setups (libFuzzer and AFL++, empty corpus and seeds, with and without
# the structure-aware mutator), each run at most S seconds: metric/metric.json
# and metric.md, the front page's kill matrix and time-to-detect chart.
# K=1, 30 s keeps it near 40 minutes on 2 cores (K=2, 60 s was 672 runs, hours);
# --metric-runs and --metric-seconds make it longer.
/usr/bin/python3 fuzz/fuzz.py metric --runs "$metric_runs" --seconds "$metric_seconds" --jobs "$cores" \
  --out "$out/metric" >"$out/metric.log" 2>&1
record "bug-based metric: planted bugs, kill matrix, time to detect (K=$metric_runs, $metric_seconds s a run)" "$(status_of $?)" "metric/metric.md"

step_log "Wine in the fuzzing loop ($wine_seconds s)"
# The real Windows API (vastrace.exe serve under Wine) against impl, one
# core: exec/s, Wine's known deviations by signature, new ones as traces.
bash fuzz/wine_fuzz.sh --seconds "$wine_seconds" --out "$out/wine-fuzz" >"$out/wine-fuzz.txt" 2>&1
record "impl vs the Windows API under Wine, libFuzzer ($wine_seconds s): known and new Wine deviations" "$(status_of $?)" "wine-fuzz.txt"

step_log "protocol benchmark"
mkdir -p "$out/bench"
"$build/harness/bench_protocol" --vastrace "$vastrace" --wine-exe "$build/win32/vastrace.exe" \
  >"$out/bench/protocol.txt" 2>&1
record "backend protocol: round trip vs in-process and through Wine" "$(status_of $?)" "bench/protocol.txt"
bash fuzz/wine_fuzz.sh --bench --seconds 20 --out "$out/bench/wine-exec" >"$out/bench/wine_exec.txt" 2>&1
record "impl vs Wine fuzz target: exec/s, 32-operation inputs, one core" "$(status_of $?)" "bench/wine_exec.txt"

step_log "benchmarks"
mkdir -p "$out/bench"
"$build/impl/vas_bench" >"$out/bench/vas_bench.txt" 2>&1
record "model benchmark" "$(status_of $?)" "bench/vas_bench.txt"
"$build/impl/vas_section_bench" >"$out/bench/section_bench.txt" 2>&1
record "model benchmark: sections and views at 1k, 10k, 100k live" "$(status_of $?)" "bench/section_bench.txt"
"$build/impl/vas_placeholder_bench" >"$out/bench/placeholder_bench.txt" 2>&1
record "model benchmark: placeholders at 1k, 10k, 100k live" "$(status_of $?)" "bench/placeholder_bench.txt"
"$build/impl/host_bench/vas_host_bench" >"$out/bench/host_bench.txt" 2>&1
record "host-backed benchmark" "$(status_of $?)" "bench/host_bench.txt"

step_log "address space map"
# One interesting trace drawn for the front page: a finding, else the seed
# with the busiest map (ci/campaign_map.py).
/usr/bin/python3 ci/campaign_map.py --vastrace "$vastrace" --out "$out/map" \
  --findings "$out/fuzz/findings" --findings "$out/differential/divergences" \
  --findings "$out/differential/divergences-host" --seeds corpus/seed >"$out/map.md" 2>"$out/map.log"
record "address space map of one interesting trace (vastrace map --svg)" "$(status_of $?)" "map/map.txt"

# Front page: index.md and index.html (charts, kill matrix, trace map, a
# link to every report) from one dict (fuzz/fuzzlib/frontpage.py), then
# index.html loaded in headless chromium: every link resolves, no console
# error.
failed=0
: >"$out/steps.tsv"
for i in "${!names[@]}"; do
  printf '%s\t%s\t%s\n' "${names[$i]}" "${statuses[$i]}" "${links[$i]}" >>"$out/steps.tsv"
  [ "${statuses[$i]}" = pass ] || failed=1
done
step_log "front page"
/usr/bin/python3 fuzz/fuzz.py frontpage --out "$out" --history "$history" \
  --facts "$cores cores, fuzzing ${fuzz_seconds} s" --check >"$out/frontpage.txt" 2>&1 || failed=1
cat "$out/frontpage.txt" "$out/index.md"
exit $failed
