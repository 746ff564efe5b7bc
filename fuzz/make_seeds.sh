#!/usr/bin/env bash
# fuzz/make_seeds.sh - regenerates corpus/seed/ from every text trace we
# have: conformance/cases/**.trace, harness/tests/traces/*.trace and
# corpus/handcrafted/*.trace. Each becomes NAME.bin (folder path joined with
# '-'), encoded by fuzz/seed_encode.c, which drops expectations and headers
# and renames bindings so the binary form can hold the trace.
#
# It also regenerates the other artifacts that depend on the binary format
# (harness/trace/trace_binary.c), so that one command brings them all up to
# date after the format changes:
#   - corpus/regression/NAME.bin from NAME.trace, when the bytes no longer
#     decode to the text (the text is the record; the bytes, a fuzzer's own
#     minimized input, are kept while they still mean the same trace);
#   - fuzz/vas.dict (fuzz/make_dict.py).
#
#   fuzz/make_seeds.sh [--check]
#
# --check regenerates into a scratch folder and fails if anything differs
# (a CI guard against stale seeds, regression inputs or dictionary).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check=0
[ "${1:-}" = --check ] && check=1

tool_dir="$repo/build-fuzz/tools"
mkdir -p "$tool_dir"
# The trace library (harness/trace, whole) is portable C: no model or
# backend is needed.
${CC:-cc} -std=gnu11 -O1 -Wall -Wextra -I"$repo/harness/include" -I"$repo/impl/include" \
    "$fuzz_dir/seed_encode.c" "$repo"/harness/trace/*.c -o "$tool_dir/seed_encode"

dest=$seed_dir
[ $check = 1 ] && dest=$(mktemp -d)
find "$dest" -maxdepth 1 -name '*.bin' -delete

count=0
failed=0
while IFS= read -r -d '' src; do
  rel=${src#"$repo"/}
  name=$(echo "${rel%.trace}" | tr '/' '-')
  if "$tool_dir/seed_encode" "$src" "$dest/$name.bin"; then
    count=$((count + 1))
  else
    echo "make_seeds.sh: skipped $rel" >&2
    failed=$((failed + 1))
  fi
done < <(find "$repo/conformance/cases" "$repo/harness/tests/traces" "$repo/corpus/handcrafted" \
              -name '*.trace' -type f -print0 2>/dev/null | sort -z)

echo "make_seeds.sh: $count seeds in $dest ($failed traces could not be encoded)"

regression="$repo/corpus/regression"
scratch=$(mktemp -d)
stale=0
for text in "$regression"/*.trace; do
  [ -f "$text" ] || continue
  bin="${text%.trace}.bin"
  if [ ! -f "$bin" ] || ! "$tool_dir/seed_encode" --check "$text" "$bin"; then
    if [ $check = 1 ]; then echo "make_seeds.sh: $bin is stale" >&2; stale=1
    else "$tool_dir/seed_encode" "$text" "$bin"; echo "make_seeds.sh: re-encoded $bin"; fi
  fi
done
python3 "$fuzz_dir/make_dict.py" "$tool_dir/seed_encode" "$scratch/vas.dict" >/dev/null
if ! cmp -s "$scratch/vas.dict" "$dict"; then
  if [ $check = 1 ]; then echo "make_seeds.sh: fuzz/vas.dict is stale" >&2; stale=1
  else cp "$scratch/vas.dict" "$dict"; echo "make_seeds.sh: regenerated fuzz/vas.dict"; fi
fi
rm -rf "$scratch"

if [ $check = 1 ]; then
  diff -r -x '*.md' "$dest" "$seed_dir" >/dev/null || { echo "make_seeds.sh: corpus/seed is stale" >&2; stale=1; }
  rm -rf "$dest"
  [ $stale = 0 ] || { echo "make_seeds.sh: run fuzz/make_seeds.sh" >&2; exit 1; }
  echo "make_seeds.sh: seeds, regression inputs and dictionary are up to date"
fi
