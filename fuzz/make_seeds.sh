#!/usr/bin/env bash
# fuzz/make_seeds.sh - regenerates corpus/seed/ from every text trace we
# have: conformance/cases/**.trace, harness/tests/traces/*.trace and
# corpus/handcrafted/*.trace. Each becomes NAME.bin (folder path joined with
# '-'), encoded by fuzz/seed_encode.c, which drops expectations and headers
# and renames bindings so the binary form can hold the trace.
#
#   fuzz/make_seeds.sh [--check]
#
# --check regenerates into a scratch folder and fails if corpus/seed/ differs
# (a CI guard against stale seeds).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check=0
[ "${1:-}" = --check ] && check=1

tool_dir="$repo/build-fuzz/tools"
mkdir -p "$tool_dir"
# The trace library is portable C: no model or backend is needed.
${CC:-cc} -std=gnu11 -O1 -Wall -Wextra -I"$repo/harness/include" -I"$repo/impl/include" \
    -I"$repo/harness/src" "$fuzz_dir/seed_encode.c" "$repo"/harness/src/trace_*.c \
    -o "$tool_dir/seed_encode"

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
if [ $check = 1 ]; then
  if diff -r -x '*.md' "$dest" "$seed_dir" >/dev/null; then
    echo "make_seeds.sh: corpus/seed is up to date"; rm -rf "$dest"
  else
    echo "make_seeds.sh: corpus/seed is stale; run fuzz/make_seeds.sh" >&2; rm -rf "$dest"; exit 1
  fi
fi
