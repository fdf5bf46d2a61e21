# Expected output of badinput_csv, computed from generate.py's input with
# badref.py (an independent model of LANGUAGE.md 9 and 12): good rows on
# stdout and in out/good.csv, the first 10 bad records on stderr (source a,
# on_error skip), every bad record once in out/dead.jsonl (source d).
# Run: python3 reference.py (from anywhere).
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import badref  # noqa: E402

SCHEMA = [("id", "int"), ("name", "string"), ("score", "float"), ("at", "timestamp")]
PATH = "in/rows.csv"

with tempfile.TemporaryDirectory() as tmp:
    cwd = os.getcwd()
    os.chdir(tmp)
    sys.path.insert(0, HERE)
    import generate  # noqa: E402
    generate.main()
    data = open(PATH, "rb").read()
    flipped = open("in/flipped.csv", "rb").read()
    tail = open("in/tail.csv", "rb").read()
    os.chdir(cwd)

good, stderr, dead = [], [], []
header = badref.csv_line([b"id", b"short", b"name_len", b"score", b"at"])
for line, raw, unclosed in badref.csv_records(data):
    try:
        id_, name, score, at = badref.csv_row(raw, unclosed, SCHEMA)
    except badref.Bad as e:
        position = "%s:%d" % (PATH, line)
        if len(stderr) < badref.SHOWN_BAD:
            stderr.append(("%s: bad record: %s\n" % (position, e)).encode())
        dead.append(badref.dead_letter("d", position, str(e), raw))
        continue
    good.append(badref.csv_line([id_, name[:12], len(name), score, at]))

out = header + b"".join(good)
os.makedirs(os.path.join(HERE, "expected", "out"), exist_ok=True)
open(os.path.join(HERE, "expected_stdout"), "wb").write(out)
open(os.path.join(HERE, "expected", "out", "good.csv"), "wb").write(out)
open(os.path.join(HERE, "expected", "out", "dead.jsonl"), "wb").write(b"".join(dead))
open(os.path.join(HERE, "expected", "out", "empty.csv"), "wb").write(
    badref.csv_line([b"id", b"name", b"score", b"at"]))
open(os.path.join(HERE, "expected_stderr"), "wb").write(b"".join(stderr))


def good_and_dead(data, path, source):
    rows = [badref.csv_line([b"id", b"name", b"score", b"at"])]
    dead = []
    for line, raw, unclosed in badref.csv_records(data):
        try:
            rows.append(badref.csv_line(badref.csv_row(raw, unclosed, SCHEMA)))
        except badref.Bad as e:
            dead.append(badref.dead_letter(source, "%s:%d" % (path, line), str(e), raw))
    return b"".join(rows), b"".join(dead)


rows, dead = good_and_dead(flipped, "in/flipped.csv", "f")
open(os.path.join(HERE, "expected", "out", "flipped.csv"), "wb").write(rows)
open(os.path.join(HERE, "expected", "out", "flipped_dead.jsonl"), "wb").write(dead)
rows, dead = good_and_dead(tail, "in/tail.csv", "t")
assert not dead
open(os.path.join(HERE, "expected", "out", "tail.csv"), "wb").write(rows)
