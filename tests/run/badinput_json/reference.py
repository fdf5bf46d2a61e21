# Expected output of badinput_json, computed from generate.py's input with
# badref.py (an independent model of LANGUAGE.md 9 and 12): good rows on
# stdout and in out/good.csv, the first 10 bad records on stderr (source a,
# on_error skip), every bad record once in out/dead.jsonl (source d).
# Run: python3 reference.py (from anywhere).
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import badref  # noqa: E402

SCHEMA = [("id", "int"), ("name", "string"), ("score", "float"), ("at", "timestamp")]
PATH = "in/rows.jsonl"


class Num(str):
    """A JSON number, kept as its text."""


def field(obj, name, typ):
    """Section 4.2/12: a JSON value's kind must fit the field; its text is then parsed."""
    if name not in obj or obj[name] is None:
        return badref.convert(name, typ, None)
    v = obj[name]
    if isinstance(v, (dict, list)):
        raise AssertionError("no case here puts a nested value in a schema field")
    if isinstance(v, bool):
        text, kind = (b"true" if v else b"false"), "bool"
    elif isinstance(v, Num):
        text, kind = v.encode(), "number"
    else:
        text, kind = v.encode("utf-8", "surrogatepass"), "string"
    fits = {"string": True, "int": kind == "number", "float": kind in ("string", "number"),
            "timestamp": kind in ("string", "number")}[typ]
    if not fits:
        raise badref.Bad('field "%s": expected %s, got %s' % (name, typ, badref.got(text)))
    return badref.convert(name, typ, text)


with tempfile.TemporaryDirectory() as tmp:
    cwd = os.getcwd()
    os.chdir(tmp)
    sys.path.insert(0, HERE)
    import generate  # noqa: E402
    generate.main()
    data = open(PATH, "rb").read()
    flipped = open("in/flipped.jsonl", "rb").read()
    os.chdir(cwd)

def records(data, path, source):
    """(good rows as CSV lines, stderr lines, dead letters) of one JSON-lines input."""
    good, stderr, dead = [], [], []
    for i, raw in enumerate(data.split(b"\n")):
        line = i + 1
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw.strip(b" \t\r") == b"":
            continue  # blank lines are skipped silently
        try:
            badref.json_object(raw)  # validity, depth, UTF-8
            obj = json.loads(raw.decode(), parse_int=Num, parse_float=Num)
            row = [field(obj, n, t) for n, t in SCHEMA]
        except badref.Bad as e:
            position = "%s:%d" % (path, line)
            if len(stderr) < badref.SHOWN_BAD:
                stderr.append(("%s: bad record: %s\n" % (position, e)).encode())
            dead.append(badref.dead_letter(source, position, str(e), raw))
            continue
        good.append(row)
    return good, stderr, dead


rows, stderr, dead = records(data, PATH, "d")
good = [badref.csv_line([id_, name[:12], len(name), score, at]) for id_, name, score, at in rows]

out = badref.csv_line([b"id", b"short", b"name_len", b"score", b"at"]) + b"".join(good)
os.makedirs(os.path.join(HERE, "expected", "out"), exist_ok=True)
open(os.path.join(HERE, "expected_stdout"), "wb").write(out)
open(os.path.join(HERE, "expected", "out", "good.csv"), "wb").write(out)
open(os.path.join(HERE, "expected", "out", "dead.jsonl"), "wb").write(b"".join(dead))
open(os.path.join(HERE, "expected", "out", "empty.jsonl"), "wb").write(b"")
open(os.path.join(HERE, "expected_stderr"), "wb").write(b"".join(stderr))

rows, _, dead = records(flipped, "in/flipped.jsonl", "f")
open(os.path.join(HERE, "expected", "out", "flipped.csv"), "wb").write(
    badref.csv_line([b"id", b"name", b"score", b"at"]) + b"".join(badref.csv_line(r) for r in rows))
open(os.path.join(HERE, "expected", "out", "flipped_dead.jsonl"), "wb").write(b"".join(dead))
