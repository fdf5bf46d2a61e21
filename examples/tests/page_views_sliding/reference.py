"""Expected output of examples/page_views_sliding.flow for each case here.

    clicks (JSON, event time ts, watermark 2s; latency_ms defaults to 0)
    | left join pages on page   (no match: category = "other", its default)
    | window sliding 1m every 10s | group by category
    | aggregate views = count(), users = count_distinct(user), p_latency = avg(latency_ms)

Latencies are chosen so that every sum is exact: a sliding window's sum is
combined from its panes' sums in an order the contract leaves open, which
changes the last bits of inexact sums (the bundled data's 172.1, ...).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import casekit  # noqa: E402
from casekit import flowref as fr  # noqa: E402


def expected_stdout(case):
    max_records, _ = casekit.run_options(case)
    pages = {r["page"]: r["category"] for r in fr.read_csv(casekit.path(case, "data", "pages.csv"))}
    clicks = fr.read_jsonl(casekit.path(case, "data", "clicks.jsonl"))
    for c in clicks:
        c["ts"] = fr.parse_ts(c["ts"])
        c["latency_ms"] = float(c.get("latency_ms", 0))
        c["category"] = pages.get(c["page"], "other")
    per_batch, _late = fr.event_time_windows(
        fr.batches(clicks, max_records),
        time_of=lambda r: r["ts"],
        keep=lambda r: r,
        keys_of=lambda r: (r["category"],),
        make_aggs=lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["user"]),
                           fr.Agg("avg", lambda r: r["latency_ms"], is_float=True)],
        size=60_000, slide=10_000, delay=2_000)
    return fr.csv_lines(["window_start", "window_end", "category", "views", "users", "p_latency"],
                        fr.flatten(per_batch))


for case in casekit.cases(__file__):
    casekit.write_expected(case, "stdout", expected_stdout(case))
