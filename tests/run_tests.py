#!/usr/bin/env python3
"""The data-driven test runner: one small script for every folder of cases.

    python3 run_tests.py --flowc PATH --suite diagnostics|parse [NAME...]

Each suite is a function that yields Case results; the runner prints one
line per case, a unified diff for each failure, and a final line
`N passed, N failed`. It exits 1 when any case failed.

Suites (run from the tests/ folder, or anywhere: paths are resolved from
this file):

  diagnostics  tests/diagnostics/NAME.flow + NAME.expected: the exact stderr
               of `flowc check NAME.flow` run inside tests/diagnostics, and
               exit status 1 (a first line `# exit: N` expects status N).
  parse        tests/parse/NAME.flow must check clean (exit 0, no stderr);
               when NAME.explain exists, `flowc explain NAME.flow` stdout
               must equal it. Every examples/*.flow must also check clean.

A later `run` suite (a folder per case with a .flow, inputs and expected
output, run through `flowc run` and a `flowc build` executable) is one more
function registered in SUITES.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Iterator, List

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TESTS_DIR)

# A case that hangs is a failure, not a stuck CI job.
TIMEOUT_SECONDS = 60

EXIT_DIRECTIVE = re.compile(r"#\s*exit:\s*(\d+)\s*$")


@dataclass
class Result:
    name: str
    passed: bool
    details: List[str] = field(default_factory=list)  # diffs and messages


def run_flowc(flowc: str, args: List[str], cwd: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([flowc] + args, cwd=cwd, capture_output=True,
                              timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess([flowc] + args, -1, b"",
                                           b"(timed out after %d s)\n" % TIMEOUT_SECONDS)


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def diff(expected: str, actual: str, label: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True),
                                 actual.splitlines(keepends=True),
                                 fromfile=label + " (expected)",
                                 tofile=label + " (actual)")
    text = "".join(line if line.endswith("\n") else line + "\n\\ no newline\n"
                   for line in lines)
    return text


def describe_status(status: int) -> str:
    return "killed by signal %d" % -status if status < 0 else "exit %d" % status


def cases(folder: str, ext: str, only: List[str]) -> List[str]:
    if not os.path.isdir(folder):
        return []
    names = sorted(f[:-len(ext)] for f in os.listdir(folder) if f.endswith(ext))
    return [n for n in names if not only or n in only]


def read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def expected_exit(flow_text: str, default: int) -> int:
    first = flow_text.split("\n", 1)[0]
    m = EXIT_DIRECTIVE.match(first)
    return int(m.group(1)) if m else default


# ---- suites ----

def suite_diagnostics(flowc: str, only: List[str]) -> Iterator[Result]:
    folder = os.path.join(TESTS_DIR, "diagnostics")
    for name in cases(folder, ".flow", only):
        flow = name + ".flow"
        result = Result("diagnostics/" + name, True)
        expected_path = os.path.join(folder, name + ".expected")
        if not os.path.exists(expected_path):
            result.passed = False
            result.details.append("missing %s.expected\n" % name)
            yield result
            continue
        want_status = expected_exit(read(os.path.join(folder, flow)), 1)
        proc = run_flowc(flowc, ["check", flow], folder)
        if proc.returncode != want_status:
            result.passed = False
            result.details.append("expected exit %d, got %s\n" %
                                  (want_status, describe_status(proc.returncode)))
        expected, actual = read(expected_path), decode(proc.stderr)
        if expected != actual:
            result.passed = False
            result.details.append(diff(expected, actual, name + ".flow stderr"))
        yield result


def check_clean(flowc: str, label: str, flow: str, cwd: str, result: Result) -> None:
    proc = run_flowc(flowc, ["check", flow], cwd)
    if proc.returncode != 0 or proc.stderr:
        result.passed = False
        result.details.append("%s: expected a clean check, got %s\n%s" %
                              (label, describe_status(proc.returncode), decode(proc.stderr)))


def suite_parse(flowc: str, only: List[str]) -> Iterator[Result]:
    folder = os.path.join(TESTS_DIR, "parse")
    for name in cases(folder, ".flow", only):
        flow = name + ".flow"
        result = Result("parse/" + name, True)
        check_clean(flowc, flow, flow, folder, result)
        explain_path = os.path.join(folder, name + ".explain")
        if result.passed and os.path.exists(explain_path):
            proc = run_flowc(flowc, ["explain", flow], folder)
            expected, actual = read(explain_path), decode(proc.stdout)
            if proc.returncode != 0:
                result.passed = False
                result.details.append("explain: %s\n%s" % (describe_status(proc.returncode),
                                                            decode(proc.stderr)))
            elif expected != actual:
                result.passed = False
                result.details.append(diff(expected, actual, name + ".explain"))
        yield result
    examples = os.path.join(REPO_DIR, "examples")
    for name in cases(examples, ".flow", only):
        flow = name + ".flow"
        result = Result("examples/" + name, True)
        check_clean(flowc, flow, flow, examples, result)
        yield result


SUITES = {
    "diagnostics": suite_diagnostics,
    "parse": suite_parse,
}


def main() -> int:
    parser = argparse.ArgumentParser(description="flowc's data-driven test runner")
    parser.add_argument("--flowc", required=True, help="path to the flowc binary")
    parser.add_argument("--suite", required=True, choices=sorted(SUITES))
    parser.add_argument("names", nargs="*", help="run only these cases (by file stem)")
    args = parser.parse_args()
    flowc = os.path.abspath(args.flowc)
    if not os.access(flowc, os.X_OK):
        print("run_tests.py: error: '%s' is not an executable" % args.flowc, file=sys.stderr)
        return 2

    passed = failed = 0
    for result in SUITES[args.suite](flowc, args.names):
        print("%s %s" % ("PASS" if result.passed else "FAIL", result.name), flush=True)
        if result.passed:
            passed += 1
        else:
            failed += 1
            for detail in result.details:
                sys.stdout.write(detail if detail.endswith("\n") else detail + "\n")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
