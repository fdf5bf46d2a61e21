#!/usr/bin/env python3
"""Incremental runs (LANGUAGE.md 13 "Incremental runs"; Spark's
Trigger.AvailableNow): a pipeline that ended and runs again with the same
checkpoint reads what arrived since — lines appended to its file, new files
in its folder — and ends again.

The input grows in three parts (event times 0-30 s, 30-60 s, 60-90 s; a
file gets lines appended, a folder gets a file per part, a small .gz file
gets a gzip member per part). Three runs, one
after each part, must give the same final rows as one run over all of it:
every window row and every session once (windows and sessions the end of a
run fired stay fired: the two records planted for them later are late in
both, and none is emitted twice), each key's last running count and sum, each key's last state of an
`update`. A fourth run with nothing new runs no batch and leaves the
checkpoint and the sinks as they were. The three runs are done with
`flowc run`, with a built program, and alternating the two.

Expected rows are computed here from the records written (a small model
of windows and running aggregates over these inputs), not from flowc.
Python 3 standard library only. Ends with `N passed, M failed`.

usage: incremental_test.py --flowc PATH
"""

import argparse
import collections
import datetime
import gzip
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Results, work_dir  # noqa: E402

TIMEOUT = 120

FLOW = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 1s

source drops = dir("in", follow: false)
  format csv(header: true)
  schema { user: string, amount: int }

stream per_window = events
  | window tumbling 10s
  | group by user
  | aggregate n = count(), total = sum(amount)

stream sessions = events
  | window session 2s
  | group by user
  | aggregate n = count(), total = sum(amount)

stream balances = events | group by user | aggregate n = count(), total = sum(amount)

stream visits = events
  | group by user
  | update seen: int = 0, last_id: int = 0 {
      seen += 1
      last_id = id
    }

stream dropped = drops | group by user | aggregate n = count(), total = sum(amount)

source zipped = file("zipped.csv.gz")
  format csv(header: true)
  schema { user: string, amount: int }

stream unzipped = zipped | group by user | aggregate n = count(), total = sum(amount)

