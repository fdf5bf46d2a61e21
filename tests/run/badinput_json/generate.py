# Writes this case's inputs (run by run_tests.py in each scratch copy, and by
# reference.py): in/rows.jsonl, every kind of bad JSON input between good
# records, with a 10 MB line and 10,000-deep nesting; in/empty.jsonl, an
# empty file; in/flipped.jsonl, 400 records with random single-bit flips
# (seeded). Deterministic.
import os
import random

BIG = 10 * 1024 * 1024


def rec(id_, name, score=b"1.5", at=b"1000", extra=b""):
    return b'{"id":%s,"name":%s,"score":%s,"at":%s%s}' % (id_, name, score, at, extra)


def nest(levels):
    """`levels` nested arrays: the record's object makes one level more."""
    return b"[" * levels + b"]" * levels


LINES = [
    rec(b"1", b'"alice"'),                                  # good
    rec(b"2", b'"bob"')[:-1] + b"]",                        # flipped byte: '}' -> ']'
    rec(b"3", b'"carol"').replace(b'"id"', b'"iD"'),        # flipped byte in a key: id missing
    rec(b"4", b'"dave"', at=b"4O00"),                       # flipped byte in a number
    rec(b"5", b'"eve"')[:25],                               # truncated line
    rec(b"6", b'"fr\xe1nk"'),                               # invalid UTF-8 in a string
    rec(b"7", b'"a\x00b"'),                                 # a raw NUL in a string
    rec(b"8", b'"a\\u0000b"'),                              # an escaped NUL: good
    b'{"id":9,"name":"ivy,"score":9.5,"at":9000}',          # unbalanced quotes
    rec(b'"10"', b'"jo"'),                                  # wrong type: string for int
    rec(b"11.5", b'"kim"'),                                 # wrong type: 11.5 for int
    rec(b"12", b'"lee"', score=b'"abc"'),                   # wrong type: float
    rec(b"13", b'"mo"', score=b"true"),                     # wrong type: bool for float
    rec(b"null", b'"ned"'),                                 # null: missing
    rec(b"15", b'"deep"', extra=b',"x":' + nest(10000)),    # 10,000-deep nesting
    rec(b"16", b'"edge"', extra=b',"x":' + nest(999)),      # 1,000 levels: good
    rec(b"17", b'"over"', extra=b',"x":' + nest(1000)),     # 1,001 levels
    rec(b"18", b'"' + b"y" * BIG + b'"'),                   # a 10 MB line: good
    b"[18,19]",                                             # not an object
    b"{}",                                                  # no fields
    b"",                                                    # blank line: skipped
    rec(b"20", b'"\\ud800"'),                               # a lone surrogate escape
    rec(b"21", b'"pat"').replace(b"21", b"21\xff"),         # invalid UTF-8 outside strings
    rec(b"22", b'"quinn"') + b"\r",                         # CRLF: good
    b'{"id":1,"id":23,"name":"ray","score":2,"at":3}',      # duplicate key: the last wins
    rec(b"24", b'"sam"', extra=b',"junk":[1,2,}'),          # malformed ignored field
    rec(b"25", b'"tom"', score=b"1e400"),                   # a float out of range: inf
    rec(b"26", b'"uma"'),                                   # good, and no final newline
]


def flipped(count=400, seed=9):
    """`count` good records, about 40% of them with one random bit flipped in
    one random byte (the line's newline included)."""
    rng = random.Random(seed)
    out = bytearray()
    for i in range(count):
        name = "".join(rng.choice("abcxyz") for _ in range(5)).encode()
        line = bytearray(rec(b"%d" % i, b'"%s"' % name, b"%d.%d" % (rng.randrange(100), rng.randrange(100)),
                             b"%d" % rng.randrange(10**6)) + b"\n")
        if rng.random() < 0.4:
            line[rng.randrange(len(line))] ^= 1 << rng.randrange(8)
        out += line
    return bytes(out)


def main():
    os.makedirs("in", exist_ok=True)
    with open("in/rows.jsonl", "wb") as f:
        f.write(b"\n".join(LINES))
    open("in/empty.jsonl", "wb").close()
    with open("in/flipped.jsonl", "wb") as f:
        f.write(flipped())


if __name__ == "__main__":
    main()
