"""test_trace_language.py - the trace language through the vastrace tool:
`fmt` prints canonical text, `encode`/`decode` convert to and from the
fuzzers' byte form, and malformed input gives exit code 2 with one message
"FILE:LINE: error: MESSAGE near 'TOKEN'".

The tool is $VASTRACE, or build/harness/vastrace under the repository root.
A missing tool is a failure, not a skip.
"""
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "harness" / "tests" / "traces"
VASTRACE = Path(os.environ.get("VASTRACE", REPO / "build" / "harness" / "vastrace"))

MESSAGE = re.compile(r"^(.+):(\d+): error: (.+) near '(.*)'$")


def vastrace(*args, stdin=None):
    if not VASTRACE.is_file():
        pytest.fail(f"vastrace not found at {VASTRACE}: build it "
                    f"(cmake -S . -B build -G Ninja && ninja -C build) or set VASTRACE")
    return subprocess.run([str(VASTRACE), *map(str, args)], capture_output=True, timeout=60)


def corpus(encodable):
    files = sorted(CORPUS.glob("*.trace"))
    return [f for f in files if f.name.startswith("expect-") != encodable]


def test_corpus_is_there():
    assert len(corpus(True)) >= 15
    assert len(corpus(False)) >= 1


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.trace")), ids=lambda p: p.name)
def test_fmt_is_canonical(path, tmp_path):
    first = vastrace("fmt", path)
    assert first.returncode == 0, first.stderr.decode()
    printed = tmp_path / "printed.trace"
    printed.write_bytes(first.stdout)
    second = vastrace("fmt", printed)
    assert second.returncode == 0, second.stderr.decode()
    assert second.stdout == first.stdout


@pytest.mark.parametrize("path", corpus(True), ids=lambda p: p.name)
def test_text_binary_text_is_identity(path, tmp_path):
    text = vastrace("fmt", path)
    assert text.returncode == 0
    binary = tmp_path / "t.bin"
    enc = vastrace("encode", path, binary)
    assert enc.returncode == 0, enc.stderr.decode()
    assert binary.stat().st_size > 0
    dec = vastrace("decode", binary)
    assert dec.returncode == 0, dec.stderr.decode()
    assert dec.stdout.decode() == text.stdout.decode()


@pytest.mark.parametrize("path", corpus(False), ids=lambda p: p.name)
def test_encode_refuses_expectations(path, tmp_path):
    out = tmp_path / "t.bin"
    enc = vastrace("encode", path, out)
    assert enc.returncode == 2
    assert b"cannot express" in enc.stderr
    assert not out.exists()


def test_decode_random_bytes(tmp_path):
    rng = random.Random(1234)
    binary = tmp_path / "r.bin"
    printed = tmp_path / "r.trace"
    for _ in range(20):
        binary.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(300))))
        dec = vastrace("decode", binary, "--max-ops", "20")
        assert dec.returncode == 0, dec.stderr.decode()
        ops = [l for l in dec.stdout.decode().splitlines() if l and ":" not in l]
        assert len(ops) <= 20
        assert "->" not in dec.stdout.decode()
        # The printed trace is canonical and re-encodes to the same trace.
        printed.write_bytes(dec.stdout)
        fmt = vastrace("fmt", printed)
        assert fmt.returncode == 0, fmt.stderr.decode()
        assert fmt.stdout == dec.stdout
        again = tmp_path / "again.bin"
        assert vastrace("encode", printed, again).returncode == 0
        assert vastrace("decode", again).stdout == dec.stdout


def test_decode_empty_and_max_ops(tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    dec = vastrace("decode", empty)
    assert dec.returncode == 0 and dec.stdout == b""
    geterrs = tmp_path / "g.bin"
    geterrs.write_bytes(b"\x00" + b"\x0e" * 50)  # header, then 50 geterr opcodes
    dec = vastrace("decode", geterrs, "--max-ops", "7")
    assert dec.returncode == 0
    assert dec.stdout.decode().splitlines() == ["geterr"] * 7


BAD = [
    ("frob 0\n", 1, "unknown operation", "frob"),
    ("alloc 0 0x1000 RESERVE\n", 1, "missing argument", ""),
    ("geterr\nexec 0x10000000000000000\n", 2, "number too large", "0x10000000000000000"),
    ("alloc 0 1 RESERVE READWRITTE\n", 1, "unknown constant", "READWRITTE"),
    ("query b\n", 1, "unknown name", "b"),
    ("a = alloc 0 1 RESERVE NOACCESS\na = alloc 0 1 RESERVE NOACCESS\n", 2,
     "name already bound", "a"),
    ("write 0 abc\n", 1, "odd number of hex digits", "abc"),
    ("query 0 -> {colour=1}\n", 1, "unknown query field", "colour"),
    ("geterr\nprofile: x86\n", 2, "header after an operation", "profile"),
    ("profile: arm64\n", 1, "bad profile (x64, x86 or x86_laa)", "arm64"),
    ("exec 0 \x01\n", 1, "unexpected character", "\\x01"),
]


@pytest.mark.parametrize("text,line,message,token", BAD, ids=[b[2] for b in BAD])
def test_malformed_input(tmp_path, text, line, message, token):
    path = tmp_path / "bad.trace"
    path.write_bytes(text.encode())
    res = vastrace("fmt", path)
    assert res.returncode == 2
    assert res.stdout == b""
    err = res.stderr.decode().strip()
    m = MESSAGE.match(err)
    assert m, err
    assert (m.group(1), int(m.group(2)), m.group(3), m.group(4)) == \
        (str(path), line, message, token)


def test_crlf_is_accepted(tmp_path):
    path = tmp_path / "crlf.trace"
    path.write_bytes(b"profile: x86\r\n\r\na = alloc 0 0x1000 RESERVE|COMMIT READWRITE\r\nquery a\r\n")
    res = vastrace("fmt", path)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"profile: x86\n\na = alloc 0 0x1000 RESERVE|COMMIT READWRITE\nquery a\n"


def test_fmt_writes_constants_symbolically(tmp_path):
    path = tmp_path / "c.trace"
    path.write_text("a = alloc 0 4096 0x3000 0x104\nprotect a 1 PAGE_READONLY -> 1 old=4\n"
                    "seterr 87\ngeterr -> 87\nfree a 0 0x8000 -> 0 err=487\n")
    res = vastrace("fmt", path)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode().splitlines() == [
        "a = alloc 0 0x1000 RESERVE|COMMIT READWRITE|GUARD",
        "protect a 1 READONLY -> 1 old=READWRITE",
        "seterr INVALID_PARAMETER",
        "geterr -> INVALID_PARAMETER",
        "free a 0 RELEASE -> 0 err=INVALID_ADDRESS",
    ]


@pytest.mark.parametrize("args", [["fmt"], ["fmt", "a", "b"], ["encode", "x"],
                                  ["decode"], ["decode", "x", "--max-ops", "many"]])
def test_usage_errors(args):
    assert vastrace(*args).returncode == 2


def test_missing_file(tmp_path):
    res = vastrace("fmt", tmp_path / "nope.trace")
    assert res.returncode == 2
    assert MESSAGE.match(res.stderr.decode().strip())
