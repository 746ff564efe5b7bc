#!/usr/bin/env python3
"""fuzz/make_dict.py - regenerates fuzz/vas.dict from the trace binary format.

The dictionary's useful entries are pieces of the fuzzer's input format:
headers, and whole operations aimed at page and granule edges. Rather than
spell those bytes by hand (and go stale whenever harness/trace/trace_binary.c
changes its tables), each entry is written here as trace TEXT and encoded
with fuzz/seed_encode: an operation's entry is the encoding of a short
prefix plus that operation, less the encoding of the prefix alone.
Raw little-endian Windows constants and boundaries, which the format's raw
escapes carry, are added as they are.

Usage: fuzz/make_dict.py SEED_ENCODE [OUT]   (fuzz.py seeds builds SEED_ENCODE)
"""
import os
import struct
import subprocess
import sys
import tempfile

# Every operation below runs after PREFIX, so r0 is a 64 KiB reservation
# with its first three pages committed.
PREFIX = ["r0 = alloc 0 0x10000 RESERVE READWRITE", "r1 = alloc r0 0x3000 COMMIT READWRITE"]

HEADERS = {
    "hdr_x64": "", "hdr_x86": "profile: x86", "hdr_x86_laa": "profile: x86_laa",
    "hdr_limit_0x3000": "commit-limit: 0x3000", "hdr_limit_0x20000": "commit-limit: 0x20000",
}

OPERATIONS = {
    "reserve_commit_granule": "r2 = alloc 0 0x10000 RESERVE|COMMIT READWRITE",
    "reserve_granule": "r2 = alloc 0 0x10000 RESERVE READWRITE",
    "reserve_top_down": "r2 = alloc 0 0x3000 RESERVE|COMMIT|TOP_DOWN READONLY",
    "reserve_fixed_x86_top": "r2 = alloc 0x7FFE0000 0x10000 RESERVE READWRITE",
    "reserve_write_watch": "r2 = alloc 0 0x20000 RESERVE|WRITE_WATCH READWRITE",
    "commit_two_pages": "r2 = alloc r0 0x2000 COMMIT READWRITE",
    "commit_last_page": "r2 = alloc r0+0xF000 0x1000 COMMIT READWRITE",
    "commit_straddling_page": "r2 = alloc r0+0xFFF 2 COMMIT EXECUTE_READ",
    "commit_guard": "r2 = alloc r0+0x1000 0x1000 COMMIT READWRITE|GUARD",
    "commit_nocache": "r2 = alloc r0 0x1000 COMMIT READWRITE|NOCACHE",
    "commit_past_end": "r2 = alloc r0+0xF000 0x2000 COMMIT READWRITE",
    "reset": "r2 = alloc r0 0x2000 RESET READWRITE",
    "reset_undo": "r2 = alloc r0 0x2000 RESET_UNDO READWRITE",
    "decommit_two_pages": "free r0+0x1000 0x2000 DECOMMIT",
    "decommit_straddling": "free r0+0xFFF 0x1002 DECOMMIT",
    "decommit_whole": "free r0 0 DECOMMIT",
    "decommit_last_page": "free r0+0xF000 0x1000 DECOMMIT",
    "decommit_past_end": "free r0+0xF000 0x2000 DECOMMIT",
    "release": "free r0 0 RELEASE",
    "release_inner": "free r0+0x1000 0 RELEASE",
    "release_with_size": "free r0 0x10000 RELEASE",
    "protect_page": "protect r0 0x1000 READONLY",
    "protect_middle": "protect r0+0x1000 0x1000 EXECUTE_READ",
    "protect_straddling": "protect r0+0xFFF 2 NOACCESS",
    "protect_guard": "protect r0 0x2000 READWRITE|GUARD",
    "protect_nullold": "protect r0 0x1000 READWRITE nullold",
    "protect_reserved": "protect r0+0x3000 0x1000 READONLY",
    "query_base": "query r0",
    "query_page": "query r0+0x1000",
    "query_reserved": "query r0+0x3000",
    "query_short_len": "query r0 len=27",
    "query_above_max": "query 0x7FFFFFFF0000",
    "read_page_edge": "read r0+0xFFE 4",
    "read_reserved_edge": "read r0+0x2FFF 2",
    "write_page_edge": "write r0+0xFFF 0102",
    "write_fill_page": "write r0 fill=0x5a*0x1000",
    "exec_page": "exec r0",
    "seterr_87": "seterr 87",
    "geterr": "geterr",
    "charge": "charge",
}

