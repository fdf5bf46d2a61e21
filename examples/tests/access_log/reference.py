"""Expected output of examples/access_log.flow for each case here.

    requests: regex lines (a line that does not match is a bad record:
              skipped, and it does not move the watermark), event time
              `time`, watermark 5s
    per_minute = window tumbling 1m | group by status, class | count,
                 sum(bytes), count_distinct(ip)          -> stdout (CSV)
    errors     = where status >= 500 or path in (/login, /admin)
                                                          -> out/errors.jsonl
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import casekit  # noqa: E402
from casekit import flowref as fr  # noqa: E402

PATTERN = re.compile(r'(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) '
                     r'(?P<path>\S+) [^"]*" (?P<status>\d{3}) (?P<bytes>\d+)')
MINUTE = 60_000
DELAY = 5_000


def parse(line):
    m = PATTERN.fullmatch(line)
    if not m:
        return None
    return {"ip": m["ip"], "time": fr.parse_ts(m["time"]), "method": m["method"],
            "path": m["path"], "status": int(m["status"]), "bytes": int(m["bytes"])}


def expected(case):
    max_records, _ = casekit.run_options(case)
    with open(casekit.path(case, "data", "access.log"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    # Batches are cut by records read, bad ones included.
    batches = [[r for r in map(parse, batch) if r is not None]
               for batch in fr.batches(lines, max_records)]
    per_batch, _late = fr.event_time_windows(
        batches,
        time_of=lambda r: r["time"],
        keep=lambda r: r,
        keys_of=lambda r: (r["status"], str(r["status"] // 100) + "xx"),
        make_aggs=lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["bytes"]),
                           fr.Agg("count_distinct", lambda r: r["ip"])],
        size=MINUTE, delay=DELAY)
    stdout = fr.csv_lines(["window_start", "window_end", "status", "class", "requests", "bytes",
                           "clients"], fr.flatten(per_batch))
    columns = ["ip", "time", "method", "path", "status", "bytes"]
    errors = [[r["ip"], fr.Ts(r["time"]), r["method"], r["path"], r["status"], r["bytes"]]
              for batch in batches for r in batch
              if r["status"] >= 500 or r["path"] in ("/login", "/admin")]
    return stdout, fr.json_lines(columns, errors)


for case in casekit.cases(__file__):
    stdout, errors = expected(case)
    casekit.write_expected(case, "stdout", stdout)
    casekit.write_expected(case, "out/errors.jsonl", errors)
