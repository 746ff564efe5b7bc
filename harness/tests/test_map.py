"""test_map.py - `vastrace map`: the map of a hand-written trace row by row,
the unusable tail of a granule, the totals and fragmentation, --at, the SVG
picture, and the map in a divergence report.

Run from the repository root:
    /usr/bin/python3 -m pytest harness/tests/test_map.py
The binary is $VASTRACE, else the first of build-runner/, build/ that has one.
"""
import os
import sys
import xml.etree.ElementTree as ET

from test_runner import ROOT, vastrace

SERVER = os.path.join(ROOT, "harness", "tests", "servers", "misbehaving_server.py")
SVG = "{http://www.w3.org/2000/svg}"
X64_SPAN = 0x7FFFFFFF0000        # 0 .. the last user byte 0x7FFFFFFEFFFF
X86_SPAN = 0x7FFF0000            # 0 .. 0x7FFEFFFF
KINDS = ("free", "unusable", "image", "mapped", "private", "stack", "heap", "guard")


class Map:
    """The table `vastrace map` prints, read back: rows (allocations and
    free stretches), blocks under each, totals, and the summary lines."""

    def __init__(self, text):
        self.rows, self.totals, self.summary = [], {}, {}
        section = "rows"
        for line in text.splitlines():
            words = line.split()
            if not words or line.startswith("map of") or words[0] == "address" or words[0] == "kind":
                continue
            if words[0] == "totals":
                section = "totals"
            elif section == "rows" and line.startswith("  "):
                self.rows[-1]["blocks"].append(dict(base=int(words[0], 16), kind=words[1],
                                                    size=int(words[2], 16), committed=int(words[3], 16),
                                                    protect=words[4]))
            elif section == "rows":
                self.rows.append(dict(base=int(words[0], 16), kind=words[1], size=int(words[2], 16),
                                      committed=0 if words[3] == "-" else int(words[3], 16),
                                      protect=words[4], alloc_protect=words[5], details=" ".join(words[6:]),
                                      blocks=[]))
            elif ":" in line:
                key, value = line.split(":", 1)
                self.summary[key.strip()] = value.split()
            else:
                self.totals[words[0]] = dict(size=int(words[1], 16),
                                             committed=int(words[2], 16) if words[0] != "total" else None)

    def row_at(self, base):
        return next(r for r in self.rows if r["base"] == base)


def map_of(tmp_path, text, *args):
    path = tmp_path / "t.trace"
    path.write_text(text)
    r = vastrace("map", *args, str(path))
    assert r.returncode == 0, r.stderr
    return Map(r.stdout), r


GUARDED = """a = alloc 0 0x1000 RESERVE|COMMIT READWRITE
b = alloc 0 0x100000 RESERVE NOACCESS
alloc b 0x2000 COMMIT READWRITE
protect b+0x1000 0x1000 READWRITE|GUARD
"""


def test_a_hand_written_trace_row_by_row(tmp_path):
    m, _ = map_of(tmp_path, GUARDED)
    rows = [(r["base"], r["kind"], r["size"], r["committed"], r["protect"], r["alloc_protect"]) for r in m.rows]
    assert rows == [
        (0x0, "free", 0x10000, 0, "-", "-"),
        (0x10000, "private", 0x1000, 0x1000, "READWRITE", "READWRITE"),
        (0x11000, "unusable", 0xF000, 0, "-", "-"),
        (0x20000, "private", 0x100000, 0x2000, "READWRITE,READWRITE|GUARD", "NOACCESS"),
        (0x120000, "free", X64_SPAN - 0x120000, 0, "-", "-"),
    ]
    b = m.row_at(0x20000)
    assert b["details"] == "3 blocks"
    assert [(k["base"], k["kind"], k["size"], k["committed"], k["protect"]) for k in b["blocks"]] == [
        (0x20000, "private", 0x1000, 0x1000, "READWRITE"),
        (0x21000, "guard", 0x1000, 0x1000, "READWRITE|GUARD"),
        (0x22000, "private", 0xFE000, 0, "(reserved)"),
    ]


