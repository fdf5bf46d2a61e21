# Expected dead letters for the rows whose values do not convert.
import json, os
lines = open("rows.csv").read().split("\n")
bad = {6: ("i", "int", "12.0"), 7: ("i", "int", "1e3"), 8: ("i", "int", "9223372036854775808"),
       9: ("x", "float", "one"), 10: ("b", "bool", "yes"), 11: ("b", "bool", "2")}
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w") as f:
    for n, (field, typ, raw) in sorted(bad.items()):
        f.write(json.dumps({"source": "rows", "position": "rows.csv:%d" % n,
                            "error": 'field "%s": expected %s, got %s' % (field, typ, json.dumps(raw)),
                            "record": lines[n - 1]}, separators=(",", ":")) + "\n")
