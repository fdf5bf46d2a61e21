# Expected out/sessions.jsonl of pipeline.flow with --max-batch-records 3 (args).
# Run: python3 reference.py  (writes expected/out/sessions.jsonl)
import csv, math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sessionref import *  # the shared model of `window session` (../sessionref.py)

import json, os

records = list(csv.DictReader(open("orders.csv")))
for r in records:
    r["at"] = ms(r["at"])
    r["v"] = int(r["v"])
    r["price"] = float(r["price"])
aggs = [
    ("n", "count", lambda r: 1), ("spent", "sum", lambda r: r["price"]),
    ("mean", "avg", lambda r: r["price"]), ("cheapest", "min", lambda r: r["price"]),
    ("earliest", "min", lambda r: Ts(r["at"])), ("latest", "max", lambda r: Ts(r["at"])),
    ("first_at", "first", lambda r: Ts(r["at"])), ("last_at", "last", lambda r: Ts(r["at"])),
    ("kinds", "count_distinct", lambda r: r["item"]), ("first_item", "first", lambda r: r["item"]),
    ("top_item", "max", lambda r: r["item"]), ("total", "sum", lambda r: r["v"]),
    ("lowest", "min", lambda r: r["v"]),
]
# `%` on ints takes the sign of the dividend (LANGUAGE.md 5): math.fmod, not Python's %.
rows, late, merges = simulate(records, lambda r: r["at"],
                              lambda r: (r["region"], int(math.fmod(r["v"], 2))), aggs,
                              gap=60000, delay=0, batch=3, emit="final")
names = ["window_start", "window_end", "region", "parity"] + [a[0] for a in aggs]


def json_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, Ts):
        return '"' + value_text(v) + '"'
    return value_text(v)


os.makedirs("expected/out", exist_ok=True)
with open("expected/out/sessions.jsonl", "w") as f:
    for row in rows:
        f.write("{" + ",".join('"%s":%s' % (n, json_value(v)) for n, v in zip(names, row)) + "}\n")
print("late records:", late, "merges:", merges)
