# Expected output: sliding 10 s every 5 s simulated by ../flowref.py over
# batches of 2 records, watermark = max event time (no delay).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("events.csv")
for r in recs:
    r["t"] = fr.Ts(fr.parse_ts(r["t"])); r["v"] = int(r["v"])
rows, late = fr.event_time_windows(
    fr.batches(recs, 2), lambda r: r["t"], lambda r: r, lambda r: (r["k"],),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["v"]), fr.Agg("min", lambda r: r["t"]),
             fr.Agg("max", lambda r: r["t"])], 10_000, 5_000)
assert late == 0
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "k", "n", "bits", "earliest", "latest"],
                                         fr.flatten(rows)))
