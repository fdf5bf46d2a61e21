"""flowref — a small, slow, independent model of LANGUAGE.md for reference.py scripts.

Not flowc code and not derived from its output: it implements the contract
directly (sections 3, 6.1, 6.2, 6.3, 7) in plain Python, so a case's
reference.py can compute its expected output from the case's own input. The
runner never imports it; a reference.py does, with:

    import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import flowref as fr

What it models:
  - text forms of values (section 3): timestamps, shortest floats, CSV quoting,
    JSON lines in schema order;
  - micro-batches cut every N records (`--max-batch-records N`);
  - windows (6.1): tumbling and sliding, event time with the watermark rule
    (advanced at the end of each batch from every parsed record, before any
    `where`), firing of windows with window_end <= watermark, late records
    (every window of the record ended at or before the watermark as it stood
    when the record's batch began), +infinity at the end of input, emission
    order window_end, window_start, keys; `emit final` and `emit updates`;
  - aggregates (6.2), and keyed state (6.3) through small helpers;
  - several sources (13): how the runtime cuts their records into batches,
    per-source watermarks (+infinity once a source has ended), and the
    interval join of `join S on F within D` (IntervalJoin).
  - section 13: running aggregates with `emit all`, `top N by ...` per
    window or per batch, keyed state with `delete` and `emit expired`, and
    timestamps in a strptime format.
"""

import csv
import datetime as _dt
import io
import json
import math
from decimal import Decimal

NEG_INF = float("-inf")
POS_INF = float("inf")

# ---------------------------------------------------------------- values


def parse_ts(text):
    """Section 3 timestamp text (RFC 3339 / ISO-8601, or epoch ms digits) -> epoch ms."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    delta = t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def fmt_ts(ms):
    t = _dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def fmt_float(x):
    """Shortest round-trip text, fixed or scientific, whichever is shorter (fixed on a tie)."""
    if x != x:
        return "nan"
    if x == POS_INF:
        return "inf"
    if x == NEG_INF:
        return "-inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign, digits, exp = Decimal(repr(x)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    # value = 0.ds * 10^point
    point = len(digits) + exp
    if point >= len(ds):
        fixed = ds + "0" * (point - len(ds))
    elif point > 0:
        fixed = ds[:point] + "." + ds[point:]
    else:
        fixed = "0." + "0" * (-point) + ds
    e = point - 1
    sci = ds[0] + ("." + ds[1:] if len(ds) > 1 else "") + "e" + ("-" if e < 0 else "+") + "%02d" % abs(e)
    text = fixed if len(fixed) <= len(sci) else sci
    return ("-" if sign else "") + text


class Ts(int):
    """An int that prints as a timestamp."""


def wrap64(n):
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Ts):
        return fmt_ts(v)
    if isinstance(v, float):
        return fmt_float(v)
    return str(v)


def csv_field(v):
    s = text(v)
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_lines(columns, rows):
    """A CSV sink's text: the header once, then one line per row."""
    out = [",".join(columns)]
    out += [",".join(csv_field(v) for v in row) for row in rows]
    return "".join(line + "\n" for line in out)


def json_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Ts):
        return json.dumps(fmt_ts(v))
    if isinstance(v, float):
        s = fmt_float(v)
        return json.dumps(s) if s in ("nan", "inf", "-inf") else s
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def json_lines(columns, rows):
    return "".join("{" + ",".join(json.dumps(c) + ":" + json_value(v) for c, v in zip(columns, row)) + "}\n"
                   for row in rows)


def write(path, content):
    import os
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(content)


# ---------------------------------------------------------------- input


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f)]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def batches(records, n):
    """Micro-batches of at most n records, in arrival order."""
    return [records[i:i + n] for i in range(0, len(records), n)]


# ---------------------------------------------------------------- aggregates


class Agg:
    """One aggregate's running value. kind: count sum avg min max count_distinct first last."""

    def __init__(self, kind, arg=None, is_float=False):
        self.kind, self.arg, self.is_float = kind, arg, is_float
        self.n, self.total, self.val, self.seen = 0, (0.0 if is_float else 0), None, set()

    def add(self, rec):
        x = self.arg(rec) if self.arg else None
        self.n += 1
        k = self.kind
        if k in ("sum", "avg"):
            self.total = self.total + x if self.is_float or k == "avg" else wrap64(self.total + x)
        elif k == "min":
            self.val = x if self.val is None or x < self.val else self.val
        elif k == "max":
            self.val = x if self.val is None or x > self.val else self.val
        elif k == "count_distinct":
            self.seen.add(x)
        elif k == "first":
            self.val = x if self.n == 1 else self.val
        elif k == "last":
            self.val = x

    def value(self):
        k = self.kind
        if k == "count":
            return self.n
        if k == "sum":
            return self.total
        if k == "avg":
            return float(self.total) / self.n
        if k == "count_distinct":
            return len(self.seen)
        return self.val


