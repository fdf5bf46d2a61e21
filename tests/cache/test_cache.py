#!/usr/bin/env python3
"""The compile cache of `flowc run` and `flowc build`, end to end.

    python3 tests/cache/test_cache.py --flowc build/compiler/flowc

Each test points XDG_CACHE_HOME at a fresh folder and reads what the cache
did from FLOWC_COMPILE_TRACE=1 (`flowc: compile: cache ...: hit|miss`).
"""

import argparse
import os
import subprocess
import sys
import tempfile

FAILURES = []

PIPELINE = """\
# squares: a generate source, a param folded into the code under the JIT
param n: int = 5
source g = generate(count: n)
stream s = g | select value, sq = value * value
sink s to stdout
"""


def expected(n):
    return "value,sq\n" + "".join("%d,%d\n" % (v, v * v) for v in range(n))


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        FAILURES.append(name)
        if detail:
            print("     " + str(detail).replace("\n", "\n     "))


class Env:
    def __init__(self, flowc, tmp):
        self.flowc, self.tmp = flowc, tmp
        self.cache = os.path.join(tmp, "xdg")
        self.flow = os.path.join(tmp, "squares.flow")
        with open(self.flow, "w") as f:
            f.write(PIPELINE)

    def env(self):
        e = dict(os.environ, XDG_CACHE_HOME=self.cache, FLOWC_COMPILE_TRACE="1")
        return e

    def run(self, *args, command="run"):
        p = subprocess.run([self.flowc, command, self.flow, "--quiet", *args] if command == "run"
                           else [self.flowc, command, self.flow, *args],
                           env=self.env(), capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def entries(self):
        d = os.path.join(self.cache, "flowc")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


def cache_line(err):
    return next((l for l in err.splitlines() if l.startswith("flowc: compile: cache") and
                 ("hit" in l or "miss" in l)), "")


def test_miss_then_hit(e):
    code, out, err = e.run()
    check("cold: right output", code == 0 and out == expected(5), out + err)
    check("cold: a miss, then stored", "miss (not cached)" in cache_line(err) and ": stored" in err, err)
    check("cold: one entry", len(e.entries()) == 1 and e.entries()[0].endswith(".o"), e.entries())
    code, out, err = e.run()
    check("warm: a hit, same output", code == 0 and out == expected(5) and "hit " in cache_line(err),
          err)
    check("warm: no optimizer, no backend", "compile: optimize" not in err and
          "compile: object" not in err, err)


def test_params_and_options_are_keys(e):
    code, out, err = e.run("--param", "n=3")
    check("param: its own entry (folded)", code == 0 and out == expected(3) and
          "miss" in cache_line(err), out + err)
    code, out, err = e.run("-O1")
    check("-O1: its own entry", code == 0 and out == expected(5) and "miss" in cache_line(err), err)
    code, out, err = e.run("--param", "n=3")
    check("param: then a hit", code == 0 and out == expected(3) and "hit" in cache_line(err), err)
    check("three entries", len(e.entries()) == 3, e.entries())


def test_no_cache(e):
    before = e.entries()
    code, out, err = e.run("--no-cache", "--param", "n=7")
    check("--no-cache: runs, reads and writes nothing",
          code == 0 and out == expected(7) and "compile: cache" not in err and e.entries() == before,
          err)


def entry_path(e, name):
    return os.path.join(e.cache, "flowc", name)


def test_damaged_entries_are_recompiled(e):
    code, out, err = e.run("--param", "n=4")
    [name] = [n for n in e.entries() if n not in e.before_damage]
    path = entry_path(e, name)
    size = os.path.getsize(path)
    for label, damage in [
            ("truncated", lambda f: f.truncate(size // 2)),
            ("header only", lambda f: f.truncate(64)),
            ("empty", lambda f: f.truncate(0)),
            ("garbled object", lambda f: (f.seek(size - 100), f.write(b"\xff" * 8))),
            ("garbled header", lambda f: (f.seek(3), f.write(b"X")))]:
        with open(path, "r+b") as f:
            damage(f)
        code, out, err = e.run("--param", "n=4")
        check("damaged (%s): recompiled, right output" % label,
              code == 0 and out == expected(4) and "damaged entry" in cache_line(err), out + err)
        code, out, err = e.run("--param", "n=4")
        check("damaged (%s): replaced, then a hit" % label,
              code == 0 and out == expected(4) and "hit" in cache_line(err), err)
    # A file that is not an object at all, under an entry's name.
    with open(path, "wb") as f:
        f.write(b"FLOWCOBJ" + b"\0" * 200)
    code, out, err = e.run("--param", "n=4")
    check("garbage entry: recompiled", code == 0 and out == expected(4), out + err)


def test_concurrent_cold_runs(flowc, tmp):
    e = Env(flowc, os.path.join(tmp, "concurrent"))
    runs = [subprocess.Popen([flowc, "run", e.flow, "--quiet", "--param", "n=6"], env=e.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(6)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in runs]
    check("concurrent: every run right",
          all(code == 0 and out == expected(6) for code, out, _ in results),
          [(c, o, r[-300:]) for c, o, r in results if c != 0 or o != expected(6)])
    names = e.entries()
    check("concurrent: one entry, no temporary files", len(names) == 1 and names[0].endswith(".o"),
          names)
    code, out, err = e.run("--param", "n=6")
    check("concurrent: then a hit", code == 0 and "hit" in cache_line(err), err)


def test_build_uses_the_cache(e):
    exe = os.path.join(e.tmp, "squares")
    code, out, err = e.run("-o", exe, command="build")
    check("build: cold", code == 0 and "miss" in cache_line(err), err)
    os.remove(exe)
    code, out, err = e.run("-o", exe, command="build")
    check("build: warm hit", code == 0 and "hit" in cache_line(err), err)
    p = subprocess.run([exe, "--quiet", "--param", "n=2"], capture_output=True, text=True)
    check("build: the program runs (params at run time)", p.returncode == 0 and
          p.stdout == expected(2), p.stdout + p.stderr)


def test_unusable_cache_dir(flowc, tmp):
    e = Env(flowc, os.path.join(tmp, "unusable"))
    with open(e.cache, "w") as f:  # a file where the folder should be
        f.write("not a folder")
    code, out, err = e.run()
    check("unusable cache folder: the run still works",
          code == 0 and out == expected(5) and "not stored" in err, out + err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    flowc = os.path.abspath(ap.parse_args().flowc)
    with tempfile.TemporaryDirectory() as tmp:
        main_dir = os.path.join(tmp, "main")
        os.makedirs(main_dir)
        e = Env(flowc, main_dir)
        test_miss_then_hit(e)
        test_params_and_options_are_keys(e)
        test_no_cache(e)
        e.before_damage = e.entries()
        test_damaged_entries_are_recompiled(e)
        test_build_uses_the_cache(e)
        os.makedirs(os.path.join(tmp, "concurrent"))
        test_concurrent_cold_runs(flowc, tmp)
        os.makedirs(os.path.join(tmp, "unusable"))
        test_unusable_cache_dir(flowc, tmp)
    print("%d failed" % len(FAILURES) if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
