# Expected output of join_stream_chained, from flowref's models: one file
# in batches of 3 (source_batches), its watermark (Watermarks), three
# interval joins (IntervalJoin) and a window (WindowStage). At each batch
# end, in stream order: the window fires into `busy`'s S side, then each
# join drops what its watermark passed (bought: the watermark less 2m).
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

S = 10_000
BASE = fr.parse_ts("2026-09-09T10:00:00Z")
rng = random.Random(99)
rows, t = [], BASE
for i in range(150):
    t += rng.choice([0, S, S, 3 * S])
    late = rng.choice([0] * 10 + [4 * S, 20 * S])
    rows.append({"kind": rng.choice(["imp", "imp", "click", "click", "buy"]), "ad": rng.choice("xyz"),
                 "ts": fr.Ts(t - late), "user": rng.choice(["", "u1", "u2", "u3"])})
fr.write("events.csv", "kind,ad,ts,user\n" +
         "".join("%s,%s,%s,%s\n" % (r["kind"], r["ad"], fr.fmt_ts(r["ts"]), r["user"]) for r in rows))

MIN = 60_000
clicked = fr.IntervalJoin("ad", 2 * MIN, ["click_ts", "clicker"])
bought = fr.IntervalJoin("ad", 5 * MIN, ["buy_ts", "buyer"], left_join=True, miss={"buy_ts": fr.Ts(0), "buyer": ""})
per_minute = fr.WindowStage(lambda r: (r["ad"],), lambda: [fr.Agg("count")], MIN)
busy = fr.IntervalJoin("ad", MIN, ["window_start", "window_end", "n"])
wm = fr.Watermarks([2 * S])
out_bought, out_busy = [], []
for batch, ended, final in fr.source_batches([fr.FileSource(rows)], 3):
    w0 = wm.of([0])
    for _, r in batch:
        t = r["ts"]
        wm.saw(0, t)
        if r["kind"] == "imp":
            imp = {"ad": r["ad"], "ts": t, "user": r["user"]}
            for row, rt in clicked.left(imp, t, w0):
                out_bought += bought.left(row, rt, w0 - 2 * MIN)
            out_busy += busy.left(imp, t, w0)
        elif r["kind"] == "click":
            click = {"ad": r["ad"], "click_ts": t, "clicker": r["user"]}
            for row, rt in clicked.right(click, t, w0):
                out_bought += bought.left(row, rt, w0 - 2 * MIN)
            per_minute.add(click, t, w0)
        else:
            out_bought += bought.right({"ad": r["ad"], "buy_ts": t, "buyer": r["user"]}, t, w0 - 2 * MIN)
    wm.end_batch(ended, final)
    w = wm.of([0])
    clicked.end_batch(w)
    out_bought += bought.end_batch(w - 2 * MIN)
    for s, e, ad, n in per_minute.fire(w):
        out_busy += busy.right({"window_start": s, "window_end": e, "ad": ad, "n": n}, e - 1, w0)
    busy.end_batch(w)
assert per_minute.late > 0 and clicked.late > 0 and bought.late == 0  # joined rows are never late
assert any(r["buyer"] == "" and r["buy_ts"] == 0 for r, _ in out_bought) and len(out_busy) > 10

cols = ["ad", "ts", "user", "click_ts", "clicker", "buy_ts", "buyer"]
fr.write("expected/out/bought.csv", fr.csv_lines(cols, [[r[c] for c in cols] for r, _ in out_bought]))
cols = ["ad", "ts", "user", "window_start", "window_end", "n"]
fr.write("expected/out/busy.csv", fr.csv_lines(cols, [[r[c] for c in cols] for r, _ in out_busy]))
fr.write("expected_late", "%d\n" % (per_minute.late + clicked.late + bought.late + busy.late))
