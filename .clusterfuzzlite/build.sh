#!/bin/bash -eu
# .clusterfuzzlite/build.sh - builds the vas fuzz targets the way OSS-Fuzz and
# ClusterFuzzLite call it: CC, CXX, CFLAGS, CXXFLAGS and LIB_FUZZING_ENGINE
# choose engine and sanitizer, SRC holds the checkout (as $SRC/vas), and every
# target of fuzz/fuzzlib/table.py goes to $OUT with its seed corpus
# (TARGET_seed_corpus.zip), dictionary (TARGET.dict) and options
# (TARGET.options). The work is the fuzz driver's `oss-fuzz` subcommand.
python3 "$SRC/vas/fuzz/fuzz.py" oss-fuzz
