#!/usr/bin/env bash
# ci/bisect.sh - finds the commit that introduced a finding, with git bisect
# and the replay driver.
#
#   ci/bisect.sh FINDING [--good REV] [--bad REV] [--target fuzz_diff] [--planted-bug]
#
# FINDING is a finding's .trace (the text is the record: a .bin means another
# trace once the binary format changes) or .bin. Each bisect step checks the
# commit out in a scratch worktree, builds the replay driver of --target there
# (fuzz/fuzz.py build, or fuzz/build.sh for commits from before the driver)
# and replays FINDING: it diverges = bad, it agrees = good; a commit that
# cannot be built or cannot read the finding is skipped. --good defaults to
# the first commit, --bad to HEAD. Prints the first bad commit; the
# repository's own checkout is not touched.
set -euo pipefail

finding="" good="" bad=HEAD target=fuzz_diff planted=""
while [ $# -gt 0 ]; do
  case "$1" in
    --good) good=$2; shift 2 ;;
    --bad) bad=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --planted-bug) planted=--planted-bug; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "bisect.sh: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$finding" ] || { echo "bisect.sh: one FINDING only" >&2; exit 2; }; finding=$1; shift ;;
  esac
done
[ -n "$finding" ] && [ -f "$finding" ] || { echo "usage: ci/bisect.sh FINDING [--good REV] [--bad REV] [--target T]" >&2; exit 2; }
finding=$(cd "$(dirname "$finding")" && pwd)/$(basename "$finding")
repo=$(git rev-parse --show-toplevel)
[ -n "$good" ] || good=$(git -C "$repo" rev-list --max-parents=0 HEAD | tail -n 1)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vas-bisect.XXXXXX")
wt="$scratch/src"
cleanup() {
  git -C "$wt" bisect reset >/dev/null 2>&1 || true
  git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
git -C "$repo" worktree add --detach "$wt" "$bad" >/dev/null 2>&1

cat > "$scratch/step.sh" <<STEP
#!/usr/bin/env bash
# One bisect step: 0 good (agrees), 1 bad (diverges), 125 skip.
cd "$wt"
out="$scratch/build"
rm -rf "\$out"
if [ -f fuzz/fuzz.py ]; then
  python3 fuzz/fuzz.py build --engine replay $planted --out "\$out" --targets "$target" >"$scratch/build.log" 2>&1 || exit 125
elif [ -f fuzz/build.sh ]; then
  bash fuzz/build.sh --engine replay $planted --out "\$out" >"$scratch/build.log" 2>&1 || exit 125
else
  exit 125
fi
"\$out/$target" "$finding" >"$scratch/replay.log" 2>&1
case \$? in 0) exit 0 ;; 1) exit 1 ;; *) exit 125 ;; esac
STEP
chmod +x "$scratch/step.sh"

cd "$wt"
git bisect start "$bad" "$good" >/dev/null
if ! git bisect run "$scratch/step.sh" >"$scratch/bisect.log" 2>&1; then
  cat "$scratch/bisect.log" >&2
  echo "bisect.sh: bisect failed (does FINDING diverge at --bad and agree at --good?)" >&2
  exit 1
fi
first=$(grep -m1 -oE '^[0-9a-f]{40} is the first bad commit' "$scratch/bisect.log" | cut -d' ' -f1)
[ -n "$first" ] || { cat "$scratch/bisect.log" >&2; echo "bisect.sh: no single first bad commit (skipped commits?)" >&2; exit 1; }
echo "first bad commit: $(git -C "$repo" log -1 --format='%h %s' "$first")"
echo "$first"
