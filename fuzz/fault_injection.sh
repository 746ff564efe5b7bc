#!/usr/bin/env bash
# fuzz/fault_injection.sh - proves the fuzzers can find a real bug: builds
# impl with a planted off-by-one page in decommit (-DVAS_PLANTED_BUG_DECOMMIT=1),
# runs libFuzzer and AFL++ (one core each, side by side, at most SECONDS each)
# on fuzz_diff, and for each engine checks that
#   - it reported a crash,
#   - the finding diverges with the planted bug and agrees without it
#     (so it is the planted bug, not another one),
# then minimizes the finding and prints it as a readable trace.
# Exit 0 only when both engines found it. Prints each engine's time-to-find.
#
#   fuzz/fault_injection.sh [--seconds 60] [--corpus empty|seed]
#
# --corpus empty (default) starts both engines from a single zero byte: the
# seed corpus holds conformance cases that decommit several pages, which
# trip the planted bug on the first execution and would measure nothing.
# --corpus seed starts from corpus/seed, as a real campaign does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds=60
corpus=empty
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "fault_injection.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$corpus" in
  empty) seed_dir=$(mktemp -d) && printf '\0' > "$seed_dir/zero" ;;
  seed) ;;
  *) echo "fault_injection.sh: --corpus is empty or seed" >&2; exit 2 ;;
esac

target=fuzz_diff
libfuzzer_dir=$(build_engine libfuzzer --planted-bug)
afl_dir=$(build_engine afl --planted-bug)
cmplog_dir=$(build_engine afl-cmplog --planted-bug)
replay_planted=$(build_engine replay --planted-bug)/$target
replay_clean=$(build_engine replay)/$target
work=$(mktemp -d "${TMPDIR:-/tmp}/vas-fault.XXXXXX")

now() { date +%s.%N; }
start=$(now)
run_libfuzzer "$libfuzzer_dir/$target" "$seconds" "$work/libfuzzer" &
lf_pid=$!
run_afl "$afl_dir/$target" "$cmplog_dir/$target" "$seconds" "$work/afl" &
afl_pid=$!
wait "$lf_pid" || true
wait "$afl_pid" || true

# check_engine NAME FINDING: prints the outcome; returns 0 when the finding is the planted bug.
check_engine() {
  local engine=$1 finding=$2 found_at
  if [ -z "$finding" ]; then
    echo "$engine: FAILED: no divergence found within ${seconds}s"
    return 1
  fi
  found_at=$(stat -c %.9Y "$finding")
  awk -v e="$engine" -v a="$found_at" -v s="$start" -v f="$finding" \
      'BEGIN { printf "%s: found in %.1f s (%s)\n", e, a - s, f }'
  if "$replay_planted" "$finding" >/dev/null 2>&1; then
    echo "$engine: FAILED: the finding does not diverge when replayed"; return 1
  fi
  if ! "$replay_clean" "$finding" >/dev/null 2>&1; then
    echo "$engine: FAILED: the finding also diverges without the planted bug (another bug?)"; return 1
  fi
  minimize_finding "$libfuzzer_dir/$target" "$finding" "$work/$engine.min" 20
  echo "$engine: minimized to $(wc -c <"$work/$engine.min") bytes; as a trace:"
  "$replay_planted" --print "$work/$engine.min" | sed 's/^/    /'
  echo "$engine: the report:"
  "$replay_planted" "$work/$engine.min" 2>&1 | sed -n '/first difference/,$p' | head -n 40 | sed 's/^/    /'
  return 0
}

status=0
echo "== fault injection: planted decommit bug, ${seconds}s per engine, $corpus corpus, work in $work"
check_engine libFuzzer "$(ls "$work"/libfuzzer/crash-* 2>/dev/null | head -n 1 || true)" || status=1
if [ -f "$work/afl/out/default/fuzzer_stats" ]; then
  grep -E '^(execs_done|execs_per_sec)' "$work/afl/out/default/fuzzer_stats" | sed 's/^/AFL++ /'
fi
check_engine AFL++ "$(afl_first_crash "$work/afl")" || status=1
grep -E '^stat::number_of_executed_units|^Done' "$work/libfuzzer/libfuzzer.log" | sed 's/^/libFuzzer /' || true
[ $status = 0 ] && echo "fault_injection.sh: both engines found the planted bug" \
                || echo "fault_injection.sh: FAILED (work kept in $work)"
exit $status