def sort_key(v):
    """Key order: numbers numerically, strings bytewise, bools false < true."""
    if isinstance(v, str):
        return v.encode("utf-8")
    return v


# ---------------------------------------------------------------- windows


def windows_of(t, size, slide=None):
    """[(start, end)] of every window containing t: tumbling `size`, or sliding `size` every `slide`."""
    slide = slide or size
    k = t // slide  # floor, also for negative times
    out = []
    start = k * slide
    while start + size > t:
        out.append((start, start + size))
        start -= slide
    return sorted(out)


def event_time_windows(batches_, time_of, keep, keys_of, make_aggs, size, slide=None,
                       delay=0, emit="final"):
    """Runs one windowed aggregate under event time over micro-batches.

    time_of(rec)   -> the record's event time (ms); every record in batches_ counts
                      for the watermark (they are the records that parsed)
    keep(rec)      -> the record after the stages before `window` (where/join/select),
                      or None when they drop it
    keys_of(rec)   -> tuple of group key values (() without group by)
    make_aggs()    -> list of fresh Agg
    Returns (list of per-batch row lists, late count). A row is
    (Ts(start), Ts(end), *keys, *aggregate values).
    """
    wm = NEG_INF
    max_seen = NEG_INF
    open_ = {}  # (start, end, keys) -> aggs
    late = 0
    out = []

    def row(wkey):
        s, e, keys = wkey
        return (Ts(s), Ts(e)) + tuple(keys) + tuple(a.value() for a in open_[wkey])

    def order(wkey):
        s, e, keys = wkey
        return (e, s) + tuple(sort_key(k) for k in keys)

    for batch in batches_:
        wm_at_start = wm
        touched = set()
        for rec in batch:
            t = time_of(rec)
            max_seen = max(max_seen, t)
            r = keep(rec)
            if r is None:
                continue
            wins = windows_of(t, size, slide)
            live = [w for w in wins if w[1] > wm_at_start]
            if not live:
                late += 1
                continue
            keys = tuple(keys_of(r))
            for s, e in live:
                wkey = (s, e, keys)
                if wkey not in open_:
                    open_[wkey] = make_aggs()
                for a in open_[wkey]:
                    a.add(r)
                touched.add(wkey)
        if max_seen != NEG_INF:
            wm = max(wm, max_seen - delay)
        if emit == "final":
            fired = sorted((w for w in open_ if w[1] <= wm), key=order)
            out.append([row(w) for w in fired])
        else:
            out.append([row(w) for w in sorted(touched, key=order)])
            fired = [w for w in open_ if w[1] <= wm]
        for w in fired:
            del open_[w]
    if emit == "final" and open_:
        out.append([row(w) for w in sorted(open_, key=order)])
    return out, late


def flatten(per_batch):
    return [row for rows in per_batch for row in rows]


class WindowStage:
    """One windowed aggregate under event time, stepped by hand, so that a
    case can chain them (roll-ups, LANGUAGE.md 13): feed records with
    add(), then fire() at each batch end; the rows fire() returns carry event
    time window_end - 1 ms for the next stage.

    keys_of(rec) -> tuple of group key values; make_aggs() -> list of Agg.
    """

    def __init__(self, keys_of, make_aggs, size, slide=None):
        self.keys_of, self.make_aggs, self.size, self.slide = keys_of, make_aggs, size, slide
        self.open = {}  # (start, end, keys) -> aggs
        self.late = 0

    def add(self, rec, t, wm_at_start):
        live = [w for w in windows_of(t, self.size, self.slide) if w[1] > wm_at_start]
        if not live:
            self.late += 1
            return
        keys = tuple(self.keys_of(rec))
        for s, e in live:
            aggs = self.open.setdefault((s, e, keys), None) or self.make_aggs()
            self.open[(s, e, keys)] = aggs
            for a in aggs:
                a.add(rec)

    def fire(self, wm):
        """Rows (Ts(start), Ts(end), *keys, *values) of the windows ending at or
        before wm, in emission order (section 6.1)."""
        ready = sorted((w for w in self.open if w[1] <= wm),
                       key=lambda w: (w[1], w[0]) + tuple(sort_key(k) for k in w[2]))
        rows = [(Ts(w[0]), Ts(w[1])) + tuple(w[2]) + tuple(a.value() for a in self.open.pop(w))
                for w in ready]
        return rows


