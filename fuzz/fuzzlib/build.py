"""build.py - compiles every fuzz target for one engine (table.ENGINES),
without CMake: the model (impl/src, with its subfolders), the oracle and the
harness libraries (harness/trace, run, backends, without the Windows-only
backend), then fuzz/fuzz_helpers.c, the engine's main() if it needs one,
and each target's own files.

Every target lands in OUT under its own name whatever the engine, so callers
only change the folder. A build is reused while it is newer than every
source and was made with the same compilers and flags.
"""
import concurrent.futures
import os
import shutil
import subprocess

from . import table

# Library sources: (folder, recursive), whole folders as CMake takes them.
LIBRARY_ROOTS = (("impl/src", True), ("oracle", False), ("harness/trace", False), ("harness/run", False),
                 ("harness/backends", False))
SKIP_DIRS = {"tests", "tools", "bench", "include", "host_bench"}
SKIP_FILES = {"backend_win32.c"}   # Windows only (conformance/win32/build.sh)
INCLUDE_DIRS = ("impl/include", "harness/include", "fuzz")
WATCHED = ("impl", "oracle", "harness", "fuzz")


class BuildError(Exception):
    """A compiler or linker failed: the message holds its output."""


def library_sources(repo):
    found = []
    for folder, recursive in LIBRARY_ROOTS:
        top = os.path.join(repo, folder)
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS) if recursive else []
            found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".c") and f not in SKIP_FILES]
    return found


def include_dirs(repo, sources):
    dirs = [os.path.join(repo, d) for d in INCLUDE_DIRS]
    for s in sources:
        d = os.path.dirname(s)
        if d not in dirs:
            dirs.append(d)
    return dirs


def newest_source(repo):
    newest = 0.0
    for folder in WATCHED:
        for root, dirs, files in os.walk(os.path.join(repo, folder)):
            dirs[:] = [d for d in dirs if d not in ("tests", "__pycache__")]
            for f in files:
                if f.endswith((".c", ".h")):
                    newest = max(newest, os.path.getmtime(os.path.join(root, f)))
    return newest


def default_out(repo, engine, planted, plants=False, mutator=False):
    return os.path.join(repo, "build-fuzz", engine + ("-planted" if planted else "") + ("-plants" if plants else "")
                        + ("-mutator" if mutator else ""))


def mutator_library(repo, out=None, log=print):
    """The AFL++ custom mutator (table.MUTATOR_SOURCE) as a shared object;
    returns its path."""
    engine = table.ENGINES["afl-mutator"]
    return os.path.join(build(repo, engine.name, out=out, log=log), engine.shared_object)


def flags_for(engine):
    """(cc, link_cc, cflags, link_flags) for an engine, reading the
    environment OSS-Fuzz sets for the oss-fuzz engine."""
    e = table.ENGINES[engine]
    if engine == "oss-fuzz":
        need = [v for v in ("CC", "CXX", "LIB_FUZZING_ENGINE") if not os.environ.get(v)]
        if need:
            raise BuildError("the oss-fuzz engine needs %s in the environment" % ", ".join(need))
        return (os.environ["CC"], os.environ["CXX"], "-std=gnu11 " + os.environ.get("CFLAGS", ""),
                os.environ.get("CXXFLAGS", "") + " " + os.environ["LIB_FUZZING_ENGINE"])
    cc = e.compiler()
    return cc, cc, e.cflags, e.link_flags


class SharedObject:
    """What an engine with shared_object builds instead of the targets."""
    def __init__(self, name):
        self.name, self.sources = name, ()


def build(repo, engine, planted=False, out=None, log=print, targets=None, plants=False, mutator=False):
    """Builds targets (default: all of table.TARGETS) for engine into out;
    returns out. planted: the one planted decommit bug; plants: the set of
    planted bugs (-DVAS_PLANTS, one chosen at run time by $VAS_PLANT,
    fuzz/planted.md); mutator: the structure-aware mutator linked in.
    Raises BuildError with the compiler's output."""
    if engine not in table.ENGINES:
        raise BuildError("unknown engine '%s' (known: %s)" % (engine, ", ".join(table.ENGINES)))
    e = table.ENGINES[engine]
    chosen = [table.target(n) for n in targets] if targets else list(table.TARGETS)
    if e.shared_object:
        chosen = [SharedObject(e.shared_object)]
    out = out or default_out(repo, engine, planted, plants, mutator)
    cc, link_cc, cflags, link_flags = flags_for(engine)
    defines = (["-DVAS_PLANTED_BUG_DECOMMIT=1"] if planted else []) + (["-DVAS_PLANTS"] if plants else [])
    lib = library_sources(repo) + [os.path.join(repo, s) for s in table.SHARED_SOURCES]
    if mutator or e.shared_object:
        lib.append(os.path.join(repo, table.MUTATOR_SOURCE))
    if e.main:
        lib.append(os.path.join(repo, e.main))
    includes = ["-I" + d for d in include_dirs(repo, lib)]
    signature = " ".join([cc, link_cc, cflags, link_flags] + defines + [shutil.which(cc.split()[0]) or ""]
                         + [t.name + ":" + ",".join(t.sources) for t in chosen])
    stamp = os.path.join(out, ".build-signature")
    label = engine + (" (planted bug)" if planted else "") + (" (planted bugs)" if plants else "") + (
        " (mutator)" if mutator else "")
    if os.path.exists(stamp) and all(os.path.exists(os.path.join(out, t.name)) for t in chosen):
        with open(stamp) as f:
            same = f.read() == signature
        if same and os.path.getmtime(stamp) >= newest_source(repo):
            log("build: %s -> %s: up to date" % (label, os.path.relpath(out, repo)))
            return out
    objdir = os.path.join(out, "obj")
    shutil.rmtree(objdir, ignore_errors=True)
    for t in chosen:  # a failed build leaves nothing stale
        if os.path.exists(os.path.join(out, t.name)):
            os.unlink(os.path.join(out, t.name))
    if os.path.exists(stamp):
        os.unlink(stamp)
    os.makedirs(objdir)
    started = newest_source(repo)  # edits made during the build count as newer
    env = dict(os.environ, **e.env)

    def obj_of(src):
        return os.path.join(objdir, os.path.relpath(src, repo).replace(os.sep, "_") + ".o")

    def compile_one(src):
        cmd = [cc] + cflags.split() + defines + includes + ["-c", src, "-o", obj_of(src)]
        done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise BuildError("%s\n%s" % (" ".join(cmd), done.stdout[-4000:]))

    own = [os.path.join(repo, s) for t in chosen for s in t.sources]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(compile_one, lib + own))
    for t in chosen:
        objs = [obj_of(s) for s in lib] + [obj_of(os.path.join(repo, s)) for s in t.sources]
        cmd = [link_cc] + cflags.split() + objs + link_flags.split() + ["-o", os.path.join(out, t.name)]
        done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise BuildError("%s\n%s" % (" ".join(cmd), done.stdout[-4000:]))
    with open(stamp, "w") as f:
        f.write(signature)
    os.utime(stamp, (started, started))
    log("build: %s -> %s: %s" % (label, os.path.relpath(out, repo), " ".join(t.name for t in chosen)))
    return out
