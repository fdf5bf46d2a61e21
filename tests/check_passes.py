#!/usr/bin/env python3
"""Runs the data-driven `run` suite once per optimizer pass, with that pass
disabled (`flowc run --disable-pass NAME`), and requires the same expected
output: a pass may make a pipeline faster, never change what it writes.

    python3 tests/check_passes.py --flowc build/compiler/flowc

The passes are the ones flowc lists (compiler/optimize/optimizer.cpp), so a
new pass is covered without editing this file. JIT only (`flowc run`): the
passes run before code generation, which the JIT and built programs share.
About 25-30 s per pass on a shared 2-core machine.

KEEP_SEMANTICS lists the cases whose output depends on a pass because
the pass implements a rule of the language, with the rule.
"""

import argparse
import os
import re
import subprocess
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
RUN_DIR = os.path.join(TESTS_DIR, "run")

KEEP_SEMANTICS = {
    "prune-columns": {
        # LANGUAGE.md 12 "Fields that are never read": a source field that no
        # stage reads is not parsed or checked. Pruning is that rule.
        "pruned_fields_not_validated",
    },
}


def pass_names(flowc):
    """The pass names, from flowc's refusal of an unknown one."""
    proc = subprocess.run([flowc, "explain", "--disable-pass", "?"], capture_output=True,
                          text=True)
    m = re.search(r"\(passes: ([^)]*)\)", proc.stderr)
    if not m:
        sys.exit("check_passes.py: cannot read the pass list from flowc:\n" + proc.stderr)
    return m.group(1).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flowc", required=True)
    args = parser.parse_args()
    flowc = os.path.abspath(args.flowc)
    cases = sorted(n for n in os.listdir(RUN_DIR)
                   if os.path.exists(os.path.join(RUN_DIR, n, "pipeline.flow")))
    passed = failed = 0
    for name in pass_names(flowc):
        kept = KEEP_SEMANTICS.get(name, set())
        print("== run suite with --disable-pass %s (%d cases left out: %s)" %
              (name, len(kept), ", ".join(sorted(kept)) or "none"), flush=True)
        proc = subprocess.run(
            [sys.executable, os.path.join(TESTS_DIR, "run_tests.py"), "--flowc", flowc,
             "--suite", "run", "--jit-only", "--run-arg=--disable-pass", "--run-arg=" + name]
            + [c for c in cases if c not in kept],
            capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("PASS "):
                continue
            if re.fullmatch(r"\d+ passed, \d+ failed", line):
                m = re.findall(r"\d+", line)
                passed += int(m[0])
                failed += int(m[1])
                continue
            print(line.replace("FAIL run/", "FAIL run/%s/" % name, 1))
        if proc.returncode != 0 and "failed" not in proc.stdout:
            print(proc.stderr)
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
