#!/usr/bin/env python3
"""All cores, same answer (LANGUAGE.md 13 "--threads", runtime/worker.h).

Runs pipelines whose sources run on every worker thread with --threads 1,
2, 3 and 4, JIT and built, over inputs large enough for many morsels per
batch, and requires every output to be the same byte for byte: sink files,
dead letters, standard output, the bad-record messages on standard error
(the first ten per source) and the summary's counts, and the checkpoint
file. Only the summary's elapsed time and utilisation (`0.1 s (2 threads:
busy ...)`) may differ. Also checks that a pipeline with a float sum (one
thread) still agrees across N; that `update` runs on every thread (its
state split by key hash, runtime/exchange.cpp) with the same rows and
checkpoint for every N, equal to a plain Python model, also when a run
resumes from a checkpoint with another N; and that `emit each` keeps its
source on one thread. Session windows likewise (their lists split by key
hash, through the exchange): the same rows, late counts and checkpoint for
every N, the rows of a Python model of sessions also across resumed runs
with another N, and a session of a union on one thread.

Python 3 standard library only. Ends with `N passed, M failed`.

usage: threads_test.py --flowc PATH
"""

import argparse
import datetime
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Results  # noqa: E402
from arrival_model import float_model  # noqa: E402
from arrival_model import model as arrival_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 120

PARALLEL = open(os.path.join(HERE, "..", "checkpoint", "crash_parallel.flow")).read()

# Bad records printed on stderr (not dead letters): their order is checked.
PARALLEL_SKIP = PARALLEL.replace('on_error dead_letter file("out/dead.jsonl")', "on_error skip")

ONE_THREAD = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream balances = events
  | group by user
  | update total: int = 0 { total += amount }

stream big = events | where amount > 500

stream averages = union(events, big)
  | window tumbling 1m
  | group by user
  | aggregate mean = avg(float(amount)), spent = sum(float(amount) / 3)

sink balances to file("out/balances.jsonl")
sink averages to file("out/averages.csv")
"""

# Float sums and averages on every thread (plan/threads.h
# aggregate_exchanged): each morsel hands its rows to the exchange and the
# batch's end adds them in arrival order into the one table. Values such
# as 1e16 + 1.0 - 1e16 make the sums depend on their order.
FLOAT_SUMS = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, v: float, ts: timestamp }
  event_time ts watermark 2s

stream running = events
  | where amount % 7 != 0
  | group by user
  | aggregate n = count(), total = sum(v), mean = avg(v), f = first(id), l = last(v), lo = min(v)

stream per_minute = events
  | window tumbling 1m
  | group by user
  | aggregate n = count(), total = sum(v), mean = avg(v), hi = max(amount)

stream per_two = events
  | window sliding 2m every 1m
  | group by user
  | aggregate total = sum(v), l = last(v), mean = avg(v), words = count_distinct(user)

sink running to file("out/running.jsonl")
sink per_minute to file("out/per_minute.jsonl")
sink per_two to file("out/per_two.jsonl")
"""

# `update` on every thread (plan/threads.h update_partitioned): rows whose
# values depend on the order of each user's records (`last`, `delete` once
# the total passes 50,000), a `where` before the state, bad records, and
# `emit expired` with `expire after` in a second stream.
UPDATE = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream balances = events
  | where amount % 7 != 0
  | group by user
  | update total: int = 0, n: int = 0, last: int = 0, first_id: int = -1 {
      total += amount
      n += 1
      last = amount
      if (first_id < 0) { first_id = id }
      if (total > 50000) { delete }
    }

stream expired = events
  | group by user, bucket = amount % 10
  | update n: int = 0, last_id: int = 0 { n += 1; last_id = id }
    emit expired
    expire after 5s

sink balances to file("out/balances.jsonl")
sink expired to file("out/expired.csv")
"""

# first/last on every thread (plan/threads.h combines_by_arrival): partial
# states carry their record's number in the input and merge by it, in a
# running aggregate (the state's own first from earlier batches wins), a
# tumbling and a sliding window (panes of one window from several
# workers), with count, min, max; strings too (by_bucket, and words'
# exploded lines).
FIRST_LAST = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream running = events
  | where amount % 7 != 0
  | group by user
  | aggregate n = count(), f = first(id), l = last(amount), lo = min(amount), hi = max(amount),
              third = first(float(amount) / 3)

stream by_bucket = events
  | group by bucket = amount % 10
  | aggregate first_user = first(user), last_user = last(user), last_id = last(id)

stream per_minute = events
  | window tumbling 1m
  | group by user
  | aggregate n = count(), f = first(id), l = last(id), hi = max(amount)

stream per_two = events
  | window sliding 2m every 1m
  | group by user
  | aggregate n = count(), f = first(id), l = last(amount), hi = max(amount)

sink running to file("out/running.jsonl")
sink by_bucket to file("out/by_bucket.csv")
sink per_minute to file("out/tumbling.jsonl")
sink per_two to file("out/sliding.jsonl")
"""

