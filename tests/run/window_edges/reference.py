# Expected output: 10 s windows floored toward -infinity; int sums wrapped to
# 64 bits; strings compared as UTF-8 bytes. Both streams give the same rows.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("points.csv")
for r in recs:
    r["t"] = fr.Ts(int(r["t"])); r["n"] = int(r["n"]); r["x"] = float(r["x"])
aggs = lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["n"]), fr.Agg("sum", lambda r: r["x"], True),
                fr.Agg("min", lambda r: r["who"].encode()), fr.Agg("max", lambda r: r["who"].encode()),
                fr.Agg("min", lambda r: r["t"])]
rows, _ = fr.event_time_windows([recs], lambda r: r["t"], lambda r: r, lambda r: (), aggs, 10_000)
rows = [tuple(v.decode() if isinstance(v, bytes) else v for v in row) for row in fr.flatten(rows)]
text = fr.csv_lines(["window_start", "window_end", "c", "n", "x", "lo", "hi", "earliest"], rows)
fr.write("expected_stdout", text)
fr.write("expected/out/sliding.csv", text)
