# Expected output with the args' values: tumbling 4 s windows and 3 s
# sessions per user, watermark = max event time - 5 s, one record per batch
# (flowref.py and sessionref.py, independent models of LANGUAGE.md 6.1).
import csv, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
import sessionref as sr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
SIZE, GAP, DELAY = 4_000, 3_000, 5_000
records = list(csv.DictReader(open("events.csv")))
for r in records:
    r["ts"] = fr.parse_ts(r["ts"])
    r["v"] = int(r["v"])
rows, late = fr.event_time_windows(
    fr.batches(records, 1), lambda r: r["ts"], lambda r: r, lambda r: (),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["v"])], SIZE, delay=DELAY)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "n", "total"], fr.flatten(rows)))
aggs = [("n", "count", lambda r: 1), ("total", "sum", lambda r: r["v"]), ("first_tag", "first", lambda r: r["tag"])]
rows, late, merges = sr.simulate(records, lambda r: r["ts"], lambda r: (r["user"],), aggs,
                                 gap=GAP, delay=DELAY, batch=1, emit="final")
os.makedirs("expected/out", exist_ok=True)
sr.print_csv(["window_start", "window_end", "user", "n", "total", "first_tag"], rows, "expected/out/sessions.csv")
