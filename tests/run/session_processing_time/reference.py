# Expected output of pipeline.flow (one batch: every record has the same time).
# Run: python3 reference.py  (writes expected_stdout)
import csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sessionref import *  # the shared model of `window session` (../sessionref.py)

records = list(csv.DictReader(open("visits.csv")))
for r in records:
    r["ms"] = int(r["ms"])
aggs = [
    ("views", "count", lambda r: 1), ("total_ms", "sum", lambda r: r["ms"]),
    ("pages", "count_distinct", lambda r: r["page"]), ("entry", "first", lambda r: r["page"]),
    ("exit", "last", lambda r: r["page"]),
]
rows, late, merges = simulate(records, None, lambda r: (r["user"],), aggs, gap=10000, delay=0,
                              batch=len(records), emit="final", processing_time=True)
# select user, views, total_ms, pages, entry, exit, length = window_end - window_start
rows = [[row[2]] + row[3:] + [row[1].ms - row[0].ms] for row in rows]
print_csv(["user", "views", "total_ms", "pages", "entry", "exit", "length"], rows)
