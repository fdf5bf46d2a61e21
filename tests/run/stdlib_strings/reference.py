# Expected output with Python string operations on bytes. regex_match is a
# search (an unanchored pattern matches anywhere); regex_extract returns the
# group of the first match, "" without one.
# lower/upper: Unicode simple case mapping (../casemap.py).
import csv, io, os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from casemap import lower, upper
def q(s):
    return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\r\n') else s
def b(x): return "true" if x else "false"
def sub(s, start, n): return s[start:start + n]
def part(s, sep, i):
    parts = s.split(sep)
    return parts[i] if i < len(parts) else b""
def extract(s, pat, g):
    m = re.search(pat, s)
    return m.group(g) if m else b""
out = ["s,n,lo,up,tr,has_an,sw,ew,sub,sub_far,sub_out,rep,p0,p2,p9,re,re_part,ex,ex0,cat"]
for (t,) in list(csv.reader(open("words.csv", encoding="utf-8")))[1:]:
    s = t.encode()
    vals = [s, str(len(s)).encode(), lower(s), upper(s), s.strip(b" \t\r\n"),
            b(b"an" in s).encode(), b(s.startswith(b"Ba")).encode(), b(s.endswith(b"na ")).encode(),
            sub(s, 1, 3), sub(s, 4, 100), sub(s, 50, 2), s.replace(b"a", b"<>"),
            part(s, b"a", 0), part(s, b"a", 2), part(s, b"a", 9),
            b(re.search(rb"^[A-Za-z]+$", s)).encode(), b(re.search(rb"an", s)).encode(),
            extract(s, rb"([a-z])a([a-z])", 2), extract(s, rb"[aeiou]+", 0), s + b"|" + lower(s)]
    out.append(",".join(q(v.decode("utf-8", "surrogateescape")) for v in vals))
text = "\n".join(out) + "\n"
open("expected_stdout", "wb").write(text.encode("utf-8", "surrogateescape"))
