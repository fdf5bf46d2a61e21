# Expected output of pipeline.flow with --max-batch-records 2 (args).
# Run: python3 reference.py  (writes expected_stdout)
import csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sessionref import *  # the shared model of `window session` (../sessionref.py)

records = list(csv.DictReader(open("events.csv")))
for r in records:
    r["ts"] = ms(r["ts"])
    r["v"] = int(r["v"])
aggs = [
    ("n", "count", lambda r: 1), ("total", "sum", lambda r: r["v"]),
    ("tags", "count_distinct", lambda r: r["tag"]), ("first_tag", "first", lambda r: r["tag"]),
    ("last_tag", "last", lambda r: r["tag"]), ("hi", "max", lambda r: r["v"]),
]
rows, late, merges = simulate(records, lambda r: r["ts"], lambda r: (r["user"],), aggs,
                              gap=3000, delay=5000, batch=2, emit="updates")
print_csv(["window_start", "window_end", "user"] + [a[0] for a in aggs], rows)
print("late records:", late, "merges:", merges)
