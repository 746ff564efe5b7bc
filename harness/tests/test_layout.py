"""test_layout.py - `layout: process` (docs/semantics.md 11.2) through the
command line: the header's rules, both models agreeing on the fresh
process, the binary form carrying it, a commit limit below the layout's
charge, and the map naming what the layout holds.

Run from the repository root:
    /usr/bin/python3 -m pytest harness/tests/test_layout.py
"""
from test_map import Map
from test_runner import vastrace

# Section 11.2's table: base -> (kind the map shows, name, size, committed).
LAYOUT = {
    0x10000: ("private", "process parameters", 0x2000, 0x2000),
    0x20000: ("private", "PEB", 0x1000, 0x1000),
    0x30000: ("private", "TEB (main thread)", 0x2000, 0x2000),
    0x40000: ("stack", "main thread stack", 0x100000, 0x5000),
    0x140000: ("heap", "default process heap", 0x100000, 0x1000),
    0x7FFE0000: ("private", "KUSER_SHARED_DATA", 0x1000, 0x1000),
    0x140000000: ("image", "app.exe", 0x8000, 0x8000),
    0x7FFB9D0A0000: ("image", "KernelBase.dll", 0x2C8000, 0x2C8000),
    0x7FFB9E5B0000: ("image", "kernel32.dll", 0xBD000, 0xBD000),
    0x7FFB9F6F0000: ("image", "ntdll.dll", 0x1F8000, 0x1F8000),
}


def write(tmp_path, text, name="t.trace"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_header_is_x64_only_and_named(tmp_path):
    for text, message in (("profile: x86\nlayout: process\n", "layout: process needs profile x64"),
                          ("layout: process\nprofile: x86_laa\n", "layout: process needs profile x64"),
                          ("layout: processes\n", "bad layout (empty or process)"),
                          ("layout: process\nlayout: process\n", "duplicate header")):
        r = vastrace("check", write(tmp_path, text + "charge\n"))
        assert r.returncode == 2, text
        assert "t.trace:" in r.stderr and message in r.stderr, r.stderr
    r = vastrace("fmt", write(tmp_path, "layout: empty\ncharge\n"))
    assert r.returncode == 0 and "layout" not in r.stdout      # the default prints nothing
    r = vastrace("fmt", write(tmp_path, "layout: process\ncharge\n"))
    assert r.returncode == 0 and r.stdout.startswith("layout: process\n")


def test_the_map_of_a_fresh_process(tmp_path):
    r = vastrace("map", write(tmp_path, "layout: process\n"))
    assert r.returncode == 0, r.stderr
    m = Map(r.stdout)
    allocations = {row["base"]: row for row in m.rows if row["kind"] not in ("free", "unusable")}
    assert set(allocations) == set(LAYOUT)
    for base, (kind, name, size, committed) in LAYOUT.items():
        row = allocations[base]
        assert (row["kind"], row["size"], row["committed"]) == (kind, size, committed), hex(base)
        assert row["details"].split(",")[0] == name
    assert m.totals["stack"]["size"] == 0x100000 - 0x3000 and m.totals["guard"]["size"] == 0x3000
    assert m.totals["heap"] == dict(size=0x100000, committed=0x1000)
    assert m.totals["image"]["size"] == 0x8000 + 0x2C8000 + 0xBD000 + 0x1F8000
    # Images show their sections; the exe's data is WRITECOPY until written.
    exe = [(b["base"], b["protect"]) for b in allocations[0x140000000]["blocks"]]
    assert exe == [(0x140000000, "READONLY"), (0x140001000, "EXECUTE_READ"), (0x140004000, "READONLY"),
                   (0x140006000, "WRITECOPY"), (0x140007000, "READONLY")]


def test_both_models_and_the_host_agree_on_a_busy_layout_trace(tmp_path):
    text = ("layout: process\n"
            "a = alloc 0 0x5000 RESERVE|COMMIT READWRITE\n"
            "write 0x140006000 fill=0x11*0x20\n"
            "write 0x7FFB9F86E000 01\n"
            "read 0x13D000 1\n"
            "free 0x7FFB9F6F0000 0 RELEASE\n"
            "protect 0x20000 0x1000 READONLY\n"
            "free 0x140000 0 RELEASE\n"
            "b = alloc 0 0x100000 RESERVE READWRITE\n"
            "charge\n")
    r = vastrace("diff", "--backends", "impl,oracle,host", write(tmp_path, text))
    assert r.returncode == 0, r.stdout
    r = vastrace("run", "--backend", "oracle", write(tmp_path, text))
    assert "=> 0x240000" in r.stdout            # a: the first free granule above the heap
    assert "=> 0x140000\n" in r.stdout.split("b = alloc")[1]  # b: where the released heap was


def test_the_binary_form_carries_the_layout(tmp_path):
    src = write(tmp_path, "layout: process\na = alloc 0 0x1000 RESERVE|COMMIT READWRITE\nwrite a 01\n")
    out = str(tmp_path / "t.bin")
    assert vastrace("encode", src, out).returncode == 0
    with open(out, "rb") as f:
        assert f.read(1)[0] & 0x40                # header bit 6
    r = vastrace("decode", out)
    assert r.returncode == 0 and r.stdout.startswith("layout: process\n")
    # Not with a commit limit: such a trace could not always be created.
    src = write(tmp_path, "layout: process\ncommit-limit: 0x100000\ncharge\n", "limited.trace")
    r = vastrace("encode", src, out)
    assert r.returncode != 0 and "the binary form cannot express this trace" in r.stderr


def test_a_commit_limit_below_the_layout_leaves_no_process(tmp_path):
    for backend in ("impl", "oracle"):
        r = vastrace("check", "--backend", backend, write(tmp_path, "layout: process\ncommit-limit: 0xA000\ncharge\n"))
        assert r.returncode == 2, (backend, r.stdout)
        r = vastrace("check", "--backend", backend,
                     write(tmp_path, "layout: process\ncommit-limit: 0xB000\ncharge -> 0xB000\n"))
        assert r.returncode == 0, (backend, r.stdout)
