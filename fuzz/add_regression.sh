#!/usr/bin/env bash
# fuzz/add_regression.sh - keeps a fuzzer finding as a regression case.
#
#   fuzz/add_regression.sh [--target fuzz_diff|fuzz_diff_host] [--planted-bug] FINDING NAME
#
# FINDING is a crashing input (libFuzzer crash-*, AFL++ crashes/id:*). The
# script checks that it still diverges with the current code (built with
# --planted-bug when given, for the fault-injection test), shrinks it with
# libFuzzer's -minimize_crash, and saves corpus/regression/NAME.bin (the
# input) and NAME.trace (the same input as readable text, as the target runs
# it). Replay both with the fuzz_regression_replay ctest once the bug is fixed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

target=fuzz_diff
planted=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --planted-bug) planted=(--planted-bug); shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--target T] [--planted-bug] FINDING NAME" >&2; exit 2; }
finding=$1
name=$2
case "$name" in *[!a-z0-9_-]*|"") echo "add_regression.sh: NAME must be [a-z0-9_-]+" >&2; exit 2 ;; esac
[ -f "$finding" ] || { echo "add_regression.sh: no file '$finding'" >&2; exit 2; }

fuzzer=$(build_engine libfuzzer "${planted[@]}")/$target
replay=$(build_engine replay "${planted[@]}")/$target

if "$replay" "$finding" >/dev/null 2>&1; then
  echo "add_regression.sh: '$finding' does not diverge on $target with this code; nothing to keep" >&2
  exit 1
fi

dest="$repo/corpus/regression"
mkdir -p "$dest"
minimize_finding "$fuzzer" "$finding" "$dest/$name.bin" 60
{
  echo "# $name: fuzzer finding on $target, minimized from $(basename "$finding") on $(date -u +%Y-%m-%d)."
  "$replay" --print "$dest/$name.bin"
} > "$dest/$name.trace"

echo "saved $dest/$name.bin ($(wc -c <"$dest/$name.bin") bytes) and $dest/$name.trace:"
cat "$dest/$name.trace"
echo "--- the divergence ---"
"$replay" "$dest/$name.bin" 2>&1 | tail -n 40 || true
