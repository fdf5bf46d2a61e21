#!/usr/bin/env python3
"""Re-runs every tests/run/*/reference.py and diffs what it writes against
the checked-in files, so that a model and the expected files it computed
cannot drift apart (a hand edit of an expected file, a model changed
without re-running it).

    python3 tests/check_references.py [NAME...]

For each case with a reference.py: the case folder is copied (beside a copy
of the shared models tests/run/*.py, which references import from `..`),
its expected outputs (expected_stdout, expected_stderr, expected/) are
deleted from the copy, and `python3 reference.py` runs there with the copy
as working directory. Afterwards the copy must hold exactly the files of
the case folder, byte for byte: every expected output written again, and
nothing else changed or added (a reference may also write an input, e.g.
text_case_mapping's cased.txt; that must match too). Prints one line per
case, a diff per mismatch, and `N passed, N failed`; exits 1 on a failure.
Needs no flowc.
"""

import argparse
import concurrent.futures
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
RUN_DIR = os.path.join(TESTS_DIR, "run")

# Expected outputs: deleted before the reference runs, so it must write them.
OUTPUTS = ("expected_stdout", "expected_stderr", "expected")

# The slowest reference (window_generate_1m models a million records) takes
# about 10 s on a shared core.
TIMEOUT_SECONDS = 120

IGNORED_DIRS = {"__pycache__"}


def tree(root):
    """Relative paths of the files under root."""
    paths = set()
    for dirpath, dirnames, files in os.walk(root, followlinks=True):  # linked example data
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
        for f in files:
            paths.add(os.path.relpath(os.path.join(dirpath, f), root))
    return paths


def show_diff(want_path, got_path, rel):
    with open(want_path, "rb") as f:
        want = f.read()
    with open(got_path, "rb") as f:
        got = f.read()
    lines = list(difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(keepends=True),
        got.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=rel + " (checked in)", tofile=rel + " (reference.py now)"))
    if not lines:
        return "%s differs in bytes that do not decode\n" % rel
    if len(lines) > 40:
        lines = lines[:40] + ["... (%d more diff lines)\n" % (len(lines) - 40)]
    return "".join(l if l.endswith("\n") else l + "\n" for l in lines)


def check_case(name):
    """(passed, details) for one case."""
    case_dir = os.path.join(RUN_DIR, name)
    with tempfile.TemporaryDirectory(prefix="flowc-ref-") as tmp:
        run_copy = os.path.join(tmp, "run")
        os.mkdir(run_copy)
        for f in os.listdir(RUN_DIR):
            if f.endswith(".py"):
                shutil.copy(os.path.join(RUN_DIR, f), run_copy)
        work = os.path.join(run_copy, name)
        shutil.copytree(case_dir, work, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
        for out in OUTPUTS:
            path = os.path.join(work, out)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        try:
            proc = subprocess.run([sys.executable, "reference.py"], cwd=work,
                                  capture_output=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return False, ["reference.py timed out after %d s\n" % TIMEOUT_SECONDS]
        if proc.returncode != 0:
            return False, ["reference.py exited %d\n%s" % (
                proc.returncode, proc.stderr.decode("utf-8", "replace"))]
        want, got = tree(case_dir), tree(work)
        details = []
        for rel in sorted(want - got):
            details.append("%s: checked in, not written by reference.py\n" % rel)
        for rel in sorted(got - want):
            details.append("%s: written by reference.py, not checked in\n" % rel)
        for rel in sorted(want & got):
            a, b = os.path.join(case_dir, rel), os.path.join(work, rel)
            if not filecmp.cmp(a, b, shallow=False):
                details.append(show_diff(a, b, rel))
        return not details, details


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these cases")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    names = sorted(n for n in os.listdir(RUN_DIR)
                   if os.path.exists(os.path.join(RUN_DIR, n, "reference.py"))
                   and (not args.names or n in args.names))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, (ok, details) in zip(names, pool.map(check_case, names)):
            print("%s reference/%s" % ("PASS" if ok else "FAIL", name), flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
                for d in details:
                    sys.stdout.write(d)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
