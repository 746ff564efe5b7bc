"""test_wine_groups.py - the impl-vs-Wine target counts deviations, not
argument classes (wine_signature_group in fuzz/wine_deviations.c): variants
of one deviation fall into one group, and calls one side accepts stay apart
by the arguments that decide which rule they break.

Needs the native build's fuzz/wine_signatures ($VAS_BUILD, default build/).
"""
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def groups(*signatures):
    tool = os.path.join(os.environ.get("VAS_BUILD", os.path.join(REPO, "build")), "fuzz", "wine_signatures")
    assert os.access(tool, os.X_OK), "wine_signatures not built at %s (set VAS_BUILD)" % tool
    r = subprocess.run([tool, "--group"], input="\n".join(signatures) + "\n", capture_output=True,
                       text=True, check=True)
    return r.stdout.splitlines()


def test_modifier_variants_of_a_failure_are_one_deviation():
    got = groups("alloc [addr COMMIT valid] | last error differs: impl INVALID_PARAMETER, wine INVALID_ADDRESS",
                 "alloc [addr COMMIT valid|GUARD] | last error differs: impl INVALID_PARAMETER, wine INVALID_ADDRESS",
                 "alloc [addr COMMIT|TOP_DOWN NOACCESS|NOCACHE] | last error differs: "
                 "impl INVALID_PARAMETER, wine INVALID_ADDRESS")
    assert got[0] == got[1] == "alloc [addr COMMIT valid] | last error differs: impl INVALID_PARAMETER, wine INVALID_ADDRESS"
    assert got[2] == "alloc [addr COMMIT NOACCESS] | last error differs: impl INVALID_PARAMETER, wine INVALID_ADDRESS"


def test_old_protection_left_unwritten_is_one_deviation():
    got = groups("protect [valid] | old protection differs: impl NOACCESS, wine",
                 "protect [valid|GUARD] | old protection differs: impl NOACCESS, wine",
                 "protect [valid|WRITECOMBINE] | old protection differs: impl NOACCESS, wine")
    assert len(set(got)) == 1


def test_acceptance_keeps_the_deciding_arguments():
    got = groups("alloc [NULL COMMIT|RESERVE valid|junk] | alloc result differs: impl 0x0, wine NAME",
                 "alloc [NULL COMMIT|RESERVE NOACCESS|GUARD] | alloc result differs: impl 0x0, wine NAME",
                 "alloc [addr RESERVE|TOP_DOWN|WRITE_WATCH NOACCESS|GUARD] | alloc result differs: impl 0x0, wine NAME",
                 "alloc [NULL RESET valid] | alloc result differs: impl 0x0, wine NAME",
                 "alloc [NULL RESET|TOP_DOWN valid] | alloc result differs: impl 0x0, wine NAME",
                 "alloc [NULL COMMIT valid] | alloc result differs: impl 0x0, wine NAME")
    assert got[0] == "alloc [valid|junk] | alloc result differs: impl 0x0, wine NAME"
    assert got[1] == got[2] == "alloc [NOACCESS|GUARD] | alloc result differs: impl 0x0, wine NAME"
    assert got[3] == got[4] == "alloc [NULL RESET valid] | alloc result differs: impl 0x0, wine NAME"
    assert got[5] != got[3]


def test_map_descriptions_keep_only_what_differs():
    got = groups("alloc [NULL COMMIT|RESERVE valid|WRITECOMBINE] | memory map of NAME's allocation differs: "
                 "impl {base=+0x0 size=0x2000 COMMIT EXECUTE_READ|WRITECOMBINE alloc_base=+0x0 "
                 "alloc_protect=EXECUTE_READ|WRITECOMBINE}, wine {base=+0x0 size=0x2000 COMMIT EXECUTE_READ "
                 "alloc_base=+0x0 alloc_protect=EXECUTE_READ}",
                 "alloc [NULL COMMIT|RESERVE valid|WRITECOMBINE] | memory map of NAME's allocation differs: "
                 "impl {base=+0x0 size=0x1000 COMMIT READONLY|WRITECOMBINE alloc_base=+0x0 "
                 "alloc_protect=READONLY|WRITECOMBINE}, wine {base=+0x0 size=0x1000 COMMIT READONLY "
                 "alloc_base=+0x0 alloc_protect=READONLY}")
    assert got[0] == got[1] == ("alloc [NULL COMMIT|RESERVE valid] | memory map of NAME's allocation differs: "
                                "impl {valid|WRITECOMBINE alloc_protect=valid|WRITECOMBINE}, "
                                "wine {valid alloc_protect=valid}")


def test_map_sizes_differ_by_field_not_by_value():
    got = groups("free [DECOMMIT] | memory map of NAME's allocation differs: impl {base=+0x0 size=0x2000 COMMIT "
                 "READWRITE}, wine {base=+0x0 size=0x1000 COMMIT READWRITE}",
                 "free [DECOMMIT] | memory map of NAME's allocation differs: impl {base=+0x0 size=ADDR COMMIT "
                 "READWRITE}, wine {base=+0x0 size=0x5000 COMMIT READWRITE}")
    assert got[0] == got[1] == "free [DECOMMIT] | memory map of NAME's allocation differs: impl {size}, wine {size}"


def test_a_crash_is_grouped_by_the_operation_kind():
    got = groups("trace | wine: server died during op 6 of 13: isbadstr NAME 0x2001",
                 "trace | wine: server died during op 21 of 31: isbadstr NAME 0x1000",
                 "trace | wine: server died during op 12 of 18: isbadwrite NAME 0x1000",
                 "trace | wine: no answer within 10 s during op 32 of 32: touch NAME NAME+ADDR down")
    assert got[0] == got[1] == "trace | wine: server died during isbadstr"
    assert got[2] == "trace | wine: server died during isbadwrite"
    assert got[3] == "trace | wine: no answer within 10 s during touch"


def test_different_outcomes_stay_apart():
    got = groups("free [DECOMMIT] | last error differs: impl INVALID_ADDRESS, wine INVALID_PARAMETER",
                 "free [DECOMMIT] | last error differs: impl INVALID_PARAMETER, wine INVALID_ADDRESS",
                 "query | query partition_id differs: impl 0x0, wine 0xCCCC")
    assert len(set(got)) == 3
