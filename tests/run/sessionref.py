# ---- an independent model of `window session` (LANGUAGE.md 6.1, 6.2, 7) ----
# Each session keeps its records; aggregates are computed from them when a
# row is printed. Batches are runs of BATCH input records (the last batch is
# the final one: the watermark then becomes +infinity).
import csv, datetime as dt, math

INF = math.inf


def ms(text):
    """Timestamp field -> epoch ms (integer text or RFC 3339)."""
    if text.lstrip("-").isdigit():
        return int(text)
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(round(t.timestamp() * 1000))


def ts_text(v):
    t = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=v)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (t.microsecond // 1000) + "Z"


def value_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    if isinstance(v, Ts):
        return ts_text(v.ms)
    return str(v)


class Ts:
    def __init__(self, ms):
        self.ms = ms

    def __lt__(self, other):
        return self.ms < other.ms

    def __eq__(self, other):
        return self.ms == other.ms

    def __hash__(self):
        return hash(self.ms)


def aggregate(fn, values):
    """values in arrival order."""
    if fn == "count":
        return len(values)
    if fn == "sum":
        return sum(values)
    if fn == "avg":
        return float(sum(values)) / len(values)
    if fn == "min":
        return min(values)
    if fn == "max":
        return max(values)
    if fn == "count_distinct":
        return len(set(values))
    if fn == "first":
        return values[0]
    if fn == "last":
        return values[-1]
    raise ValueError(fn)


def simulate(records, time_of, key_of, aggs, gap, delay, batch, emit, processing_time=False):
    """records: dicts in arrival order; key_of(r) -> tuple; aggs: [(name, fn, arg(r))].
    Returns (rows as lists of values, late count, merge count)."""
    watermark = -INF
    max_time = -INF
    open_sessions = {}  # key -> list of sessions
    rows, late, merges, arrival = [], 0, 0, 0
    batches = [records[i:i + batch] for i in range(0, len(records), batch)] or [[]]
    for number, recs in enumerate(batches):
        final = number == len(batches) - 1
        at_start = watermark
        for r in recs:
            t = 0 if processing_time else time_of(r)
            max_time = max(max_time, t)
            if not processing_time and t + gap <= at_start:
                late += 1
                continue
            key = key_of(r)
            mine = open_sessions.setdefault(key, [])
            touched = [s for s in mine if s["start"] - gap <= t <= s["last"] + gap]
            merged = {"start": t, "last": t, "records": [(arrival, r)], "dirty": True}
            arrival += 1
            for s in touched:
                mine.remove(s)
                merged["start"] = min(merged["start"], s["start"])
                merged["last"] = max(merged["last"], s["last"])
                merged["records"] += s["records"]
            merges += max(0, len(touched) - 1)
            mine.append(merged)
        if final:
            watermark = INF
        elif not processing_time:
            watermark = max(watermark, max_time - delay)
        out = []
        for key, mine in open_sessions.items():
            for s in mine:
                end = s["last"] + gap
                fires = end <= watermark
                if (emit == "final" and fires) or (emit == "updates" and s["dirty"]):
                    recs_in_order = [r for _, r in sorted(s["records"], key=lambda x: x[0])]
                    vals = [aggregate(fn, [arg(r) for r in recs_in_order]) for _, fn, arg in aggs]
                    out.append(((end, s["start"]) + key, [Ts(s["start"]), Ts(end)] + list(key) + vals))
                s["dirty"] = False
            mine[:] = [s for s in mine if not s["last"] + gap <= watermark]
        out.sort(key=lambda x: x[0])
        rows += [v for _, v in out]
    return rows, late, merges


def print_csv(header, rows, path="expected_stdout"):
    lines = [",".join(header)] + [",".join(value_text(v) for v in row) for row in rows]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- this case ----