def test_the_unusable_tail_of_a_granule(tmp_path):
    # 0x3000 bytes at 0x50000 leave 0xD000 of their granule that no
    # allocation can have; releasing the allocation frees the granule again.
    text = "a = alloc 0x50000 0x3000 RESERVE|COMMIT READONLY\nb = alloc 0x60000 0x10000 RESERVE NOACCESS\n"
    m, _ = map_of(tmp_path, text)
    tail = m.row_at(0x53000)
    assert (tail["kind"], tail["size"]) == ("unusable", 0xD000)
    assert m.totals["unusable"]["size"] == 0xD000
    assert m.row_at(0x60000)["kind"] == "private"     # granule-aligned: no tail after it
    assert [r["kind"] for r in m.rows].count("unusable") == 1
    m, _ = map_of(tmp_path, text + "free a 0 RELEASE\n")
    assert "unusable" not in [r["kind"] for r in m.rows]
    assert m.totals["unusable"]["size"] == 0


def test_totals_cover_the_space_once(tmp_path):
    m, _ = map_of(tmp_path, GUARDED)
    assert sum(m.totals[k]["size"] for k in KINDS) == X64_SPAN
    assert m.totals["total"]["size"] == X64_SPAN
    # The guard page counts under guard, not also under private.
    assert m.totals["guard"] == dict(size=0x1000, committed=0x1000)
    assert m.totals["private"] == dict(size=0x1000 + 0x1000 + 0xFE000, committed=0x2000)
    assert m.totals["unusable"]["size"] == 0xF000
    assert m.totals["free"]["size"] == 0x10000 + X64_SPAN - 0x120000
    # Free below lpMinimumApplicationAddress (0x10000) is not allocatable.
    assert int(m.summary["free (allocatable)"][0], 16) == X64_SPAN - 0x120000
    assert m.summary["largest free block"][:3] == ["0x%X" % (X64_SPAN - 0x120000), "at", "0x120000"]


def test_largest_free_block_and_fragmentation(tmp_path):
    # x86: one reservation at 1 GiB splits the free space in two.
    m, _ = map_of(tmp_path, "profile: x86\na = alloc 0x40000000 0x10000 RESERVE NOACCESS\n")
    low, high = 0x40000000 - 0x10000, X86_SPAN - 0x40010000
    assert int(m.summary["free (allocatable)"][0], 16) == low + high
    assert int(m.summary["largest free block"][0], 16) == max(low, high)
    assert m.summary["largest free block"][2] == "0x10000"
    fragmentation = float(m.summary["fragmentation"][0].rstrip("%"))
    assert abs(fragmentation - 100.0 * (1 - max(low, high) / (low + high))) < 1e-4
    assert 49.0 < fragmentation < 51.0
    m, _ = map_of(tmp_path, "profile: x86\n")
    assert m.summary["fragmentation"][0] == "0.0000%"
    assert [(r["base"], r["kind"], r["size"]) for r in m.rows] == [(0, "free", X86_SPAN)]


def test_at_n_is_the_map_after_op_n(tmp_path):
    m, r = map_of(tmp_path, GUARDED, "--at", "0")
    assert [(row["kind"], row["size"]) for row in m.rows] == [("free", X64_SPAN)]
    assert "after op 0 of 4" in r.stdout
    m, _ = map_of(tmp_path, GUARDED, "--at", "2")
    assert m.row_at(0x20000)["committed"] == 0 and m.row_at(0x20000)["blocks"] == []
    assert m.totals["guard"]["size"] == 0
    m, _ = map_of(tmp_path, GUARDED, "--at", "3")
    assert m.row_at(0x20000)["committed"] == 0x2000 and m.totals["guard"]["size"] == 0
    m, _ = map_of(tmp_path, GUARDED, "--at", "4")
    assert m.totals["guard"]["size"] == 0x1000
    path = tmp_path / "t.trace"
    for bad, message in (("5", "has 4 operations"), ("x", "--at takes a number")):
        r = vastrace("map", "--at", bad, str(path))
        assert r.returncode == 2 and message in r.stderr