FIRST_LAST_WORDS = """
source text = file("words.txt") format lines

stream lines = text
  | explode words(line) as word
  | group by word
  | aggregate n = count(), first_line = first(line), last_line = last(line), hi = max(line)

sink lines to file("out/lines.csv")
"""

# `emit each` hands on a row per record, in arrival order: one thread. So
# does a block that can fail (`//` by a field): a bad record must leave no
# effect, and with the state split the source's other stages saw it.
UPDATE_EACH = UPDATE.replace("if (total > 50000) { delete }\n    }", "}\n    emit each")
UPDATE_FAILS = UPDATE.replace("last = amount\n", "last = amount // n\n")

# Session windows on every thread (plan/threads.h update_partitioned):
# first/last, which depend on arrival order when sessions merge; emit
# final and emit updates; a float sum; a session over a tumbling window's
# rows (emitted at batch ends, applied at once).
SESSION = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream sessions = events
  | where amount % 7 != 0
  | window session 3s
  | group by user
  | aggregate n = count(), total = sum(amount), first_id = first(id), last_amount = last(amount),
              low = min(amount), kinds = count_distinct(amount % 5)

stream changes = events
  | window session 1500ms
  | group by user, bucket = amount % 3
  | aggregate n = count(), spent = sum(float(amount) / 3), last_id = last(id), top = max(user)
    emit updates

stream per_10s = events
  | window tumbling 10s
  | group by user
  | aggregate n = count()

stream rollup = per_10s
  | window session 30s
  | group by user
  | aggregate windows = count(), records = sum(n), first_n = first(n)

sink sessions to file("out/sessions.csv")
sink changes to file("out/changes.jsonl")
sink rollup to file("out/rollup.csv")
"""

# A session fed by a union: its records come from two places, whose order
# only one thread keeps.
SESSION_UNION = """
source a = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

source b = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream sessions = union(a, b)
  | window session 3s
  | group by user
  | aggregate n = count()

sink sessions to file("out/sessions.csv")
"""

GENERATE = """
source nums = generate(count: 3_000_000)

stream per_key = nums
  | where value % 4 != 3
  | group by k = value % 16
  | aggregate n = count(), total = sum(value * 3 + 1), hi = max(value)

sink per_key to stdout
"""


# The input paths of issue 14 on worker threads: JSON records read through
# the layout each worker learns (records switch between layouts, some are
# bad), a raw filter (a leading `where f == "literal"`, no event time), and
# string keys of every length (inline heads, FlowKeyStr) folded from every
# worker's table.
JSON = """
source events = file("events.jsonl")
  format json
  schema { id: int, user: string, kind: string, amount: int, ts: timestamp }
  event_time ts watermark 2s

stream per_window = events
  | where kind == "view"
  | window tumbling 1m
  | group by user
  | aggregate n = count(), total = sum(amount), hi = max(amount)

stream big = events
  | where amount > 990
  | select id, user, kind, amount

sink per_window to file("out/windows.csv")
sink big to file("out/big.jsonl")
"""

RAW_FILTER = """
source events = file("events.csv")
  format csv(header: true)
  schema { id: int, user: string = "nobody", amount: int, ts: timestamp }

stream picked = events
  | where user == "u07"
  | group by bucket = amount % 10
  | aggregate n = count(), total = sum(amount)

sink picked to file("out/picked.csv")
"""

WORDS = """
source text = file("words.txt") format lines

stream counts = text
  | explode words(line) as word
  | group by word
  | aggregate n = count()

sink counts to file("out/counts.csv")
"""

# An aggregate with many changed groups per batch whose rows reach no state
# (plan/threads.h rows_keep_no_state): its groups are sorted and emitted in
# ranges on every worker thread (runtime/batch_end_parallel.cpp), some of
# them bad (1000 // 0 for a group of 3), in this stream and one reading it.
MANY_GROUPS = """
source text = file("words.txt") format lines
  on_error dead_letter file("out/dead.jsonl")

