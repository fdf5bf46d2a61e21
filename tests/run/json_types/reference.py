# Expected dead letters for lines 5-10, in section 9's message form.
import json, os
lines = open("vals.jsonl").read().split("\n")
bad = {5: ("i", "int", "12.0"), 6: ("i", "int", "1e3"), 7: ("b", "bool", "yes"),
       8: ("x", "float", "true"), 9: ("t", "timestamp", "soon"),
       10: ("i", "int", "9223372036854775808")}
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w") as f:
    for n, (field, typ, raw) in sorted(bad.items()):
        f.write(json.dumps({"source": "vals", "position": "vals.jsonl:%d" % n,
                            "error": 'field "%s": expected %s, got %s' % (field, typ, json.dumps(raw)),
                            "record": lines[n - 1]}, separators=(",", ":")) + "\n")
