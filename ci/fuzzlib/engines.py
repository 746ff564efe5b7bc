"""engines.py - builds the fuzz targets (through fuzz/build.sh) and runs
libFuzzer and AFL++ side by side for a fixed time, each from its own working
copy of the corpus, then reads back what each engine measured.

Both engines run as child processes of this one, so a deadline can always be
enforced: an engine that outlives its time box by more than GRACE seconds is
killed (its process group only, never anything by name).
"""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

# Seconds an engine may overrun its time box (AFL++ finishing a stage,
# libFuzzer printing its final stats) before it is killed.
GRACE = 15

# Sources whose change makes a built target stale.
SOURCE_DIRS = ("impl/src", "impl/include", "oracle", "harness/trace", "harness/run", "harness/backends", "harness/include", "fuzz")
SOURCE_SUFFIXES = (".c", ".h", ".sh")


class SetupError(Exception):
    """Something the campaign needs is missing: exit code 2, not a finding."""


def newest_source_mtime(repo):
    newest = 0.0
    for folder in SOURCE_DIRS:
        for root, _dirs, files in os.walk(os.path.join(repo, folder)):
            for name in files:
                if name.endswith(SOURCE_SUFFIXES):
                    newest = max(newest, os.path.getmtime(os.path.join(root, name)))
    return newest


def build_engine(repo, engine, planted, build_root, target, log):
    """Builds ENGINE with fuzz/build.sh into build_root/ENGINE[-planted] and
    returns the path of TARGET there. A build newer than every source is
    reused: fuzz/build.sh always starts from scratch, and five builds would
    otherwise cost minutes on every run."""
    out = os.path.join(build_root, engine + ("-planted" if planted else ""))
    binary = os.path.join(out, target)
    if os.path.exists(binary) and os.path.getmtime(binary) > newest_source_mtime(repo):
        log("build: %s is up to date (%s)" % (engine, out))
        return binary
    cmd = ["bash", os.path.join(repo, "fuzz", "build.sh"), "--engine", engine, "--out", out]
    if planted:
        cmd.append("--planted-bug")
    log("build: " + " ".join(cmd))
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0 or not os.path.exists(binary):
        raise SetupError("fuzz/build.sh --engine %s failed:\n%s" % (engine, done.stdout[-4000:]))
    return binary


def copy_inputs(sources, dest):
    """Copies the fuzzer inputs (not READMEs, not .trace text) of every
    source folder into dest; returns how many. AFL++ needs at least one
    input, so an empty result becomes one zero byte."""
    os.makedirs(dest, exist_ok=True)
    count = 0
    for folder in sources:
        if not folder or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not name.startswith(".") and not name.endswith((".md", ".trace")):
                shutil.copyfile(path, os.path.join(dest, os.path.basename(folder) + "-" + name))
                count += 1
    if count == 0:
        with open(os.path.join(dest, "zero"), "wb") as f:
            f.write(b"\0")
        count = 1
    return count


def start_group(cmd, **kw):
    """Starts cmd in its own process group, so stopping it stops its children."""
    return subprocess.Popen(cmd, start_new_session=True, **kw)


