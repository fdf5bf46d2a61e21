# Expected output. "Shortest text that round-trips": the shortest digits
# (Python's repr finds them), written in fixed or exponent form (C style:
# e+XX, at least two exponent digits), whichever is shorter; fixed on a tie.
# A large integral value in fixed form shows its exact digits (2^63 is
# 9223372036854775808, as short as 9223372036854776000).
import csv, json, math, os
def fmt(x):
    if math.isnan(x): return "nan"
    if math.isinf(x): return "inf" if x > 0 else "-inf"
    if x == 0: return "-0" if math.copysign(1, x) < 0 else "0"
    sign = "-" if x < 0 else ""
    digits, exp = repr(abs(x)), 0
    mant, _, e = digits.partition("e")
    exp = int(e) if e else 0
    ip, _, fp = mant.partition(".")
    fp = fp.rstrip("0") if fp != "0" else ""
    ds = (ip + fp).lstrip("0")
    point = len(ip) + exp if ip != "0" else exp - (len(fp) - len(fp.lstrip("0")))
    ds = ds.rstrip("0") or "0"
    # value = 0.ds * 10^point
    if point <= 0:
        fixed = "0." + "0" * -point + ds
    elif point >= len(ds):
        fixed = str(int(abs(x)))  # an integral value: its exact digits, as printf's %f
    else:
        fixed = ds[:point] + "." + ds[point:]
    e10 = point - 1
    sci = ds[0] + ("." + ds[1:] if len(ds) > 1 else "") + "e%s%02d" % ("+" if e10 >= 0 else "-", abs(e10))
    return sign + (fixed if len(fixed) <= len(sci) else sci)
def jnum(x):
    s = fmt(x)
    return '"%s"' % s if math.isnan(x) or math.isinf(x) else s
def q(s):
    return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\r\n') else s
rows = list(csv.reader(open("nums.csv")))[1:]
out = ["label,x,half,neg"]
js = []
for label, x in rows:
    x = float(x)
    vals = [x, x / 2, -x]
    out.append(",".join([q(label)] + [fmt(v) for v in vals]))
    js.append('{"label":%s,"x":%s,"half":%s,"neg":%s}' % ((json.dumps(label),) + tuple(jnum(v) for v in vals)))
open("expected_stdout", "w").write("\n".join(out) + "\n")
os.makedirs("expected/out", exist_ok=True)
open("expected/out/shown.jsonl", "w").write("\n".join(js) + "\n")
nan, inf = float("nan"), float("inf")
special = [("nan1", nan), ("nan2", nan), ("inf", inf), ("ninf", -inf), ("sum", 0.1 + 0.2),
           ("third", 1 / 3), ("ln0", -inf), ("two", 2.0)]
open("expected/out/special.csv", "w").write(
    ",".join(n for n, _ in special) + "\n" + ",".join(fmt(v) for _, v in special) + "\n")
open("expected/out/special.jsonl", "w").write(
    "{" + ",".join('"%s":%s' % (n, jnum(v)) for n, v in special) + "}\n")
