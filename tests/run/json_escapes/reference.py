# Expected output from Python's json and csv modules (csv quotes fields with
# , " CR or LF; json lines compact, raw UTF-8, control bytes escaped).
import csv, io, json, os
rows = [json.loads(l) for l in open("msgs.jsonl", encoding="utf-8") if l.strip()]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(["id", "s", "n"])
for r in rows:
    w.writerow([r["id"], r["s"], len(r["s"].encode())])
open("expected_stdout", "w", newline="", encoding="utf-8").write(out.getvalue())
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/msgs.jsonl", "w", newline="", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps({"id": r["id"], "s": r["s"], "n": len(r["s"].encode())},
                           ensure_ascii=False, separators=(",", ":")) + "\n")
