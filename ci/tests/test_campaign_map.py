"""ci/campaign_map.py: the campaign's front page shows the map of one
interesting trace: a finding when there is one, else the seed with the
busiest map; the picture is an SVG with one bar per row of the table, and no
machine path leaks into what the front page shows.

Run: /usr/bin/python3 -m pytest -q ci/tests/test_campaign_map.py
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "harness", "tests"))
from test_runner import find_vastrace  # noqa: E402  (the one lookup of the binary)
SCRIPT = os.path.join(REPO, "ci", "campaign_map.py")
SVG = "{http://www.w3.org/2000/svg}"
BUSY = "corpus-handcrafted-alloc-index-two-leaves.bin"     # 32 reservations: many rows
QUIET = "conformance-cases-access-G042-exec-reserved-faults.bin"


def campaign_map(tmp_path, *extra):
    out = tmp_path / "campaign" / "map"
    r = subprocess.run([sys.executable, SCRIPT, "--vastrace", find_vastrace(), "--out", str(out), *extra],
                       capture_output=True, text=True, timeout=300)
    return r, out


def seeds(tmp_path):
    d = tmp_path / "seeds"
    d.mkdir()
    for name in (QUIET, BUSY):
        shutil.copy(os.path.join(REPO, "corpus", "seed", name), d / name)
    return d


def region_rows(table):
    return [line.split()[:3] for line in table.splitlines()
            if line.startswith("0x")]


def test_without_findings_the_busiest_seed_is_drawn(tmp_path):
    r, out = campaign_map(tmp_path, "--seeds", str(seeds(tmp_path)), "--findings", str(tmp_path / "none"))
    assert r.returncode == 0, r.stderr
    assert BUSY in r.stdout and QUIET not in r.stdout
    assert "![address space map](map/map.svg)" in r.stdout
    assert "fragmentation:" in r.stdout
    table = (out / "map.txt").read_text()
    rows = region_rows(table)
    assert len(rows) > 40
    root = ET.parse(out / "map.svg").getroot()
    bars = [g for g in root.iter(SVG + "g") if g.get("class") == "region"]
    assert [[g.get("data-base"), g.get("data-kind"), g.get("data-size")] for g in bars] == rows
    # What the front page shows names no machine path.
    for text in (r.stdout, (out / "map.svg").read_text(), table):
        assert str(tmp_path) not in text and REPO not in text


def test_a_finding_is_drawn_before_any_seed(tmp_path):
    findings = tmp_path / "findings"
    findings.mkdir()
    (findings / "divergence-free-abc123.trace").write_text(
        "# a finding\na = alloc 0 0x3000 RESERVE|COMMIT READWRITE\nprotect a+0x1000 0x1000 READWRITE|GUARD\n")
    r, out = campaign_map(tmp_path, "--seeds", str(seeds(tmp_path)), "--findings", str(tmp_path / "none"),
                          "--findings", str(findings))
    assert r.returncode == 0, r.stderr
    assert "a finding of this campaign: divergence-free-abc123.trace" in r.stdout
    assert (out / "map.trace").read_text().startswith("# a finding")
    kinds = [row[1] for row in region_rows((out / "map.txt").read_text())]
    assert kinds == ["free", "private", "unusable", "free"]


def test_nothing_to_map_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r, _ = campaign_map(tmp_path, "--seeds", str(empty))
    assert r.returncode == 2 and "no trace could be mapped" in r.stderr


def test_the_campaign_puts_the_map_on_its_front_page():
    text = open(os.path.join(REPO, "ci", "campaign.sh")).read()
    # fuzz.py frontpage shows map/ and map.md on index.md and index.html
    # (fuzz/tests/test_frontpage.py checks that page in a browser).
    assert "ci/campaign_map.py" in text and "fuzz/fuzz.py frontpage" in text
    assert text.index("ci/campaign_map.py") < text.index("fuzz/fuzz.py frontpage")
