# Expected output with Python's own and/or/not (short-circuit too), bytes
# comparison for strings, and exact int/float comparison. No record is bad:
# stderr is empty.
import csv, datetime as dt, os
def ts(text): return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
def b(v): return "true" if v else "false"
def f(v): return str(int(v)) if isinstance(v, float) and v == int(v) else str(v)
rows = list(csv.DictReader(open("rows.csv", encoding="utf-8")))
os.makedirs("expected/out", exist_ok=True)
open("expected_stderr", "w").close()
g, l, c = ["s,n,x,t,b"], ["s,n,x,t,b"], ["s,lt_a,ge_b,x_gt_n,n_eq_x,t_late,t_le,b_ne,pick,num,neg,prec"]
def show(t): return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
for r in rows:
    s, n, x, t, bo = r["s"], int(r["n"]), float(r["x"]), ts(r["t"]), r["b"] == "true"
    line = ",".join([s, str(n), f(x), show(t), b(bo)])
    if n != 0 and 100 // n > 10 or n == 0 and not bo: g.append(line)
    if s in ("apple", "Zed", "") and n not in (1, 2): l.append(line)
    c.append(",".join([s, b(s.encode() < b"a"), b(s.encode() >= b"b"), b(x > n), b(n == x),
                       b(t > ts("2026-01-01T00:00:00Z")), "true", b(bo != True),
                       s if bo else "-", f(x if n > 2 else float(n)), f(-x), str(1 + 2 * 3 - 4 // 3 % 2)]))
for name, lines in (("guarded", g), ("listed", l), ("compared", c)):
    open("expected/out/%s.csv" % name, "w", encoding="utf-8").write("\n".join(lines) + "\n")
