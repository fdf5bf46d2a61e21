#!/usr/bin/env python3
"""Crash test for checkpoints (LANGUAGE.md 10, issue 7).

Runs tests/checkpoint/crash.flow (event-time windows, keyed state, a
running aggregate, a union and a left interval join, top N, `delete` and
`emit expired`, and file sinks, CSV and JSON lines) — or, with --flow,
crash_parallel.flow, whose source runs on every worker thread under
--threads N (every run gets the --threads given) — over a generated
input of a few hundred thousand records in small batches:

  1. uninterrupted, for the reference output; run again on its
     checkpoint, an incremental run with nothing new: nothing changes;
  2. killed with SIGKILL at several seeded random moments, restarted each
     time until it exits 0: the sinks must hold the reference rows (as a
     multiset) and the CSV header exactly once;
  3. stopped with SIGTERM (exit 0) and restarted, same check; also
     restarted with a changed --param value (allowed, LANGUAGE.md 12);
  4. a changed pipeline on an old checkpoint: refused, exit 3, sinks untouched;
  5. a corrupted and a truncated checkpoint: refused, exit 3, sinks untouched.

Each scenario runs with `flowc run` and with an executable from `flowc build`.
Then:
  6. interchange: a run stopped under `flowc run` resumes in the built
     executable, and the other way round, both with --param values for a
     window length, a watermark delay and an initial value (LANGUAGE.md 12,
     13): the checkpoint's fingerprint holds no param value, and both read
     the params alike; the sinks must hold a reference run's rows.
Python 3 standard library only. Ends with `N passed, M failed`.

usage: crash_test.py --flowc PATH [--seed N] [--records N] [--kills N] [--threads N] [--flow F]
"""

import argparse
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Results, wait_running, work_dir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The files the pipeline writes (its file sinks and dead letters), read
# from the .flow file (main).
SINKS = []
THREADS = []  # --threads N (main): passed to every run
BATCH = "2500"  # --max-batch-records: a few hundred batches
TIMEOUT = 60    # seconds, for any single run


def make_input(path, records, rng):
    """CSV events: ~20 ms apart, some out of order (a few late), a few bad
    rows (dead letters, with their line numbers)."""
    users = [f"u{i:02d}" for i in range(40)]
    base = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    with open(path, "w") as f:
        f.write("id,user,amount,ts\n")
        for i in range(records):
            ts = base + i * 20 + rng.randint(-2500, 300)
            if i % 4999 == 100:
                ts -= 300_000  # 5 minutes behind: late, dropped and counted
            if i % 9973 == 5:
                f.write(f"{i},{rng.choice(users)},not_a_number,{ts}\n")  # bad record
                continue
            f.write(f"{i},{rng.choice(users)},{rng.randint(1, 1000)},{ts}\n")


class Pipeline:
    """How to start one pipeline: `flowc run FILE` or a built executable."""

    def __init__(self, label, argv):
        self.label = label
        self.argv = argv

    def start(self, cwd, extra=()):
        args = self.argv + ["--checkpoint", "ck", "--max-batch-records", BATCH,
                            "--batch", "1d", "--quiet"] + THREADS + list(extra)
        return subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)

    def run(self, cwd, extra=()):
        p = self.start(cwd, extra)
        _, err = p.communicate(timeout=TIMEOUT)
        return p.returncode, err


