# Expected output: filter, table lookup, then ../flowref.py's tumbling
# windows over batches of 3 records (watermark = max event_time - 5 s over
# every parsed record, joined or not).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
ads = {int(r["ad_id"]): int(r["campaign_id"]) for r in fr.read_csv("ads.csv")}
recs = fr.read_jsonl("events.jsonl")
def keep(r):
    if r["event_type"] != "view" or r["ad_id"] not in ads:
        return None
    return dict(r, campaign=ads[r["ad_id"]])
rows, late = fr.event_time_windows(
    fr.batches(recs, 3), lambda r: r["event_time"], keep, lambda r: (r["campaign"],),
    lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["ad_id"])], 10_000, delay=5_000)
print("late:", late)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "campaign", "views", "ads"], fr.flatten(rows)))
