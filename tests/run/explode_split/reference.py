# Expected output with Python's str.split(sep) and str.split().
import csv, os
rows = list(csv.DictReader(open("rows.csv")))
def q(s): return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\r\n') else s
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/parts.csv", "w") as f:
    f.write("id,tag\n")
    for r in rows:
        for t in r["tags"].split(";"): f.write("%s,%s\n" % (r["id"], q(t)))
with open("expected/out/multi.csv", "w") as f:
    f.write("id,tags,piece\n")
    for r in rows:
        for t in r["tags"].split(";;"): f.write("%s,%s,%s\n" % (r["id"], q(r["tags"]), q(t)))
with open("expected/out/words.csv", "w") as f:
    f.write("id,w\n")
    for r in rows:
        for t in r["tags"].split():
            if t != "x": f.write("%s,%s\n" % (r["id"], q(t)))
