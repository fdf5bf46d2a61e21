# Expected output: json.dumps for strings (control bytes as \n, \t or
# \u00XX; UTF-8 kept), shortest floats, nan/inf quoted; .jsonl and .json are
# json lines, any other file name csv.
import csv, datetime as dt, json, math, os
def fmt(x):
    if math.isnan(x): return '"nan"'
    if math.isinf(x): return '"inf"' if x > 0 else '"-inf"'
    return {0.5: "0.5", 0.0: "0", 1e300: "1e+300", -1.5: "-1.5", -0.5: "-0.5", -5e299: "-5e+299"}[x]
def ts(text):
    if text.lstrip("-").isdigit(): ms = int(text)
    else:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        ms = (t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)
    t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
rows = list(csv.DictReader(open("rows.csv", encoding="utf-8")))
js, cs = [], ["at,ok,x,n,name,r"]
for r in rows:
    n, x = int(r["n"]), float(r["x"])
    q = x / n if n else (math.nan if x == 0 else math.copysign(math.inf, x))
    js.append('{"at":"%s","ok":%s,"x":%s,"n":%d,"name":%s,"r":%s}' % (
        ts(r["at"]), r["ok"], fmt(x), n, json.dumps(r["name"], ensure_ascii=False), fmt(q)))
    name = r["name"]
    if any(c in name for c in ',"\r\n'): name = '"%s"' % name.replace('"', '""')
    cs.append(",".join([ts(r["at"]), r["ok"], fmt(x).strip('"'), str(n), name, fmt(q).strip('"')]))
os.makedirs("expected/out", exist_ok=True)
for f in ("rows.jsonl", "rows.json"):
    open("expected/out/" + f, "w", encoding="utf-8").write("\n".join(js) + "\n")
open("expected/out/rows.txt", "w", encoding="utf-8").write("\n".join(cs) + "\n")