def stop_group(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


COV_LINE = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")
STAT_LINE = re.compile(r"^stat::(\w+):\s+(\d+)")


class LibFuzzerWorker:
    """One libFuzzer process, restarted after a crash until its deadline, so a
    finding does not end the run (unless stop_at_first_crash). Every
    progress line is timestamped as it arrives: libFuzzer's `cov:` numbers
    over time, for the plot."""

    def __init__(self, binary, corpus, work, dictionary, index, stop_at_first_crash, max_restarts=20):
        self.binary, self.corpus, self.work = binary, corpus, work
        self.dictionary, self.index = dictionary, index
        self.stop_at_first_crash = stop_at_first_crash
        self.max_restarts = max_restarts
        self.cov = []          # (seconds since start, cov, ft, corpus units)
        self.execs = 0
        self.seconds = 0.0
        self.rounds = 0
        self.crashed_rounds = 0
        self.errors = []
        self.log_path = os.path.join(work, "libfuzzer-%d.log" % index)
        self.thread = None

    def start(self, t0, deadline):
        self.thread = threading.Thread(target=self._run, args=(t0, deadline), daemon=True)
        self.thread.start()

    def join(self):
        self.thread.join()

    def _run(self, t0, deadline):
        os.makedirs(self.work, exist_ok=True)
        with open(self.log_path, "w") as log:
            while self.rounds <= self.max_restarts:
                remaining = int(deadline - time.time())
                if remaining < 1:
                    break
                self.rounds += 1
                cmd = [self.binary, "-max_total_time=%d" % remaining, "-print_final_stats=1",
                       "-artifact_prefix=" + self.work + "/", "-close_fd_mask=0"]
                if self.dictionary:
                    cmd.append("-dict=" + self.dictionary)
                cmd.append(self.corpus)
                log.write("## round %d: %s\n" % (self.rounds, " ".join(cmd)))
                log.flush()
                started = time.time()
                proc = start_group(cmd, cwd=self.work, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, errors="replace")
                killer = threading.Timer(max(0.0, deadline + GRACE - time.time()), stop_group, [proc])
                killer.start()
                stats = {}
                for line in proc.stderr:
                    log.write(line)
                    m = COV_LINE.match(line)
                    if m:
                        self.cov.append((time.time() - t0, int(m.group(2)), int(m.group(3)), int(m.group(4))))
                    m = STAT_LINE.match(line)
                    if m:
                        stats[m.group(1)] = int(m.group(2))
                rc = proc.wait()
                killer.cancel()
                self.seconds += time.time() - started
                self.execs += stats.get("number_of_executed_units", 0)
                log.write("## round %d ended with status %d\n" % (self.rounds, rc))
                log.flush()
                if rc == 0:
                    break
                crashed = any(n.startswith(("crash-", "timeout-", "oom-", "leak-")) for n in os.listdir(self.work))
                if not crashed:
                    self.errors.append("libFuzzer exited with status %d without a finding" % rc)
                    break
                self.crashed_rounds += 1
                if self.stop_at_first_crash:
                    break

    def artifacts(self):
        return sorted(os.path.join(self.work, n) for n in os.listdir(self.work)
                      if n.startswith(("crash-", "timeout-", "oom-", "leak-")))


def afl_environment(stop_at_first_crash):
    env = dict(os.environ)
    env.update(AFL_SKIP_CPUFREQ="1", AFL_NO_UI="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
               AFL_SKIP_CRASHES="1", AFL_NO_AFFINITY="1", AFL_TRY_AFFINITY="0",
               AFL_QUIET="1")
    # The AFL++ builds carry no sanitizer, but afl-fuzz refuses to start when
    # a caller's ASAN_OPTIONS lacks abort_on_error=1; ours are not needed.
    env.pop("ASAN_OPTIONS", None)
    env.pop("UBSAN_OPTIONS", None)
    if stop_at_first_crash:
        env["AFL_BENCH_UNTIL_CRASH"] = "1"
    return env


class AflInstance:
    """One afl-fuzz process: the main (-M, with CMPLOG) or a secondary (-S),
    all sharing one sync folder."""

    def __init__(self, binary, cmplog_binary, seeds, sync_dir, name, main, dictionary, work):
        self.binary, self.cmplog_binary = binary, cmplog_binary
        self.seeds, self.sync_dir, self.name, self.main = seeds, sync_dir, name, main
        self.dictionary, self.work = dictionary, work
        self.log_path = os.path.join(work, "afl-%s.log" % name)
        self.proc = None
        self.status = None

    def start(self, seconds, stop_at_first_crash):
        os.makedirs(self.work, exist_ok=True)
        cmd = ["afl-fuzz", "-i", self.seeds, "-o", self.sync_dir, "-m", "none", "-V", str(seconds),
               "-M" if self.main else "-S", self.name]
        if self.dictionary:
            cmd += ["-x", self.dictionary]
        if self.main and self.cmplog_binary:
            cmd += ["-c", self.cmplog_binary]
        cmd += ["--", self.binary]
        self.log = open(self.log_path, "w")
        self.log.write("## " + " ".join(cmd) + "\n")
        self.log.flush()
        self.proc = start_group(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                env=afl_environment(stop_at_first_crash))

    def wait(self, deadline):
        try:
            self.status = self.proc.wait(timeout=max(0.0, deadline + GRACE - time.time()))
        except subprocess.TimeoutExpired:
            stop_group(self.proc)
            self.status = self.proc.returncode
        self.log.close()

    @property
    def out_dir(self):
        return os.path.join(self.sync_dir, self.name)

    def stats(self):
        return read_fuzzer_stats(os.path.join(self.out_dir, "fuzzer_stats"))

    def crashes(self):
        folder = os.path.join(self.out_dir, "crashes")
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("id:"))

    def queue(self):
        folder = os.path.join(self.out_dir, "queue")
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, n) for n in os.listdir(folder)
                      if n.startswith("id:") and os.path.isfile(os.path.join(folder, n)))

    def plot(self):
        return read_plot_data(os.path.join(self.out_dir, "plot_data"))


def read_fuzzer_stats(path):
    """AFL++'s fuzzer_stats as a dict of strings (empty when missing)."""
    stats = {}
    try:
        with open(path) as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep:
                    stats[key.strip()] = value.strip()
    except OSError:
        pass
    return stats


def read_plot_data(path):
    """AFL++'s plot_data as (seconds, edges_found, map_size%) rows. The
    header names the columns; AFL++ 4 starts with relative_time."""
    rows = []
    try:
        with open(path) as f:
            header = f.readline().lstrip("#").split(",")
            cols = [h.strip() for h in header]
            for line in f:
                parts = [p.strip() for p in line.split(",")]
                if len(parts) != len(cols):
                    continue
                row = dict(zip(cols, parts))
                try:
                    rows.append((float(row.get("relative_time", 0)), int(row.get("edges_found", 0)),
                                 float(row.get("map_size", "0").rstrip("%"))))
                except ValueError:
                    continue
    except OSError:
        pass
    return rows


def split_cores(cores):
    """How K cores are shared: (libFuzzer workers, AFL++ instances). K=2 is
    one of each; more cores go half to libFuzzer workers, the rest to AFL++
    secondaries."""
    cores = max(2, cores)
    lf = max(1, cores // 2)
    return lf, cores - lf
