"""The GitHub Actions workflows (.github/workflows) cannot run here: their
syntax and shape are checked, and the commands they call are run locally as
far as they can be (every fuzz.py subcommand and option they use must be
accepted; the scripts they name must exist).

Run: /usr/bin/python3 -m pytest -q ci/tests
"""
import os
import re
import subprocess
import sys

import yaml   # python3-yaml (ci/install_deps.sh)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOWS = os.path.join(REPO, ".github", "workflows")


def load(name):
    with open(os.path.join(WORKFLOWS, name)) as f:
        return yaml.safe_load(f)


def all_workflows():
    return sorted(n for n in os.listdir(WORKFLOWS) if n.endswith(".yml"))


def steps(wf):
    for job in wf["jobs"].values():
        for step in job["steps"]:
            yield job, step


def test_every_workflow_has_triggers_jobs_and_steps():
    assert all_workflows()
    for name in all_workflows():
        wf = load(name)
        assert wf.get("name"), name
        assert wf.get(True) or wf.get("on"), name          # YAML reads the key `on` as true
        assert wf["jobs"], name
        for job, step in steps(wf):
            assert "runs-on" in job, name
            assert ("uses" in step) != ("run" in step), (name, step)


def test_clusterfuzzlite_modes_each_have_a_workflow():
    modes = {}
    for name in all_workflows():
        for _job, step in steps(load(name)):
            uses = step.get("uses", "")
            if uses.startswith("google/clusterfuzzlite/actions/build_fuzzers"):
                assert step["with"]["language"] == "c", name
            if uses.startswith("google/clusterfuzzlite/actions/run_fuzzers"):
                modes[step["with"]["mode"]] = name
                assert int(step["with"]["fuzz-seconds"]) > 0
    assert set(modes) == {"code-change", "batch", "prune", "coverage"}
    with open(os.path.join(REPO, ".clusterfuzzlite", "project.yaml")) as f:
        assert yaml.safe_load(f)["language"] == "c"
    assert os.access(os.path.join(REPO, ".clusterfuzzlite", "build.sh"), os.R_OK)


def run_commands():
    for name in all_workflows():
        for _job, step in steps(load(name)):
            if "run" in step:
                yield name, " ".join(step["run"].split())


def test_the_commands_they_call_run_here():
    seen = set()
    for name, cmd in run_commands():
        for script in re.findall(r"\b(ci/[\w./-]+\.sh|\.clusterfuzzlite/[\w.-]+)", cmd):
            assert os.path.exists(os.path.join(REPO, script)), (name, script)
            assert subprocess.run(["bash", "-n", os.path.join(REPO, script)]).returncode == 0, script
        for m in re.finditer(r"fuzz/fuzz\.py (\S+)((?: (?:--[\w-]+)(?: [^-\s][^\s]*)?)*)", cmd):
            sub, rest = m.group(1), m.group(2)
            helped = subprocess.run([sys.executable, os.path.join(REPO, "fuzz", "fuzz.py"), sub, "--help"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert helped.returncode == 0, (name, sub, helped.stdout)
            for option in re.findall(r"--[\w-]+", rest):
                assert option in helped.stdout, (name, sub, option)
            seen.add(sub)
    assert "campaign" in seen
