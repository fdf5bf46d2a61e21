# Expected output: lower/upper by Unicode's simple case mapping, from
# ../casemap.py (Python's str.lower/upper per code point, ICU's simple
# mapping where Python's full mapping expands: 'ß', 'İ', 'ﬁ', ...).
# Also writes the input cased.txt: every code point with a mapping, as
# "HEX c" lines. Lines are CSV fields without quoting needs (no comma,
# quote, CR or LF in either file).
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from casemap import cased_code_points, lower, upper


def path(rel):
    return os.path.join(HERE, rel)


with open(path("cased.txt"), "wb") as f:
    for cp in cased_code_points():
        f.write(("%04X %s\n" % (cp, chr(cp))).encode())


def expected(src, dst):
    with open(path(src), "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # a final newline ends the last line; no final one: still a line
    out = [b"line,lo,up"]
    for line in lines:
        assert not any(c in line for c in b',"\r'), line
        out.append(b",".join([line, lower(line), upper(line)]))
    os.makedirs(os.path.dirname(path(dst)), exist_ok=True)
    with open(path(dst), "wb") as f:
        f.write(b"\n".join(out) + b"\n")


expected("letters.txt", "expected/out/words.csv")
expected("cased.txt", "expected/out/cased.csv")
