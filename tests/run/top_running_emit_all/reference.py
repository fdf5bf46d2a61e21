# Expected output of top_running_emit_all, from flowref.running_aggregate
# (per batch: the groups updated, or every group with `emit all`, by key)
# and top_per_window (one "window" per batch emission). Input made here.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(5)
vocab = ["apple", "avocado", "banana", "blueberry", "cherry", "cranberry", "date", "fig", "grape", "guava"]
recs = [{"word": rng.choice(vocab)} for _ in range(48)]
for r in recs:
    r["len"] = len(r["word"]) + rng.choice([0, 0, 1, 3])
fr.write("words.csv", "word,len\n" + "".join("%s,%d\n" % (r["word"], r["len"]) for r in recs))
batches = fr.batches(recs, 5)

all_rows = fr.flatten(fr.running_aggregate(batches, lambda r: (r["word"],),
                                           lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["len"])],
                                           emit="all"))
live = []
for rows in fr.running_aggregate(batches, lambda r: (r["word"][0],),
                                 lambda: [fr.Agg("count"), fr.Agg("avg", lambda r: r["len"])], emit="all"):
    live += fr.top_per_window(rows, 3, [(lambda row: row[2] * 2, True), (lambda row: row[1], False)], [0], False)
changed = []
for rows in fr.running_aggregate(batches, lambda r: (r["word"],), lambda: [fr.Agg("count")]):
    changed += fr.top_per_window(rows, 2, [(lambda row: row[1], True)], [0], False)

fr.write("expected/out/all.csv", fr.csv_lines(["word", "n", "total"], all_rows))
fr.write("expected/out/live_top.csv", fr.csv_lines(["first", "n", "avg_len"], live))
fr.write("expected/out/changed_top.csv", fr.csv_lines(["word", "n"], changed))