stream counts = text
  | explode words(line) as word
  | group by word
  | aggregate n = count()
  | where n != 2
  | select word, n, per = 1000 // (n - 3)

stream common = counts
  | where n > 6
  | select word, per

sink counts to file("out/counts.csv")
sink common to stdout
"""

# Every exactly combining aggregate over groups new to the pipeline's
# table by the thousand in a batch: they go in on every thread
# (runtime/batch_end_parallel.cpp flow_merge_parts), string keys copied,
# count_distinct's sets carried over; the checkpoint writes them all.
MANY_NEW_GROUPS = """
source text = file("words.txt") format lines

stream stats = text
  | explode words(line) as word
  | group by word, short = len(word) < 4
  | aggregate n = count(), letters = sum(len(line)), lengths = count_distinct(len(line)),
              lo = min(len(line)), hi = max(line), mean = avg(len(word))

sink stats to file("out/stats.csv")
"""

MANY_GROUPS_SKIP = MANY_GROUPS.replace('on_error dead_letter file("out/dead.jsonl")', "on_error skip")


def make_input(path, records, rng):
    users = [f"u{i:02d}" for i in range(40)]
    with open(path, "w") as f:
        f.write("id,user,amount,ts\n")
        ts = 1767225600000
        for i in range(records):
            ts += rng.randint(0, 40)
            late = rng.random() < 0.002
            if rng.random() < 0.0005:
                f.write(f"{i},{rng.choice(users)},not a number,{ts}\n")  # a bad record
                continue
            f.write(f"{i},{rng.choice(users)},{rng.randint(1, 1000)},{ts - (5000 if late else 0)}\n")


def make_float_input(path, records, rng):
    """FLOAT_SUMS's input: a float `v` whose sums depend on their order."""
    values = [1e16, -1e16, 1.0, 0.5, 0.1, -2.75, 3e-3, 1e16, 123456.789]
    users = [f"u{i:02d}" for i in range(40)]
    with open(path, "w") as f:
        f.write("id,user,amount,v,ts\n")
        ts = 1767225600000
        for i in range(records):
            ts += rng.randint(0, 40)
            f.write(f"{i},{rng.choice(users)},{rng.randint(1, 1000)},{rng.choice(values)!r},{ts}\n")


def make_session_input(path, records, rng):
    """Records of 40 users whose times jitter by up to 2 s around a clock
    that moves 0-40 ms a record (sessions opened out of order, bridged and
    merged), one in a hundred up to 10 minutes behind (late, or into a
    session long open), a few bad."""
    users = [f"u{i:02d}" for i in range(40)]
    with open(path, "w") as f:
        f.write("id,user,amount,ts\n")
        ts = 1767225600000
        for i in range(records):
            ts += rng.randint(0, 40)
            r = rng.random()
            if r < 0.0005:
                f.write(f"{i},{rng.choice(users)},not a number,{ts}\n")  # a bad record
                continue
            t = ts - rng.randint(0, 600_000) if r < 0.01 else ts + rng.randint(-2000, 2000)
            f.write(f"{i},{rng.choice(users)},{rng.randint(1, 1000)},{t}\n")


def make_json_input(path, records, rng):
    """JSON lines in three layouts (key order, spacing), switching now and
    then, with a few bad records: malformed, a wrong type, a missing field."""
    users = [f"u{i:02d}" for i in range(40)]
    kinds = ["view", "click", "purchase"]
    layouts = [
        '{{"id":{i},"user":"{u}","kind":"{k}","amount":{a},"ts":{t}}}',
        '{{"ts": {t}, "kind": "{k}", "user": "{u}", "id": {i}, "amount": {a}}}',
        '{{"id":{i},"extra":{{"x":[1,2]}},"user":"{u}","kind":"{k}","amount":{a},"ts":{t},"note":"a\\"b"}}',
    ]
    layout = 0
    with open(path, "w") as f:
        ts = 1767225600000
        for i in range(records):
            ts += rng.randint(0, 40)
            if rng.random() < 0.01:
                layout = rng.randrange(len(layouts))
            u, k, a = rng.choice(users), rng.choice(kinds), rng.randint(1, 1000)
            r = rng.random()
            if r < 0.0003:
                f.write('{"id":%d,"user":"%s"\n' % (i, u))  # malformed
            elif r < 0.0006:
                f.write('{"id":%d,"user":"%s","kind":"%s","amount":"many","ts":%d}\n' % (i, u, k, ts))
            elif r < 0.0009:
                f.write('{"id":%d,"kind":"%s","amount":%d,"ts":%d}\n' % (i, k, a, ts))  # no user
            else:
                f.write(layouts[layout].format(i=i, u=u, k=k, a=a, t=ts) + "\n")


