# Expected output of pipeline.flow with --max-batch-records 1 (args).
# Run: python3 reference.py  (writes expected_stdout)
import csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sessionref import *  # the shared model of `window session` (../sessionref.py)

records = list(csv.DictReader(open("events.csv")))
for r in records:
    r["ts"] = ms(r["ts"])
    r["v"] = int(r["v"])
    r["half"] = r["v"] / 2
aggs = [
    ("n", "count", None), ("total", "sum", lambda r: r["v"]), ("halves", "sum", lambda r: r["half"]),
    ("mean", "avg", lambda r: r["v"]), ("lo", "min", lambda r: r["v"]), ("hi", "max", lambda r: r["v"]),
    ("tags", "count_distinct", lambda r: r["tag"]), ("vs", "count_distinct", lambda r: r["v"]),
    ("first_tag", "first", lambda r: r["tag"]), ("last_tag", "last", lambda r: r["tag"]),
    ("first_v", "first", lambda r: r["v"]), ("last_half", "last", lambda r: r["half"]),
    ("min_tag", "min", lambda r: r["tag"]), ("max_tag", "max", lambda r: r["tag"]),
    ("first_ts", "first", lambda r: Ts(r["ts"])), ("latest", "max", lambda r: Ts(r["ts"])),
]
aggs = [(n, f, a or (lambda r: 1)) for n, f, a in aggs]
rows, late, merges = simulate(records, lambda r: r["ts"], lambda r: (r["user"],), aggs,
                              gap=3000, delay=5000, batch=1, emit="final")
print_csv(["window_start", "window_end", "user"] + [a[0] for a in aggs], rows)
print("late records:", late, "merges:", merges)
