#!/usr/bin/env bash
# fuzz/wine_fuzz.sh - the real Windows API under differential fuzzing: the
# fuzz_diff_wine target (impl vs `wine vastrace.exe serve`, one long-lived
# Wine process) under libFuzzer for N seconds on one core, from corpus/seed.
#
#   fuzz/wine_fuzz.sh [--seconds N] [--out DIR] [--engine libfuzzer|libfuzzer-nosan]
#                     [--without FAMILIES] [--bench]
#
# --bench measures instead of fuzzing: the target without the engine
# (fuzz.py's bench engine, fuzz/bench_exec.c) on random 32-operation inputs
# for N seconds on one core, printing exec/s: issue 9's figure.
# --without (default threads,processes) is passed to `vastrace.exe serve`:
# the operation families left out of the fuzzed inputs (Wine 8 spends
# milliseconds on each new thread or process; --without '' keeps them).
# The default engine is libfuzzer-nosan (speed); the test command passes
# libfuzzer, the ASan build `fuzz.py smoke` has already made.
# Prints exec/s, the known Wine deviations hit (by deviation, with counts)
# and the new ones, each written to DIR/findings/new-*.txt as a shrunk trace
# with both backends' results and the rule of docs/semantics.md it breaks.
# Exit 0 when the run completed (new deviations are Wine's, not failures of
# ours); 1 when it could not run (build, Wine, libFuzzer). Every process it
# starts ends: the Wine server with the fuzzer, wineserver by `wineserver -k`.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dict="$repo/fuzz/vas.dict"

seconds=60
out=""
engine=libfuzzer-nosan
without=threads,processes
bench=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --engine) engine=$2; shift 2 ;;
    --without) without=$2; shift 2 ;;
    --bench) bench=1; engine=bench; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "wine_fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/vas-wine-fuzz.XXXXXX")
mkdir -p "$out"
out=$(cd "$out" && pwd)

command -v wine >/dev/null || { echo "wine_fuzz.sh: wine is not installed" >&2; exit 1; }
win32_dir="$repo/build-win32"
"$repo/conformance/win32/build.sh" "$win32_dir" >&2
libfuzzer_dir="$repo/build-fuzz/$engine"
python3 "$repo/fuzz/fuzz.py" build --engine "$engine" --targets fuzz_diff_wine --out "$libfuzzer_dir" >&2

export WINEPREFIX="$win32_dir/wineprefix" WINEDEBUG=-all
trap 'wineserver -k 2>/dev/null || true' EXIT
# wineserver stays up for the whole run: otherwise it exits 3 s after the
# last Wine process, and a server restarted after a crash or hang waits
# seconds for a new one (`wineserver -k` at exit ends it). One that is
# already running for this prefix is used as it is.
wineserver -p 2>/dev/null || true
# A first start creates the prefix; do it before the clock runs.
printf '' | wine "$win32_dir/vastrace.exe" help >/dev/null 2>&1 || true

export VAS_WINE_SERVER="wine $win32_dir/vastrace.exe serve${without:+ --without $without}"
export VAS_WINE_KNOWN="$repo/fuzz/wine-known-deviations.tsv"
export VAS_WINE_FINDINGS="$out/findings"
if [ "$bench" = 1 ]; then
  # stderr too: the target's summary of what the inputs met.
  bench_status=0
  ( cd "$out" && "$libfuzzer_dir/fuzz_diff_wine" --ops 32 --seconds "$seconds" ) >"$out/bench.log" 2>&1 \
    || bench_status=$?
  grep -E '^fuzz_diff_wine: [0-9]+ (inputs|executions)' "$out/bench.log" || tail -n 20 "$out/bench.log" >&2
  exit "$bench_status"
fi
mkdir -p "$out/corpus"
cp "$repo"/corpus/seed/*.bin "$out/corpus/"
status=0
# The CPU the fuzzer and its Wine server use (children's times; wineserver,
# a daemon, is not counted): a figure that a loaded machine does not skew.
# (`times` runs in this shell, not in a $(...) subshell, to see its children.)
cpu_seconds() { awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); c += t[1] * 60 + t[2] } print c }' "$1"; }
times >"$out/times.before"
wall_before=$SECONDS
( cd "$out" && "$libfuzzer_dir/fuzz_diff_wine" -max_total_time="$seconds" -dict="$dict" \
      -print_final_stats=1 -max_len=4096 -close_fd_mask=0 corpus >"$out/libfuzzer.log" 2>&1 ) || status=$?
times >"$out/times.after"
cpu=$(awk -v a="$(cpu_seconds "$out/times.before")" -v b="$(cpu_seconds "$out/times.after")" 'BEGIN { print b - a }')
wall=$(( SECONDS - wall_before ))

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/libfuzzer.log" | tail -n 1)
if [ -z "$runs" ] || [ ! -f "$out/findings/summary.tsv" ]; then
  echo "wine_fuzz.sh: the fuzzer did not complete (status $status):" >&2
  tail -n 30 "$out/libfuzzer.log" >&2
  exit 1
fi
echo "wine_fuzz.sh: $runs inputs in ${seconds}s: $(( runs / seconds )) exec/s (impl vs Wine, one core)"
awk -v r="$runs" -v w="$wall" -v c="$cpu" 'BEGIN {
  printf "wine_fuzz.sh: fuzzer + Wine server CPU %.1f s in %d s wall: %.0f exec per CPU second\n", c, w, (c > 0 ? r / c : 0) }'
head -n 1 "$out/findings/summary.tsv" | sed 's/^# /wine_fuzz.sh: /'
# One line per deviation (signatures grouped by wine_signature_group; the
# variants, each with its count, are summary.tsv's fifth column).
echo "known deviations hit (count, deviation, documenting case, signature variants):"
awk -F'\t' '$1 == "known" { printf "  %6d  %s  (%s) [%d variants]\n", $2, $3, $4, split($5, v, "; ") }' \
  "$out/findings/summary.tsv" | sort -rn
echo "new deviations (count, deviation, report, signature variants):"
awk -F'\t' '$1 == "new" { printf "  %6d  %s  (%s) [%d variants]\n", $2, $3, $4, split($5, v, "; ") }' \
  "$out/findings/summary.tsv" | sort -rn
echo "wine_fuzz.sh: log and findings in $out"
