# Expected output: sliding 60 s every 10 s simulated by ../flowref.py over
# batches of 4 records, watermark = max time of every parsed record - 15 s.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_jsonl("requests.jsonl")
rows, late = fr.event_time_windows(
    fr.batches(recs, 4), lambda r: r["time"], lambda r: r if r["status"] != 500 else None,
    lambda r: (r["region"], r["device"]),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["bytes"]), fr.Agg("count_distinct", lambda r: r["status"])],
    60_000, 10_000, delay=15_000)
print("late:", late)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "region", "device", "n", "bytes", "statuses"],
                                         fr.flatten(rows)))
