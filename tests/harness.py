"""tests/harness.py — what the scripted end-to-end tests share: a PASS/FAIL
tally, and waits on a flowc process that runs in the background.

A script imports it after putting tests/ on its path:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from harness import Results, holds_flock, wait_until, wait_running, work_dir
"""
import contextlib
import shutil
import sys
import tempfile
import time

# Longest detail printed after a FAIL line (a whole stderr can be long).
DETAIL_CHARS = 2000


class Results:
    """Counts checks and prints one PASS/FAIL line each."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            text = str(detail)
            if "\n" in text or len(text) > 200:
                print(f"FAIL {name}")
                print("     " + text[:DETAIL_CHARS].replace("\n", "\n     "))
            else:
                print(f"FAIL {name}{': ' + text if text else ''}")
        sys.stdout.flush()
        return ok

    def exit_code(self):
        """Prints the tally; 0 when nothing failed."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1


def holds_flock(pid):
    """True once process `pid` holds a flock (the checkpoint directory's
    lock, taken after the runtime installed its signal handlers)."""
    try:
        with open("/proc/locks") as f:
            return any(line.split()[1:2] == ["FLOCK"] and str(pid) in line.split()[4:5]
                       for line in f)
    except OSError:
        return False


def wait_until(cond, p=None, timeout=60):
    """Polls cond() until it holds or `timeout` seconds pass; when process
    p ends first, the answer is cond() at that moment."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        if p is not None and p.poll() is not None:
            return cond()
        time.sleep(0.005)
    return False


def wait_running(p, timeout=60):
    """Waits until the runtime of process p is running (not compiling);
    False when it ended first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if p.poll() is not None:
            return False
        if holds_flock(p.pid):
            return True
        time.sleep(0.005)
    return False


@contextlib.contextmanager
def work_dir(name, keep=False):
    """A fresh folder flowc_<name>_XXXX for one test run, removed when the
    block ends, or kept (and its path printed) with keep, to look into."""
    root = tempfile.mkdtemp(prefix=f"flowc_{name}_")
    try:
        yield root
    finally:
        if keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
