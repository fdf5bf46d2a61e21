#!/usr/bin/env python3
"""The data-driven test runner: one small script for every folder of cases.

    python3 run_tests.py --flowc PATH --suite diagnostics|parse|run [NAME...]

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

  run          tests/run/NAME/: pipeline.flow, its inputs, and the expected
               output, run twice from a scratch copy of the folder (paths in
               the .flow are relative to it): `flowc run pipeline.flow ARGS`
               and a `flowc build pipeline.flow -o PROG` executable run as
               `PROG ARGS`. Both must match:
                 args             extra run options, one line (shell words);
                                  `--quiet` is added unless it lists
                                  `--quiet` or `--no-quiet` (the runner's own
                                  marker, not passed on)
                 expected_stdout  exact stdout (absent: stdout must be empty)
                 expected/PATH    the exact file the pipeline wrote at PATH
                 expected_stderr  exact stderr (absent: not compared)
                 expected_exit    exit status (default 0)
                 stdin            fed to the run's stdin (absent: empty)
                 check.py         an optional invariant check, for output that
                                  is not exact (processing time, wall-clock
                                  batches): run after each of the two runs as
                                  `python3 CASE/check.py STDOUT STDERR` in the
                                  run's folder (so it sees the inputs and the
                                  files the pipeline wrote); STDOUT and STDERR
                                  are paths of files holding the run's output.
                                  Exit 0 passes; otherwise what it printed is
                                  the failure. With check.py, a missing
                                  expected_stdout means stdout is not compared.
                 generate.py      makes inputs too big (or too binary) to check
                                  in: run as `python3 CASE/generate.py` in each
                                  scratch copy before the pipeline (deterministic:
                                  the expected files are computed from its output)
               reference.py, when present, documents how the expected output
               was computed; the runner does not run it (tests/
               check_references.py does). tests/run/KNOWN_FAILURES lists
               cases to SKIP, one `NAME reason` a line.
               --jit-only skips the built program; --run-arg ARG passes ARG
               to `flowc run` (tests/check_passes.py: --disable-pass NAME).
"""

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
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
    skipped: bool = False
    details: List[str] = field(default_factory=list)  # diffs and messages