def test_a_thread_stack_shows_as_stack(tmp_path):
    m, _ = map_of(tmp_path, "t = thread 0x3000\nu = thread 0x10000 reserve\na = alloc 0 0x1000 RESERVE|COMMIT READWRITE\n")
    stacks = [(r["base"], r["size"], r["details"].split(",")[0]) for r in m.rows if r["kind"] == "stack"]
    assert stacks == [(0x10000, 0x100000, "t"), (0x110000, 0x10000, "u")]
    assert m.row_at(0x120000)["kind"] == "private"
    assert m.totals["guard"]["size"] == 2 * 0x3000
    m, _ = map_of(tmp_path, "t = thread 0x3000\nthread_exit t\n")
    assert "stack" not in [r["kind"] for r in m.rows]


def test_bad_input_is_named(tmp_path):
    path = tmp_path / "bad.trace"
    path.write_text("a = alloc 0 0x1000 RESERVE|COMMIT READWRITE\nfree a 0 RELEASED\n")
    r = vastrace("map", str(path))
    assert r.returncode == 2 and "bad.trace:2:" in r.stderr and "RELEASED" in r.stderr
    r = vastrace("map", "--backend", "nosuch", str(path))
    assert r.returncode == 2 and "unknown backend 'nosuch'" in r.stderr


def test_the_svg_has_one_bar_per_row(tmp_path):
    svg = tmp_path / "map.svg"
    m, _ = map_of(tmp_path, GUARDED, "--svg", str(svg))
    root = ET.parse(svg).getroot()
    assert root.tag == SVG + "svg"
    regions = [g for g in root.iter(SVG + "g") if g.get("class") == "region"]
    assert [(int(g.get("data-base"), 16), g.get("data-kind"), int(g.get("data-size"), 16)) for g in regions] == \
        [(r["base"], r["kind"], r["size"]) for r in m.rows]
    # The legend names every kind once; the guard page shows as a block in its bar.
    legend = [t.text for g in root.iter(SVG + "g") if g.get("class") == "legend" for t in g.iter(SVG + "text")]
    assert [t.split(":")[0] for t in legend] == list(KINDS)
    colours = {g.get("data-kind"): g for g in regions}
    guard_colour = [g.find(SVG + "rect").get("fill") for g in root.iter(SVG + "g") if g.get("class") == "legend"][7]
    assert guard_colour in [r.get("fill") for r in regions[3].iter(SVG + "rect")]
    assert guard_colour not in [r.get("fill") for r in regions[1].iter(SVG + "rect")]
    # Log scale: the 4 KiB bar is shorter than the 1 MiB bar, both visible.
    def bar(g):
        return sum(float(r.get("width")) for r in g.iter(SVG + "rect") if r.get("fill") != "none")
    assert 0 < bar(regions[1]) < bar(regions[3]) < bar(regions[4])
    assert "free" in colours


def test_a_divergence_report_holds_the_map_before_the_op(tmp_path):
    # A server that answers every operation with zeros diverges at the
    # first; the report shows impl's map before it: the fresh space.
    path = tmp_path / "t.trace"
    path.write_text("a = alloc 0 0x10000 RESERVE READWRITE\nalloc a 0x1000 COMMIT READWRITE\n")
    spec = "exec:%s %s ok" % (sys.executable, SERVER)
    r = vastrace("diff", "--backends", "impl," + spec, str(path))
    assert r.returncode == 1, r.stdout
    head, _, rest = r.stdout.partition("--- map before op 1, on impl (vastrace map --at 0) ---\n")
    assert "DIVERGENCE at op 1" in head
    assert "--- impl region table ---" in head    # the map comes last
    m = Map("\n".join(line[2:] for line in rest.splitlines()))
    assert [(row["base"], row["kind"], row["size"]) for row in m.rows] == [(0, "free", X64_SPAN)]
    assert m.summary["fragmentation"][0] == "0.0000%"
