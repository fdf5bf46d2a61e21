# Invariants of processing-time sliding windows (200 ms every 100 ms) per
# parity over generate(count: 600):
#  - header window_start,window_end,parity,n,lo,hi;
#  - windows are [k*100ms, k*100ms + 200ms), emitted once per key, ordered by
#    window_end, window_start, parity;
#  - each window holds a run of consecutive values of its parity
#    (n = (hi - lo) / 2 + 1), and every value 0..599 lies in exactly 2
#    windows of its parity (so the counts sum to 2 x 600).
import datetime as dt, sys, time
COUNT, SIZE, SLIDE = 600, 200, 100
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def fail(msg):
    sys.exit(msg + "\n--- stdout:\n" + "\n".join(lines))
if not lines or lines[0] != "window_start,window_end,parity,n,lo,hi":
    fail("bad header")
def ms(text):
    t = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)
now = time.time() * 1000
order, seen = [], set()
cover = [0] * COUNT
for line in lines[1:]:
    s, e, p, n, lo, hi = line.split(",")
    s, e, p, n, lo, hi = ms(s), ms(e), int(p), int(n), int(lo), int(hi)
    if s % SLIDE or e - s != SIZE:
        fail("window [%d, %d) is not a 200 ms window sliding every 100 ms" % (s, e))
    if not now - 600_000 < s < now + 1000:
        fail("window start %d is far from the wall clock %d" % (s, now))
    if lo % 2 != p or hi % 2 != p or n != (hi - lo) // 2 + 1:
        fail("window does not hold one run of values of its parity: " + line)
    if (s, p) in seen:
        fail("window emitted twice: " + line)
    seen.add((s, p)); order.append((e, s, p))
    for v in range(lo, hi + 1, 2):
        cover[v] += 1
if order != sorted(order):
    fail("rows not ordered by window_end, window_start, key")
bad = [v for v in range(COUNT) if cover[v] != 2]
if bad:
    fail("values not in exactly 2 windows: %s" % bad[:10])
