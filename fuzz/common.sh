# fuzz/common.sh - shell pieces the fuzz scripts share (sourced, not run):
# where things are, building an engine once, running each engine for a
# bounded time, and minimizing a finding into a readable trace.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir="$repo/fuzz"
seed_dir="$repo/corpus/seed"
dict="$fuzz_dir/vas.dict"

# AFL++ settings for unattended single-core runs on a machine we do not tune.
afl_environment() {
  export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
  export AFL_SKIP_CRASHES=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
  export AFL_TRY_AFFINITY=0
  # The AFL++ builds carry no sanitizer, but afl-fuzz refuses to start when a
  # caller's ASAN_OPTIONS lacks abort_on_error=1; ours are not needed.
  unset ASAN_OPTIONS UBSAN_OPTIONS
}

# build_engine ENGINE [--planted-bug] -> prints the output directory.
build_engine() {
  local engine=$1; shift
  local out="$repo/build-fuzz/$engine"
  [ "${1:-}" = --planted-bug ] && out="$out-planted"
  "$fuzz_dir/build.sh" --engine "$engine" "$@" --out "$out" >&2 || return 1
  echo "$out"
}

# A copy of the seed corpus an engine may add to (the committed one stays put).
# Falls back to one byte when there are no seeds, as AFL++ needs an input.
seed_copy() {
  local dir=$1
  mkdir -p "$dir"
  find "$seed_dir" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$dir"/ \; 2>/dev/null || true
  [ -n "$(ls -A "$dir")" ] || printf '\0' > "$dir/empty"
}

# run_libfuzzer BIN SECONDS WORKDIR -> leaves WORKDIR/crash-* on a finding,
# the log in WORKDIR/libfuzzer.log. Returns libFuzzer's status.
run_libfuzzer() {
  local bin=$1 seconds=$2 work=$3
  mkdir -p "$work/corpus"
  seed_copy "$work/corpus"
  ( cd "$work" && "$bin" -max_total_time="$seconds" -dict="$dict" -print_final_stats=1 \
        -artifact_prefix="$work/" -close_fd_mask=0 corpus >"$work/libfuzzer.log" 2>&1 )
}

# run_afl BIN CMPLOG_BIN SECONDS WORKDIR -> stops at the first crash
# (AFL_BENCH_UNTIL_CRASH), findings in WORKDIR/out/default/crashes.
run_afl() {
  local bin=$1 cmplog=$2 seconds=$3 work=$4
  mkdir -p "$work/in"
  seed_copy "$work/in"
  afl_environment
  AFL_BENCH_UNTIL_CRASH=1 afl-fuzz -i "$work/in" -o "$work/out" -x "$dict" -m none \
      -V "$seconds" ${cmplog:+-c "$cmplog"} -- "$bin" >"$work/afl.log" 2>&1
}

# First AFL++ crash file in WORKDIR, or nothing.
afl_first_crash() {
  # Never fails: when AFL++ did not start there is no out/ to search, and the
  # caller must go on to print why.
  find "$1/out" -path '*/crashes/id:*' -type f 2>/dev/null | sort | head -n 1 || true
}

# minimize_finding LIBFUZZER_BIN FINDING OUT_FILE [SECONDS]: the smallest
# input libFuzzer finds that still crashes the same target (by its
# -minimize_crash mode), or FINDING itself when it cannot shrink it.
minimize_finding() {
  local bin=$1 finding=$2 result=$3 seconds=${4:-30}
  local tmp
  tmp=$(mktemp -d)
  cp "$finding" "$result"
  if "$bin" -minimize_crash=1 -max_total_time="$seconds" -exact_artifact_path="$tmp/min" \
        "$finding" >"$tmp/log" 2>&1 && [ -s "$tmp/min" ]; then
    cp "$tmp/min" "$result"
  elif [ -s "$tmp/min" ]; then
    cp "$tmp/min" "$result"
  fi
  rm -rf "$tmp"
}
