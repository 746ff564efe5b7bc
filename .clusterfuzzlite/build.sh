#!/bin/bash -eu
# .clusterfuzzlite/build.sh - builds the vas fuzz targets the way OSS-Fuzz and
# ClusterFuzzLite call it: CC, CXX, CFLAGS, CXXFLAGS and LIB_FUZZING_ENGINE
# choose engine and sanitizer, SRC holds the checkout (as $SRC/vas), and every
# target goes to $OUT with its seed corpus (TARGET_seed_corpus.zip), its
# dictionary (TARGET.dict) and its options (TARGET.options). The compiling
# itself is fuzz/build.sh's oss-fuzz engine.

repo="$SRC/vas"
targets="fuzz_diff fuzz_diff_host"

"$repo/fuzz/build.sh" --engine oss-fuzz --out "$WORK/vas-fuzz"

for t in $targets; do
  cp "$WORK/vas-fuzz/$t" "$OUT/$t"
  cp "$repo/fuzz/vas.dict" "$OUT/$t.dict"
  printf '[libfuzzer]\ndict = %s.dict\n' "$t" > "$OUT/$t.options"
  # The seeds plus the regression inputs (the .bin files): findings stay
  # findings, and the engines start from every shape we know.
  python3 - "$OUT/${t}_seed_corpus.zip" "$repo/corpus/seed" "$repo/corpus/regression" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for folder in sys.argv[2:]:
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not name.endswith((".md", ".trace")):
                z.write(path, arcname=os.path.basename(folder) + "-" + name)
PY
done
