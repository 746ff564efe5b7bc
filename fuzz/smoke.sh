#!/usr/bin/env bash
# fuzz/smoke.sh - a short fuzzing run for CI: every target with libFuzzer for
# N seconds, then with AFL++ for N seconds, starting from corpus/seed.
# Fails (exit 1) on any finding, printing it as a readable trace.
#
#   fuzz/smoke.sh [--seconds N] [--targets "fuzz_diff fuzz_diff_host"]
#
# Wall time is about 2 x N x (number of targets) plus the builds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds=30
targets="fuzz_diff fuzz_diff_host"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "smoke.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

libfuzzer_dir=$(build_engine libfuzzer)
afl_dir=$(build_engine afl)
cmplog_dir=$(build_engine afl-cmplog)
replay_dir=$(build_engine replay)
work=$(mktemp -d "${TMPDIR:-/tmp}/vas-smoke.XXXXXX")
failed=0

report_finding() {  # report_finding ENGINE TARGET FILE
  echo "FINDING: $1 on $2: $3"
  "$replay_dir/$2" --print "$3" || true
  "$replay_dir/$2" "$3" 2>&1 | tail -n 40 || true
  failed=1
}

for t in $targets; do
  echo "== libFuzzer $t, ${seconds}s"
  if ! run_libfuzzer "$libfuzzer_dir/$t" "$seconds" "$work/lf-$t"; then
    crash=$(ls "$work/lf-$t"/crash-* 2>/dev/null | head -n 1 || true)
    if [ -n "$crash" ]; then report_finding libFuzzer "$t" "$crash"
    else echo "libFuzzer failed without a finding:"; tail -n 30 "$work/lf-$t/libfuzzer.log"; failed=1; fi
  fi
  grep -E '^stat::number_of_executed_units|^Done' "$work/lf-$t/libfuzzer.log" || true

  echo "== AFL++ $t, ${seconds}s"
  run_afl "$afl_dir/$t" "$cmplog_dir/$t" "$seconds" "$work/afl-$t" || true
  crash=$(afl_first_crash "$work/afl-$t")
  if [ -n "$crash" ]; then report_finding AFL++ "$t" "$crash"
  elif [ ! -f "$work/afl-$t/out/default/fuzzer_stats" ]; then
    echo "AFL++ did not start:"; tail -n 30 "$work/afl-$t/afl.log"; failed=1
  else
    grep -E '^(execs_done|execs_per_sec|corpus_count)' "$work/afl-$t/out/default/fuzzer_stats" || true
  fi
done

if [ $failed = 0 ]; then rm -rf "$work"; echo "smoke.sh: no findings"; else echo "smoke.sh: work kept in $work"; fi
exit $failed
