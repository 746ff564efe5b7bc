"""seeds.py - regenerates what depends on the binary trace format
(harness trace_binary.c) from the text traces, which are the record:

  corpus/seed/NAME.bin       every conformance/cases/**.trace,
                             harness/tests/traces/*.trace and
                             corpus/handcrafted/*.trace (folder path joined
                             with '-'), encoded by fuzz/seed_encode.c
  corpus/regression/NAME.bin re-encoded from NAME.trace when the bytes no
                             longer decode to the text (a fuzzer's own
                             minimized bytes are kept while they still mean
                             the same trace)
  fuzz/vas.dict              fuzz/make_dict.py

With check=True everything is made in a scratch folder and compared: a CI
guard against stale seeds, regression inputs or dictionary.
"""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

SEED_SOURCES = ("conformance/cases", "harness/tests/traces", "corpus/handcrafted")


def trace_library(repo):
    """The trace language's sources: harness/trace, whole (portable C, no
    model or backend needed)."""
    folder = os.path.join(repo, "harness", "trace")
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".c")]


def build_encoder(repo, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    lib = trace_library(repo)
    includes = sorted({"-I" + os.path.dirname(s) for s in lib})
    tool = os.path.join(out_dir, "seed_encode")
    cmd = [os.environ.get("CC", "cc"), "-std=gnu11", "-O1", "-Wall", "-Wextra",
           "-I" + os.path.join(repo, "harness", "include"), "-I" + os.path.join(repo, "impl", "include")] \
        + includes + [os.path.join(repo, "fuzz", "seed_encode.c")] + lib + ["-o", tool]
    subprocess.run(cmd, check=True)
    return tool


def seed_traces(repo):
    found = []
    for folder in SEED_SOURCES:
        for root, _dirs, files in os.walk(os.path.join(repo, folder)):
            found += [os.path.join(root, f) for f in files if f.endswith(".trace")]
    return sorted(found)


def regenerate(repo, check=False, log=print):
    """Returns 0 when everything is (now) up to date, 1 when check found
    something stale."""
    tool = build_encoder(repo, os.path.join(repo, "build-fuzz", "tools"))
    seed_dir = os.path.join(repo, "corpus", "seed")
    scratch = tempfile.mkdtemp(prefix="vas-seeds-")
    try:
        dest = os.path.join(scratch, "seed") if check else seed_dir
        os.makedirs(dest, exist_ok=True)
        for name in os.listdir(dest):
            if name.endswith(".bin"):
                os.unlink(os.path.join(dest, name))
        count = skipped = 0
        for src in seed_traces(repo):
            name = os.path.splitext(os.path.relpath(src, repo))[0].replace(os.sep, "-")
            if subprocess.run([tool, src, os.path.join(dest, name + ".bin")]).returncode == 0:
                count += 1
            else:
                log("seeds: skipped %s" % os.path.relpath(src, repo))
                skipped += 1
        log("seeds: %d seeds in %s (%d traces could not be encoded)" % (count, os.path.relpath(dest, repo)
                                                                          if not check else "a scratch folder", skipped))
        stale = []
        regression = os.path.join(repo, "corpus", "regression")
        for name in sorted(os.listdir(regression)) if os.path.isdir(regression) else []:
            if not name.endswith(".trace"):
                continue
            text = os.path.join(regression, name)
            binary = text[:-len(".trace")] + ".bin"
            if os.path.exists(binary) and subprocess.run([tool, "--check", text, binary]).returncode == 0:
                continue
            if check:
                stale.append(os.path.relpath(binary, repo))
            else:
                subprocess.run([tool, text, binary], check=True)
                log("seeds: re-encoded %s" % os.path.relpath(binary, repo))
        new_dict = os.path.join(scratch, "vas.dict")
        subprocess.run([sys.executable, os.path.join(repo, "fuzz", "make_dict.py"), tool, new_dict],
                       check=True, stdout=subprocess.DEVNULL)
        dictionary = os.path.join(repo, "fuzz", "vas.dict")
        if not (os.path.exists(dictionary) and filecmp.cmp(new_dict, dictionary, shallow=False)):
            if check:
                stale.append("fuzz/vas.dict")
            else:
                shutil.copyfile(new_dict, dictionary)
                log("seeds: regenerated fuzz/vas.dict")
        if check:
            made = {n for n in os.listdir(dest) if not n.endswith(".md")}
            kept = {n for n in os.listdir(seed_dir) if not n.endswith(".md")}
            if made != kept or any(not filecmp.cmp(os.path.join(dest, n), os.path.join(seed_dir, n), shallow=False)
                                   for n in made):
                stale.append("corpus/seed")
            for s in stale:
                log("seeds: %s is stale" % s)
            if stale:
                log("seeds: run python3 fuzz/fuzz.py seeds")
                return 1
            log("seeds: seeds, regression inputs and dictionary are up to date")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
