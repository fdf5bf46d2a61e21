# Invariants of window_batch's outputs, whose bounds are the wall clock:
#  - each file's rows, without window_start and window_end, are the rows
#    reference.py computed (expected_rows/NAME.csv, by batch number);
#  - the rows of one batch share one [start, end], in every file alike;
#  - start is a multiple of the batch interval (1h), start <= end, near the
#    wall clock, and batches come in order (bounds never go back).
import csv, datetime as dt, os, sys, time
HERE = os.path.dirname(os.path.abspath(__file__))
INTERVAL = 3_600_000

def ms(text):
    t = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)

bounds = {}  # batch number -> (start, end)
now = time.time() * 1000
for name in ["per_batch", "totals", "top_batch", "chained"]:
    with open(os.path.join(HERE, "expected_rows", name + ".csv"), newline="") as f:
        want = list(csv.reader(f))
    with open(os.path.join("out", name + ".csv"), newline="") as f:
        got = list(csv.reader(f))
    if got[0][:2] != ["window_start", "window_end"] or got[0][2:] != want[0][1:]:
        sys.exit("%s: header %s" % (name, got[0]))
    if [row[2:] for row in got[1:]] != [row[1:] for row in want[1:]]:
        sys.exit("%s: rows differ:\n%s\nwant:\n%s" % (name, got, want))
    for row, expected in zip(got[1:], want[1:]):
        b, start, end = int(expected[0]), ms(row[0]), ms(row[1])
        if bounds.setdefault(b, (start, end)) != (start, end):
            sys.exit("%s: batch %d has bounds %s and %s" % (name, b, bounds[b], (start, end)))
ordered = [bounds[b] for b in sorted(bounds)]
for start, end in ordered:
    if start % INTERVAL or start > end or not now - 600_000 < end < now + 1000:
        sys.exit("bad bounds [%d, %d]" % (start, end))
if ordered != sorted(ordered):
    sys.exit("batch bounds go back: %s" % ordered)