# ---------------------------------------------------------------- several sources (LANGUAGE.md 7, 13)
#
# With more than one source, which records share a batch depends on how the
# runtime reads them (runtime/batch_loop.cpp, sources): each round it asks
# every source that has not ended, in declaration order, for up to
# min(room left in the batch, 4096) records; a small file is read whole by
# its first read, hands its records over in that way, and ends at the read
# after its last record (a full batch also looks ahead: a source with no
# record left ends with it); generate() ends with its last record. A batch
# ends when it holds N records or every source has ended (the last batch).
# Each source's watermark is its own (6.1) and is +infinity once the source
# has ended (13 "Union": an input that has ended no longer holds the
# watermark back).

CHUNK = 4096


class FileSource:
    """A small file's records (read whole by the first read)."""

    def __init__(self, records):
        self.records, self.pos, self.ended = list(records), 0, False

    def pump(self, budget):
        if self.ended:
            return []
        if self.pos == len(self.records):
            self.ended = True  # the read after the last record finds the end
            return []
        out = self.records[self.pos:self.pos + min(budget, CHUNK)]
        self.pos += len(out)
        return out

    def probe_end(self):
        if self.pos == len(self.records):
            self.ended = True
        return self.ended


class GenerateSource:
    """generate(count: N, start: S, step: D): records {value, ts}."""

    def __init__(self, count, start=0, step=1):
        self.count, self.start, self.step, self.next, self.ended = count, start, step, 0, False

    def pump(self, budget):
        if self.ended:
            return []
        n = min(budget, CHUNK, self.count - self.next)
        out = [{"value": v, "ts": self.start + v * self.step} for v in range(self.next, self.next + n)]
        self.next += n
        if self.next >= self.count:
            self.ended = True
        return out

    def probe_end(self):
        if self.next >= self.count:
            self.ended = True
        return self.ended


def source_batches(sources, n):
    """[(records, ended, final)] per batch: records as (source index, record)
    in arrival order, ended[i] whether source i has ended by the batch's end,
    final when every source has."""
    out = []
    while True:
        batch, final = [], all(s.ended for s in sources)
        while not final and len(batch) < n:
            for i, s in enumerate(sources):
                if s.ended:
                    continue
                batch += [(i, r) for r in s.pump(n - len(batch))]
                if len(batch) >= n:
                    break
            final = all(s.ended for s in sources)
        if not final:  # a full batch looks ahead
            final = all([s.ended or s.probe_end() for s in sources])
        out.append((batch, [s.ended for s in sources], final))
        if final:
            return out


class Watermarks:
    """Per-source watermarks under event time: max event time seen - delay,
    +infinity once the source has ended. Call end_batch() at each batch end;
    of(sources, lag) is the least of theirs, less lag (a join's output)."""

    def __init__(self, delays):
        self.delays = list(delays)
        self.max_seen = [NEG_INF] * len(delays)
        self.wm = [NEG_INF] * len(delays)

    def saw(self, source, t):
        self.max_seen[source] = max(self.max_seen[source], t)

    def end_batch(self, ended, final):
        for i, d in enumerate(self.delays):
            if self.max_seen[i] != NEG_INF:
                self.wm[i] = max(self.wm[i], self.max_seen[i] - d)
            if final or ended[i]:
                self.wm[i] = POS_INF

    def of(self, sources, lag=0):
        return min(self.wm[i] for i in sources) - lag


