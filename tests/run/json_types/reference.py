# Expected dead letters for lines 5-10, in section 9's message form; on
# stdout lines 1-4 (bool from true/false/1/0, timestamps from epoch ms or
# RFC 3339 text, floats in the shortest text form).
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
lines = open("vals.jsonl").read().split("\n")
bad = {5: ("i", "int", "12.0"), 6: ("i", "int", "1e3"), 7: ("b", "bool", "yes"),
       8: ("x", "float", "true"), 9: ("t", "timestamp", "soon"),
       10: ("i", "int", "9223372036854775808")}
good = []
for line in lines[:4]:
    r = json.loads(line)
    t = r["t"] if isinstance(r["t"], int) else fr.parse_ts(r["t"])
    good.append((r["b"] in (True, 1), r["i"], float(r["x"]), fr.Ts(t)))
fr.write("expected_stdout", fr.csv_lines(["b", "i", "x", "t"], good))
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w") as f:
    for n, (field, typ, raw) in sorted(bad.items()):
        f.write(json.dumps({"source": "vals", "position": "vals.jsonl:%d" % n,
                            "error": 'field "%s": expected %s, got %s' % (field, typ, json.dumps(raw)),
                            "record": lines[n - 1]}, separators=(",", ":")) + "\n")
