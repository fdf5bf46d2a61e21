#!/usr/bin/env python3
"""The folder source while files arrive (LANGUAGE.md 13 "Folder source").

  1. growth and kill -9: a `dir(..., follow: true)` pipeline with a
     checkpoint reads a folder that gains files (CSV and .gz, moved in
     atomically, plus names it must skip) while it runs; it is killed with
     SIGKILL at seeded random moments and restarted each time, files still
     arriving while it is down, then stopped with SIGTERM once every row is
     out. Each record must be in the sink exactly once (no file read twice,
     none skipped), the CSV header once, and each file's last running count
     must be its record count. Then one more file and a restart: only its
     rows are added. JIT with inotify, and a built program with the poll
     (FLOWC_DIR_NO_INOTIFY=1) and --threads 4.
  2. no rescans per batch: a folder of 3,000 files read in hundreds of
     batches, then 10 more files moved in. FLOWC_DIR_TRACE=1 prints a line
     per listing of the folder: with inotify there is exactly one (at
     start; newcomers come as events); with the poll, listings are bounded
     by the poll period, not by the batches, and each file is found by
     exactly one listing.

Expected rows are the files' records as this script wrote them, never
flowc's output. Python 3 standard library only. Ends with `N passed, M failed`.

usage: dir_test.py --flowc PATH [--seed N] [--kills N]
"""

import argparse
import collections
import gzip
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Results, holds_flock, wait_until, work_dir  # noqa: E402

TIMEOUT = 60  # seconds, for any single wait

FLOW = """
source s = dir("in", pattern: "*.csv*")
  format csv(header: true)
  schema { id: int, f: string }

stream rows = s | select id, f
stream per_file = s | group by f | aggregate n = count()

sink rows to file("out/rows.csv")
sink per_file to file("out/per_file.jsonl")
"""


def file_bytes(name, first_id, n):
    """A CSV file of n records named `name` (ids first_id...), gzip when
    the name ends in .gz; half the files list their columns the other way
    round (each file has its own header)."""
    if first_id % 2:
        text = "id,f\n" + "".join(f"{i},{name}\n" for i in range(first_id, first_id + n))
    else:
        text = "f,id\n" + "".join(f"{name},{i}\n" for i in range(first_id, first_id + n))
    data = text.encode()
    return gzip.compress(data, mtime=0) if name.endswith(".gz") else data


def move_in(folder, name, data):
    """Writes under a hidden name, then renames: how files should arrive
    (the source skips names beginning with '.')."""
    tmp = os.path.join(folder, "." + name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(folder, name))


class Folder:
    """The files a test puts in in/, and the rows they hold."""

    def __init__(self, d):
        self.dir = os.path.join(d, "in")
        os.makedirs(self.dir, exist_ok=True)
        self.next_id = 1
        self.count = 0
        self.rows = collections.Counter()
        self.per_file = {}

    def add(self, n, move=True):
        self.count += 1
        name = f"f{self.count:05d}.csv" + (".gz" if self.count % 3 == 0 else "")
        data = file_bytes(name, self.next_id, n)
        for i in range(self.next_id, self.next_id + n):
            self.rows[f"{i},{name}"] += 1
        self.per_file[name] = n
        self.next_id += n
        if move:
            move_in(self.dir, name, data)
        else:
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)

    def add_skipped(self):
        """Files the source must not read: hidden, `_`-prefixed, another
        pattern, a subfolder's."""
        for name in ("_SUCCESS.csv", ".hidden.csv", "notes.txt", "sub/x.csv"):
            path = os.path.join(self.dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(b"id,f\n999999,skipped\n")


def sink_rows(d):
    path = os.path.join(d, "out", "rows.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def last_counts(d):
    """Each file's last running count in out/per_file.jsonl."""
    out = {}
    path = os.path.join(d, "out", "per_file.jsonl")
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r'\{"f":"([^"]*)","n":(\d+)\}$', line.strip())
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def start(argv, d, env=None, extra=()):
    return subprocess.Popen(argv + ["--checkpoint", "ck", "--batch", "50ms",
                                    "--max-batch-records", "300", "--quiet", *extra],
                            cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)


def check_rows(res, name, d, folder):
    got = sink_rows(d)
    header = [line for line in got if line == "id,f"]
    res.check(got[:1] == ["id,f"] and len(header) == 1, f"{name}: the header once, first",
              f"{len(header)} headers")
    have = collections.Counter(line for line in got if line != "id,f")
    missing = folder.rows - have
    extra = have - folder.rows
    res.check(not missing and not extra, f"{name}: every record exactly once",
              f"{len(have)} rows, want {sum(folder.rows.values())}; "
              f"{sum(missing.values())} missing e.g. {list(missing)[:2]}, "
              f"{sum(extra.values())} extra e.g. {list(extra)[:2]}")
    counts = last_counts(d)
    res.check(counts == folder.per_file, f"{name}: each file's last count is its record count",
              str([(k, counts.get(k), v) for k, v in folder.per_file.items()
                   if counts.get(k) != v][:5]))


def growth(res, label, argv, root, rng, kills, env, extra=()):
    d = os.path.join(root, label)
    os.makedirs(d)
    folder = Folder(d)
    folder.add_skipped()
    for _ in range(15):
        folder.add(rng.randint(50, 400), move=False)
    total_files = 90
    stop_writer = threading.Event()

    # The writer's random numbers come from their own generator (the
    # thread interleaves with the kills').
    wrng = random.Random(rng.random())
    t = threading.Thread(target=lambda: writer_with(wrng))

    def writer_with(r):
        while folder.count < total_files and not stop_writer.is_set():
            folder.add(r.randint(1, 400))
            time.sleep(r.uniform(0.0, 0.03))

    t.start()
    outcomes = []
    try:
        for k in range(kills):
            p = start(argv, d, env, extra)
            if not wait_until(lambda: holds_flock(p.pid), p):
                _, err = p.communicate(timeout=TIMEOUT)
                res.check(False, f"{label}: run {k + 1} starts", f"exit {p.returncode}: {err}")
                return
            time.sleep(rng.uniform(0.02, 0.3))
            p.kill()
            p.communicate(timeout=TIMEOUT)
            outcomes.append(f"{p.returncode} ({len(sink_rows(d))} rows, {folder.count} files)")
        t.join()
        # The last run: until every row is out, then SIGTERM.
        # (Rows may all be out already: SIGTERM only once the runtime holds
        # the checkpoint's lock, after its signal handlers are in place.)
        p = start(argv, d, env, extra)
        done = wait_until(lambda: holds_flock(p.pid), p) and \
            wait_until(lambda: len(sink_rows(d)) >= sum(folder.rows.values()) + 1, p)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=TIMEOUT)
        outcomes.append(str(p.returncode))
        print(f"  {label}: {folder.count} files, {sum(folder.rows.values())} records; "
              f"exit statuses {', '.join(outcomes)}")
        res.check(done and p.returncode == 0, f"{label}: the last run reads every file and stops on SIGTERM",
                  f"exit {p.returncode}: {err.strip()}")
        check_rows(res, label, d, folder)
        # One more file, one more run: only its rows are added.
        folder.add(7)
        p = start(argv, d, env, extra)
        done = wait_until(lambda: holds_flock(p.pid), p) and \
            wait_until(lambda: len(sink_rows(d)) >= sum(folder.rows.values()) + 1, p)
        time.sleep(0.2)  # a second read of anything would show now
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=TIMEOUT)
        res.check(done and p.returncode == 0, f"{label}: a restart reads the file that came since",
                  f"exit {p.returncode}: {err.strip()}")
        check_rows(res, f"{label} after one more file", d, folder)
    finally:
        stop_writer.set()
        t.join()