class IntervalJoin:
    """`[left] join S on FIELD within D` (LANGUAGE.md 13, Flink's interval
    join), stepped by hand. Rows are dicts; a pair is the left row's fields
    then S's other than FIELD (s_fields), with the left row's event time.

    left(row, t, w0) / right(row, t, w0): a row of the stream / of S at event
    time t, w0 the watermark of both sides as the batch began; return the
    pairs it makes, as (row, time), in the other side's arrival order. A row
    with t + D <= w0 is late: it joins nothing and is not kept.
    end_batch(w): the misses of a left join (left rows with t + D <= w that
    never matched, by time then arrival) with S's fields at `miss`; then both
    sides forget their rows with t + D <= w.
    """

    def __init__(self, field, within, s_fields, left_join=False, miss=None):
        self.field, self.d, self.s_fields = field, within, s_fields
        self.left_join, self.miss = left_join, miss or {}
        self.lefts, self.rights = [], []  # [t, arrival, row, matched]
        self.arrival, self.late = 0, 0

    def _pair(self, l, r):
        out = dict(l)
        for f in self.s_fields:
            out[f] = r[f]
        return out

    def left(self, row, t, w0):
        if t + self.d <= w0:
            self.late += 1
            return []
        pairs = [(self._pair(row, r[2]), t) for r in self.rights
                 if r[2][self.field] == row[self.field] and abs(t - r[0]) <= self.d]
        self.lefts.append([t, self.arrival, row, bool(pairs)])
        self.arrival += 1
        return pairs

    def right(self, row, t, w0):
        if t + self.d <= w0:
            self.late += 1
            return []
        pairs = []
        for l in self.lefts:
            if l[2][self.field] == row[self.field] and abs(l[0] - t) <= self.d:
                pairs.append((self._pair(l[2], row), l[0]))
                l[3] = True
        self.rights.append([t, self.arrival, row, False])
        self.arrival += 1
        return pairs

    def end_batch(self, w):
        misses = []
        if self.left_join:
            due = sorted((l for l in self.lefts if l[0] + self.d <= w and not l[3]), key=lambda l: (l[0], l[1]))
            misses = [(self._pair(l[2], self.miss), l[0]) for l in due]
        self.lefts = [l for l in self.lefts if l[0] + self.d > w]
        self.rights = [r for r in self.rights if r[0] + self.d > w]
        return misses
# ---------------------------------------------------------------- section 13 (v1)


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def parse_ts_format(text, fmt):
    """LANGUAGE.md 13 "Timestamps in any text form": `text` read with the
    strptime format `fmt` (%Y %m %d %H %M %S %f %z %b %j %s %%) -> epoch ms,
    or None when it does not match. Read left to right, each directive
    taking as many digits as it may (%Y 4, %m %d %H %M %S 1-2, %j 1-3, %f
    1-9 kept to ms, %s an optionally negative integer), %b an English month
    abbreviation in any case, %z Z, +hhmm or +hh:mm; literal characters
    match themselves; the whole text must match; missing date parts are
    1970-01-01, missing time parts 0, no %z is UTC; an invalid date fails."""
    pos = 0
    parts = {}

    def digits(least, most):
        nonlocal pos
        end = pos
        while end < len(text) and end - pos < most and text[end].isdigit() and text[end].isascii():
            end += 1
        if end - pos < least:
            return None
        v = int(text[pos:end])
        pos = end
        return v

    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%" or fmt[i + 1] == "%":
            lit = c
            i += 2 if c == "%" else 1
            if not text.startswith(lit, pos):
                return None
            pos += 1
            continue
        d = fmt[i + 1]
        i += 2
        if d == "Y":
            start = pos
            v = digits(4, 4)
        elif d in "mdHMS":
            v = digits(1, 2)
        elif d == "j":
            v = digits(1, 3)
        elif d == "f":
            start = pos
            v = digits(1, 9)
            if v is not None:
                v = int((text[start:pos] + "00")[:3])
        elif d == "b":
            word = text[pos:pos + 3].lower()
            v = _MONTHS.index(word) + 1 if len(word) == 3 and word in _MONTHS else None
            if v is not None:
                pos += 3
            d = "m"
        elif d == "z":
            rest = text[pos:]
            if rest.startswith("Z"):
                v, pos = 0, pos + 1
            else:
                import re
                m = re.match(r"([+-])(\d\d):?(\d\d)", rest)
                if not m or int(m.group(2)) > 23 or int(m.group(3)) > 59:
                    return None
                v = (int(m.group(2)) * 60 + int(m.group(3))) * (-1 if m.group(1) == "-" else 1)
                pos += m.end()
        elif d == "s":
            neg = text.startswith("-", pos)
            if neg:
                pos += 1
            v = digits(1, 15)
            if v is not None and pos < len(text) and text[pos].isdigit():
                return None
            if v is not None:
                parts["neg"] = neg
        if v is None:
            return None
        parts[d] = v
    if pos != len(text):
        return None
    if "s" in parts:
        ms = parts["s"] * 1000 + parts.get("f", 0)
        return -ms if parts["neg"] else ms
    if parts.get("H", 0) > 23 or parts.get("M", 0) > 59 or parts.get("S", 0) > 59:
        return None
    try:
        if "j" in parts:
            day = _dt.date(parts.get("Y", 1970), 1, 1) + _dt.timedelta(days=parts["j"] - 1)
            if parts["j"] < 1 or day.year != parts.get("Y", 1970):
                return None
        else:
            day = _dt.date(parts.get("Y", 1970), parts.get("m", 1), parts.get("d", 1))
    except ValueError:
        return None
    days = (day - _dt.date(1970, 1, 1)).days
    seconds = days * 86400 + parts.get("H", 0) * 3600 + parts.get("M", 0) * 60 + parts.get("S", 0)
    return seconds * 1000 + parts.get("f", 0) - parts.get("z", 0) * 60_000


