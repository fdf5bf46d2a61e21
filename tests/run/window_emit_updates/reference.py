# Expected output: emit updates simulated by ../flowref.py over batches of 2
# records (watermark = max ts), for the tumbling and the sliding stream.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("events.csv")
for r in recs:
    r["ts"] = fr.parse_ts(r["ts"]); r["v"] = int(r["v"])
tum, _ = fr.event_time_windows(
    fr.batches(recs, 2), lambda r: r["ts"], lambda r: r, lambda r: (r["name"],),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["v"]), fr.Agg("last", lambda r: r["v"])], 10_000,
    emit="updates")
sli, _ = fr.event_time_windows(
    fr.batches(recs, 2), lambda r: r["ts"], lambda r: r, lambda r: (r["name"],),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["v"])], 10_000, 5_000, emit="updates")
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "name", "n", "total", "last_v"], fr.flatten(tum)))
fr.write("expected/out/sliding.csv", fr.csv_lines(["window_start", "window_end", "name", "n", "total"], fr.flatten(sli)))
