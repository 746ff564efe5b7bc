"""engines.py - runs libFuzzer and AFL++ side by side for a fixed time,
each from its own working copy of the corpus, then reads back what each
engine measured.

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

class SetupError(Exception):
    """Something the campaign needs is missing: exit code 2, not a finding."""


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


# Every process group started here and not yet ended: end_all() ends them
# on every way out of a run (normal end, exception, SIGTERM).
LIVE = set()
# Set by end_all: engine loops start no new process once a run is ending.
STOPPING = threading.Event()

PR_SET_CHILD_SUBREAPER = 36
# In the environment of every process started here and of its descendants:
# tells an orphan adopted from an engine apart from any other child.
RUN_MARK = ("VAS_ENGINE_RUN", "%d-%d" % (os.getpid(), int(time.time() * 1e6)))


def adopt_orphans():
    """Makes this process the reaper of its orphaned descendants (Linux):
    a forkserver whose afl-fuzz died becomes our child, not init's, so
    end_all can still find it and end it."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the process-tree walk in end_group still applies


def process_table():
    """{pid: (parent pid, session id)} of every process, from /proc."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(name)] = (int(fields[1]), int(fields[3]))  # ppid, session
    return table


def descendants(pid, table=None):
    """Every process below pid, whatever its group or session: AFL++ puts
    its forkservers in sessions of their own (setsid), out of reach of a
    signal to afl-fuzz's group."""
    table = process_table() if table is None else table
    children = {}
    for child, (parent, _sid) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def carries_mark(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return ("%s=%s" % RUN_MARK).encode() in f.read().split(b"\0")
    except OSError:
        return False


def kill_and_reap(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)  # SIGKILL ends stopped processes as well
        except (ProcessLookupError, PermissionError):
            continue
        try:
            os.waitpid(pid, os.WNOHANG)   # ours when adopted; not ours otherwise
        except ChildProcessError:
            pass


def start_group(cmd, **kw):
    """Starts cmd in its own process group (a new session), so ending the
    group ends its children too."""
    if not LIVE:
        adopt_orphans()
    env = dict(kw.pop("env", None) or os.environ)
    env[RUN_MARK[0]] = RUN_MARK[1]
    proc = subprocess.Popen(cmd, start_new_session=True, env=env, **kw)
    LIVE.add(proc)
    return proc


def end_group(proc):
    """Ends proc and everything below it, whatever state each member is in
    and whichever session it moved to: AFL++'s forkserver children (the
    CMPLOG one too) wait stopped (SIGSTOP) between runs in sessions of
    their own, and once outlived an afl-fuzz that was killed."""
    below = descendants(proc.pid) if proc.poll() is None else []
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
            pass
    below += descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    kill_and_reap(below)
    if proc.poll() is None:
        proc.wait()
    LIVE.discard(proc)


def end_all():
    """Ends every group still live, then every orphan adopted meanwhile
    (adopt_orphans) that descends from a group started here."""
    STOPPING.set()
    for proc in list(LIVE):
        end_group(proc)
    me, table = os.getpid(), process_table()
    strays = [pid for pid, (parent, _sid) in table.items() if parent == me and carries_mark(pid)]
    kill_and_reap([p for pid in strays for p in descendants(pid, table)] + strays)


def run_group(cmd, timeout=None, **kw):
    """subprocess.run for a command that may start children of its own
    (libFuzzer's -merge and -minimize_crash do): its group is ended on
    every way out, a timeout included. Returns (status, stdout or None);
    status None after a timeout."""
    proc = start_group(cmd, **kw)
    try:
        out, _err = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        return None, None
    finally:
        end_group(proc)


# Kept under its old name for callers that stop an engine at its deadline.
stop_group = end_group


COV_LINE = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")
STAT_LINE = re.compile(r"^stat::(\w+):\s+(\d+)")


class LibFuzzerWorker:
    """One libFuzzer process, restarted after a crash until its deadline, so a
    finding does not end the run (unless stop_at_first_crash). Every
    progress line is timestamped as it arrives: libFuzzer's `cov:` numbers
    over time, for the plot."""

    def __init__(self, binary, corpus, work, dictionary, index, stop_at_first_crash, max_restarts=20, seed=1,
                 value_profile=False):
        self.binary, self.corpus, self.work = binary, corpus, work
        self.dictionary, self.index = dictionary, index
        self.stop_at_first_crash = stop_at_first_crash
        self.max_restarts = max_restarts
        self.seed = seed       # round r runs with -seed=seed+r-1, recorded for a rerun
        self.value_profile = value_profile  # -use_value_profile=1: comparisons guide it too
        self.commands = []     # every command line run, in order
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
                if remaining < 1 or STOPPING.is_set():
                    break
                self.rounds += 1
                cmd = [self.binary, "-seed=%d" % (self.seed + self.rounds - 1),
                       "-max_total_time=%d" % remaining, "-print_final_stats=1",
                       "-artifact_prefix=" + self.work + "/", "-close_fd_mask=0"]
                if self.dictionary:
                    cmd.append("-dict=" + self.dictionary)
                if self.value_profile:
                    cmd.append("-use_value_profile=1")
                cmd.append(self.corpus)
                self.commands.append(cmd)
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
                end_group(proc)
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


# Tuned for short CI runs, as AFL++'s docs/fuzzing_in_depth.md section 5
# and env_variables.md advise: instances sync every minute (the default, 30
# min, is longer than a CI run), the main syncs once more at the end, and
# calibration is quick; CMPLOG works on new inputs only.
AFL_SHORT_RUN = {"AFL_SYNC_TIME": "1", "AFL_FAST_CAL": "1", "AFL_CMPLOG_ONLY_NEW": "1", "AFL_IMPORT_FIRST": "1"}

# Secondaries differ (fuzzing_in_depth.md 3c): power schedules, MOpt, and
# one on the sanitizer build when there is one. Taken in turn.
SECONDARY_FLAVOURS = (("-p", "explore"), ("-L", "0"), ("asan",), ("-p", "rare"), ("-p", "exploit"), ("-Z",))


def afl_environment(stop_at_first_crash, main=False):
    env = dict(os.environ)
    env.update(AFL_SKIP_CPUFREQ="1", AFL_NO_UI="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
               AFL_SKIP_CRASHES="1", AFL_NO_AFFINITY="1", AFL_TRY_AFFINITY="0",
               AFL_QUIET="1", **AFL_SHORT_RUN)
    if main:
        env["AFL_FINAL_SYNC"] = "1"
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

    def __init__(self, binary, cmplog_binary, seeds, sync_dir, name, main, dictionary, work, seed=1,
                 flavour=(), foreign=None, custom_mutator=None):
        self.binary, self.cmplog_binary = binary, cmplog_binary
        self.seeds, self.sync_dir, self.name, self.main = seeds, sync_dir, name, main
        self.dictionary, self.work = dictionary, work
        self.log_path = os.path.join(work, "afl-%s.log" % name)
        self.seed = seed
        self.flavour = flavour    # a secondary's options (SECONDARY_FLAVOURS); ("asan",): binary is the ASan build
        self.foreign = foreign    # a folder another engine writes to, imported live (-F)
        self.custom_mutator = custom_mutator  # a shared object for AFL_CUSTOM_MUTATOR_LIBRARY, or None
        self.command = None
        self.proc = None
        self.status = None

    def start(self, seconds, stop_at_first_crash):
        os.makedirs(self.work, exist_ok=True)
        cmd = ["afl-fuzz", "-s", str(self.seed), "-i", self.seeds, "-o", self.sync_dir, "-m", "none", "-V", str(seconds),
               "-M" if self.main else "-S", self.name]
        if self.dictionary:
            cmd += ["-x", self.dictionary]
        if self.main and self.cmplog_binary:
            cmd += ["-c", self.cmplog_binary]
        if self.main and self.foreign:
            cmd += ["-F", self.foreign]
        cmd += [f for f in self.flavour if f != "asan"]
        cmd += ["--", self.binary]
        self.command = cmd
        self.log = open(self.log_path, "w")
        self.log.write("## " + " ".join(cmd) + "\n")
        self.log.flush()
        env = afl_environment(stop_at_first_crash, self.main)
        if self.custom_mutator:
            env["AFL_CUSTOM_MUTATOR_LIBRARY"] = self.custom_mutator
            self.log.write("## AFL_CUSTOM_MUTATOR_LIBRARY=%s\n" % self.custom_mutator)
        self.proc = start_group(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def wait(self, deadline):
        try:
            self.status = self.proc.wait(timeout=max(0.0, deadline + GRACE - time.time()))
        except subprocess.TimeoutExpired:
            self.status = None
        end_group(self.proc)  # the forkservers too, stopped or not
        if self.status is None:
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


def afl_flavours(count, have_asan_build):
    """The options of each of count AFL++ instances: the main (CMPLOG, -F)
    has none; secondaries take SECONDARY_FLAVOURS in turn (the sanitizer
    one only when that build exists)."""
    pool = [f for f in SECONDARY_FLAVOURS if f != ("asan",) or have_asan_build]
    return [()] + [pool[i % len(pool)] for i in range(count - 1)]


class CorpusBridge:
    """Live exchange from AFL++ to libFuzzer during the run: every
    `every` seconds, AFL++ queue entries not seen yet are copied into
    libFuzzer's corpus folder, which libFuzzer reloads (-reload, on by
    default). The other way AFL++ imports libFuzzer's folder itself (-F)."""

    def __init__(self, queues, dest, every=10.0):
        self.queues, self.dest, self.every = queues, dest, every
        self.seen = set()
        self.copied = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join()

    def _run(self):
        while not self.stop.wait(self.every):
            self.pass_once()

    def pass_once(self):
        for name, folder in self.queues():
            if not os.path.isdir(folder):
                continue
            for entry in os.listdir(folder):
                if not entry.startswith("id:") or (name, entry) in self.seen:
                    continue
                self.seen.add((name, entry))
                src = os.path.join(folder, entry)
                if os.path.isfile(src):
                    try:
                        shutil.copyfile(src, os.path.join(self.dest, "afl-%s-%s" % (name, entry.split(",")[0].replace(":", "_"))))
                        self.copied += 1
                    except OSError:
                        pass


def split_cores(cores):
    """How K cores are shared: (libFuzzer workers, AFL++ instances). K=2 is
    one of each; more cores go half to libFuzzer workers, the rest to AFL++
    secondaries."""
    cores = max(2, cores)
    lf = max(1, cores // 2)
    return lf, cores - lf
