#!/usr/bin/env python3
"""bench/latency.py FLOWC — issue 16: a record's latency from its arrival on
stdin to its row on stdout, with 10 ms batches (bench/latency.flow), for
--threads 1 and --threads N side by side.

The pipeline is built once (`flowc build`). For each thread count, the
program runs with stdin and stdout on pipes; a writer sends one record every
RATE_US microseconds (its sequence number and some padding) for SECONDS
seconds, noting when each was written; a reader notes when each row comes
back. Latency = row read - record written (both monotonic clock). Prints
p50, p99 and max per thread count; the target (issue 16): p99 <= 12 ms for
a 10 ms batch, with more threads as with one.

usage: latency.py FLOWC [--threads 1,2] [--seconds 5] [--rate-us 500]
Python 3 standard library only.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(program, threads, seconds, rate_us):
    p = subprocess.Popen([program, "--threads", str(threads), "--quiet"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    sent = {}
    got = {}

    def read():
        buf = b""
        while True:
            chunk = p.stdout.read(65536)
            if not chunk:
                return
            now = time.monotonic_ns()
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                got[int(line)] = now

    reader = threading.Thread(target=read)
    reader.start()
    pad = "x" * 60
    start = time.monotonic_ns()
    seq = 0
    while True:
        due = start + seq * rate_us * 1000
        now = time.monotonic_ns()
        if due - now > 0:
            time.sleep((due - now) / 1e9)
        if time.monotonic_ns() - start > seconds * 1e9:
            break
        sent[seq] = time.monotonic_ns()
        p.stdin.write(b"%d,%s\n" % (seq, pad.encode()))
        seq += 1
    p.stdin.close()
    reader.join()
    p.wait()
    if p.returncode != 0 or len(got) != len(sent):
        sys.exit("latency.py: --threads %d: exit %d, %d of %d rows" % (threads, p.returncode, len(got), len(sent)))
    # The first batch waits for the program's start: leave out its first 100 ms.
    lat = sorted((got[s] - sent[s]) / 1e6 for s in sent if sent[s] - start > 100e6)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    return len(lat), pick(0.5), pick(0.99), lat[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flowc")
    ap.add_argument("--threads", default="1,%d" % max(2, min(os.cpu_count() or 1, 4)))
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rate-us", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        program = os.path.join(tmp, "latency")
        subprocess.run([args.flowc, "build", os.path.join(HERE, "latency.flow"), "-o", program], check=True)
        print("\nLatency (issue 16) — stdin to stdout, 10 ms batches, a record every %d us for %g s"
              % (args.rate_us, args.seconds))
        print("%-8s  %8s  %8s  %8s  %8s" % ("threads", "records", "p50 ms", "p99 ms", "max ms"))
        worst = 0.0
        for t in (int(x) for x in args.threads.split(",")):
            n, p50, p99, top = measure(program, t, args.seconds, args.rate_us)
            worst = max(worst, p99)
            print("%-8d  %8d  %8.2f  %8.2f  %8.2f" % (t, n, p50, p99, top))
        print("p99 <= 12 ms: %s" % ("yes" if worst <= 12 else "NO"))


if __name__ == "__main__":
    main()
