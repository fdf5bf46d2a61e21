# Expected output of window_rollup, computed with flowref's WindowStage:
# batches of 3 records; at each batch end the watermark advances (max ts -
# 2 s), the 10 s windows fire and their rows (time = end - 1 ms) feed the
# downstream windows, late-checked against the watermark at the batch's
# start; then the downstream windows fire. The input is made here too.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(13)
recs = []
t = 0
for i in range(60):
    t += rng.randint(0, 6000)
    jitter = -rng.choice([0, 0, 0, 1500, 4000, 25000])  # some out of order, a few late
    recs.append({"ts": max(0, t + jitter), "user": rng.choice(["a", "b", "c"])})
fr.write("events.csv", "ts,user\n" + "".join("%d,%s\n" % (r["ts"], r["user"]) for r in recs))

per10s = fr.WindowStage(lambda r: (r["user"],), lambda: [fr.Agg("count")], 10_000)
per1m = fr.WindowStage(lambda r: (r["user"],),
                       lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["n"]),
                                fr.Agg("first", lambda r: r["window_end"])], 60_000)
roll10 = fr.WindowStage(lambda r: (), lambda: [fr.Agg("count")], 10_000)
roll30 = fr.WindowStage(lambda r: (), lambda: [fr.Agg("sum", lambda r: r["n"]), fr.Agg("count"),
                                                fr.Agg("last", lambda r: r["n"])], 30_000)
out_1m, out_roll = [], []
wm = fr.NEG_INF
max_seen = fr.NEG_INF
batches = fr.batches(recs, 3)
for i, batch in enumerate(batches):
    wm_at_start = wm
    for r in batch:
        max_seen = max(max_seen, r["ts"])
        per10s.add(r, r["ts"], wm_at_start)
        roll10.add(r, r["ts"], wm_at_start)
    wm = max(wm, max_seen - 2000)
    if i == len(batches) - 1:
        wm = fr.POS_INF  # every source has ended
    for row in per10s.fire(wm):
        rec = {"window_end": row[1], "user": row[2], "n": row[3]}
        per1m.add(rec, row[1] - 1, wm_at_start)
    out_1m += per1m.fire(wm)
    for row in roll10.fire(wm):
        rec = {"n": row[2]}
        roll30.add(rec, row[1] - 1, wm_at_start)
    out_roll += roll30.fire(wm)
assert per1m.late == 0 and roll30.late == 0
assert per10s.late > 0  # the case exercises late records upstream
os.makedirs("expected/out", exist_ok=True)
fr.write("expected/out/per1m.csv",
         fr.csv_lines(["window_start", "window_end", "user", "windows", "total", "first_end"], out_1m))
fr.write("expected/out/rollup.csv",
         fr.csv_lines(["window_start", "window_end", "m", "k", "last_n"], out_roll))
