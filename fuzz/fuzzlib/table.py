"""table.py - the one table of fuzz targets and engines. Everything else
(fuzz.py's subcommands, fuzz/CMakeLists.txt's replay tests, the
ClusterFuzzLite build, the campaign) reads it.

Adding a target is one row in TARGETS: a C file in fuzz/ that defines
FUZZ_TARGET and LLVMFuzzerTestOneInput (see fuzz_diff.c), named here. It is
then built for every engine, replayed by ctest over corpus/regression and
corpus/seed (when ctest_name is set), fuzzed by `fuzz.py smoke` and the
campaign, and packaged for ClusterFuzzLite.
"""
import os
import shutil


class Target:
    def __init__(self, name, doc, sources, ctest_name=None, smoke=True, runs_host=False, requires=(),
                 oss_fuzz=True):
        self.name = name            # the binary's name whatever the engine
        self.doc = doc
        self.sources = sources      # the target's own files (repo-relative), beside the shared ones
        self.ctest_name = ctest_name  # ctest replaying corpus/regression + corpus/seed, or None
        self.smoke = smoke          # fuzzed by `fuzz.py smoke` (the test command)
        self.runs_host = runs_host  # runs host-backed code (coverage of impl/src/host/ counts)
        self.requires = requires    # programs it needs at run time (checked, named when missing)
        self.oss_fuzz = oss_fuzz    # packaged for OSS-Fuzz / ClusterFuzzLite (not when it needs Wine)


TARGETS = (
    Target("fuzz_diff", "impl against the oracle, in the profile the input chooses",
           ("fuzz/fuzz_diff.c",), ctest_name="fuzz_regression_replay"),
    Target("fuzz_diff_host", "impl, oracle and the host-backed model in lockstep (x86 profile)",
           ("fuzz/fuzz_diff_host.c",), ctest_name="fuzz_regression_replay_host", runs_host=True),
    Target("fuzz_diff_wine", "impl against the real API: vastrace.exe serve under Wine (fuzz/wine_fuzz.sh)",
           ("fuzz/fuzz_diff_wine.c", "fuzz/wine_deviations.c"), smoke=False, requires=("wine",), oss_fuzz=False),
)

# Compiled into every target, whatever the engine.
SHARED_SOURCES = ("fuzz/fuzz_helpers.c",)

# The structure-aware mutator (one source for both engines): linked into
# every target of a build made with mutator=True (libFuzzer then calls its
# LLVMFuzzerCustomMutator), and for AFL++ built alone as the shared object
# of the "afl-mutator" engine, which afl-fuzz loads from
# AFL_CUSTOM_MUTATOR_LIBRARY. Without it, both engines mutate bytes only.
MUTATOR_SOURCE = "fuzz/mutator.c"


class Engine:
    def __init__(self, name, doc, cc, cflags, link_flags="", main=None, env=None, cc_env="CC",
                 shared_object=None):
        self.name = name
        self.doc = doc
        self.cc = cc                # compiler (overridden by $CC when cc_env is set)
        self.cflags = cflags
        self.link_flags = link_flags
        self.main = main            # the source providing main() when the engine does not
        self.env = env or {}        # environment for the compiler (afl-clang-fast reads it)
        self.cc_env = cc_env
        self.shared_object = shared_object  # builds this one .so (no targets) when set

    def compiler(self):
        return os.environ.get(self.cc_env, self.cc) if self.cc_env else self.cc


COMMON = "-std=gnu11 -g -Wall -Wextra -fno-omit-frame-pointer"
ENGINES = {e.name: e for e in (
    Engine("libfuzzer", "clang -fsanitize=fuzzer,address,undefined", "clang",
           COMMON + " -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all",
           "-fsanitize=fuzzer,address,undefined"),
    Engine("libfuzzer-nosan", "clang -fsanitize=fuzzer, -O2, no sanitizer (exec/s figures)", "clang",
           COMMON + " -O2 -fsanitize=fuzzer-no-link", "-fsanitize=fuzzer"),
    Engine("afl", "afl-clang-fast, persistent mode + shared-memory input (afl_driver.c)", "afl-clang-fast",
           COMMON + " -O2", main="fuzz/afl_driver.c", env={"AFL_QUIET": "1"}, cc_env=None),
    Engine("afl-cmplog", "the same with AFL_LLVM_CMPLOG=1, for afl-fuzz -c", "afl-clang-fast",
           COMMON + " -O2", main="fuzz/afl_driver.c", env={"AFL_QUIET": "1", "AFL_LLVM_CMPLOG": "1"},
           cc_env=None),
    Engine("afl-asan", "afl-clang-fast with ASan+UBSan (AFL_USE_ASAN/UBSAN), for one AFL++ secondary",
           "afl-clang-fast", COMMON + " -O1", main="fuzz/afl_driver.c",
           env={"AFL_QUIET": "1", "AFL_USE_ASAN": "1", "AFL_USE_UBSAN": "1"}, cc_env=None),
    Engine("afl-mutator", "cc -shared: fuzz/mutator.c for AFL_CUSTOM_MUTATOR_LIBRARY", "cc",
           COMMON + " -O2 -fPIC", "-shared", shared_object="vas_mutator.so", cc_env=None),
    Engine("replay", "cc + regression_driver.c: replays files, no engine", "cc", COMMON + " -O2",
           main="fuzz/regression_driver.c"),
    Engine("coverage", "clang source-based coverage + regression_driver.c", "clang",
           COMMON + " -O0 -fprofile-instr-generate -fcoverage-mapping", "-fprofile-instr-generate",
           main="fuzz/regression_driver.c"),
    Engine("bench", "cc -O2 + bench_exec.c: exec/s on one core", "cc", COMMON + " -O2",
           main="fuzz/bench_exec.c"),
    # OSS-Fuzz / ClusterFuzzLite set CC, CXX, CFLAGS, CXXFLAGS and
    # LIB_FUZZING_ENGINE; build.py reads them for this engine.
    Engine("oss-fuzz", "$CC $CFLAGS, linked by $CXX with $LIB_FUZZING_ENGINE", "cc", "-std=gnu11"),
)}


def target(name):
    for t in TARGETS:
        if t.name == name:
            return t
    raise KeyError("no fuzz target '%s' (fuzz/fuzzlib/table.py lists %s)"
                   % (name, ", ".join(t.name for t in TARGETS)))


def missing_programs(t):
    return [p for p in t.requires if shutil.which(p) is None]
