"""A plain Python model of threads_test.py's FIRST_LAST pipeline
(LANGUAGE.md 6.1, 6.2): first/last by arrival order, with count, min and
max, in a running aggregate, a tumbling and a sliding window, over the
runs that read each part of events.csv in turn (each resuming from the
last one's state). Written from the language's rules, not from flowc's
output: the rows each sink must hold, as text.

Batches are `batch_records` records of a part (bad ones count too). A bad
record (amount not an int) has no effect and does not move the watermark;
every record that parses moves it, before any `where`. The watermark after
a batch is the largest event time seen minus 2 s; a record is late when
every window it belongs to ends at or before the watermark as it stood when
its batch began; windows with window_end <= watermark fire at the batch's
end (ordered by window_end, then keys), and every open window fires at the
end of input. A running aggregate emits, after each batch, the groups that
batch updated, by key.
"""

MINUTE = 60_000
DELAY = 2_000
NEG_INF = float("-inf")


def _iso(ms):
    """A timestamp as flowc's JSON sinks write it (RFC 3339, UTC, ms)."""
    import datetime

    t = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _num(x):
    """A float as JSON sinks write it: the shortest text that reads back
    as it, without a fraction when it is integral (92, not 92.0)."""
    return "%d" % x if x == int(x) else repr(x)