def make_words_input(path, lines, rng):
    """Words of 1 to 40 letters (keys shorter and longer than the 16 bytes
    a slot holds inline), many sharing their first 16 letters."""
    stems = ["".join(rng.choice("abcdefgh") for _ in range(16)) for _ in range(30)]
    vocab = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 15))) for _ in range(3000)]
    vocab += [rng.choice(stems) + "".join(rng.choice("xyz") for _ in range(rng.randint(0, 24)))
              for _ in range(3000)]
    with open(path, "w") as f:
        for _ in range(lines):
            f.write(" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))) + "\n")


def make_many_words_input(path, lines, rng):
    """Lines of words drawn from 400,000, the frequent ones often: a batch
    of 20,000 lines changes some 100,000 groups."""
    with open(path, "w") as f:
        for _ in range(lines):
            words = []
            for _ in range(rng.randint(0, 16)):
                n = int(rng.paretovariate(0.6)) if rng.random() < 0.5 else rng.randrange(400_000)
                words.append(f"w{n % 400_000:x}")
            f.write(" ".join(words) + "\n")


def outputs(d, out, err):
    """Everything a run produced that must not depend on --threads."""
    files = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            rel = os.path.relpath(p, d)
            if os.path.islink(p) or rel.startswith("ck/lock"):
                continue
            files[rel] = open(p, "rb").read()
    lines = [re.sub(r", [0-9.]+ s \(\d+ threads?: busy [^)]*\)$", "", l) for l in err.splitlines()]
    files["<stdout>"] = out.encode()
    files["<stderr>"] = "\n".join(lines).encode()
    return files


def run_case(res, name, argv_for, flow_text, input_path, args, root, link_as=None):
    got = {}
    for threads in (1, 2, 3, 4):
        for mode in ("run", "build"):
            d = os.path.join(root, f"{name}-{mode}-{threads}")
            os.makedirs(d)
            if input_path:
                os.symlink(input_path, os.path.join(d, link_as or os.path.basename(input_path)))
            argv = argv_for(mode, flow_text, root, name)
            if argv is None:
                continue
            p = subprocess.run(argv + args + ["--threads", str(threads)], cwd=d, capture_output=True,
                               text=True, timeout=TIMEOUT)
            if not res.check(p.returncode == 0, f"{name} {mode} --threads {threads} exits 0",
                             p.stderr[-2000:]):
                return {}
            got[(mode, threads)] = outputs(d, p.stdout, p.stderr)
    base = got[("run", 1)]
    res.check(any(len(v) > 100 for k, v in base.items() if k.startswith("out/")) or len(base["<stdout>"]) > 50,
              f"{name}: the runs wrote rows", sorted((k, len(v)) for k, v in base.items()))
    for key, files in got.items():
        if key == ("run", 1):
            continue
        diff = [k for k in sorted(set(base) | set(files)) if base.get(k) != files.get(k)]
        res.check(not diff, f"{name}: {key[0]} --threads {key[1]} = run --threads 1",
                  f"differs in {diff}: " + "; ".join(
                      f"{k}: {base.get(k, b'')[:300]!r} vs {files.get(k, b'')[:300]!r}" for k in diff[:2]))
    return got


def check_thread_counts(res, flowc, root, input_path, float_path):
    """explain's `threads:` line per source, and the threads the summary
    says ran: four for a pipeline whose every source may use them, one
    when order-dependent state holds every source to one thread."""
    cases = [("parallel", PARALLEL, ["threads: every"], 4),
             ("one_thread", ONE_THREAD, ["threads: one (mean = avg of floats in stream 'averages')"], 1),
             ("update", UPDATE, ["threads: every"], 4),
             ("first_last", FIRST_LAST, ["threads: every"], 4),
             ("update_each", UPDATE_EACH, ["threads: one (update with emit each in stream 'balances')"], 1),
             ("update_fails", UPDATE_FAILS,
              ["threads: one (update whose block can fail in stream 'balances')"], 1),
             ("session", SESSION, ["threads: every"], 4),
             ("session_union", SESSION_UNION,
              ["threads: one (a session window of a union in stream 'sessions')"] * 2, 1)]
    cases.append(("float_sums", FLOAT_SUMS, ["threads: every"], 4, float_path))
    for name, text, want, threads, *given in cases:
        path = os.path.join(root, name + "_count.flow")
        with open(path, "w") as f:
            f.write(text)
        e = subprocess.run([flowc, "explain", path], capture_output=True, text=True, timeout=TIMEOUT)
        got = [l.strip() for l in e.stdout.splitlines() if l.strip().startswith("threads:")]
        res.check(got == want, f"{name}: explain says {want}", f"got {got}")
        with tempfile.TemporaryDirectory(dir=root) as d:
            shutil.copy(given[0] if given else input_path, os.path.join(d, "events.csv"))
            os.makedirs(os.path.join(d, "out"))
            r = subprocess.run([flowc, "run", path, "--threads", "4"], cwd=d, capture_output=True,
                               text=True, timeout=TIMEOUT)
        ran = re.search(r" s \((\d+) threads?: busy", r.stderr)
        res.check(ran is not None and int(ran.group(1)) == threads,
                  f"{name}: --threads 4 runs on {threads}", r.stderr[-300:])


def balances_model(parts, batch_records):
    """The rows of UPDATE's `balances` (LANGUAGE.md 6.3, emit updated) over
    the runs that read each part of events.csv in turn, each resuming from
    the last one's checkpoint: batches of `batch_records` records of each
    part (bad ones and those `where` drops count too), the block per record
    in arrival order, then the keys updated in the batch, by key."""
    state, rows = {}, []
    for records in parts:
        for i in range(0, len(records), batch_records):
            touched = []
            for line in records[i:i + batch_records]:
                rid, user, amount, _ = line.split(",")
                try:
                    amount = int(amount)
                except ValueError:
                    continue  # a bad record
                if amount % 7 == 0:
                    continue
                s = state.setdefault(user, {"total": 0, "n": 0, "last": 0, "first_id": -1})
                s["total"] += amount
                s["n"] += 1
                s["last"] = amount
                if s["first_id"] < 0:
                    s["first_id"] = int(rid)
                if s["total"] > 50000:
                    del state[user]
                    if user in touched:
                        touched.remove(user)
                elif user not in touched:
                    touched.append(user)
            for user in sorted(touched):
                rows.append('{"user":"%s","total":%d,"n":%d,"last":%d,"first_id":%d}' % (
                    user, *state[user].values()))
    return "".join(r + "\n" for r in rows).encode()


def check_update_resumes(res, flowc, root, input_path, common):
    """UPDATE over the first 60% of the input, then resumed from its
    checkpoint over the whole file, with another --threads: the same rows
    and checkpoint as with one thread twice, and the model's rows."""
    batch_records = int(common[common.index("--max-batch-records") + 1])

    def check(files, parts):
        want = balances_model(parts, batch_records)
        res.check(files["out/balances.jsonl"] == want, "update resumed: the rows of the model",
                  f"{len(files['out/balances.jsonl'])} bytes vs {len(want)}")

    check_resumes(res, flowc, root, "update", UPDATE, input_path,
                  ("out/balances.jsonl", "out/expired.csv"), common, check)


def check_model(res, name, files, want):
    for n, rows in want.items():
        got = files.get(n, b"")
        at = next((i for i in range(min(len(got), len(rows))) if got[i] != rows[i]), min(len(got), len(rows)))
        res.check(got == rows, f"{name}: {n} holds the model's rows",
                  f"{len(got)} bytes vs {len(rows)}, from byte {at}: {got[at:at + 200]!r} vs {rows[at:at + 200]!r}")


def check_resumes(res, flowc, root, name, text, input_path, names, common, check):
    """`text` over the first 60% of the input, then resumed from its
    checkpoint over the whole file, with another --threads: the same
    `names` (and checkpoint) as with one thread twice; `check(files,
    parts)` holds the model's rows up against one thread's."""
    lines = open(input_path).read().splitlines()
    header, records = lines[0], lines[1:]
    cut = len(records) * 6 // 10
    path = os.path.join(root, name + "_resume.flow")
    with open(path, "w") as f:
        f.write(text)
    names = tuple(names) + ("ck/checkpoint",)
    got = {}
    for first, second in ((1, 1), (1, 3), (4, 2), (2, 1), (3, 4)):
        d = os.path.join(root, f"{name}-resume-{first}-{second}")
        os.makedirs(os.path.join(d, "out"))
        events = os.path.join(d, "events.csv")
        with open(events, "w") as f:
            f.write("\n".join([header] + records[:cut]) + "\n")
        ok = True
        for threads, upto in ((first, cut), (second, len(records))):
            if upto == len(records):
                with open(events, "a") as f:
                    f.write("\n".join(records[cut:]) + "\n")
            p = subprocess.run([flowc, "run", path, "--quiet", "--checkpoint", "ck", "--threads", str(threads)]
                               + common, cwd=d, capture_output=True, text=True, timeout=TIMEOUT)
            ok = ok and res.check(p.returncode == 0, f"{name} resumed: --threads {threads} exits 0",
                                  p.stderr[-2000:])
        if ok:
            got[(first, second)] = {n: open(os.path.join(d, n), "rb").read() for n in names}
    base = got.get((1, 1))
    if base is None:
        return
    check(base, [records[:cut], records[cut:]])
    for key, files in got.items():
        diff = [n for n in files if files[n] != base[n]]
        res.check(not diff, f"{name} resumed: --threads {key[0]} then {key[1]} = 1 then 1",
                  f"differs in {diff}")


def check_parsed(res, name, files, want):
    """Rows as parsed JSON: floats compare exactly, whatever their text."""
    for n, rows in want.items():
        got = [json.loads(line) for line in files.get(n, b"").decode().splitlines()]
        bad = next((i for i, (a, b) in enumerate(zip(got, rows)) if a != b), None)
        res.check(got == rows, f"{name}: {n} holds the model's rows",
                  f"{len(got)} rows vs {len(rows)}; first differing: "
                  + (f"{got[bad]} vs {rows[bad]}" if bad is not None else "none"))


def ts_text(ms):
    return (datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            + datetime.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sessions_model(parts, batch_records, gap=3000, delay=2000):
    """The rows of SESSION's `sessions` (LANGUAGE.md 6.1, emit final) over
    the runs that read each part of events.csv in turn, each resuming from
    the last one's checkpoint: batches of `batch_records` records of each
    part, a run's last batch its final one. The watermark moves at a batch's
    end to the largest time parsed minus the delay; a record whose own
    session ends by the watermark of its batch's start is late; a record
    joins (and bridges) the sessions of its user within the gap; at a
    batch's end the sessions that ended by the watermark (all, at the end
    of a run) are emitted by (end, start, user) and go; those the end of a
    run fired stay, fired: a record for them is late, and they go unemitted
    once the watermark passes their end (LANGUAGE.md 12, incremental runs)."""
    watermark, max_time, arrival = -math.inf, -math.inf, 0
    open_ = {}  # user -> sessions by start: {start, last, recs: [(arrival, id, amount)], fired}
    rows = []
    for records in parts:
        batches = [records[i:i + batch_records] for i in range(0, len(records), batch_records)]
        for number, batch in enumerate(batches):
            at_start = watermark
            for line in batch:
                rid, user, amount, ts = line.split(",")
                try:
                    amount, ts = int(amount), int(ts)
                except ValueError:
                    continue  # a bad record
                max_time = max(max_time, ts)
                if amount % 7 == 0 or ts + gap <= at_start:
                    continue  # dropped by `where`, or late
                mine = open_.setdefault(user, [])
                touched = [s for s in mine if s["start"] - gap <= ts <= s["last"] + gap]
                if touched and touched[0]["fired"]:
                    continue  # late: its session fired at the end of a run
                touched = touched[:2 if len(touched) > 1 and not touched[1]["fired"] else 1]
                merged = {"start": ts, "last": ts, "recs": [(arrival, int(rid), amount)], "fired": False}
                arrival += 1
                for s in touched:
                    mine.remove(s)
                    merged["start"] = min(merged["start"], s["start"])
                    merged["last"] = max(merged["last"], s["last"])
                    merged["recs"] += s["recs"]
                mine.append(merged)
                mine.sort(key=lambda s: s["start"])
            final = number == len(batches) - 1
            watermark = max(watermark, max_time - delay)
            fire_at = math.inf if final else watermark
            out = []
            for user, mine in open_.items():
                for s in mine:
                    if s["last"] + gap <= fire_at and not s["fired"]:
                        recs = sorted(s["recs"])
                        amounts = [a for _, _, a in recs]
                        out.append(((s["last"] + gap, s["start"], user), [
                            ts_text(s["start"]), ts_text(s["last"] + gap), user, len(recs), sum(amounts),
                            recs[0][1], recs[-1][2], min(amounts), len({a % 5 for a in amounts})]))
                if final:
                    for s in mine:
                        s["fired"] = True
                else:
                    mine[:] = [s for s in mine if s["last"] + gap > watermark]
            rows += [",".join(str(v) for v in row) for _, row in sorted(out)]
    header = "window_start,window_end,user,n,total,first_id,last_amount,low,kinds"
    return "".join(r + "\n" for r in [header] + rows).encode()


def check_session_resumes(res, flowc, root, input_path, batch_records):
    """SESSION over the first 60% of the input, then resumed from its
    checkpoint over the whole file, with another --threads: the same rows
    and checkpoint as with one thread twice, and the model's rows."""
    lines = open(input_path).read().splitlines()
    header, records = lines[0], lines[1:]
    cut = len(records) * 6 // 10
    path = os.path.join(root, "session_resume.flow")
    with open(path, "w") as f:
        f.write(SESSION)
    common = ["--max-batch-records", str(batch_records), "--batch", "1000000h"]
    got = {}
    for first, second in ((1, 1), (1, 3), (4, 2), (2, 1), (3, 4)):
        d = os.path.join(root, f"session-resume-{first}-{second}")
        os.makedirs(os.path.join(d, "out"))
        events = os.path.join(d, "events.csv")
        with open(events, "w") as f:
            f.write("\n".join([header] + records[:cut]) + "\n")
        ok = True
        for threads, upto in ((first, cut), (second, len(records))):
            if upto == len(records):
                with open(events, "a") as f:
                    f.write("\n".join(records[cut:]) + "\n")
            p = subprocess.run([flowc, "run", path, "--checkpoint", "ck", "--threads", str(threads)]
                               + common, cwd=d, capture_output=True, text=True, timeout=TIMEOUT)
            ok = ok and res.check(p.returncode == 0, f"session resumed: --threads {threads} exits 0",
                                  p.stderr[-2000:])
            summary = [l for l in p.stderr.splitlines() if " records in, " in l]
            got.setdefault((first, second), {})[f"<summary {upto}>"] = re.sub(
                r", [0-9.]+ s \(.*$", "", summary[-1] if summary else "").encode()
        if ok:
            got[(first, second)].update({n: open(os.path.join(d, n), "rb").read() for n in (
                "out/sessions.csv", "out/changes.jsonl", "out/rollup.csv", "ck/checkpoint")})
    base = got.get((1, 1))
    if base is None or "ck/checkpoint" not in base:
        return
    want = sessions_model([records[:cut], records[cut:]], batch_records)
    res.check(base["out/sessions.csv"] == want, "session resumed: the rows of the model",
              f"{len(base['out/sessions.csv'])} bytes vs {len(want)}")
    res.check(b" late" in base[f"<summary {len(records)}>"], "session resumed: some records late",
              base[f"<summary {len(records)}>"])
    for key, files in got.items():
        diff = [n for n in base if files.get(n) != base[n]]
        res.check(not diff, f"session resumed: --threads {key[0]} then {key[1]} = 1 then 1", f"differs in {diff}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    flowc = os.path.abspath(ap.parse_args().flowc)
    res = Results()
    root = tempfile.mkdtemp(prefix="flowc_threads_")
    try:
        input_path = os.path.join(root, "events.csv")
        make_input(input_path, 400_000, random.Random(16))
        built = {}

        def argv_for(mode, flow_text, root, name):
            path = os.path.join(root, name + ".flow")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write(flow_text)
            if mode == "run":
                return [flowc, "run", path]
            if name not in built:
                exe = os.path.join(root, name + ".prog")
                b = subprocess.run([flowc, "build", path, "-o", exe], capture_output=True, text=True)
                built[name] = exe if res.check(b.returncode == 0, f"flowc build {name}", b.stderr) else None
            return [built[name]] if built[name] else None

        # Batches cut by records only: a batch interval starts at a multiple
        # of itself since the epoch, so 1h cut a batch when a run crossed
        # the hour; 1000000h (114 years) does not.
        common = ["--max-batch-records", "50000", "--batch", "1000000h"]
        run_case(res, "parallel", argv_for, PARALLEL, input_path, common + ["--checkpoint", "ck"], root)
        run_case(res, "parallel_skip", argv_for, PARALLEL_SKIP, input_path, common, root)
        run_case(res, "one_thread", argv_for, ONE_THREAD, input_path, common + ["--checkpoint", "ck"],
                 root)
        run_case(res, "update", argv_for, UPDATE, input_path, common + ["--checkpoint", "ck"], root)
        check_update_resumes(res, flowc, root, input_path, common)
        session_path = os.path.join(root, "sessions", "events.csv")
        os.makedirs(os.path.dirname(session_path))
        make_session_input(session_path, 200_000, random.Random(16))
        # Batches of some five morsels, many of them; and of one.
        run_case(res, "session", argv_for, SESSION, session_path,
                 ["--max-batch-records", "17000", "--batch", "1000000h", "--checkpoint", "ck"], root)
        run_case(res, "session_small", argv_for, SESSION, session_path,
                 ["--max-batch-records", "3000", "--batch", "1000000h"], root)
        check_session_resumes(res, flowc, root, session_path, 17000)
        small = ["--max-batch-records", "20000", "--batch", "1000000h"]
        got = run_case(res, "first_last", argv_for, FIRST_LAST, input_path, small + ["--checkpoint", "ck"],
                       root)
        if ("run", 1) in got:
            records = open(input_path).read().splitlines()[1:]
            check_model(res, "first_last", got[("run", 1)], arrival_model([records], 20000))
        check_resumes(res, flowc, root, "first_last", FIRST_LAST, input_path,
                      ("out/running.jsonl", "out/by_bucket.csv", "out/tumbling.jsonl", "out/sliding.jsonl"),
                      small, lambda files, parts: check_model(res, "first_last resumed", files,
                                                              arrival_model(parts, 20000)))
        float_path = os.path.join(root, "floats.csv")
        make_float_input(float_path, 300_000, random.Random(7))
        got = run_case(res, "float_sums", argv_for, FLOAT_SUMS, float_path, small + ["--checkpoint", "ck"],
                       root, link_as="events.csv")
        if ("run", 1) in got:
            records = open(float_path).read().splitlines()[1:]
            check_parsed(res, "float_sums", got[("run", 1)], float_model([records], 20000))
        float_dir = os.path.join(root, "floats")
        os.makedirs(float_dir)
        shutil.copy(float_path, os.path.join(float_dir, "events.csv"))
        check_resumes(res, flowc, root, "float_sums", FLOAT_SUMS, os.path.join(float_dir, "events.csv"),
                      ("out/running.jsonl", "out/per_minute.jsonl", "out/per_two.jsonl"), small,
                      lambda files, parts: check_parsed(res, "float_sums resumed", files,
                                                        float_model(parts, 20000)))
        run_case(res, "generate", argv_for, GENERATE, None,
                 ["--max-batch-records", "1000000", "--batch", "1000000h"], root)
        json_path = os.path.join(root, "events.jsonl")
        make_json_input(json_path, 200_000, random.Random(14))
        run_case(res, "json", argv_for, JSON, json_path, common, root)
        run_case(res, "raw_filter", argv_for, RAW_FILTER, input_path, common, root)
        words_path = os.path.join(root, "words.txt")
        make_words_input(words_path, 60_000, random.Random(41))
        run_case(res, "words", argv_for, WORDS, words_path, ["--max-batch-records", "20000", "--batch", "1000000h"],
                 root)
        many_path = os.path.join(root, "many_words.txt")
        make_many_words_input(many_path, 60_000, random.Random(16))
        for name, text in (("many_groups", MANY_GROUPS), ("many_groups_skip", MANY_GROUPS_SKIP)):
            run_case(res, name, argv_for, text, many_path,
                     ["--max-batch-records", "20000", "--batch", "1000000h"], root, link_as="words.txt")
        few_path = os.path.join(root, "few_words.txt")
        make_many_words_input(few_path, 24_000, random.Random(61))
        run_case(res, "first_last_words", argv_for, FIRST_LAST_WORDS, few_path,
                 ["--max-batch-records", "5000", "--batch", "1000000h", "--checkpoint", "ck"], root,
                 link_as="words.txt")
        run_case(res, "many_new_groups", argv_for, MANY_NEW_GROUPS, few_path,
                 ["--max-batch-records", "12000", "--batch", "1000000h", "--checkpoint", "ck"], root,
                 link_as="words.txt")
        check_thread_counts(res, flowc, root, input_path, float_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return res.exit_code()


if __name__ == "__main__":
    sys.exit(main())
