"""test_plugin.py - in-process plugins (vas/vas_plugin.h, --backend so:PATH):
the example oracle_plugin.so runs the conformance suite and a differential
run; a plugin with another ABI version, other type sizes or a missing member
is refused at load with both values named.

Run from the repository root with VASTRACE set (see test_runner.py).
"""
import glob
import os
import shutil
import subprocess
import sys

import pytest

from test_runner import ROOT, find_vastrace

CASES = sorted(glob.glob(os.path.join(ROOT, "conformance", "cases", "**", "*.trace"), recursive=True))


def oracle_plugin():
    path = os.path.join(os.path.dirname(os.path.dirname(find_vastrace())), "examples", "oracle_plugin",
                        "oracle_plugin.so")
    if not os.path.exists(path):
        pytest.fail("%s not built" % path)
    return path


def run(*args):
    return subprocess.run([find_vastrace(), *args], capture_output=True, text=True, timeout=600)


def test_conformance_suite_through_the_plugin(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "conformance", "conformance.py"),
                        "--vastrace", find_vastrace(), "--backends", "so:" + oracle_plugin(),
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    # The table has every family (thread stacks, views, processes, write
    # watch, locking, probes): every case runs through the plugin and passes.
    assert any(os.path.basename(os.path.dirname(c)) == "stacks" for c in CASES)
    assert any(os.path.basename(os.path.dirname(c)) == "mapped" for c in CASES)
    assert "pass %d, fail 0" % len(CASES) in r.stdout, r.stdout[-3000:]
    assert "n/a 0" in r.stdout, r.stdout[-3000:]


def test_differential_run_through_the_plugin():
    # No operation of the random traces is dropped as unsupported.
    r = run("random", "--backends", "impl,so:" + oracle_plugin(), "--traces", "300", "--ops", "100",
            "--seed", "5")
    assert r.returncode == 0, r.stdout
    assert "300 traces, 30000 ops on" in r.stdout, r.stdout
    assert "0 divergent" in r.stdout


# A plugin built before the optional families were appended: its table ends
# at check (struct_size says so). It loads; the members past its end are not
# read (create_thread here would abort), so its thread operations are
# unsupported.
OLD_PLUGIN = r"""
#include <stdlib.h>
#include <vas/vas_plugin.h>
static int space;
static void *create(const vas_config *c) { (void)c; return &space; }
static void destroy(void *s) { (void)s; }
static uint32_t last_error(void *s) { (void)s; return 7; }
static uint64_t create_thread(void *s, uint64_t n, int r) { (void)s; (void)n; (void)r; abort(); }
static vas_plugin table = {
    VAS_PLUGIN_ABI_VERSION, 0, sizeof(vas_config), sizeof(vas_mbi), "old", 0, create, destroy,
    (void *)1, (void *)1, (void *)1, (void *)1, (void *)1, (void *)1, (void *)1, last_error, (void *)1,
};
VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void)
{
    table.struct_size = (uint32_t)(offsetof(vas_plugin, check) + sizeof table.check);
    table.create_thread = create_thread;
    return &table;
}
"""


def test_a_plugin_of_the_first_revision_loads_without_the_later_families(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    src, so = tmp_path / "old.c", tmp_path / "old.so"
    src.write_text(OLD_PLUGIN)
    subprocess.run([cc, "-shared", "-fPIC", "-I", os.path.join(ROOT, "impl", "include"),
                    "-o", str(so), str(src)], check=True)
    trace = tmp_path / "t.trace"
    trace.write_text("geterr -> 7\nt = thread 0\n")
    r = run("check", "--backend", "so:%s" % so, str(trace))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "t = thread 0" in r.stdout and "does not support this operation" in r.stdout, r.stdout


BAD_PLUGIN = r"""
#include <vas/vas_plugin.h>
static void *create(const vas_config *c) { (void)c; return 0; }
static const vas_plugin table = {
    ABI, sizeof(vas_plugin), CONFIG_SIZE, sizeof(vas_mbi), "bad", 0, create, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void) { return &table; }
"""


@pytest.mark.parametrize("defines,message", [
    (["-DABI=2", "-DCONFIG_SIZE=sizeof(vas_config)"], "plugin ABI version 2, this vastrace loads version 1"),
    (["-DABI=1", "-DCONFIG_SIZE=7"], "plugin built with sizeof(vas_config) 7"),
    (["-DABI=1", "-DCONFIG_SIZE=sizeof(vas_config)"], "plugin table has no destroy"),
])
def test_bad_plugins_are_refused_naming_why(tmp_path, defines, message):
    cc = shutil.which("cc") or shutil.which("gcc")
    src, so = tmp_path / "bad.c", tmp_path / "bad.so"
    src.write_text(BAD_PLUGIN)
    subprocess.run([cc, "-shared", "-fPIC", "-I", os.path.join(ROOT, "impl", "include"), *defines,
                    "-o", str(so), str(src)], check=True)
    trace = tmp_path / "t.trace"
    trace.write_text("geterr\n")
    r = run("check", "--backend", "so:%s" % so, str(trace))
    assert r.returncode == 2
    assert message in r.stderr


def test_missing_plugin_is_reported(tmp_path):
    r = run("run", "--backend", "so:%s" % (tmp_path / "absent.so"), os.path.join(ROOT, CASES[0]))
    assert r.returncode == 2
    assert "cannot load" in r.stderr
