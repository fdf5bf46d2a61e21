# Expected output with ../badref.py (LANGUAGE.md 9 and 12): every record of
# both sources is bad, so the sinks hold only their CSV headers; stderr has
# the skip source's messages, then one warning per source (in declaration
# order) naming its first bad record. The runner passes --quiet, which hides
# the summary but not the warnings.
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import badref

def bad_lines(path, rows):
    """(position, message, raw) of each bad row; rows: (line, raw, convert)."""
    out = []
    for line, raw, conv in rows:
        try:
            conv()
        except badref.Bad as e:
            out.append(("%s:%d" % (path, line), str(e), raw))
    return out

data = open("readings.csv", "rb").read()
records = badref.csv_records(data)[1:]  # after the header
readings = bad_lines("readings.csv", [
    (line, raw, lambda raw=raw, u=unclosed: badref.csv_row(raw, u, [("sensor", "string"), ("value", "float")]))
    for line, raw, unclosed in records])
assert len(readings) == len(records)

events = []
for n, raw in enumerate(open("events.jsonl", "rb").read().split(b"\n")[:-1], start=1):
    v = badref.json_object(raw)["id"]
    text = v if isinstance(v, str) else json.dumps(v)  # a value's raw text
    if isinstance(v, bool) or not isinstance(v, int):  # "x" and 1.5 are no ints
        msg = 'field "id": expected int, got %s' % badref.got(text.encode())
        events.append(("events.jsonl:%d" % n, msg, raw))
assert len(events) == 2

os.makedirs("expected/out", exist_ok=True)
open("expected/out/readings.csv", "w").write("sensor,value\n")
open("expected/out/events.csv", "w").write("id\n")
with open("expected/out/dead.jsonl", "wb") as f:
    for pos, msg, raw in events:
        f.write(badref.dead_letter("events", pos, msg, raw))
err = ["%s: bad record: %s" % (pos, msg) for pos, msg, _ in readings]
for name, bad in (("readings", readings), ("events", events)):
    err.append("flowc: warning: every record of source '%s' was bad; first: %s: bad record: %s"
               % (name, bad[0][0], bad[0][1]))
open("expected_stderr", "w").write("".join(line + "\n" for line in err))