class Windows:
    """Panes of `slide` ms, windows of `size` ms, per user: the count,
    first id, last value (`last_of`: "id" or "amount") and max amount of
    their records in arrival order (ids grow with arrival)."""

    def __init__(self, size, slide, last_of):
        self.size, self.slide, self.last_of = size, slide, last_of
        self.panes = {}  # (pane start, user) -> [n, first id, last id, last value, hi]
        self.fired = NEG_INF  # P: the window ends fired so far
        self.rows = []

    def add(self, rec, wm_start):
        rid, user, amount, ts = rec
        pane = ts // self.slide * self.slide
        if pane + self.size <= max(wm_start, self.fired):
            return  # late: every window of the record ended
        value = rid if self.last_of == "id" else amount
        p = self.panes.get((pane, user))
        if p is None:
            self.panes[(pane, user)] = [1, rid, rid, value, amount]
        else:
            p[0] += 1
            p[2], p[3] = rid, value
            p[4] = max(p[4], amount)

    def fire(self, watermark):
        ends = sorted({pane + k * self.slide for (pane, _) in self.panes
                       for k in range(1, self.size // self.slide + 1)})
        last_end = self.fired
        for end in ends:
            if not (self.fired < end <= watermark):
                continue
            last_end = end
            users = {}
            for (pane, user), p in self.panes.items():
                if end - self.size <= pane < end:
                    users.setdefault(user, []).append(p)
            for user in sorted(users):
                ps = users[user]
                first = min(ps, key=lambda p: p[1])
                last = max(ps, key=lambda p: p[2])
                self.rows.append((end, user, sum(p[0] for p in ps), first[1], last[3],
                                  max(p[4] for p in ps)))
        # P = W; at the end of input the last window end fired.
        self.fired = max(self.fired, last_end if watermark == float("inf") else watermark)
        self.panes = {k: p for k, p in self.panes.items() if k[0] + self.size > self.fired}


def model(parts, batch_records):
    """The rows of FIRST_LAST's sinks: {file name: bytes}."""
    running, run_rows = {}, []
    tumbling = Windows(MINUTE, MINUTE, "id")
    sliding = Windows(2 * MINUTE, MINUTE, "amount")
    watermark, max_ts = NEG_INF, NEG_INF
    for records in parts:
        for i in range(0, len(records), batch_records):
            touched = set()
            wm_start = watermark
            for line in records[i:i + batch_records]:
                rid, user, amount, ts = line.split(",")
                try:
                    rec = (int(rid), user, int(amount), int(ts))
                except ValueError:
                    continue  # a bad record
                max_ts = max(max_ts, rec[3])
                for w in (tumbling, sliding):
                    w.add(rec, wm_start)
                if rec[2] % 7 == 0:
                    continue
                g = running.get(user)
                if g is None:
                    running[user] = [1, rec[0], rec[2], rec[2], rec[2], rec[2] / 3]
                else:
                    g[0] += 1
                    g[2] = rec[2]
                    g[3] = min(g[3], rec[2])
                    g[4] = max(g[4], rec[2])
                touched.add(user)
            for user in sorted(touched):
                run_rows.append(running[user][:])
                run_rows[-1].insert(0, user)
            if max_ts - DELAY > watermark:
                watermark = max_ts - DELAY
            last = i + batch_records >= len(records)
            for w in (tumbling, sliding):
                w.fire(float("inf") if last else watermark)
        # The next part is an incremental run: its watermark starts where
        # this one's was (the windows that fired stay fired).
    out = {}
    out["out/running.jsonl"] = "".join(
        '{"user":"%s","n":%d,"f":%d,"l":%d,"lo":%d,"hi":%d,"third":%s}\n'
        % (u, n, f, l, lo, hi, _num(third)) for u, n, f, l, lo, hi, third in run_rows)
    out["out/tumbling.jsonl"] = "".join(
        '{"window_start":"%s","window_end":"%s","user":"%s","n":%d,"f":%d,"l":%d,"hi":%d}\n'
        % (_iso(e - MINUTE), _iso(e), u, n, f, l, hi) for e, u, n, f, l, hi in tumbling.rows)
    out["out/sliding.jsonl"] = "".join(
        '{"window_start":"%s","window_end":"%s","user":"%s","n":%d,"f":%d,"l":%d,"hi":%d}\n'
        % (_iso(e - 2 * MINUTE), _iso(e), u, n, f, l, hi) for e, u, n, f, l, hi in sliding.rows)
    return {k: v.encode() for k, v in out.items()}


def float_model(parts, batch_records):
    """The rows of FLOAT_SUMS's `running` and `per_minute` (events with a
    float `v`, no bad or late records) as parsed JSON: float sums added one
    record at a time in arrival order (Python's float is the same IEEE
    double), avg = that sum / the count."""
    running, run_rows = {}, []
    panes, fired, win_rows = {}, NEG_INF, []
    watermark, max_ts = NEG_INF, NEG_INF
    for records in parts:
        for i in range(0, len(records), batch_records):
            touched = set()
            wm_start = watermark
            for line in records[i:i + batch_records]:
                rid, user, amount, v, ts = line.split(",")
                rid, amount, v, ts = int(rid), int(amount), float(v), int(ts)
                max_ts = max(max_ts, ts)
                pane = ts // MINUTE * MINUTE
                if pane + MINUTE > max(wm_start, fired):
                    p = panes.setdefault((pane, user), [0, 0.0, amount])
                    p[0] += 1
                    p[1] += v
                    p[2] = max(p[2], amount)
                if amount % 7 == 0:
                    continue
                g = running.setdefault(user, {"n": 0, "total": 0.0, "f": rid, "lo": v})
                g["n"] += 1
                g["total"] += v
                g["l"] = v
                g["lo"] = min(g["lo"], v)
                touched.add(user)
            for user in sorted(touched):
                g = running[user]
                run_rows.append({"user": user, "n": g["n"], "total": g["total"],
                                 "mean": g["total"] / g["n"], "f": g["f"], "l": g["l"], "lo": g["lo"]})
            if max_ts - DELAY > watermark:
                watermark = max_ts - DELAY
            w = float("inf") if i + batch_records >= len(records) else watermark
            last_end = fired
            for (pane, user) in sorted(panes, key=lambda k: (k[0], k[1])):
                end = pane + MINUTE
                if fired < end <= w:
                    n, total, hi = panes[(pane, user)]
                    win_rows.append({"window_start": pane, "window_end": end, "user": user, "n": n,
                                     "total": total, "mean": total / n, "hi": hi})
                    last_end = max(last_end, end)
            fired = max(fired, last_end if w == float("inf") else w)
            panes = {k: p for k, p in panes.items() if k[0] + MINUTE > fired}
    for r in win_rows:
        r["window_start"], r["window_end"] = _iso(r["window_start"]), _iso(r["window_end"])
    return {"out/running.jsonl": run_rows, "out/per_minute.jsonl": win_rows}
