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


def check_through(tmp_path, source, trace_text, defines=()):
    """Builds source as a plugin and runs `vastrace check` of trace_text through it."""
    cc = shutil.which("cc") or shutil.which("gcc")
    src, so = tmp_path / "plugin.c", tmp_path / "plugin.so"
    src.write_text(source)
    subprocess.run([cc, "-shared", "-fPIC", "-I", os.path.join(ROOT, "impl", "include"), *defines,
                    "-o", str(so), str(src)], check=True)
    trace = tmp_path / "t.trace"
    trace.write_text(trace_text)
    return run("check", "--backend", "so:%s" % so, str(trace))


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
    r = check_through(tmp_path, OLD_PLUGIN, "geterr -> 7\nt = thread 0\n")
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
    r = check_through(tmp_path, BAD_PLUGIN, "geterr\n", defines)
    assert r.returncode == 2
    assert message in r.stderr


def test_missing_plugin_is_reported(tmp_path):
    r = run("run", "--backend", "so:%s" % (tmp_path / "absent.so"), os.path.join(ROOT, CASES[0]))
    assert r.returncode == 2
    assert "cannot load" in r.stderr


# A table with a placeholder call built with another vas_ext_param.
EXT_PARAM_PLUGIN = r"""
#include <vas/vas_plugin.h>
static void *create(const vas_config *c) { (void)c; return 0; }
static int unmap_view_ex(void *s, uint64_t a, uint32_t f) { (void)s; (void)a; (void)f; return 0; }
VAS_PLUGIN_EXPORT const vas_plugin *vas_plugin_entry(void)
{
    static vas_plugin t;
    t.abi_version = VAS_PLUGIN_ABI_VERSION;
    t.struct_size = sizeof t;
    t.config_size = sizeof(vas_config);
    t.mbi_size = sizeof(vas_mbi);
    t.name = "ext";
    t.create = create;
    t.unmap_view_ex = unmap_view_ex;
    t.ext_param_size = 7;
    return &t;
}
"""


def test_a_placeholder_plugin_with_another_ext_param_size_is_refused(tmp_path):
    r = check_through(tmp_path, EXT_PARAM_PLUGIN, "geterr\n")
    assert r.returncode == 2
    assert "plugin built with sizeof(vas_ext_param) 7; this vastrace has 32" in r.stderr, r.stderr