def fresh_dir(root, name, input_path):
    d = os.path.join(root, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.symlink(input_path, os.path.join(d, "events.csv"))
    return d


def read_sinks(d):
    out = {}
    for s in SINKS:
        p = os.path.join(d, s)
        out[s] = open(p, "rb").read() if os.path.exists(p) else None
    return out


def compare(res, name, got_dir, ref):
    got = read_sinks(got_dir)
    ok = True
    for s in SINKS:
        if got[s] is None:
            res.check(False, f"{name}: {s}", "missing")
            ok = False
            continue
        want_lines = ref[s].decode().splitlines()
        got_lines = got[s].decode().splitlines()
        same = collections.Counter(want_lines) == collections.Counter(got_lines)
        detail = ""
        if not same:
            missing = collections.Counter(want_lines) - collections.Counter(got_lines)
            extra = collections.Counter(got_lines) - collections.Counter(want_lines)
            detail = (f"{len(got_lines)} rows, want {len(want_lines)}; "
                      f"{sum(missing.values())} missing e.g. {list(missing)[:2]}, "
                      f"{sum(extra.values())} extra e.g. {list(extra)[:2]}")
        ok &= res.check(same, f"{name}: {s} has the reference rows", detail)
        if s.endswith(".csv"):
            header = want_lines[0] if want_lines else None
            headers = sum(1 for line in got_lines if line == header)
            ok &= res.check(headers == 1 and got_lines[:1] == [header],
                            f"{name}: {s} has its header once, first", f"{headers} headers")
    return ok


def sink_bytes(d):
    return sum(os.path.getsize(os.path.join(d, s)) for s in SINKS
               if os.path.exists(os.path.join(d, s)))


def wait_progress(p, d, target, timeout=TIMEOUT):
    """Waits until the sinks in d hold `target` bytes (the run's progress,
    whatever the machine's speed); False when the process ended first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if p.poll() is not None:
            return False
        if sink_bytes(d) >= target:
            return True
        time.sleep(0.001)
    return False


def kill_run(res, name, pipe, d, rng, kills, timing, sig):
    """Starts the pipeline and signals it at a random moment, `kills` times,
    restarting it each time; then runs it until it exits 0. The moments are
    chosen by progress (the sinks reaching a random share of the reference
    output, at rising shares, then 0-30 ms more), so they land while batches
    run however fast the machine is; one SIGKILL (at a random turn) lands
    during start-up instead (flowc compiling, the checkpoint being read). SIGTERM
    only comes while batches run (flowc's compile step has the default
    signal handling)."""
    startup, total_bytes = timing
    shares = sorted(rng.uniform(0.02, 0.85) for _ in range(kills))
    startup_kill = rng.randrange(kills)  # which SIGKILL lands during start-up
    runs = 0
    signalled = 0
    moments = []  # when each signal came, and the sinks' bytes then
    outcomes = []  # exit status of each run
    while True:
        runs += 1
        if runs > kills + 20:
            res.check(False, f"{name}: finishes", f"still not done after {runs - 1} runs")
            return
        p = pipe.start(d)
        sent = False
        if signalled < kills:
            if sig == signal.SIGKILL and signalled == startup_kill:
                where = "start-up"
                ready = True
                delay = rng.uniform(0.0, startup)
            else:
                share = shares[signalled]
                where = f"{share:.0%}"
                ready = wait_running(p) and wait_progress(p, d, share * total_bytes)
                delay = rng.uniform(0.0, 0.03)
            try:
                if not ready:
                    raise ValueError  # ended first
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(sig)
                sent = True
                signalled += 1
                moments.append(f"{where}+{delay * 1000:.0f}ms/{sink_bytes(d)}B")
            except ValueError:
                pass
        try:
            _, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            res.check(False, f"{name}: run {runs} ends", "timed out")
            return
        outcomes.append(f"{p.returncode}")
        if p.returncode == -signal.SIGKILL:
            continue
        if sent and sig == signal.SIGTERM and p.returncode == -signal.SIGTERM:
            # The run had ended and put back the default handling (the
            # runtime restores its host's signal handlers) just before the
            # signal came: killed at exit. Like a SIGKILL, the restarts must
            # still give the reference rows.
            continue
        if p.returncode != 0:
            res.check(False, f"{name}: run {runs} exits 0", f"exit {p.returncode}: {err.strip()}")
            return
        if sent and signalled < kills:
            continue  # stopped by SIGTERM (exit 0): restart, signal again
        if not sent and signalled < kills:
            # Finished before the signal came: a restart has nothing to do.
            signalled = kills
            continue
        if sent:
            continue  # the last SIGTERM: one more run to the end
        break
    print(f"  {name}: signalled at {', '.join(moments) or 'none'}; "
          f"{runs} runs, exit statuses {' '.join(outcomes)}")
    landed = sum(1 for m in moments if not m.startswith("start-up"))
    # A run may reach its end before a late target (the last batches'
    # rows): then the remaining signals are not sent. Some must have been.
    res.check(landed >= max(1, min(2, kills - 1)), f"{name}: signals landed while batches ran",
              f"{landed} of {kills}")


def stopped_at_a_third(pipe, d, timing, extra=()):
    """Runs `pipe` in `d` and stops it with SIGTERM about a third of the way
    through (its checkpoint then records a stopped run); returns `d`."""
    p = pipe.start(d, extra)
    if wait_running(p) and wait_progress(p, d, timing[1] // 3):
        p.send_signal(signal.SIGTERM)
    p.communicate(timeout=TIMEOUT)
    return d


def scenario(res, pipe, root, input_path, flow_text, rng, kills):
    tag = pipe.label
    # 0. One untimed run fills flowc's compile cache (docs/cache.md), so that
    # the reference run's start-up below is that of the restarts, which
    # find the pipeline compiled: start-up kills are timed from it.
    pipe.start(fresh_dir(root, f"{tag}-warm", input_path)).communicate(timeout=TIMEOUT)
    # 1. Uninterrupted reference.
    ref_dir = fresh_dir(root, f"{tag}-ref", input_path)
    t0 = time.monotonic()
    p = pipe.start(ref_dir)
    wait_running(p)
    startup = time.monotonic() - t0
    _, err = p.communicate(timeout=TIMEOUT)
    code = p.returncode
    ref_seconds = time.monotonic() - t0
    if not res.check(code == 0, f"{tag}: uninterrupted run exits 0", err.strip()):
        return
    ref = read_sinks(ref_dir)
    rows = {s: ref[s].count(b"\n") for s in SINKS}
    timing = (startup, sum(len(ref[s]) for s in SINKS))
    print(f"  {tag}: reference run {ref_seconds:.2f}s ({startup:.2f}s start-up), rows {rows}")
    res.check(all(n > 20 for n in rows.values()), f"{tag}: reference has rows", str(rows))
    # A checkpoint of a run that ended: running again is an incremental run
    # (LANGUAGE.md 13) that finds nothing new, so it runs no batch and
    # changes no sink and not the checkpoint (incremental_test.py grows the
    # input between runs).
    ck = open(os.path.join(ref_dir, "ck", "checkpoint"), "rb").read()
    code, err = pipe.run(ref_dir)
    res.check(code == 0 and read_sinks(ref_dir) == ref and
              open(os.path.join(ref_dir, "ck", "checkpoint"), "rb").read() == ck,
              f"{tag}: a rerun after the end with nothing new changes nothing",
              f"exit {code} {err.strip()}")

    # 2. kill -9 at random moments.
    d = fresh_dir(root, f"{tag}-kill", input_path)
    kill_run(res, f"{tag} kill -9", pipe, d, rng, kills, timing, signal.SIGKILL)
    compare(res, f"{tag} kill -9", d, ref)

    # 3. SIGTERM and restart.
    d = fresh_dir(root, f"{tag}-term", input_path)
    kill_run(res, f"{tag} SIGTERM", pipe, d, rng, 2, timing, signal.SIGTERM)
    compare(res, f"{tag} SIGTERM", d, ref)

    # 3b. SIGTERM, then a restart with another --param value: allowed.
    d = stopped_at_a_third(pipe, fresh_dir(root, f"{tag}-param", input_path), timing)
    code, err = pipe.run(d, ["--param", "ceiling=9000"])
    res.check(code == 0, f"{tag}: a restart with a changed --param resumes", err.strip())
    compare(res, f"{tag} changed --param", d, ref)

    # 4. A changed pipeline on a checkpoint of a stopped run.
    d = stopped_at_a_third(pipe, fresh_dir(root, f"{tag}-changed", input_path), timing)
    before = read_sinks(d)
    changed = changed_pipeline(pipe, root, flow_text)
    code, err = changed.run(d)
    res.check(code == 3, f"{tag}: a changed pipeline is refused with exit 3", f"exit {code}")
    res.check("different pipeline" in err and "to start over, delete" in err,
              f"{tag}: the refusal says what changed and how to start over", err.strip())
    res.check("amount % 5" in err and "amount % 7" in err,
              f"{tag}: the refusal shows the changed stage", err.strip())
    res.check(read_sinks(d) == before, f"{tag}: refused changed pipeline leaves the sinks untouched")

    # 5. A corrupted checkpoint, then a truncated one.
    ck = os.path.join(d, "ck", "checkpoint")
    good = open(ck, "rb").read()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0x04
    open(ck, "wb").write(bytes(bad))
    code, err = pipe.run(d)
    res.check(code == 3 and "checksum" in err, f"{tag}: a corrupted checkpoint is refused with exit 3",
              f"exit {code}: {err.strip()}")
    res.check(read_sinks(d) == before, f"{tag}: refused corrupt checkpoint leaves the sinks untouched")
    open(ck, "wb").write(good[: len(good) * 2 // 3])
    code, err = pipe.run(d)
    res.check(code == 3 and "truncated" in err, f"{tag}: a truncated checkpoint is refused with exit 3",
              f"exit {code}: {err.strip()}")
    res.check(read_sinks(d) == before, f"{tag}: refused truncated checkpoint leaves the sinks untouched")
    # The good checkpoint still resumes to the reference.
    open(ck, "wb").write(good)
    code, err = pipe.run(d)
    res.check(code == 0, f"{tag}: the intact checkpoint resumes", err.strip())
    compare(res, f"{tag} resumed after refusals", d, ref)


# Scenario 6: other values than the declared ones, so that a side that
# ignored them would write other rows.
INTERCHANGE_PARAMS = ["--param", "span=30s", "--param", "delay=5s", "--param", "opening=100"]


def interchange(res, run_pipe, build_pipe, root, input_path):
    ref_dir = fresh_dir(root, "interchange-ref", input_path)
    code, err = run_pipe.run(ref_dir, INTERCHANGE_PARAMS)
    if not res.check(code == 0, "interchange: reference run with --param exits 0", err.strip()):
        return
    ref = read_sinks(ref_dir)
    timing = (0, sum(len(ref[s]) for s in SINKS))
    for first, then in ((run_pipe, build_pipe), (build_pipe, run_pipe)):
        name = f"interchange {first.label} -> {then.label}"
        d = stopped_at_a_third(first, fresh_dir(root, name.replace(" ", "_").replace(">", ""), input_path),
                               timing, INTERCHANGE_PARAMS)
        stopped = sink_bytes(d)
        res.check(0 < stopped < timing[1], f"{name}: the first run stopped part way",
                  f"{stopped} of {timing[1]} bytes")
        code, err = then.run(d, INTERCHANGE_PARAMS)
        res.check(code == 0, f"{name}: resumes from the other's checkpoint", err.strip())
        compare(res, name, d, ref)


_changed = {}


def changed_pipeline(pipe, root, flow_text):
    """The same pipeline with one stage changed (amount % 7 -> amount % 5)."""
    path = os.path.join(root, "changed.flow")
    with open(path, "w") as f:
        f.write(flow_text.replace("amount % 7 != 0", "amount % 5 != 0"))
    if pipe.label == "run":
        return Pipeline("run-changed", pipe.argv[:2] + [path])
    if "build" not in _changed:
        exe = os.path.join(root, "changed_prog")
        subprocess.run(_changed_build_cmd[0] + [path, "-o", exe], check=True,
                       stdout=subprocess.DEVNULL)
        _changed["build"] = Pipeline("build-changed", [exe])
    return _changed["build"]


_changed_build_cmd = [None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "7")))
    ap.add_argument("--records", type=int, default=300_000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--threads", type=int, help="--threads N for every run (default: flowc's)")
    ap.add_argument("--flow", default="crash.flow",
                    help="the pipeline, in tests/checkpoint/ (crash_parallel.flow: --threads)")
    args = ap.parse_args()
    if args.threads:
        THREADS[:] = ["--threads", str(args.threads)]
    flowc = os.path.abspath(args.flowc)
    rng = random.Random(args.seed)
    res = Results()
    started = time.monotonic()
    with work_dir("crash", args.keep) as root:
        print(f"crash test: seed {args.seed}, {args.records} records, work dir {root}")
        flow_path = os.path.join(HERE, args.flow)
        flow_text = open(flow_path).read()
        SINKS[:] = sorted(set(re.findall(r'file\("(out/[^"]+)"\)', flow_text)))
        local_flow = os.path.join(root, "crash.flow")
        with open(local_flow, "w") as f:
            f.write(flow_text)
        input_path = os.path.join(root, "events.csv")
        make_input(input_path, args.records, rng)

        exe = os.path.join(root, "crash_prog")
        _changed_build_cmd[0] = [flowc, "build"]
        b = subprocess.run([flowc, "build", local_flow, "-o", exe],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        built = res.check(b.returncode == 0, "flowc build crash.flow", b.stdout.strip())

        scenario(res, Pipeline("run", [flowc, "run", local_flow]), root, input_path, flow_text,
                 rng, args.kills)
        if built:
            scenario(res, Pipeline("build", [exe]), root, input_path, flow_text, rng, args.kills)
            interchange(res, Pipeline("run", [flowc, "run", local_flow]), Pipeline("build", [exe]), root,
                        input_path)
    print(f"{time.monotonic() - started:.1f}s")
    return res.exit_code()


if __name__ == "__main__":
    sys.exit(main())
