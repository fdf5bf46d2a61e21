"""casekit — what every examples/tests/<example>/reference.py shares.

A reference.py computes each case's expected/ files from the case's own
inputs with plain Python (tests/run/flowref.py models LANGUAGE.md: value
text forms, micro-batches, event-time windows, aggregates), never from
flowc's output. Run it by hand after changing a case's inputs:

    python3 examples/tests/<example>/reference.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "run"))

import flowref  # noqa: E402  (tests/run/flowref.py)

# LANGUAGE.md 7: the default --max-batch-records.
DEFAULT_MAX_BATCH_RECORDS = 1_000_000


def cases(reference_file):
    """The case folders beside a reference.py, sorted."""
    root = os.path.dirname(os.path.abspath(reference_file))
    return [os.path.join(root, d) for d in sorted(os.listdir(root))
            if os.path.isdir(os.path.join(root, d))]


def run_options(case):
    """(max_batch_records, {param: text}) from the case's `args` file."""
    max_records, params = DEFAULT_MAX_BATCH_RECORDS, {}
    words = []
    path = os.path.join(case, "args")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.strip() and not line.lstrip().startswith("#"):
                words += line.split()
    i = 0
    while i < len(words):
        if words[i] == "--max-batch-records":
            max_records = int(words[i + 1])
            i += 1
        elif words[i] == "--param":
            name, value = words[i + 1].split("=", 1)
            params[name] = value
            i += 1
        i += 1
    return max_records, params


def path(case, *parts):
    return os.path.join(case, *parts)


def write_expected(case, rel, content):
    flowref.write(os.path.join(case, "expected", rel), content)
    print("wrote", os.path.relpath(os.path.join(case, "expected", rel)))
