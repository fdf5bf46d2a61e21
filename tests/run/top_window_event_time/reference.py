# Expected output of top_window_event_time, from flowref: the windowed
# aggregates as event_time_windows / WindowStage compute them, batch by
# batch, then top_per_window on the rows each emits at a batch end, then a
# 30 s roll-up of the kept rows at event time window_end - 1ms. The input
# is made here too (seeded).
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(17)
recs = []
t = 0
for i in range(140):
    t += rng.randint(0, 900)
    late = -rng.choice([0] * 12 + [1500, 12000])
    recs.append({"ts": max(0, t + late), "page": rng.choice("abcdefg"), "user": "u%d" % rng.randint(1, 6),
                 "bytes": rng.choice([100, 200, 300, 700, 900])})
fr.write("views.csv", "ts,page,user,bytes\n" +
         "".join("%d,%s,%s,%d\n" % (r["ts"], r["page"], r["user"], r["bytes"]) for r in recs))
for r in recs:
    r["ts"] = fr.Ts(r["ts"])
batches = fr.batches(recs, 7)

# top_pages and its roll-up, stepped batch by batch.
counts = fr.WindowStage(lambda r: (r["page"],),
                        lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["user"]),
                                 fr.Agg("sum", lambda r: r["bytes"])], 10_000)
rolled = fr.WindowStage(lambda r: (), lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["n"]),
                                               fr.Agg("last", lambda r: r["page"])], 30_000)
top_rows, rolled_rows = [], []
wm, max_seen = fr.NEG_INF, fr.NEG_INF
for i, batch in enumerate(batches):
    wm_at_start = wm
    for r in batch:
        max_seen = max(max_seen, r["ts"])
        counts.add(r, r["ts"], wm_at_start)
    wm = max(wm, max_seen - 1000)
    if i == len(batches) - 1:
        wm = fr.POS_INF
    kept = fr.top_per_window(counts.fire(wm), 3, [(lambda row: row[3], True)], [2], True)
    top_rows += kept
    for row in kept:
        rolled.add({"n": row[3], "page": row[2]}, row[1] - 1, wm_at_start)
    rolled_rows += rolled.fire(wm)
assert counts.late > 0 and rolled.late == 0
assert any(len([r for r in top_rows if r[:2] == w]) == 3 for w in {r[:2] for r in top_rows})

# sliding (emit updates), then the top 2 of each batch's rows per window.
per_batch, _ = fr.event_time_windows(batches, lambda r: r["ts"], lambda r: r,
                                     lambda r: (r["page"], r["bytes"] > 500),
                                     lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["bytes"])],
                                     20_000, 10_000, delay=1000, emit="updates")
lightest = []
for rows in per_batch:
    lightest += fr.top_per_window(rows, 2, [(lambda row: row[5], False), (lambda row: row[4], True)],
                                  [2, 3], True)

fr.write("expected/out/top_pages.csv",
         fr.csv_lines(["window_start", "window_end", "page", "n", "users", "bytes"], top_rows))
fr.write("expected/out/lightest.csv",
         fr.csv_lines(["window_start", "window_end", "page", "heavy", "n", "total"], lightest))
fr.write("expected/out/rolled.csv",
         fr.csv_lines(["window_start", "window_end", "kept", "views", "last_page"], rolled_rows))
