# Expected output computed directly: wrapped int sums, byte-wise min/max.
import csv, datetime as dt, os
def wrap(v): return (v + 2**63) % 2**64 - 2**63
def ms(text):
    if text.isdigit(): return int(text)
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)
def show(m): return (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=m)).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (m % 1000)
def f(v): return str(int(v)) if v == int(v) else repr(v)
rows = list(csv.DictReader(open("rows.csv", encoding="utf-8")))
out = ["g,total,mean,lo,hi,xs,ts,fx,lt"]
for g in sorted({r["g"].lower() for r in rows}):
    rs = [r for r in rows if r["g"].lower() == g]
    ns = [int(r["n"]) for r in rs]
    ss = sorted((r["s"].encode() for r in rs))
    out.append(",".join([g, str(wrap(sum(ns))), f(sum(ns) / len(ns)), ss[0].decode(), ss[-1].decode(),
                         str(len({float(r["x"]) for r in rs})), str(len({ms(r["t"]) for r in rs})),
                         f(float(rs[0]["x"])), show(ms(rs[-1]["t"]))]))
open("expected_stdout", "w", encoding="utf-8").write("\n".join(out) + "\n")
os.makedirs("expected/out", exist_ok=True)
open("expected/out/overall.csv", "w").write("all,rows,strings,sx\n1,%d,%d,%s\n" % (
    len(rows), len({r["s"] for r in rows}), f(sum(float(r["x"]) for r in rows))))
