# Expected output with Python's math module. round(x) takes the nearest
# integer (no .5 ties in the input); int results print without a point.
# floor/ceil/round are IEEE: a zero result keeps the sign of x (-0).
import csv, math
def fmt(v):
    if isinstance(v, int): return str(v)
    if v == int(v) and abs(v) < 1e15: return "-0" if math.copysign(1, v) < 0 and v == 0 else str(int(v))
    return repr(v)
def ieee(r, x): return math.copysign(float(r), x) if r == 0 else float(r)
out = ["i,x,ai,ax,fl,ce,r,r2,sq,l,lg,e,p,pi,lo,lo3,hi,hi3"]
for i, x in list(csv.reader(open("nums.csv")))[1:]:
    i, x = int(i), float(x)
    vals = [i, x, abs(i), abs(x), ieee(math.floor(x), x), ieee(math.ceil(x), x), ieee(round(x), x),
            round(x, 2), math.sqrt(abs(x)), math.log(abs(x) + 1), math.log10(abs(x) + 1),
            math.exp(x / 10), math.pow(x, 2), math.pow(i, 3), min(i, 2), min(x, i, 0.5),
            max(i, 2), max(x, i, -0.5)]
    out.append(",".join(fmt(v) for v in vals))
open("expected_stdout", "w").write("\n".join(out) + "\n")
