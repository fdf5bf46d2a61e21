# Expected output: exact integers reduced to 64-bit two's complement;
# floor division; remainder with the dividend's sign; by zero -> bad record.
import csv, math
def wrap(v): return (v + 2**63) % 2**64 - 2**63
# Floats: the shortest round-trip text, as in ../float_output/reference.py.
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
out, err = ["a,b,sum,diff,prod,neg,quot,rem,fdiv"], []
for line, (a, b) in enumerate(list(csv.reader(open("nums.csv")))[1:], start=2):
    a, b = int(a), int(b)
    if b == 0:
        err.append("nums.csv:%d: bad record: integer division by zero" % line)
        continue
    quot = a // b
    rem = abs(a) % abs(b) * (1 if a >= 0 else -1)
    vals = [a, b, wrap(a + b), wrap(a - b), wrap(a * b), wrap(-a), wrap(quot), wrap(rem)]
    out.append(",".join(str(v) for v in vals) + "," + fmt(a / b))
open("expected_stdout", "w").write("\n".join(out) + "\n")
open("expected_stderr", "w").write("".join(e + "\n" for e in err))
