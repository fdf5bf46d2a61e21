# Expected output: simulate batches of 3 input records; after each batch,
# print the groups touched in it, ordered by (bucket, user bytes).
import csv, json, os
rows = [(r["user"], int(r["n"])) for r in csv.DictReader(open("events.csv"))]
state, out, js = {}, ["bucket,user,count,total,seen,last"], []
for start in range(0, len(rows), 3):
    touched = set()
    for user, n in rows[start:start + 3]:
        if n < 0:
            continue
        key = (n % 3, user.encode())
        s = state.setdefault(key, {"count": 0, "total": 0, "seen": set(), "last": None})
        s["count"] += 1; s["total"] += n; s["seen"].add(n); s["last"] = n
        touched.add(key)
    for key in sorted(touched):
        s = state[key]
        vals = [key[0], key[1].decode(), s["count"], s["total"], len(s["seen"]), s["last"]]
        out.append(",".join(str(v) for v in vals))
        js.append(json.dumps(dict(zip(["bucket", "user", "count", "total", "seen", "last"], vals)),
                             separators=(",", ":")))
open("expected_stdout", "w").write("\n".join(out) + "\n")
os.makedirs("expected/out", exist_ok=True)
open("expected/out/totals.jsonl", "w").write("\n".join(js) + "\n")