sink per_window to file("out/windows.csv")
sink sessions to file("out/sessions.csv")
sink balances to file("out/balances.csv")
sink visits to file("out/visits.jsonl")
sink dropped to file("out/dropped.csv")
sink unzipped to file("out/unzipped.csv")
"""

BASE = 1_767_225_600_000  # 2026-01-01T00:00:00Z
USERS = ["ann", "bob", "cid", "dee"]


def parts():
    """Three parts of (events, folder rows, planted late events). Events of
    part k have times k*30 s + i*90 ms, in order (each user's every 360 ms:
    one 2 s session per user and part; parts 3.1 s apart, so a session
    never spans two); from the second part on, one event is planted in a
    window and a session an earlier part closed."""
    out = []
    next_id = 1
    for k in range(3):
        events, late = [], []
        for i in range(300):
            ts = BASE + k * 30_000 + i * 90
            events.append((next_id, USERS[(i * 7 + k) % 4], (i * 13 + k) % 97 + 1, ts))
            next_id += 1
        if k > 0:
            # Second 5 of the first part, then second 35 of the second.
            planted = (next_id, "eve", 1000 + k, BASE + (k - 1) * 30_000 + 5_000)
            events.insert(150, planted)
            late.append(planted)
            next_id += 1
        drops = [(USERS[(i + k) % 4], i + 10 * k) for i in range(40 + k)]
        out.append((events, drops, late))
    return out


def fmt_ts(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def expected(all_parts):
    """Window rows (as a multiset), and each key's last row of the running
    aggregates and the update."""
    windows = collections.defaultdict(lambda: [0, 0])
    sessions = {}  # (user, part) -> [first ts, last ts, n, total]
    balances = collections.defaultdict(lambda: [0, 0])
    visits = {}
    dropped = collections.defaultdict(lambda: [0, 0])
    for part, (events, drops, late) in enumerate(all_parts):
        for e in events:
            i, user, amount, ts = e
            balances[user][0] += 1
            balances[user][1] += amount
            visits[user] = (visits.get(user, (0, 0))[0] + 1, i)
            if e in late:
                continue
            start = ts - ts % 10_000
            windows[(start, user)][0] += 1
            windows[(start, user)][1] += amount
            ss = sessions.setdefault((user, part), [ts, ts, 0, 0])
            assert ts - ss[1] <= 2_000  # one session per user and part
            ss[1] = ts
            ss[2] += 1
            ss[3] += amount
        for user, amount in drops:
            dropped[user][0] += 1
            dropped[user][1] += amount
    window_rows = collections.Counter(
        f"{fmt_ts(s)},{fmt_ts(s + 10_000)},{u},{n},{t}" for (s, u), (n, t) in windows.items())
    session_rows = collections.Counter(
        f"{fmt_ts(a)},{fmt_ts(b + 2_000)},{u},{n},{t}" for (u, _), (a, b, n, t) in sessions.items())
    return {
        "windows": window_rows,
        "sessions": session_rows,
        "balances": {u: f"{u},{n},{t}" for u, (n, t) in balances.items()},
        "visits": {u: '{"user":"%s","seen":%d,"last_id":%d}' % (u, s, i) for u, (s, i) in visits.items()},
        "dropped": {u: f"{u},{n},{t}" for u, (n, t) in dropped.items()},
        # zipped.csv.gz holds the folder's rows too, a gzip member per part.
        "unzipped": {u: f"{u},{n},{t}" for u, (n, t) in dropped.items()},
    }


def write_part(d, k, part):
    events, drops, _ = part
    with open(os.path.join(d, "events.csv"), "a") as f:
        if k == 0:
            f.write("id,user,amount,ts\n")
        for i, user, amount, ts in events:
            f.write(f"{i},{user},{amount},{ts}\n")
    with open(os.path.join(d, "zipped.csv.gz"), "ab") as f:
        text = ("user,amount\n" if k == 0 else "") + "".join(f"{u},{a}\n" for u, a in drops)
        f.write(gzip.compress(text.encode(), mtime=0))
    os.makedirs(os.path.join(d, "in"), exist_ok=True)
    with open(os.path.join(d, "in", f"part{k}.csv"), "w") as f:
        f.write("user,amount\n" + "".join(f"{u},{a}\n" for u, a in drops))


def lines(d, name):
    p = os.path.join(d, "out", name)
    return open(p).read().splitlines() if os.path.exists(p) else []


def last_by_key(rows, key):
    out = {}
    for r in rows:
        out[key(r)] = r
    return out


def outputs(d):
    return {
        "windows": collections.Counter(lines(d, "windows.csv")[1:]),
        "sessions": collections.Counter(lines(d, "sessions.csv")[1:]),
        "window_headers": lines(d, "windows.csv").count("window_start,window_end,user,n,total"),
        "balances": last_by_key(lines(d, "balances.csv")[1:], lambda r: r.split(",")[0]),
        "visits": last_by_key(lines(d, "visits.jsonl"), lambda r: re.search(r'"user":"(\w+)"', r).group(1)),
        "dropped": last_by_key(lines(d, "dropped.csv")[1:], lambda r: r.split(",")[0]),
        "unzipped": last_by_key(lines(d, "unzipped.csv")[1:], lambda r: r.split(",")[0]),
    }


def run(argv, d):
    r = subprocess.run(argv + ["--checkpoint", "ck", "--max-batch-records", "50", "--batch", "1d"],
                       cwd=d, capture_output=True, text=True, timeout=TIMEOUT)
    return r.returncode, r.stderr


def late_count(stderr):
    m = re.search(r"(\d+) late", stderr)
    return int(m.group(1)) if m else None


def compare(res, name, got, want):
    for k in ("windows", "sessions", "balances", "visits", "dropped", "unzipped"):
        detail = ""
        if got[k] != want[k]:
            if k in ("windows", "sessions"):
                detail = (f"missing {list((want[k] - got[k]).items())[:3]}, "
                          f"extra {list((got[k] - want[k]).items())[:3]}")
            else:
                detail = f"got {got[k]}, want {want[k]}"
        res.check(got[k] == want[k], f"{name}: {k} as computed", detail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    flowc = os.path.abspath(args.flowc)
    res = Results()
    started = time.monotonic()
    with work_dir("incremental", args.keep) as root:
        flow = os.path.join(root, "incremental.flow")
        with open(flow, "w") as f:
            f.write(FLOW)
        exe = os.path.join(root, "incremental_prog")
        b = subprocess.run([flowc, "build", flow, "-o", exe], capture_output=True, text=True)
        if not res.check(b.returncode == 0, "flowc build", b.stderr):
            return 1
        jit = [flowc, "run", flow]
        all_parts = parts()
        want = expected(all_parts)

        # One run over all of it.
        one = os.path.join(root, "one")
        os.makedirs(one)
        for k, part in enumerate(all_parts):
            write_part(one, k, part)
        code, err = run(jit, one)
        res.check(code == 0, "one run over everything exits 0", err)
        single = outputs(one)
        compare(res, "one run", single, want)
        # Late is counted per stream: each planted record in the window's
        # and in the sessions'.
        res.check(late_count(err) == 4, "one run: the two planted records are late", err.strip())

        for label, runners in (("flowc run", [jit, jit, jit]), ("built", [exe] * 3),
                               ("alternating", [jit, [exe], jit])):
            runners = [r if isinstance(r, list) else [r] for r in runners]
            d = os.path.join(root, label.replace(" ", "_"))
            os.makedirs(d)
            lates = []
            for k, part in enumerate(all_parts):
                write_part(d, k, part)
                code, err = run(runners[k], d)
                res.check(code == 0, f"{label}: run {k + 1} exits 0", err)
                res.check(k == 0 or "continuing from the checkpoint" in err,
                          f"{label}: run {k + 1} says it continues", err.strip())
                lates.append(late_count(err))
            got = outputs(d)
            compare(res, f"{label}: three runs", got, want)
            res.check(got == single, f"{label}: three runs give the rows of one run")
            res.check(got["window_headers"] == 1, f"{label}: the CSV header once",
                      str(got["window_headers"]))
            res.check(lates == [0, 2, 2], f"{label}: the planted records are late in runs 2 and 3",
                      str(lates))
            # A fourth run with nothing new: no batch, nothing changes.
            ck = open(os.path.join(d, "ck", "checkpoint"), "rb").read()
            before = {n: lines(d, n) for n in ("windows.csv", "sessions.csv", "balances.csv",
                                               "visits.jsonl", "dropped.csv", "unzipped.csv")}
            code, err = run(runners[0], d)
            after = {n: lines(d, n) for n in before}
            res.check(code == 0 and "nothing new" in err, f"{label}: a run with nothing new says so",
                      err.strip())
            res.check(after == before and open(os.path.join(d, "ck", "checkpoint"), "rb").read() == ck,
                      f"{label}: a run with nothing new changes no sink and not the checkpoint")
    print(f"{time.monotonic() - started:.1f}s")
    return res.exit_code()


if __name__ == "__main__":
    sys.exit(main())
