#!/usr/bin/env python3
"""Runs the data-driven `run` suite once per optimizer pass, with that pass
disabled (`flowc run --disable-pass NAME`), and requires the same expected
output: a pass may make a pipeline faster, never change what it writes.

    python3 tests/check_passes.py --flowc build/compiler/flowc

The passes are the ones flowc lists (compiler/optimize/optimizer.cpp), so a
new pass is covered without editing this file. JIT only (`flowc run`): the
passes run before code generation, which the JIT and built programs share.

A case is run without a pass only when the pass changes its plan: when
`flowc explain` (which prints the optimized plan) differs with the pass
disabled, or when the pipeline declares a param (`flowc run` folds params,
which `explain` keeps by name). A pass that changes no case's plan is
reported: the suite does not exercise it. About 30 s in all on a shared
2-core machine (`--all`, every case under every pass: 2 to 6 minutes).

KEEP_SEMANTICS lists the cases whose output depends on a pass because
the pass implements a rule of the language, with the rule.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
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


def explain_args(case_dir):
    """The case's --param and --batch options (what `explain` takes)."""
    path = os.path.join(case_dir, "args")
    args = shlex.split(open(path).read()) if os.path.exists(path) else []
    out = []
    for i, a in enumerate(args):
        if a in ("--param", "--batch") and i + 1 < len(args):
            out += [a, args[i + 1]]
        elif a.startswith("--param=") or a.startswith("--batch="):
            out.append(a)
    return out


def explain(flowc, case_dir, extra):
    proc = subprocess.run([flowc, "explain", "pipeline.flow"] + explain_args(case_dir) + extra,
                          cwd=case_dir, capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def changed_by(flowc, name, cases, baseline):
    """The cases whose plan the pass changes (see the docstring)."""
    def changed(case):
        case_dir = os.path.join(RUN_DIR, case)
        with open(os.path.join(case_dir, "pipeline.flow"), encoding="utf-8",
                  errors="replace") as f:
            if re.search(r"^\s*param\s", f.read(), re.M):
                return True
        return explain(flowc, case_dir, ["--disable-pass", name]) != baseline[case]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        flags = list(pool.map(changed, cases))
    return [c for c, f in zip(cases, flags) if f]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flowc", required=True)
    parser.add_argument("--all", action="store_true",
                        help="run every case under every pass, changed plan or not")
    args = parser.parse_args()
    flowc = os.path.abspath(args.flowc)
    cases = sorted(n for n in os.listdir(RUN_DIR)
                   if os.path.exists(os.path.join(RUN_DIR, n, "pipeline.flow")))
    baseline = {}
    if not args.all:
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            plans = pool.map(lambda c: explain(flowc, os.path.join(RUN_DIR, c), []), cases)
            baseline = dict(zip(cases, plans))
    # The passes' runs go side by side: most of a case's time is waiting for
    # batch intervals, not CPU.
    runs = []
    for name in pass_names(flowc):
        kept = KEEP_SEMANTICS.get(name, set())
        todo = [c for c in cases if c not in kept]
        if not args.all:
            todo = changed_by(flowc, name, todo, baseline)
        print("== run suite with --disable-pass %s: %d cases whose plan it changes%s" %
              (name, len(todo), "; left out: " + ", ".join(sorted(kept)) if kept else ""),
              flush=True)
        if not todo:
            print("   (no case exercises %s: add one to tests/run)" % name)
            continue
        runs.append((name, subprocess.Popen(
            [sys.executable, os.path.join(TESTS_DIR, "run_tests.py"), "--flowc", flowc,
             "--suite", "run", "--jit-only", "--run-arg=--disable-pass", "--run-arg=" + name]
            + todo,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    passed = failed = 0
    for name, proc in runs:
        out, err = proc.communicate()
        for line in out.splitlines():
            if line.startswith("PASS "):
                continue
            if re.fullmatch(r"\d+ passed, \d+ failed", line):
                m = re.findall(r"\d+", line)
                passed += int(m[0])
                failed += int(m[1])
                continue
            print(line.replace("FAIL run/", "FAIL run/%s/" % name, 1))
        if proc.returncode != 0 and "failed" not in out:
            print(err)
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
