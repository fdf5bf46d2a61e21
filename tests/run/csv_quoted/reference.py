# Expected output: the csv module reads RFC 4180 the same way (strict quotes
# only at a field's start); csv output quotes fields with , " CR or LF.
import csv, io, json
with open("notes.csv", newline="") as f:
    rows = list(csv.reader(f))[1:]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
w.writerow(["id", "text", "n"])
for i, t in rows:
    w.writerow([i, t, len(t.encode())])
open("expected_stdout", "w", newline="").write(out.getvalue())
import os
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/notes.jsonl", "w", newline="") as f:
    for i, t in rows:
        f.write(json.dumps({"id": int(i), "text": t, "n": len(t.encode())},
                           ensure_ascii=False, separators=(",", ":")) + "\n")
