#!/usr/bin/env python3
"""misbehaving_server.py MODE - a protocol server (docs/backend-protocol.md)
that breaks the protocol in one chosen way, for the client's error paths.

It answers the handshake, then treats every operation as done with zeroed
results, except:
  crash-on-write   dies by SIGSEGV when it reaches a `write` operation
  hang-on-write    stops answering at a `write` operation
  garbage          answers every RUN with bytes that are no frame
  close            exits when the first RUN arrives
  version          claims protocol version 2 in HELLO_OK
  refuse           answers HELLO with ERROR VERSION
  ok               none of these (a well-behaved, if useless, server)
It declares no optional family (HELLO_OK features 0). With VAS_TEST_OPLOG set,
it appends the first word of every operation it is sent to that file.
"""
import os
import signal
import struct
import sys
import time

MODE = sys.argv[1]
inp, out = sys.stdin.buffer, sys.stdout.buffer
HEADERS = ("name:", "source:", "wine-deviates:", "model-only:", "profile:", "commit-limit:", "layout:",
           "aslr-seed:")


def frame(t, payload=b""):
    out.write(struct.pack("<II", len(payload) + 4, t) + payload)


def string(s):
    return struct.pack("<I", len(s)) + s


def read_frame():
    head = inp.read(8)
    if len(head) < 8:
        sys.exit(0)
    n, t = struct.unpack("<II", head)
    return t, inp.read(n - 4)


def op_lines(text):
    for line in text.decode().splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#") and not line.startswith(HEADERS):
            yield line


t, p = read_frame()
if MODE == "refuse":
    frame(15, struct.pack("<I", 1) + string(b"this server speaks version 7 only"))
    out.flush()
    sys.exit(1)
frame(2, struct.pack("<III", 2 if MODE == "version" else 1, 0, 1) + string(b"misbehaving-" + MODE.encode()))
out.flush()
while True:
    t, p = read_frame()
    if MODE == "close":
        sys.exit(0)
    if MODE == "garbage":
        out.write(b"\xff" * 64)
        out.flush()
        continue
    mode, flags, n = struct.unpack("<III", p[:12])
    ops = list(op_lines(p[12:12 + n]))
    if os.environ.get("VAS_TEST_OPLOG"):
        with open(os.environ["VAS_TEST_OPLOG"], "a") as log:
            log.writelines(line.split(" = ", 1)[-1].split()[0] + "\n" for line in ops)
    frame(4, struct.pack("<II", 0, len(ops)) + string(b""))
    for line in ops:
        if line.startswith("write") and MODE == "crash-on-write":
            out.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        if line.startswith("write") and MODE == "hang-on-write":
            out.flush()
            time.sleep(3600)
        record = struct.pack("<IIQQIIQQQ", 0, 0, 0, 0, 0xBAADF00D, 0, 0, 0, 0) + bytes(48) \
            + struct.pack("<IIII", 0, 0, 0, 0)
        frame(5, record)
        if flags & 1:
            out.flush()
    frame(6, struct.pack("<II", len(ops), 0))
    out.flush()
