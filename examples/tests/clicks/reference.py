"""Expected output of examples/clicks.flow for each case here.

    clicks (JSON, event time ts, watermark 5s, on_error skip)
    slow = clicks | where latency_ms > threshold and page != ""
           | join pages on page | select *, very_slow = latency_ms > 1000
                                                   -> out/slow.jsonl
    per_category = slow | window sliding 1m every 10s | group by category
           | aggregate views, users, avg_latency, worst  -> stdout (CSV)

A record whose latency_ms is not a number is bad: dropped, and it does
not move the watermark (LANGUAGE.md 6.1, 9).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import casekit  # noqa: E402
from casekit import flowref as fr  # noqa: E402


def parse(c):
    latency = c.get("latency_ms", 0)
    if isinstance(latency, bool) or not isinstance(latency, (int, float)):
        return None
    return {"ts": fr.parse_ts(c["ts"]), "user": c["user"], "page": c["page"],
            "latency_ms": float(latency)}


def expected(case):
    max_records, params = casekit.run_options(case)
    threshold = float(params.get("threshold", "250"))
    pages = {r["page"]: r["category"] for r in fr.read_csv(casekit.path(case, "data", "pages.csv"))}
    raw = fr.read_jsonl(casekit.path(case, "data", "clicks.jsonl"))
    batches = [[r for r in map(parse, batch) if r is not None]
               for batch in fr.batches(raw, max_records)]

    def slow(r):
        if not (r["latency_ms"] > threshold and r["page"] != "") or r["page"] not in pages:
            return None
        return dict(r, category=pages[r["page"]], very_slow=r["latency_ms"] > 1000)

    per_batch, _late = fr.event_time_windows(
        batches, time_of=lambda r: r["ts"], keep=slow,
        keys_of=lambda r: (r["category"],),
        make_aggs=lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["user"]),
                           fr.Agg("avg", lambda r: r["latency_ms"], is_float=True),
                           fr.Agg("max", lambda r: r["latency_ms"])],
        size=60_000, slide=10_000, delay=5_000)
    stdout = fr.csv_lines(["window_start", "window_end", "category", "views", "users",
                           "avg_latency", "worst"], fr.flatten(per_batch))
    rows = [[fr.Ts(s["ts"]), s["user"], s["page"], s["latency_ms"], s["category"], s["very_slow"]]
            for batch in batches for s in map(slow, batch) if s is not None]
    columns = ["ts", "user", "page", "latency_ms", "category", "very_slow"]
    return stdout, fr.json_lines(columns, rows)


# The windows' float averages are exact only for latencies whose sums are
# (small multiples of powers of two): a sliding window's sum is combined
# from its panes' sums in an order the contract leaves open. The bundled
# data's latencies (172.1, ...) are not, so its case checks the `slow`
# stream only; `threshold` checks the windows.
WINDOWS_CHECKED = {"threshold"}

for case in casekit.cases(__file__):
    stdout, slow_rows = expected(case)
    if os.path.basename(case) in WINDOWS_CHECKED:
        casekit.write_expected(case, "stdout", stdout)
    casekit.write_expected(case, "out/slow.jsonl", slow_rows)
