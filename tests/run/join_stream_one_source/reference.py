# Expected output of join_stream_one_source, from flowref's models
# (source_batches, Watermarks, IntervalJoin); the input is made here too.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

S = 30_000
BASE = fr.parse_ts("2026-05-04T12:00:00Z")
rng = random.Random(4)
lines, t = [], BASE
for i in range(120):
    t += rng.choice([0, S, S, 2 * S])
    late = rng.choice([0] * 8 + [3 * S, 12 * S, 30 * S])
    kind = rng.choice(["imp", "imp", "click"])
    ad = rng.choice(["a", "b", "c", "d"])
    who = rng.choice(["", "u1", "u2"])  # "" is "" (LANGUAGE.md 12), not the default
    amount = rng.choice(["", "0.5", "2"])
    fast = rng.choice(["", "true", "false"])
    lines.append((kind, ad, t - late, who, amount, fast))
fr.write("events.csv", "kind,ad,ts,who,amount,fast\n" +
         "".join("%s,%s,%s,%s,%s,%s\n" % (k, a, fr.fmt_ts(ts), w, m, f) for k, a, ts, w, m, f in lines))

rows = [{"kind": k, "ad": a, "ts": fr.Ts(ts), "who": w, "amount": float(m) if m else -1.0,
         "fast": f != "false"} for k, a, ts, w, m, f in lines]
D = 5 * 60_000
outcome = fr.IntervalJoin("ad", D, ["click_ts", "amount", "fast", "note"], left_join=True,
                          miss={"click_ts": fr.Ts(0), "amount": 0.0, "fast": False, "note": ""})
by_click = fr.IntervalJoin("ad", D, ["ts", "user"])
wm = fr.Watermarks([S])
out_outcome, out_by_click = [], []
for batch, ended, final in fr.source_batches([fr.FileSource(rows)], 4):
    w0 = wm.of([0])
    for _, r in batch:
        t = r["ts"]
        wm.saw(0, t)
        if r["kind"] == "imp":
            imp = {"ad": r["ad"], "ts": t, "user": r["who"]}
            out_outcome += outcome.left(imp, t, w0)
            out_by_click += by_click.right(imp, t, w0)
        else:
            click = {"ad": r["ad"], "click_ts": t, "amount": r["amount"], "fast": r["fast"], "note": r["who"]}
            out_outcome += outcome.right(click, t, w0)
            out_by_click += by_click.left(click, t, w0)
    wm.end_batch(ended, final)
    out_outcome += outcome.end_batch(wm.of([0]))
    by_click.end_batch(wm.of([0]))
assert outcome.late > 0 and by_click.late > 0
assert any(abs(r["ts"] - r["click_ts"]) == D for r, _ in out_outcome)  # pairs exactly D apart
assert any(r["note"] == "" and r["click_ts"] == 0 for r, _ in out_outcome)  # misses

cols = ["ad", "ts", "user", "click_ts", "amount", "fast", "note"]
fr.write("expected/out/outcome.csv", fr.csv_lines(cols, [[r[c] for c in cols] for r, _ in out_outcome]))
cols = ["ad", "click_ts", "amount", "fast", "note", "ts", "user"]
fr.write("expected/out/by_click.jsonl", fr.json_lines(cols, [[r[c] for c in cols] for r, _ in out_by_click]))
fr.write("expected_late", "%d\n" % (outcome.late + by_click.late))
