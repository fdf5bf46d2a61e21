# Expected output: values 0..9 in batches of 4; after each batch the touched
# buckets in order, with their running totals.
out = []  # the lines of expected_stdout
import datetime as dt
def show(ms):
    return (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
state = {}
out.append("bucket,n,total,last_ts,first_ts")
for start in range(0, 10, 4):
    touched = set()
    for v in range(start, min(start + 4, 10)):
        b = v % 3
        s = state.setdefault(b, [0, 0, None, 1000 + v * 1000])
        s[0] += 1; s[1] += v; s[2] = 1000 + v * 1000
        touched.add(b)
    for b in sorted(touched):
        n, total, last, first = state[b]
        out.append("%d,%d,%d,%s,%s" % (b, n, total, show(last), show(first)))
with open("expected_stdout", "w", encoding="utf-8", newline="") as f:
    f.write("".join(line + "\n" for line in out))
