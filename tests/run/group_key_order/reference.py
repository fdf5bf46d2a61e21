# Expected output: counts per key, sorted by Python's ordering of the typed
# key (strings as UTF-8 bytes).
import csv, datetime as dt, os
def ts(text):
    if text.lstrip("-").isdigit(): return int(text)
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)
def show_ts(ms):
    t = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (ms % 1000) + "Z"
def fmt(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, float) and v == int(v): return str(int(v))
    if isinstance(v, bytes): return v.decode()
    return str(v)
rows = list(csv.DictReader(open("rows.csv", encoding="utf-8")))
keys = {
    "int": ("i", lambda r: (int(r["i"]),), fmt),
    "float": ("x", lambda r: (float(r["x"]),), fmt),
    "bool": ("b", lambda r: (r["b"] == "true",), fmt),
    "time": ("t", lambda r: (ts(r["t"]),), show_ts),
    "string": ("s", lambda r: (r["s"].encode(),), fmt),
    "pair": ("b,i", lambda r: (r["b"] == "true", int(r["i"])), fmt),
}
os.makedirs("expected/out", exist_ok=True)
for name, (header, key, show) in keys.items():
    counts = {}
    for r in rows:
        counts[key(r)] = counts.get(key(r), 0) + 1
    lines = [header + ",n"] + [",".join(show(v) if not isinstance(v, bool) else fmt(v) for v in k)
                               + ",%d" % n for k, n in sorted(counts.items())]
    open("expected/out/%s.csv" % name, "w", encoding="utf-8").write("\n".join(lines) + "\n")
