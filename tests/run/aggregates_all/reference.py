# Expected output: aggregates per shop over the whole file, shops in order.
out = []  # the lines of expected_stdout
import csv, datetime as dt
def fmt(x):
    if isinstance(x, float) and x == int(x): return str(int(x))
    return str(x)
def ts(text):
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (t.microsecond // 1000) + "Z"
rows = list(csv.DictReader(open("sales.csv")))
out.append("shop,n,qty,revenue,avg_price,min_qty,max_qty,min_price,max_price,first_item,last_item,"
      "earliest,latest,items,qtys,first,last,first_at,last_qty")
for shop in sorted({r["shop"] for r in rows}):
    g = [r for r in rows if r["shop"] == shop]
    q = [int(r["qty"]) for r in g]
    p = [float(r["price"]) for r in g]
    it = [r["item"] for r in g]
    at = sorted(g, key=lambda r: dt.datetime.fromisoformat(r["at"].replace("Z", "+00:00")))
    vals = [shop, len(g), sum(q), fmt(sum(p)), fmt(sum(p) / len(p)), min(q), max(q), fmt(min(p)),
            fmt(max(p)), min(it), max(it), ts(at[0]["at"]), ts(at[-1]["at"]), len(set(it)),
            len(set(q)), it[0], it[-1], ts(g[0]["at"]), q[-1]]
    out.append(",".join(str(v) for v in vals))
with open("expected_stdout", "w", encoding="utf-8", newline="") as f:
    f.write("".join(line + "\n" for line in out))
