# Expected output of pipeline.flow with --max-batch-records 7 (args).
# Run: python3 reference.py  (writes expected_stdout; --generate first rewrites events.csv)
import csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sessionref import *  # the shared model of `window session` (../sessionref.py)

import random, sys

if "--generate" in sys.argv:
    rnd = random.Random(20260301)
    t = 1000
    with open("events.csv", "w") as f:
        f.write("k,ts,v\n")
        for _ in range(800):
            t += rnd.randint(-5, 8)
            f.write("k%d,%d,%d\n" % (rnd.randint(0, 11), t + rnd.randint(-30, 30), rnd.randint(-3, 20)))

records = list(csv.DictReader(open("events.csv")))
for r in records:
    r["ts"] = ms(r["ts"])
    r["v"] = int(r["v"])
aggs = [
    ("n", "count", lambda r: 1), ("total", "sum", lambda r: r["v"]),
    ("distinct_v", "count_distinct", lambda r: r["v"]), ("first_v", "first", lambda r: r["v"]),
    ("last_v", "last", lambda r: r["v"]), ("low_k", "min", lambda r: r["k"]),
    ("high_v", "max", lambda r: r["v"]),
]
# `%` on ints takes the sign of the dividend (LANGUAGE.md 5): math.fmod, not Python's %.
rows, late, merges = simulate(records, lambda r: r["ts"],
                              lambda r: (r["k"], int(math.fmod(r["v"], 2))), aggs,
                              gap=20, delay=30, batch=7, emit="final")
print_csv(["window_start", "window_end", "k", "odd"] + [a[0] for a in aggs], rows)
print("late records:", late, "merges:", merges, "rows:", len(rows))
