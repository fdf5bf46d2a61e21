#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the repository's own tests.

    python3 fuzz/seed_corpora.py OUT_DIR

Writes OUT_DIR/TARGET/NAME files in each target's input layout (see the
header comment of fuzz/fuzz_TARGET.cpp):
  frontend    every .flow of tests/parse, tests/diagnostics, tests/run and examples
  csv         each line of every .csv under tests/run, behind a header byte
  json        each line of every .jsonl/.json under tests/run
  splitter    every input file under tests/run, behind two header bytes
  regex       the regex patterns of the .flow files, each with a sample line
  values      the fields of the CSV inputs, and hand-picked edge values
  checkpoint  hand-made streams and file bodies
  writers     each line of every input under tests/run
"""
import glob
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_SEED = 64 * 1024


def put(out, target, data):
    if len(data) > MAX_SEED:
        data = data[:MAX_SEED]
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def files(*patterns):
    for pat in patterns:
        for p in sorted(glob.glob(os.path.join(ROOT, pat), recursive=True)):
            if os.path.isfile(p):
                yield p


def main():
    out = sys.argv[1]
    flows = list(files("tests/parse/*.flow", "tests/diagnostics/*.flow", "tests/run/*/pipeline.flow",
                       "examples/*.flow", "tests/checkpoint/**/*.flow"))
    for p in flows:
        put(out, "frontend", open(p, "rb").read())

    data_files = [p for p in files("tests/run/**/*") if not p.endswith((".flow", ".py"))
                  and "/expected" not in p and os.path.getsize(p) <= MAX_SEED]
    for p in data_files:
        raw = open(p, "rb").read()
        put(out, "splitter", bytes([0x00 if p.endswith(".csv") else 0x01, 0x35]) + raw)
        put(out, "splitter", bytes([0x06, 0x13]) + raw)
        for line in raw.split(b"\n")[:50]:
            if p.endswith(".csv"):
                put(out, "csv", bytes([0x20]) + line)
                for field in line.split(b","):
                    put(out, "values", field)
            elif p.endswith((".jsonl", ".json")):
                put(out, "json", line)
            put(out, "writers", line)

    for p in flows:
        for m in re.finditer(rb'regex\(\s*"((?:[^"\\]|\\.)*)"', open(p, "rb").read()):
            pattern = m.group(1).replace(b"\\\\", b"\\")
            put(out, "regex", pattern + b"\n" + b"2026-11-24T08:51:06Z GET /index.html 200 1234")
    for pattern in [rb"(?P<a>\w+) (?P<b>\d+) (?P<ts>\S+)", rb"^(?P<a>[^,]*),(?P<b>-?\d+)$", rb"(a|b)*c{2,5}"]:
        put(out, "regex", pattern + b"\nword 12 2026-01-01T00:00:00Z")

    for v in [b"0", b"-9223372036854775808", b"9223372036854775807", b"9223372036854775808", b"1e400",
              b"-1e-400", b"nan", b"inf", b"+.5", b"5.", b"0x10", b"true", b"false", b"1",
              b"2026-11-24T08:51:06.123Z", b"2026-11-24 08:51:06+05:30", b"+012345-01-01",
              b"-000001-12-31T23:59:59.999999Z", b"1970-01-01", b"2024-02-29T00:00"]:
        put(out, "values", v)
    put(out, "json", b'{"a":1,"id":"x","user":{"n":[1,2,{"k":null}]},"\\u00e9":"\\ud83d\\ude00"}')
    put(out, "json", b'{"a":-0.0e+5,"a":true,"":"\\"\\\\\\/\\b\\f\\n\\r\\t"}')
    put(out, "csv", bytes([0x20]) + b'a,"b ""q"" c",,"x\ny"z,d\r')

    # Checkpoint state streams: ops byte then tagged values (see fuzz_checkpoint.cpp).
    i64 = lambda v: b"i" + struct.pack("<q", v)
    byt = lambda s: b"b" + struct.pack("<q", len(s)) + s
    put(out, "checkpoint", bytes([3, 0, 1, 2]) + i64(7) + byt(b"key") + b"s" + struct.pack("<q", 1) +
        struct.pack("<q", 2) + b"hi")
    put(out, "checkpoint", bytes([2, 2, 2]) + b"u" + struct.pack("<q", 2) + struct.pack("<q", 5) * 2)


if __name__ == "__main__":
    main()
