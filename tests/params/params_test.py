#!/usr/bin/env python3
"""Params in built programs that the `run` suite cannot show (it expects the
same from `flowc run` and a built program):

  * a param that a regex pattern reads is compiled into a built program:
    --param for it is refused (exit 2, naming the param and the pattern),
    while `flowc run` takes it and every other param of the same program
    still follows --param (LANGUAGE.md 13);
  * a built program's --help lists its params with their types, durations
    included;
  * a param that sets a stream join's `within` is folded into the clocks of
    the pipeline when it is built: refused the same way.

Python 3 standard library only. Ends with `N passed, M failed`.

usage: params_test.py --flowc PATH
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Results  # noqa: E402

FLOW = """
param wanted: string = "ERROR"
param word: string = "disk"
param limit: int = 100
param span: duration = 1m
param head: string = "(?P<level>[A-Z]+)"

source log = file("app.log")
  format regex(head + " (?P<msg>.*)")
  schema { level: string, msg: string }

stream picked = log
  | where level == wanted and regex_match(msg, word + "[0-9]+") and len(msg) < limit
  | select msg

sink picked to stdout
"""

JOIN_FLOW = """
param w: duration = 10s
source a = file("a.csv") format csv(header: true) schema { k: string, ts: timestamp } event_time ts
source b = file("b.csv") format csv(header: true) schema { k: string, t2: timestamp } event_time t2
stream j = a | join b on k within w
sink j to stdout
"""

LOG = """ERROR disk1 full
INFO disk2 fine
ERROR net3 down
WARN disk4 slow
ERROR disk5 gone
"""


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    flowc = os.path.abspath(ap.parse_args().flowc)
    res = Results()
    d = tempfile.mkdtemp(prefix="flowc_params_")
    try:
        with open(os.path.join(d, "p.flow"), "w") as f:
            f.write(FLOW)
        with open(os.path.join(d, "app.log"), "w") as f:
            f.write(LOG)
        # The expected rows, from LOG by hand: level WARN, a message matching
        # disk[0-9]+ -> "disk4 slow"; with the declared values: disk1, disk5.
        r = run([flowc, "run", "p.flow", "--quiet", "--param", "word=net", "--param", "wanted=ERROR"], d)
        res.check(r.returncode == 0 and r.stdout == "msg\nnet3 down\n",
                  "flowc run takes --param for a param in a regex pattern", r.stdout + r.stderr)
        b = run([flowc, "build", "p.flow", "-o", "prog"], d)
        if res.check(b.returncode == 0, "flowc build", b.stderr):
            built(res, d)
        within(res, flowc, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return res.exit_code()


def built(res, d):
    """The built program in `d` (./prog): what it refuses and what it takes."""
    r = run(["./prog", "--quiet"], d)
    res.check(r.returncode == 0 and r.stdout == "msg\ndisk1 full\ndisk5 gone\n",
              "the built program runs with the declared values", r.stdout + r.stderr)
    r = run(["./prog", "--quiet", "--param", "word=net"], d)
    res.check(r.returncode == 2 and r.stdout == "", "--param for a regex pattern's param exits 2",
              f"exit {r.returncode}: {r.stdout}{r.stderr}")
    res.check("param 'word'" in r.stderr and "regex pattern" in r.stderr and "flowc build --param word="
              in r.stderr, "the refusal names the param, the regex pattern and the way out", r.stderr)
    r = run(["./prog", "--quiet", "--param", "head=(?P<level>[A-Z])"], d)
    res.check(r.returncode == 2 and "param 'head'" in r.stderr,
              "--param for the param of a format's regex pattern exits 2", r.stderr)
    r = run(["./prog", "--quiet", "--param", "wanted=WARN", "--param", "limit=50"], d)
    res.check(r.returncode == 0 and r.stdout == "msg\ndisk4 slow\n",
              "the built program's other params follow --param", r.stdout + r.stderr)
    r = run(["./prog", "--help"], d)
    res.check(r.returncode == 0 and "  span: duration = 1m\n" in r.stdout and "  limit: int = 100\n" in r.stdout,
              "--help lists the params with their types", r.stdout)


def within(res, flowc, d):
    """A stream join's `within` param: flowc run takes it, a built program
    refuses it. Rows by hand: a@0 and a@20000 against b@5000; within 10s
    pairs only the first, within 30s both."""
    for name, text in (("j.flow", JOIN_FLOW), ("a.csv", "k,ts\nx,0\nx,20000\n"), ("b.csv", "k,t2\nx,5000\n")):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    r = run([flowc, "run", "j.flow", "--quiet", "--param", "w=30s"], d)
    res.check(r.returncode == 0 and r.stdout.count("\n") == 3, "flowc run takes --param for 'within'",
              r.stdout + r.stderr)
    b = run([flowc, "build", "j.flow", "-o", "jprog"], d)
    if not res.check(b.returncode == 0, "flowc build of a 'within' param", b.stderr):
        return
    r = run(["./jprog", "--quiet"], d)
    res.check(r.returncode == 0 and r.stdout.count("\n") == 2, "the built join runs with the declared 'within'",
              r.stdout + r.stderr)
    r = run(["./jprog", "--quiet", "--param", "w=30s"], d)
    res.check(r.returncode == 2 and "param 'w'" in r.stderr and "'within'" in r.stderr,
              "--param for a 'within' param exits 2 and says why", r.stderr)


if __name__ == "__main__":
    sys.exit(main())
