# Expected output: the good records; stderr: the first 10 bad records of
# a.jsonl (int "xN" does not convert, or id is missing), then b.csv's 2.
import json, os
out, err = ["id,v"], []
for n, line in enumerate(open("a.jsonl").read().splitlines(), start=1):
    r = json.loads(line)
    if "id" not in r:
        err.append('a.jsonl:%d: bad record: field "id": missing' % n)
    elif not isinstance(r["id"], int):
        err.append('a.jsonl:%d: bad record: field "id": expected int, got %s' % (n, json.dumps(r["id"])))
    else:
        out.append("%d,%s" % (r["id"], r["v"]))
os.makedirs("expected/out", exist_ok=True)
open("expected/out/a.csv", "w").write("\n".join(out) + "\n")
open("expected/out/b.csv", "w").write("id,ok\n1,true\n3,false\n")
err = err[:10] + ['data/b.csv:3: bad record: field "ok": expected bool, got "yes"',
                  'data/b.csv:5: bad record: field "id": expected int, got "4.0"']
open("expected_stderr", "w").write("\n".join(err) + "\n")
