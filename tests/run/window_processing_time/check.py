# Invariants of processing-time tumbling windows over generate(count: 600):
#  - the header is window_start,window_end,n,lo,hi,total;
#  - every window is [k*200ms, (k+1)*200ms), near the wall clock, emitted
#    once, in window_end order (emit final);
#  - batches read records in arrival order, so each window holds a run of
#    consecutive values: n = hi - lo + 1, total = the run's sum; the runs
#    cover 0..599 exactly once (counts sum to the input count).
import datetime as dt, sys, time
COUNT, SIZE = 600, 200
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def fail(msg):
    sys.exit(msg + "\n--- stdout:\n" + "\n".join(lines))
if not lines or lines[0] != "window_start,window_end,n,lo,hi,total":
    fail("bad header")
def ms(text):
    t = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)
now = time.time() * 1000
rows, ends = [], []
for line in lines[1:]:
    s, e, n, lo, hi, total = line.split(",")
    s, e, n, lo, hi, total = ms(s), ms(e), int(n), int(lo), int(hi), int(total)
    if s % SIZE or e - s != SIZE:
        fail("window [%d, %d) is not a 200 ms tumbling window" % (s, e))
    if not now - 600_000 < s < now + 1000:
        fail("window start %d is far from the wall clock %d" % (s, now))
    if n != hi - lo + 1 or total != (lo + hi) * n // 2:
        fail("window %d does not hold one run of consecutive values: %s" % (s, line))
    rows.append((lo, hi)); ends.append(e)
if ends != sorted(ends) or len(set(ends)) != len(ends):
    fail("windows not emitted once each in window_end order")
rows.sort()
expect = 0
for lo, hi in rows:
    if lo != expect:
        fail("values %d.. are missing or counted twice" % expect)
    expect = hi + 1
if expect != COUNT:
    fail("counts sum to %d, not %d" % (expect, COUNT))