# Raw values the format's escapes carry: Windows flag words (u32) and range
# boundaries (u64), little-endian.
RAW32 = {
    "MEM_COMMIT": 0x1000, "MEM_RESERVE": 0x2000, "MEM_RESERVE_COMMIT": 0x3000,
    "MEM_DECOMMIT": 0x4000, "MEM_RELEASE": 0x8000, "MEM_FREE": 0x10000, "MEM_RESET": 0x80000,
    "MEM_TOP_DOWN": 0x100000, "MEM_WRITE_WATCH": 0x200000, "MEM_PHYSICAL": 0x400000,
    "MEM_RESET_UNDO": 0x1000000, "MEM_LARGE_PAGES": 0x20000000,
    "PAGE_READWRITE_GUARD": 0x104, "PAGE_NOACCESS_GUARD": 0x101, "PAGE_GUARD_NOCACHE": 0x304,
    "PAGE_WRITECOMBINE_RW": 0x404, "PAGE_EXECUTE_WRITECOPY": 0x80,
    "ERROR_INVALID_ADDRESS": 487, "ERROR_COMMITMENT_LIMIT": 1455, "ERROR_NOACCESS": 998,
}
RAW64 = {
    "x64_max": 0x7FFFFFFEFFFF, "x86_max": 0x7FFEFFFF, "x86_laa_max": 0xFFFEFFFF,
    "x86_last_granule": 0x7FFE0000, "min_address": 0x10000, "two_gib": 0x80000000,
    "four_gib": 0x100000000, "u64_max": 0xFFFFFFFFFFFFFFFF,
}


def encode(tool, lines):
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "t.trace"), os.path.join(d, "t.bin")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([tool, src, out], check=True)
        with open(out, "rb") as f:
            return f.read()


def escape(data):
    return "".join(chr(b) if 0x20 <= b < 0x7F and chr(b) not in '"\\' else "\\x%02x" % b
                   for b in data)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    tool = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(__file__), "vas.dict")
    lines = [
        "# vas.dict - dictionary for the differential fuzz targets (libFuzzer -dict=,",
        "# AFL++ -x). GENERATED by fuzz/make_dict.py from trace text encoded with the",
        "# current binary format (harness/trace/trace_binary.c); regenerate, do not edit.",
        "",
        "# ---- headers: profile and commit limit",
    ]
    for name, text in HEADERS.items():
        lines.append('%s="%s"' % (name, escape(encode(tool, [text] if text else []))))
    lines += ["", "# ---- whole operations (after a 64 KiB reservation with 3 pages committed)"]
    prefix = encode(tool, PREFIX)
    for name, text in OPERATIONS.items():
        whole = encode(tool, PREFIX + [text])
        if not whole.startswith(prefix):
            sys.exit("make_dict.py: %r does not extend the prefix's encoding" % text)
        lines.append("# " + text)
        lines.append('op_%s="%s"' % (name, escape(whole[len(prefix):])))
    lines += ["", "# ---- raw little-endian values: Windows flag words and range boundaries"]
    for name, value in RAW32.items():
        lines.append('raw32_%s="%s"' % (name, escape(struct.pack("<I", value))))
    for name, value in RAW64.items():
        lines.append('raw64_%s="%s"' % (name, escape(struct.pack("<Q", value))))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("make_dict.py: %d entries in %s" % (sum(1 for l in lines if "=" in l and not l.startswith("#")), out))


if __name__ == "__main__":
    main()
