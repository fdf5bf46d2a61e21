# Expected output: tumbling 10 s over batches of 1 record, watermark = max ts
# - 1 s; writes expected_stdout and expected_late (read by check.py).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("events.csv")
for r in recs:
    r["ts"] = int(r["ts"]); r["n"] = int(r["n"])
rows, late = fr.event_time_windows(
    fr.batches(recs, 1), lambda r: r["ts"], lambda r: r, lambda r: (r["key"],),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["n"]), fr.Agg("last", lambda r: r["n"])], 10_000, delay=1_000)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "key", "count", "ns", "last_n"], fr.flatten(rows)))
fr.write("expected_late", "%d\n" % late)
