#!/usr/bin/env python3
"""Checks every example in README.md and docs/*.md against flowc.

    python3 tests/check_docs.py --flowc build/compiler/flowc [FILE.md...]

Each Markdown file is read top to bottom as a session in a scratch copy of
the repository's examples/ and docs/ (with build/compiler/flowc linking to
the flowc under test, which is also first on PATH). README.md starts at
the copy's root, docs/NAME.md in docs/examples/.

```flow blocks: each must pass `flowc check` in the session's folder. A
block whose first line is `# NAME.flow` is also written there as NAME.flow
(for the commands after it); when NAME.flow already exists there (copied
from examples/ or docs/examples/), the block must equal it.

```console blocks: lines starting with `$ ` are commands, run one by one
with bash in the session's folder (`cd DIR` and `export NAME=VALUE` carry
over to later commands; `echo $?` prints the previous command's status);
the lines after a command, up to the next one, are its expected output
(stdout and stderr together), compared exactly, except that a line `...`
matches any number of lines and a line ending in ` ...` any line that
starts with what is before it. A command ending in `&` runs in the
background; the lines shown after it are a placeholder for the first lines
it prints (e.g. the address `flowc kafka-mock` picked), and each is
replaced by what it really printed in the rest of the file. Background
commands are stopped (SIGINT) at the end of the file.

A marker comment on the line before a block changes this:
  <!-- fragment -->         a flow block that is not a whole file: skipped
  <!-- fails check -->      a flow block that shows an error: `flowc check`
                            must exit 1 (a console block shows the message)
  <!-- not run: REASON -->  a console block that is not run (a server)
  <!-- unordered -->        console output compared as a sorted set of lines

Every link must stay inside the repository and name a file that exists.

Expected outputs in the docs are computed by hand or by a script from the
data in docs/examples/ and examples/data/, never pasted from flowc.
Prints one line per block, a diff per failure, and `N passed, N failed`.
"""

import argparse
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND_TIMEOUT_SECONDS = 120
# How long a background command may take to print its placeholder lines.
BACKGROUND_START_SECONDS = 20
MARKER = re.compile(r"<!--\s*(fragment|fails check|not run:.*?|unordered)\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")


class Block:
    def __init__(self, lang, lines, line_no, marker):
        self.lang, self.lines, self.line_no, self.marker = lang, lines, line_no, marker


def blocks_of(path):
    """The fenced blocks of a Markdown file, with the marker before each."""
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        marker = None
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0:
            mm = MARKER.search(lines[j])
            if mm:
                marker = mm.group(1)
        start = i + 1
        k = start
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        out.append(Block(m.group(1), lines[start:k], i + 1, marker))
        i = k + 1
    return out


def matches(expected, actual):
    """Expected lines (with `...` wildcards) against actual lines."""
    if not expected:
        return not actual
    head = expected[0]
    if head == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    if head.endswith(" ...") and actual[0].startswith(head[:-4]):
        return matches(expected[1:], actual[1:])
    return head == actual[0] and matches(expected[1:], actual[1:])


