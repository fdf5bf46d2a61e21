# Expected output: per batch of 1 record (the last one included): run the block, advance the
# watermark (max event time), remove keys whose last record is more than
# 10 s older than the watermark, then emit (updated keys, or all live keys)
# in key order. The +infinity watermark at the end of input does not drop the
# last batch's rows: they are emitted like any batch's.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
EXPIRE = 10_000
recs = fr.read_csv("visits.csv")
for r in recs:
    r["at"] = fr.Ts(fr.parse_ts(r["at"])); r["amount"] = int(r["amount"])
upd, live = {}, {}          # key -> [state dict, last update]
out_upd, out_live = [], []
wm = fr.NEG_INF
for batch in fr.batches(recs, 1):
    touched = set()
    for r in batch:
        u = r["user"]
        s = upd.setdefault(u, [dict(n=0, total=0, since=fr.Ts(0)), None])
        if s[0]["n"] == 0:
            s[0]["since"] = r["at"]
        s[0]["n"] += 1; s[0]["total"] += r["amount"]; s[1] = r["at"]
        l = live.setdefault(u, [dict(n=0), None])
        l[0]["n"] += 1; l[1] = r["at"]
        touched.add(u)
        wm = max(wm, r["at"])
    for table in (upd, live):
        for u in [u for u, (_, last) in table.items() if wm - last > EXPIRE]:
            assert u not in touched  # the case avoids updating a key in the batch that expires it
            del table[u]
    out_upd += [(u,) + tuple(upd[u][0].values()) for u in sorted(touched)]
    out_live += [(u,) + tuple(live[u][0].values()) for u in sorted(live)]
fr.write("expected_stdout", fr.csv_lines(["user", "n", "total", "since"], out_upd))
fr.write("expected/out/live.csv", fr.csv_lines(["user", "n"], out_live))
