# Writes this case's inputs (run by run_tests.py in each scratch copy, and by
# reference.py): in/rows.csv, every kind of bad CSV input between good rows,
# with a 10 MB good line; in/empty.csv, an empty file; in/flipped.csv, 400
# lines with random single-bit flips (seeded); in/tail.csv, a good last line
# without a final newline. Deterministic.
import os
import random

BIG = 10 * 1024 * 1024

LINES = [
    b"1,alice,1.5,1000",                  # good
    b"2,bob,2.25,2000",                   # good
    b"s,carol,3.5,3000",                  # flipped byte in an int ('3' ^ 0x40)
    b"4,dave,4x5,4000",                   # flipped byte in a float
    b"5,erin;5.5,5000",                   # flipped delimiter: 'at' is missing
    b"6,fr\xe1nk,6.5,6000",               # invalid UTF-8 in a string: passed through
    b"7,gre",                             # truncated line
    b"8,hank,",                           # truncated after a delimiter: empty float
    b"9,i\x00vy,9.5,9000",                # NUL in a string: kept
    b"1\x000,jo,10.5,10000",              # NUL in an int
    b"11,\"kim,11.5,11000",               # unbalanced quote: the field runs on ...
    b"12,lee\",12.5,12000",               # ... to this quote (one record, line 11)
    b"",                                  # blank line: skipped silently
    b"13.0,mo,13.5,13000",                # wrong type: 13.0 for an int
    b"1e3,ned,14.5,14000",                # wrong type: 1e3 for an int
    b"15,oz,abc,15000",                   # wrong type: float
    b"16,pat,16.5,yesterday",             # wrong type: timestamp
    b"17,quinn,17.5,17000\r",             # CRLF: good
    b"18," + b"y" * BIG + b",18.5,18000",  # a 10 MB line: good
    b"\xff\xfe,ray,19.5,19000",           # invalid UTF-8 in an int
    b"20,\"s\"\"am\",20.5,20000",         # doubled quotes: good
    b",,,",                               # every field empty
    b"22,tom,22.5,22000",                 # good
    b"23,\"unclosed,23.5,23000",          # unclosed quote at the end of input,
]                                         # without a final newline


def flipped(count=400, seed=9):
    """`count` good lines, about 40% of them with one random bit flipped in one
    random byte (the line's newline included)."""
    rng = random.Random(seed)
    out = bytearray()
    for i in range(count):
        line = bytearray(b"%d,%s,%d.%d,%d\n" % (i, "".join(rng.choice("abcxyz") for _ in range(5)).encode(),
                                                rng.randrange(100), rng.randrange(100), rng.randrange(10**6)))
        if rng.random() < 0.4:
            line[rng.randrange(len(line))] ^= 1 << rng.randrange(8)
        out += line
    return bytes(out)


def main():
    os.makedirs("in", exist_ok=True)
    with open("in/rows.csv", "wb") as f:
        f.write(b"\n".join(LINES))  # no final newline
    open("in/empty.csv", "wb").close()
    with open("in/flipped.csv", "wb") as f:
        f.write(flipped())
    with open("in/tail.csv", "wb") as f:
        f.write(b"1,good,1.5,1000\n2,last,2.5,2000")  # a good last line, no final newline


if __name__ == "__main__":
    main()
