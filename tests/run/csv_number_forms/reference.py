# Expected dead letters for the rows whose values do not convert, and on
# stdout the other rows: ints by Python's int() (-0, 007), floats in the
# shortest text form (flowref.fmt_float), bools from true/false/1/0, an
# empty value its field's default.
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
lines = open("rows.csv").read().split("\n")
bad = {6: ("i", "int", "12.0"), 7: ("i", "int", "1e3"), 8: ("i", "int", "9223372036854775808"),
       9: ("x", "float", "one"), 10: ("b", "bool", "yes"), 11: ("b", "bool", "2")}
good = []
for n, line in enumerate(lines[1:], start=2):
    if line and n not in bad:
        name, i, x, b = line.split(",")
        good.append((name, int(i) if i else 0, float(x) if x else 0.0, b in ("true", "1")))
fr.write("expected_stdout", fr.csv_lines(["line", "i", "x", "b"], good))
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w") as f:
    for n, (field, typ, raw) in sorted(bad.items()):
        f.write(json.dumps({"source": "rows", "position": "rows.csv:%d" % n,
                            "error": 'field "%s": expected %s, got %s' % (field, typ, json.dumps(raw)),
                            "record": lines[n - 1]}, separators=(",", ":")) + "\n")
