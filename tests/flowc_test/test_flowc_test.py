#!/usr/bin/env python3
"""Tests of `flowc test` itself (LANGUAGE.md 13 "flowc test").

    python3 tests/flowc_test/test_flowc_test.py --flowc build/compiler/flowc

The cases under cases/ run scores.flow (CSV on stdin, a param, a float
column, stdout and a file sink); their expected files were written by hand.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = []


def flowc_test(flowc, *args, cwd=HERE):
    env = dict(os.environ)
    p = subprocess.run([flowc, "test", *args], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        FAILURES.append(name)
        if detail:
            print("     " + detail.replace("\n", "\n     "))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    flowc = os.path.abspath(ap.parse_args().flowc)

    # A passing case with args (a param, a comment, a blank line, an option
    # and its value on one line) and stdin; floats written as 2.50, -5e-1.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/pass")
    check("pass: exit 0", code == 0, out + err)
    check("pass: PASS line and summary",
          "PASS cases/pass" in out and "1 case, 1 passed, 0 failed" in out, out)
    check("pass: the case folder is not written to",
          not os.path.exists(os.path.join(HERE, "cases", "pass", "out")))

    # A failing row: exit 1, the row diff names the row and the column.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/fail_row")
    check("fail_row: exit 1", code == 1, out + err)
    want = ("FAIL cases/fail_row",
            "  stdout:\n",
            "    row 3    - bob,4,0.75\n",
            "             + bob,3,0.75\n",
            "               column 2 'score': expected 4, got 3\n",
            "1 case, 0 passed, 1 failed")
    check("fail_row: the diff", all(w in out for w in want), out)

    # An expected file the run did not write.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/missing_file")
    check("missing_file: exit 1", code == 1, out + err)
    check("missing_file: named", "  out/other.csv: not written by the run\n" in out, out)
    check("missing_file: stdout matched", "stdout:" not in out, out)

    # No expected/ folder: a case that cannot fail is a failure.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/no_expected")
    check("no_expected: exit 1", code == 1 and "nothing to compare" in out, out + err)

    # A run that exits non-zero: its status and stderr are shown.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/bad_exit")
    check("bad_exit: exit 1 with the run's message",
          code == 1 and "exited with status 2" in out and "unknown param 'nosuch'" in out, out)

    # expected/stderr: the bad-record message (args has --quiet).
    code, out, err = flowc_test(flowc, "scores.flow", "cases/stderr")
    check("stderr: compared", code == 0 and "PASS cases/stderr" in out, out + err)

    # Several cases: every one runs, the summary counts them.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/pass", "cases/fail_row",
                                "cases/missing_file")
    check("several: exit 1, counts", code == 1 and "3 cases, 1 passed, 2 failed" in out, out)

    # --keep leaves the working copy, which holds the inputs and what the run
    # wrote but not expected/.
    code, out, err = flowc_test(flowc, "scores.flow", "cases/pass", "--keep")
    kept = [line.split("kept: ", 1)[1] for line in out.splitlines() if "kept: " in line]
    check("keep: a path", code == 0 and len(kept) == 1, out)
    if kept:
        work = kept[0]
        check("keep: inputs and outputs, no expected/",
              os.path.exists(os.path.join(work, "stdin")) and
              os.path.exists(os.path.join(work, "out", "scores.csv")) and
              not os.path.exists(os.path.join(work, "expected")), work)
        shutil.rmtree(os.path.dirname(work), ignore_errors=True)

    # A run that does not end is stopped at --timeout.
    code, out, err = flowc_test(flowc, "forever.flow", "cases/fail_row", "--timeout", "1s")
    check("timeout: exit 1", code == 1 and "did not end within" in out, out + err)

    # A pipeline with compile errors: reported once, exit 1.
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.flow")
        with open(bad, "w") as f:
            f.write("source s = stdin() format lines\nstream t = s | where nope > 1\nsink t to stdout\n")
        code, out, err = flowc_test(flowc, bad, os.path.join(HERE, "cases", "pass"))
        check("compile error: exit 1, diagnostics", code == 1 and "unknown field 'nope'" in err,
              out + err)

    # Usage.
    code, out, err = flowc_test(flowc, "--help")
    check("--help: exit 0", code == 0 and "expected/" in out and "args" in out, out + err)
    code, out, err = flowc_test(flowc, "scores.flow")
    check("no case folder: exit 2", code == 2 and "no case folder" in err, err)
    code, out, err = flowc_test(flowc, "scores.flow", "cases/nope")
    check("missing folder: exit 2", code == 2 and "'cases/nope' is not a folder" in err, err)
    code, out, err = flowc_test(flowc, "scores.flow", "cases/pass", "--bogus")
    check("unknown option: exit 2", code == 2 and "unknown option '--bogus'" in err, err)

    print("%d failed" % len(FAILURES) if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
