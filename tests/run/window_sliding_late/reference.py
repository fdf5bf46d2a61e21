# Expected output: sliding 10 s every 5 s over batches of 1 record, watermark
# = max event time; writes expected_stdout and expected_late (for check.py).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_jsonl("events.jsonl")
for r in recs:
    r["at"] = fr.parse_ts(r["at"])
rows, late = fr.event_time_windows(
    fr.batches(recs, 1), lambda r: r["at"], lambda r: r, lambda r: (),
    lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["id"]), fr.Agg("first", lambda r: r["id"]),
             fr.Agg("last", lambda r: r["id"]), fr.Agg("max", lambda r: r["id"])], 10_000, 5_000)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "n", "ids", "first_id", "last_id", "max_id"],
                                         fr.flatten(rows)))
fr.write("expected_late", "%d\n" % late)
