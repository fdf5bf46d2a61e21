# Expected output of timestamp_format, from flowref.parse_ts_format (the
# model of LANGUAGE.md 13's formats): which records are bad, their dead
# letters, the parsed rows, and the event-time windows of the log's good
# records (batches of 3 records read, bad ones included; only good ones
# move the watermark).
import json, os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

def dead(source, path, line, error, record):
    return json.dumps({"source": source, "position": "%s:%d" % (path, line), "error": error, "record": record},
                      ensure_ascii=False, separators=(",", ":")) + "\n"

def bad_field(name, fmt, text):
    return 'field "%s": expected timestamp in the format "%s", got "%s"' % (name, fmt, text)

# The access log.
LOG = re.compile(r'(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d+) \S+')
LOG_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
records, dead_log = [], ""
for n, line in enumerate(open("access.log").read().splitlines(), 1):
    m = LOG.fullmatch(line)
    ts = fr.parse_ts_format(m["time"], LOG_FORMAT)
    if ts is None:
        dead_log += dead("log", "access.log", n, bad_field("time", LOG_FORMAT, m["time"]), line)
        records.append(None)
    else:
        records.append({"ts": ts, "host": m["host"], "status": int(m["status"])})
batches = [[r for r in b if r] for b in fr.batches(records, 3)]
per_batch, late = fr.event_time_windows(batches, lambda r: r["ts"], lambda r: r, lambda r: (r["status"],),
                                        lambda: [fr.Agg("count"), fr.Agg("first", lambda r: r["host"])], 60_000)
assert late == 1  # the -0530 record

# The JSON times.
FORMATS = {"plain": "%Y-%m-%d %H:%M:%S", "epoch": "%s.%f", "yday": "%Y-%j", "named": "%b %d %Y %H:%M"}
rows, dead_times = [], ""
for n, line in enumerate(open("times.jsonl").read().splitlines(), 1):
    obj = json.loads(line)
    row, error = [obj["id"]], None
    for name, fmt in FORMATS.items():
        text = line.split('"%s": ' % name)[1].split(",")[0].rstrip("}").strip('"') if name in obj else None
        if text is None:
            row.append(fr.Ts(0))  # the default
            continue
        ts = fr.parse_ts_format(text, fmt)
        if ts is None:
            error = error or bad_field(name, fmt, text)
        row.append(fr.Ts(ts if ts is not None else 0))
    if error:
        dead_times += dead("times", "times.jsonl", n, error, line)
    else:
        rows.append(row)

# parse_timestamp.
parsed, dead_dates = [], ""
for n, line in enumerate(open("dates.csv").read().splitlines(), 1):
    if n == 1:
        continue
    fmt = "%d.%m.%Y %H:%M" if len(line) > 10 else "%d.%m.%Y"
    ts = fr.parse_ts_format(line, fmt)
    if ts is None:
        dead_dates += dead("dates", "dates.csv", n, 'parse_timestamp() of text not in the format "%s"' % fmt, line)
    else:
        parsed.append((line, fr.Ts(ts)))

fr.write("expected/out/per_minute.csv",
         fr.csv_lines(["window_start", "window_end", "status", "hits", "first_host"], fr.flatten(per_batch)))
fr.write("expected/out/dead_log.jsonl", dead_log)
fr.write("expected/out/times.csv", fr.csv_lines(["id", "plain", "epoch", "yday", "named"], rows))
fr.write("expected/out/dead_times.jsonl", dead_times)
fr.write("expected/out/parsed.csv", fr.csv_lines(["text", "at"], parsed))
fr.write("expected/out/dead_dates.jsonl", dead_dates)
