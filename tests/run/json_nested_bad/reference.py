# Expected dead letters: one JSON line per bad record, with the raw record.
# The error text follows section 9's form: field "F": expected T, got "RAW"
# (RAW as a JSON string); a line that does not parse is "malformed JSON".
# The other lines go to good.csv, a missing tags taking its default "".
import json, os
bad = {2: 'field "tags": expected string, got ' + json.dumps('["a", "b"]'),
       3: 'field "tags": expected string, got ' + json.dumps('{"k": "v"}'),
       4: 'field "id": expected int, got ' + json.dumps('{"n": 4}'),
       6: "malformed JSON"}
lines = open("events.jsonl", encoding="utf-8").read().split("\n")
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w", encoding="utf-8") as f:
    for n, err in sorted(bad.items()):
        f.write(json.dumps({"source": "events", "position": "events.jsonl:%d" % n,
                            "error": err, "record": lines[n - 1]},
                           ensure_ascii=False, separators=(",", ":")) + "\n")
with open("expected/out/good.csv", "w", encoding="utf-8") as f:
    f.write("id,tags\n")
    for n, line in enumerate(lines, start=1):
        if line and n not in bad:
            r = json.loads(line)
            f.write("%d,%s\n" % (r["id"], r.get("tags", "")))
