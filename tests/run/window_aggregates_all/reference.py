# Expected output: every aggregate per (hour window, shop) computed directly
# by ../flowref.py (batches of 3; watermark max - 1h: everything fires at the end).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("sales.csv")
for r in recs:
    r["at"] = fr.Ts(fr.parse_ts(r["at"])); r["qty"] = int(r["qty"]); r["price"] = float(r["price"])
A = fr.Agg
aggs = lambda: [A("count"), A("sum", lambda r: r["qty"]), A("sum", lambda r: r["price"], True),
                A("avg", lambda r: r["price"]), A("min", lambda r: r["qty"]), A("max", lambda r: r["qty"]),
                A("min", lambda r: r["price"]), A("max", lambda r: r["price"]),
                A("min", lambda r: r["item"].encode()), A("max", lambda r: r["item"].encode()),
                A("min", lambda r: r["at"]), A("max", lambda r: r["at"]),
                A("count_distinct", lambda r: r["item"]), A("count_distinct", lambda r: r["qty"]),
                A("first", lambda r: r["item"]), A("last", lambda r: r["item"]),
                A("first", lambda r: r["at"]), A("last", lambda r: r["price"])]
rows, late = fr.event_time_windows(fr.batches(recs, 3), lambda r: r["at"], lambda r: r,
                                   lambda r: (r["shop"],), aggs, 3_600_000, delay=3_600_000)
assert late == 0
rows = [tuple(v.decode() if isinstance(v, bytes) else v for v in row) for row in fr.flatten(rows)]
cols = ["window_start", "window_end", "shop", "n", "qty", "revenue", "avg_price", "min_qty", "max_qty",
        "min_price", "max_price", "min_item", "max_item", "earliest", "latest", "items", "qtys",
        "first_item", "last_item", "first_at", "last_price"]
fr.write("expected_stdout", fr.csv_lines(cols, rows))
fr.write("expected/out/hourly.jsonl", fr.json_lines(cols, rows))
