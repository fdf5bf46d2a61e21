#!/usr/bin/env python3
"""Installs flowc into a scratch prefix and uses the installed copy.

    python3 tests/check_install.py --build BUILD_DIR

1. `cmake --install BUILD --prefix P`: P/bin/flowc and P/lib/flowc/*.a.
2. `P/bin/flowc run` and `P/bin/flowc build` of examples/wordcount_file.flow,
   and the built program, give the same rows (run inside examples/, whose
   data paths are relative).
3. With P/lib/flowc/libflowc_runtime.a removed, `P/bin/flowc build` fails:
   the installed flowc links with the installed archives, not with the
   build tree's (which are still there).
4. `make install PREFIX=P2 BUILD=BUILD` installs the same files.
Prints `N passed, N failed`.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")
INSTALLED = ["bin/flowc", "lib/flowc/libflowc_runtime.a", "lib/flowc/libflowc_stdlib_native.a"]


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s install/%s" % ("PASS" if ok else "FAIL", name), flush=True)
        if not ok and detail:
            print(detail.rstrip())

    with tempfile.TemporaryDirectory(prefix="flowc-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        proc = run(["cmake", "--install", build, "--prefix", prefix])
        missing = [f for f in INSTALLED if not os.path.isfile(os.path.join(prefix, f))]
        check("cmake_install", proc.returncode == 0 and not missing,
              proc.stdout + proc.stderr + "missing: %s" % missing)

        flowc = os.path.join(prefix, "bin", "flowc")
        jit = run([flowc, "run", "wordcount_file.flow", "--quiet"], cwd=EXAMPLES)
        prog = os.path.join(tmp, "wordcount")
        built = run([flowc, "build", "wordcount_file.flow", "-o", prog], cwd=EXAMPLES)
        aot = run([prog, "--quiet"], cwd=EXAMPLES) if built.returncode == 0 else built
        check("run_and_build", jit.returncode == 0 and built.returncode == 0 and
              aot.returncode == 0 and jit.stdout and jit.stdout == aot.stdout,
              "run: %d %s\nbuild: %d %s\nprogram: %d %s" % (
                  jit.returncode, jit.stderr, built.returncode, built.stderr,
                  aot.returncode, aot.stderr))

        os.remove(os.path.join(prefix, "lib/flowc/libflowc_runtime.a"))
        again = run([flowc, "build", "wordcount_file.flow", "-o", prog + "2"], cwd=EXAMPLES)
        check("links_installed_archives",
              again.returncode != 0 and "lib/flowc/libflowc_runtime.a" in again.stderr,
              "expected a failed link naming the removed archive, got %d:\n%s" %
              (again.returncode, again.stderr))

        prefix2 = os.path.join(tmp, "prefix2")
        make = run(["make", "-C", REPO, "install", "BUILD=" + build, "PREFIX=" + prefix2])
        missing = [f for f in INSTALLED if not os.path.isfile(os.path.join(prefix2, f))]
        check("make_install", make.returncode == 0 and not missing,
              make.stdout + make.stderr + "missing: %s" % missing)

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