class Session:
    def __init__(self, root, cwd, env):
        self.root, self.cwd, self.env = root, cwd, env
        self.status = 0
        self.background = []
        self.substitutions = []  # (shown text, real text)
        self.unordered = False  # the current block's outputs are sets of lines

    def substitute(self, text):
        for shown, real in self.substitutions:
            text = text.replace(shown, real)
        return text

    def run(self, command, shown):
        """Runs one command; returns an error text or None."""
        command = self.substitute(command)
        if command == "echo $?":
            return self.compare(shown, [str(self.status)], command)
        m = re.fullmatch(r"cd\s+(\S+)", command)
        if m:
            target = os.path.normpath(os.path.join(self.cwd, m.group(1)))
            if not os.path.isdir(target):
                return "cd: no folder %s" % target
            self.cwd = target
            return None
        m = re.fullmatch(r"export\s+(\w+)=(.*)", command)
        if m:
            value = subprocess.run(["bash", "-c", "printf %s " + m.group(2)], cwd=self.cwd,
                                   env=self.env, capture_output=True, text=True).stdout
            self.env[m.group(1)] = value
            return None
        if command.endswith("&"):
            return self.start_background(command[:-1].strip(), shown)
        try:
            proc = subprocess.run(["bash", "-c", command], cwd=self.cwd, env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return "timed out after %d s" % COMMAND_TIMEOUT_SECONDS
        self.status = proc.returncode
        actual = proc.stdout.decode("utf-8", "replace").split("\n")
        if actual and actual[-1] == "":
            actual.pop()
        return self.compare(shown, actual, command)

    def compare(self, shown, actual, command):
        expected = [self.substitute(line) for line in shown]
        if self.unordered:
            ok = sorted(expected) == sorted(actual)
        else:
            ok = matches(expected, actual)
        if ok:
            return None
        diff = "".join(difflib.unified_diff([l + "\n" for l in expected],
                                            [l + "\n" for l in actual],
                                            "shown", "actual"))
        return "$ %s\n%s" % (command, diff or "(no output expected)\n")

    def start_background(self, command, shown):
        proc = subprocess.Popen(["bash", "-c", "exec " + command], cwd=self.cwd, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.PIPE, start_new_session=True)
        self.background.append(proc)
        deadline = time.time() + BACKGROUND_START_SECONDS
        for placeholder in shown:
            if time.time() > deadline:
                return "$ %s & printed nothing in time" % command
            line = proc.stdout.readline().decode("utf-8", "replace").rstrip("\n")
            if not line:
                return "$ %s & ended before printing %r" % (command, placeholder)
            self.substitutions.append((placeholder, line))
        return None

    def stop(self):
        for proc in self.background:
            try:
                os.killpg(proc.pid, signal.SIGINT)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def check_flow(session, block, label, results):
    text = "\n".join(block.lines) + "\n"
    m = re.match(r"#\s*(\w+\.flow)\b", block.lines[0]) if block.lines else None
    name = m.group(1) if m else "_docs_block.flow"
    path = os.path.join(session.cwd, name)
    if m and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            existing = f.read()
        if existing != text:
            diff = "".join(difflib.unified_diff(existing.splitlines(True), text.splitlines(True),
                                                name + " (file)", name + " (docs)"))
            results.append((label, "the block differs from %s:\n%s" % (name, diff)))
            return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    proc = subprocess.run(["flowc", "check", name], cwd=session.cwd, env=session.env,
                          capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS)
    if not m:
        os.remove(path)
    if block.marker == "fails check":
        ok = proc.returncode == 1 and "error:" in proc.stderr
        results.append((label, None if ok else "expected flowc check to fail, got exit %d\n%s"
                        % (proc.returncode, proc.stderr)))
    elif proc.returncode != 0 or proc.stderr:
        results.append((label, "flowc check: exit %d\n%s" % (proc.returncode, proc.stderr)))
    else:
        results.append((label, None))


def check_console(session, block, label, results):
    commands = []  # (command, shown lines)
    for line in block.lines:
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            results.append((label, "output before any command: %r" % line))
            return
    for command, shown in commands:
        error = session.run(command, shown)
        if error:
            results.append((label, error))
            return
    results.append((label, None))


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def check_links(md, results):
    """Every link stays inside the repository and names a file that exists
    (the docs are read from a clone: nothing outside it is there)."""
    rel = os.path.relpath(md, REPO)
    with open(md, encoding="utf-8") as f:
        text = f.read()
    bad = []
    for target in LINK.findall(text):
        path = target.split("#", 1)[0]
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
            bad.append("%s: links outside the repository" % target)
            continue
        if not path:
            continue  # an anchor on the same page
        full = os.path.normpath(os.path.join(os.path.dirname(md), path))
        if not (full + os.sep).startswith(REPO + os.sep) and full != REPO:
            bad.append("%s: leaves the repository" % target)
        elif not os.path.exists(full):
            bad.append("%s: no such file" % target)
    results.append((rel + " links", "\n".join(bad) if bad else None))


def check_file(md, flowc, results):
    rel = os.path.relpath(md, REPO)
    check_links(md, results)
    with tempfile.TemporaryDirectory(prefix="flowc-docs-") as tmp:
        root = os.path.join(tmp, "repo")
        os.mkdir(root)
        for folder in ("examples", "docs"):
            src = os.path.join(REPO, folder)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(root, folder))
        os.makedirs(os.path.join(root, "build", "compiler"))
        os.symlink(flowc, os.path.join(root, "build", "compiler", "flowc"))
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(flowc) + os.pathsep + env.get("PATH", "")
        start = root if rel == "README.md" else os.path.join(root, "docs", "examples")
        os.makedirs(start, exist_ok=True)
        session = Session(root, start, env)
        try:
            for block in blocks_of(md):
                label = "%s:%d" % (rel, block.line_no)
                if block.lang == "flow":
                    if block.marker == "fragment":
                        results.append((label, "skip"))
                    else:
                        check_flow(session, block, label, results)
                elif block.lang == "console":
                    if block.marker and block.marker.startswith("not run"):
                        results.append((label, "skip"))
                    else:
                        session.unordered = block.marker == "unordered"
                        check_console(session, block, label, results)
        finally:
            session.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flowc", required=True)
    parser.add_argument("files", nargs="*", help="only these Markdown files")
    args = parser.parse_args()
    flowc = os.path.abspath(args.flowc)
    files = [os.path.abspath(f) for f in args.files] or \
        [os.path.join(REPO, "README.md")] + sorted(
            os.path.join(REPO, "docs", f) for f in os.listdir(os.path.join(REPO, "docs"))
            if f.endswith(".md"))
    results = []
    for md in files:
        check_file(md, flowc, results)
    passed = failed = skipped = 0
    for label, error in results:
        if error == "skip":
            skipped += 1
            continue
        if error is None:
            passed += 1
            print("PASS " + label)
        else:
            failed += 1
            print("FAIL " + label)
            print(error.rstrip())
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
