# Expected output: LANGUAGE.md 6.1 simulated by ../flowref.py over batches of
# 3 records (tumbling 10 s, watermark = max ts - 2 s at each batch end).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_jsonl("clicks.jsonl")
for r in recs:
    r["ts"] = fr.parse_ts(r["ts"])
    r["latency_ms"] = float(r.get("latency_ms", 0))
rows, late = fr.event_time_windows(
    fr.batches(recs, 3), lambda r: r["ts"], lambda r: r, lambda r: (r["page"],),
    lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["user"]),
             fr.Agg("sum", lambda r: r["latency_ms"], True), fr.Agg("avg", lambda r: r["latency_ms"])],
    10_000, delay=2_000)
assert late == 0
cols = ["window_start", "window_end", "page", "views", "users", "total", "avg_latency"]
fr.write("expected_stdout", fr.csv_lines(cols, fr.flatten(rows)))
fr.write("expected/out/per_page.jsonl", fr.json_lines(cols, fr.flatten(rows)))