def run_flowc(flowc: str, args: List[str], cwd: str, timeout: int = TIMEOUT_SECONDS,
              stdin: bytes = b"") -> subprocess.CompletedProcess:
    try:
        return subprocess.run([flowc] + args, cwd=cwd, capture_output=True,
                              input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess([flowc] + args, -1, b"",
                                           b"(timed out after %d s)\n" % timeout)


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


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
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
        # Bytes: a case may hold invalid UTF-8 (tests/diagnostics/invalid_utf8.flow).
        want_status = expected_exit(decode(read_bytes(os.path.join(folder, flow))), 1)
        proc = run_flowc(flowc, ["check", flow], folder)
        if proc.returncode != want_status:
            result.passed = False
            result.details.append("expected exit %d, got %s\n" %
                                  (want_status, describe_status(proc.returncode)))
        expected, actual = decode(read_bytes(expected_path)), decode(proc.stderr)
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


# One run of a `run` case (a pipeline reading small files) is quick; this
# bounds a hang without waiting for the whole-suite timeout.
RUN_CASE_TIMEOUT_SECONDS = 30

# Files of a case folder that are the test's, not the pipeline's.
RUN_CASE_META = {"pipeline.flow", "args", "expected_stdout", "expected_stderr",
                 "expected_exit", "expected", "reference.py", "stdin", "check.py",
                 "generate.py"}


def known_failures(folder: str) -> dict:
    """NAME -> reason, from tests/run/KNOWN_FAILURES (`#` lines are comments)."""
    path = os.path.join(folder, "KNOWN_FAILURES")
    known = {}
    if os.path.exists(path):
        for line in read(path).splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            known[name] = reason.strip()
    return known


def expected_files(case_dir: str) -> List[str]:
    """Paths (relative to the case folder) of every file under expected/."""
    root = os.path.join(case_dir, "expected")
    paths = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            paths.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(paths)


def scratch_copy(case_dir: str, outputs: List[str], into: str) -> str:
    """A copy of the case's inputs in which no expected output exists yet."""
    work = os.path.join(into, "case")
    shutil.copytree(case_dir, work,
                    ignore=lambda d, names: [n for n in names if d == case_dir
                                             and n in RUN_CASE_META and n != "pipeline.flow"])
    for rel in outputs:
        path = os.path.join(work, rel)
        if os.path.lexists(path):
            os.remove(path)
    generate = os.path.join(case_dir, "generate.py")
    if os.path.exists(generate):
        subprocess.run([sys.executable, generate], cwd=work, check=True,
                       timeout=RUN_CASE_TIMEOUT_SECONDS)
    return work


def check_run(label: str, proc: subprocess.CompletedProcess, case_dir: str, work: str,
              outputs: List[str], result: Result) -> None:
    """Compares one run of a case (`label` is `run` or `build`) with its expectations."""
    def fail(text: str) -> None:
        result.passed = False
        result.details.append("[%s] %s" % (label, text))

    exit_path = os.path.join(case_dir, "expected_exit")
    want_status = int(read(exit_path).strip()) if os.path.exists(exit_path) else 0
    if proc.returncode != want_status:
        fail("expected exit %d, got %s\n%s" % (want_status, describe_status(proc.returncode),
                                              decode(proc.stderr)))
    # Outputs are compared as bytes: a case may write invalid UTF-8.
    def compare(expected_path: str, actual: bytes, what: str) -> None:
        expected = read_bytes(expected_path) if os.path.exists(expected_path) else b""
        if expected != actual:
            fail(diff(decode(expected), decode(actual), what) or
                 "%s differs in bytes that do not decode\n" % what)

    check_path = os.path.join(case_dir, "check.py")
    stdout_path = os.path.join(case_dir, "expected_stdout")
    if os.path.exists(stdout_path) or not os.path.exists(check_path):
        compare(stdout_path, proc.stdout, "stdout")
    stderr_path = os.path.join(case_dir, "expected_stderr")
    if os.path.exists(stderr_path):
        compare(stderr_path, proc.stderr, "stderr")
    for rel in outputs:
        path = os.path.join(work, rel)
        if not os.path.exists(path):
            fail("%s was not written\n" % rel)
            continue
        compare(os.path.join(case_dir, "expected", rel), read_bytes(path), rel)
    if os.path.exists(check_path):
        run_check(check_path, proc, work, fail)


def run_check(check_path: str, proc: subprocess.CompletedProcess, work: str, fail) -> None:
    """Runs a case's check.py on one run's output (see the docstring)."""
    with tempfile.TemporaryDirectory(prefix="flowc-check-") as tmp:
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        with open(out_path, "wb") as f:
            f.write(proc.stdout)
        with open(err_path, "wb") as f:
            f.write(proc.stderr)
        try:
            check = subprocess.run([sys.executable, check_path, out_path, err_path], cwd=work,
                                   capture_output=True, timeout=RUN_CASE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            fail("check.py timed out\n")
            return
        if check.returncode != 0:
            fail("check.py: %s\n%s%s" % (describe_status(check.returncode),
                                        decode(check.stdout), decode(check.stderr)))


# Set from the command line (--jit-only, --run-arg): the ctest that runs the
# suite once per disabled optimizer pass compiles each case with
# `flowc run ... --disable-pass NAME` only.
JIT_ONLY = False
RUN_EXTRA_ARGS: List[str] = []


def suite_run(flowc: str, only: List[str]) -> Iterator[Result]:
    folder = os.path.join(TESTS_DIR, "run")
    known = known_failures(folder)
    names = sorted(n for n in os.listdir(folder)
                   if os.path.exists(os.path.join(folder, n, "pipeline.flow"))) \
        if os.path.isdir(folder) else []
    for name in names:
        if only and name not in only:
            continue
        result = Result("run/" + name, True)
        if name in known:
            result.skipped = True
            result.details.append(known[name])
            yield result
            continue
        case_dir = os.path.join(folder, name)
        args_path = os.path.join(case_dir, "args")
        args = shlex.split(read(args_path)) if os.path.exists(args_path) else []
        if "--no-quiet" in args:
            args.remove("--no-quiet")
        elif "--quiet" not in args:
            args.append("--quiet")
        stdin_path = os.path.join(case_dir, "stdin")
        stdin = b""
        if os.path.exists(stdin_path):
            with open(stdin_path, "rb") as f:
                stdin = f.read()
        outputs = expected_files(case_dir)
        if not outputs and not os.path.exists(os.path.join(case_dir, "expected_stdout")) \
                and not os.path.exists(os.path.join(case_dir, "check.py")):
            result.passed = False
            result.details.append("no expected_stdout, no expected/ files and no check.py\n")
            yield result
            continue
        with tempfile.TemporaryDirectory(prefix="flowc-run-") as tmp:
            # JIT: `flowc run`.
            work = scratch_copy(case_dir, outputs, os.path.join(tmp, "jit"))
            proc = run_flowc(flowc, ["run", "pipeline.flow"] + RUN_EXTRA_ARGS + args, work,
                             RUN_CASE_TIMEOUT_SECONDS, stdin)
            check_run("run", proc, case_dir, work, outputs, result)
            if JIT_ONLY:
                yield result
                continue
            # AOT: `flowc build`, then the program in a fresh copy.
            prog = os.path.join(tmp, "prog")
            work = scratch_copy(case_dir, outputs, os.path.join(tmp, "aot"))
            proc = run_flowc(flowc, ["build", "pipeline.flow", "-o", prog], work,
                             TIMEOUT_SECONDS)
            if proc.returncode != 0 or not os.path.exists(prog):
                result.passed = False
                result.details.append("[build] flowc build failed: %s\n%s" %
                                      (describe_status(proc.returncode), decode(proc.stderr)))
            else:
                # A fresh copy: the build must not leave files the run sees.
                work = scratch_copy(case_dir, outputs, os.path.join(tmp, "aot2"))
                proc = run_flowc(prog, args, work, RUN_CASE_TIMEOUT_SECONDS, stdin)
                check_run("build", proc, case_dir, work, outputs, result)
        yield result


SUITES = {
    "diagnostics": suite_diagnostics,
    "parse": suite_parse,
    "run": suite_run,
}


def main() -> int:
    parser = argparse.ArgumentParser(description="flowc's data-driven test runner")
    parser.add_argument("--flowc", required=True, help="path to the flowc binary")
    parser.add_argument("--suite", required=True, choices=sorted(SUITES))
    parser.add_argument("names", nargs="*", help="run only these cases (by file stem)")
    parser.add_argument("--jit-only", action="store_true",
                        help="run suite: only `flowc run`, no built program")
    parser.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                        help="run suite: pass ARG to `flowc run` (repeatable), "
                             "e.g. --run-arg=--disable-pass --run-arg=prune-columns")
    args = parser.parse_args()
    global JIT_ONLY, RUN_EXTRA_ARGS
    JIT_ONLY = args.jit_only
    RUN_EXTRA_ARGS = args.run_arg
    flowc = os.path.abspath(args.flowc)
    if not os.access(flowc, os.X_OK):
        print("run_tests.py: error: '%s' is not an executable" % args.flowc, file=sys.stderr)
        return 2

    passed = failed = 0
    for result in SUITES[args.suite](flowc, args.names):
        if result.skipped:
            print("SKIP %s (known failure: %s)" % (result.name, result.details[0]), flush=True)
            continue
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