def listings(stderr):
    """The FLOWC_DIR_TRACE lines: (listing number, new files found)."""
    return [(int(m.group(1)), int(m.group(2))) for m in
            re.finditer(r'^flowc: dir "in": listing (\d+), \d+ entries, (\d+) new files$', stderr,
                        re.M)]


def scans(res, label, argv, root, env):
    d = os.path.join(root, label)
    os.makedirs(d)
    folder = Folder(d)
    for _ in range(3000):
        folder.add(4, move=False)
    env = dict(env, FLOWC_DIR_TRACE="1")
    t0 = time.monotonic()
    p = subprocess.Popen(argv + ["--batch", "50ms", "--max-batch-records", "100"], cwd=d,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    first = wait_until(lambda: len(sink_rows(d)) >= sum(folder.rows.values()) + 1, p)
    for _ in range(10):
        folder.add(4)
    done = wait_until(lambda: len(sink_rows(d)) >= sum(folder.rows.values()) + 1, p)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=TIMEOUT)
    elapsed = time.monotonic() - t0
    res.check(first and done and p.returncode == 0, f"{label}: reads 3,010 files",
              f"exit {p.returncode}: {err.strip()[-300:]}")
    check_rows(res, label, d, folder)
    m = re.search(r"(\d+) batches", err)
    batches = int(m.group(1)) if m else 0
    seen = listings(err)
    print(f"  {label}: {batches} batches, {len(seen)} listings in {elapsed:.1f}s")
    res.check(batches >= 120, f"{label}: 120+ batches (at most 100 records each)", f"{batches}")
    if env.get("FLOWC_DIR_NO_INOTIFY"):
        # One listing per poll period at most (kDirPollMs, 500 ms), and
        # none while files wait to be read.
        res.check(len(seen) <= 2 + elapsed / 0.5, f"{label}: listings bounded by the poll period",
                  f"{len(seen)} in {elapsed:.1f}s")
        res.check(sum(n for _, n in seen) == 3010, f"{label}: each file found by one listing",
                  str(seen[:5]))
    else:
        res.check(seen == [(1, 3000)], f"{label}: one listing, newcomers by inotify", str(seen[:5]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("DIR_SEED", "11")))
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    flowc = os.path.abspath(args.flowc)
    rng = random.Random(args.seed)
    res = Results()
    started = time.monotonic()
    with work_dir("dir", args.keep) as root:
        print(f"dir test: seed {args.seed}, work dir {root}")
        flow = os.path.join(root, "dir.flow")
        with open(flow, "w") as f:
            f.write(FLOW)
        exe = os.path.join(root, "dir_prog")
        b = subprocess.run([flowc, "build", flow, "-o", exe], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        built = res.check(b.returncode == 0, "flowc build dir.flow", b.stdout.strip())
        inotify = dict(os.environ)
        inotify.pop("FLOWC_DIR_NO_INOTIFY", None)
        poll = dict(inotify, FLOWC_DIR_NO_INOTIFY="1")
        run = [flowc, "run", flow]
        growth(res, "run-inotify growth", run, root, rng, args.kills, inotify)
        if built:
            growth(res, "build-poll growth", [exe], root, rng, args.kills, poll,
                   ("--threads", "4"))
        scans(res, "run-inotify scans", run, root, inotify)
        if built:
            scans(res, "build-poll scans", [exe], root, poll)
    print(f"{time.monotonic() - started:.1f}s")
    return res.exit_code()


if __name__ == "__main__":
    sys.exit(main())
