# The rows of window_batch without their processing-time bounds, each
# with the number of the batch it belongs to (batches of 4 records):
# per batch, the groups of its records by key (running_aggregate over that
# batch alone), the top 2 of them, and one row over them. check.py checks
# the bounds. Input made here: every 5th record is an hour behind.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(3)
recs = []
for i in range(30):
    word = rng.choice(["to", "be", "or", "not", "that"])
    ts = 3_600_000 + i * 1000 - (3_600_000 if i % 5 == 4 else 0)
    recs.append({"ts": ts, "word": word, "len": len(word) + i % 3})
fr.write("words.csv", "ts,word,len\n" + "".join("%d,%s,%d\n" % (r["ts"], r["word"], r["len"]) for r in recs))

per_batch, totals, top, chained = [], [], [], []
for b, batch in enumerate(fr.batches(recs, 4)):
    [rows] = fr.running_aggregate([batch], lambda r: (r["word"],),
                                  lambda: [fr.Agg("count"), fr.Agg("first", lambda r: r["len"]),
                                           fr.Agg("max", lambda r: r["word"] + "!")])
    per_batch += [(b,) + row for row in rows]
    totals.append((b, len(batch), len({r["word"] for r in batch})))
    top += [(b,) + row for row in fr.top_per_window(rows, 2, [(lambda row: row[1], True)], [0], False)]
    chained.append((b, len(rows), sum(row[1] for row in rows)))

fr.write("expected_rows/per_batch.csv", fr.csv_lines(["batch", "word", "n", "first_len", "longest"], per_batch))
fr.write("expected_rows/totals.csv", fr.csv_lines(["batch", "records", "distinct"], totals))
fr.write("expected_rows/top_batch.csv", fr.csv_lines(["batch", "word", "n", "first_len", "longest"], top))
fr.write("expected_rows/chained.csv", fr.csv_lines(["batch", "groups", "rows"], chained))
