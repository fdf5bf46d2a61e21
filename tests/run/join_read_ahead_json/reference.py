# Expected output: each line read on its own (LANGUAGE.md): `skip` rows
# dropped by the where, then the left join's campaign (the table's default
# "none" for a key not in it); bad records as dead letters, in input order.
# A JSON number for a string field is its text; escapes are decoded.
import csv, json, os
table = {row["ad"]: row["campaign"] for row in csv.DictReader(open("ads.csv"))}
lines = open("events.jsonl").read().split("\n")[:-1]
out, dead = ["ad,kind,n,campaign"], []
def bad(n, error):
    dead.append(json.dumps({"source": "events", "position": "events.jsonl:%d" % n,
                            "error": error, "record": lines[n - 1]}, separators=(",", ":")))
for n, line in enumerate(lines, start=1):
    try:
        v = json.loads(line)
    except ValueError:
        bad(n, "malformed JSON")
        continue
    if not isinstance(v, dict):
        bad(n, "expected a JSON object")
        continue
    if v["kind"] == "skip":
        continue
    ad = v.get("ad")
    if ad is None:
        ad = "a9"  # the default
    ad = ad if isinstance(ad, str) else str(ad)
    num = v.get("n", 0)
    if not isinstance(num, int):
        bad(n, 'field "n": expected int, got "%s"' % num)
        continue
    out.append("%s,%s,%d,%s" % (ad, v["kind"], num, table.get(ad, "none")))
open("expected_stdout", "w").write("\n".join(out) + "\n")
os.makedirs("expected/out", exist_ok=True)
open("expected/out/bad.jsonl", "w").write("\n".join(dead) + "\n")
