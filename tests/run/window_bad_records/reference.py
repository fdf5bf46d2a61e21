# Expected output: records that do not convert to the schema are dropped
# before anything (they do not move the watermark); the rest go through
# ../flowref.py's tumbling windows, one record per batch. Writes
# expected_stdout, expected_late and expected_bad (for check.py).
import json, os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
good, bad = [], 0
for line in open("events.jsonl"):
    r = json.loads(line)
    if not isinstance(r.get("ts"), int) or not isinstance(r.get("ms"), int) or not isinstance(r.get("page"), str):
        bad += 1
        continue
    good.append(r)
# Bad records are not in any batch's records for the watermark; with one
# record per batch a bad record's batch holds nothing that counts.
rows, late = fr.event_time_windows([[r] for r in good], lambda r: r["ts"], lambda r: r, lambda r: (r["page"],),
                                   lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["ms"])], 10_000)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "page", "n", "ms"], fr.flatten(rows)))
fr.write("expected_late", "%d\n" % late)
fr.write("expected_bad", "%d\n" % bad)