def _compare(a, b):
    """Three-way comparison in the language's order: numbers numerically
    (NaN after every number), strings bytewise, false before true."""
    if isinstance(a, float) and a != a:
        return 0 if isinstance(b, float) and b != b else 1
    if isinstance(b, float) and b != b:
        return -1
    a, b = sort_key(a), sort_key(b)
    return (a > b) - (a < b)


def top_per_window(rows, n, order, keys, windowed):
    """LANGUAGE.md 13 "Ranking": of the rows one aggregate emits at one batch
    end (in emission order), the first n per window (fields 0 and 1 when
    `windowed`, else all rows are one window), ranked by `order` — a list of
    (value_of(row), descending) — then by the key fields `keys` ascending.
    Windows keep their emission order; rows come out by rank."""
    import functools
    windows = {}
    for r in rows:
        windows.setdefault((r[0], r[1]) if windowed else None, []).append(r)

    def rank(x, y):
        for value_of, descending in order:
            c = _compare(value_of(x), value_of(y))
            if c:
                return -c if descending else c
        for k in keys:
            c = _compare(x[k], y[k])
            if c:
                return c
        return 0

    out = []
    for w in windows.values():
        out += sorted(w, key=functools.cmp_to_key(rank))[:n]
    return out


def running_aggregate(batches_, keys_of, make_aggs, emit="updates", keep=lambda r: r):
    """A running aggregate (6.2): per batch, the rows (keys + values) of the
    groups updated in it (`emit updates`) or of every group (`emit all`,
    LANGUAGE.md 13), in key order. Returns a list of per-batch row lists."""
    groups = {}
    out = []
    for batch in batches_:
        touched = set()
        for rec in batch:
            r = keep(rec)
            if r is None:
                continue
            k = tuple(keys_of(r))
            aggs = groups.setdefault(k, None) or make_aggs()
            groups[k] = aggs
            for a in aggs:
                a.add(r)
            touched.add(k)
        chosen = groups if emit == "all" else touched
        out.append([k + tuple(a.value() for a in groups[k])
                    for k in sorted(chosen, key=lambda k: tuple(sort_key(v) for v in k))])
    return out


def keyed_state(batches_, key_of, initial, block, emit=("updated",), expire=None, time_of=None,
                delay=0, each_row=None):
    """`group by KEY | update ...` (6.3) with LANGUAGE.md 13's `delete` and
    `emit expired`, under event time.

    key_of(rec)        -> the key tuple
    initial()          -> a fresh state dict (field order = output order)
    block(state, rec)  -> runs the block on `state` in place; returns True
                          when `delete` ran (the state then goes, whatever
                          the block assigned after it)
    emit               -> modes among "updated", "all", "each", "expired"
    expire             -> `expire after` in ms, or None
    time_of(rec)       -> event time; the watermark is the largest seen minus
                          `delay` at each batch end, +infinity at the end
    each_row(rec, st)  -> the row `emit each` hands on
    Returns the rows in output order: at each batch end, first the keys
    `expire after` removes (not in the last batch), by key, with their last
    state when "expired" is emitted; then the updated (or all) keys, by key.
    """
    state = {}  # key -> [state dict, last update time]
    out = []
    wm = NEG_INF
    max_seen = NEG_INF
    for i, batch in enumerate(batches_):
        touched = set()
        for rec in batch:
            if time_of:
                max_seen = max(max_seen, time_of(rec))
            k = tuple(key_of(rec))
            entry = state.get(k)
            st = dict(entry[0]) if entry else initial()
            deleted = block(st, rec)
            if "each" in emit:
                out.append(each_row(rec, st))
            if deleted:
                state.pop(k, None)
                touched.discard(k)
                continue
            state[k] = [st, time_of(rec) if time_of else None]
            touched.add(k)
        last = i == len(batches_) - 1
        if max_seen != NEG_INF:
            wm = max(wm, max_seen - delay)
        if expire is not None and not last:
            gone = sorted((k for k, (_, t) in state.items() if wm - t > expire),
                          key=lambda k: tuple(sort_key(v) for v in k))
            for k in gone:
                if "expired" in emit:
                    out.append(k + tuple(state[k][0].values()))
                del state[k]
                touched.discard(k)
        chosen = state.keys() if "all" in emit else touched if "updated" in emit else ()
        for k in sorted(chosen, key=lambda k: tuple(sort_key(v) for v in k)):
            out.append(k + tuple(state[k][0].values()))
    return out
