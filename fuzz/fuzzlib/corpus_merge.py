"""corpus_merge.py - folds the engines' queues back into the corpus without
ever losing an input.

The order is what makes it safe:
  1. libFuzzer -merge=1 writes a minimal covering set of (corpus + queues)
     into a NEW, empty folder (DIR/corpus-min); nothing else is written.
  2. That folder is verified (the merge succeeded, every file is readable
     and non-empty, the caller's check passes, e.g. a replay).
  3. Only then are the files the corpus lacks (compared by content) added
     to it, each written under a temporary name and renamed into place, so
     an interruption leaves either the whole file or nothing.
The corpus is only ever added to: no file in it is removed or overwritten,
whatever fails, so the checked-in corpus grows while the minimized set lives
in DIR/corpus-min.
"""
import hashlib
import os
import shutil
import tempfile


class MergeResult:
    def __init__(self):
        self.before = 0        # inputs in the corpus before
        self.after = 0         # inputs in the corpus after
        self.minimized = 0     # inputs in the minimized set
        self.added = []        # names added to the corpus
        self.error = None      # why nothing (or not everything) was added

    def as_dict(self):
        return {"before": self.before, "after": self.after, "minimized": self.minimized,
                "added": len(self.added), "error": self.error}


def is_input(folder, name):
    return (not name.startswith(".") and not name.endswith((".md", ".trace"))
            and os.path.isfile(os.path.join(folder, name)))


def list_inputs(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if is_input(folder, n))


def file_sha1(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def verify_merged(folder, expect_some):
    """Returns None when the merged folder can be trusted, else why not."""
    names = list_inputs(folder)
    if expect_some and not names:
        return "the merge produced no inputs"
    for name in names:
        path = os.path.join(folder, name)
        try:
            if os.path.getsize(path) == 0:
                return "merged input %s is empty" % name
            with open(path, "rb"):
                pass
        except OSError as e:
            return "merged input %s is unreadable: %s" % (name, e)
    return None


def add_file_atomically(src, dest_folder, name):
    """Copies src to dest_folder/name through a temporary file and a rename;
    never replaces an existing file."""
    final = os.path.join(dest_folder, name)
    if os.path.exists(final):
        return False
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=dest_folder)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, final)     # fails instead of replacing a file that appeared meanwhile
    finally:
        os.unlink(tmp)
    return True


def merge_corpus(run_merge, corpus, queues, min_dir, grow=True, verify=None):
    """run_merge(out_dir, in_dirs) runs the engine's merge and returns its
    exit status; verify(folder) returns None or a reason to refuse the
    merged set. Returns a MergeResult; raises nothing for a failed merge
    (the result's error says what happened, the corpus is untouched)."""
    result = MergeResult()
    original = list_inputs(corpus)
    result.before = result.after = len(original)
    if os.path.exists(min_dir):
        shutil.rmtree(min_dir)
    os.makedirs(min_dir)
    inputs = [corpus] + [q for q in queues if os.path.isdir(q)]
    try:
        status = run_merge(min_dir, inputs)
    except Exception as e:  # an interrupted or impossible merge: keep everything as it was
        result.error = "merge failed: %s" % e
        return result
    if status != 0:
        result.error = "merge exited with status %s" % status
        return result
    result.error = verify_merged(min_dir, expect_some=bool(original) or any(list_inputs(q) for q in queues))
    if result.error is None and verify is not None:
        result.error = verify(min_dir)
    result.minimized = len(list_inputs(min_dir))
    if result.error is not None or not grow:
        return result
    known = {file_sha1(os.path.join(corpus, n)) for n in original}
    try:
        for name in list_inputs(min_dir):
            path = os.path.join(min_dir, name)
            digest = file_sha1(path)
            if digest in known:
                continue
            # libFuzzer names merged files by their SHA-1 already; the prefix
            # tells a fuzzer-found input from a generated seed.
            if add_file_atomically(path, corpus, "fuzz-" + digest):
                result.added.append("fuzz-" + digest)
            known.add(digest)
    except OSError as e:
        result.error = "adding merged inputs stopped: %s" % e
    result.after = len(list_inputs(corpus))
    return result


def replace_with(corpus, min_dir):
    """Prune: makes corpus hold exactly the inputs of min_dir (by content).
    The inputs min_dir lacks are added first, each whole, and only then
    are the others removed, so an interruption never leaves less than the
    minimized set. Returns how many inputs were removed."""
    wanted = {}
    for name in list_inputs(min_dir):
        wanted.setdefault(file_sha1(os.path.join(min_dir, name)), name)
    have = {file_sha1(os.path.join(corpus, n)): n for n in list_inputs(corpus)}
    for digest, name in wanted.items():
        if digest not in have:
            add_file_atomically(os.path.join(min_dir, name), corpus, "fuzz-" + digest)
    removed = 0
    for name in list_inputs(corpus):
        if file_sha1(os.path.join(corpus, name)) not in wanted:
            os.unlink(os.path.join(corpus, name))
            removed += 1
    return removed


def libfuzzer_merge(binary, work, timeout):
    """A run_merge for merge_corpus: `BINARY -merge=1 OUT IN...`, with a
    control file so an interrupted merge can be told apart."""
    import subprocess
    from . import engines

    def run(out_dir, in_dirs):
        cmd = [binary, "-merge=1", "-merge_control_file=" + os.path.join(work, "merge.control"),
               out_dir] + list(in_dirs)
        with open(os.path.join(work, "merge.log"), "w") as log:
            status, _out = engines.run_group(cmd, timeout=timeout, cwd=work, stdout=log, stderr=subprocess.STDOUT)
        if status is None:
            raise TimeoutError("the merge ran past %d s" % timeout)
        return status
    return run
