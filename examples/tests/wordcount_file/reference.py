"""Expected output of examples/wordcount_file.flow for each case here.

    explode words(lower(line)) -> trim(remove , . ") -> where word != ""
    -> group by word | aggregate n = count()      (a running aggregate)

At the end of each batch the running aggregate emits the current count of
every word that received a record in that batch, ordered by word
(LANGUAGE.md 6.2); stdout is not a terminal, so CSV with a header.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import casekit  # noqa: E402
from casekit import flowref  # noqa: E402


def words(line):
    # words(): runs of ASCII whitespace separate, empties dropped.
    return line.lower().split()


def clean(word):
    for ch in (",", ".", '"'):
        word = word.replace(ch, "")
    return word.strip(" \t\n\r")


def expected_stdout(case):
    max_records, _ = casekit.run_options(case)
    with open(casekit.path(case, "data", "alice.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line
    counts, rows = {}, []
    for batch in flowref.batches(lines, max_records):
        touched = set()
        for line in batch:
            for w in map(clean, words(line)):
                if w != "":
                    counts[w] = counts.get(w, 0) + 1
                    touched.add(w)
        rows += [(w, counts[w]) for w in sorted(touched, key=flowref.sort_key)]
    return flowref.csv_lines(["word", "n"], rows)


for case in casekit.cases(__file__):
    casekit.write_expected(case, "stdout", expected_stdout(case))
