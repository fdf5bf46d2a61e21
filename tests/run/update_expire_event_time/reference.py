# Expected output: per batch of 1 record: run the block (records with amount
# 0 are filtered out first, but still move the watermark), advance the
# watermark (max event time), remove keys whose last record is more than
# 10 s older than the watermark, then emit the keys updated in the batch in
# key order.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
EXPIRE = 10_000
recs = fr.read_csv("visits.csv")
for r in recs:
    r["at"] = fr.Ts(fr.parse_ts(r["at"])); r["amount"] = int(r["amount"])
state, out = {}, []         # key -> [state dict, last update]
wm = fr.NEG_INF
for batch in fr.batches(recs, 1):
    touched = set()
    for r in batch:
        wm = max(wm, r["at"])
        if r["amount"] <= 0:
            continue
        u = r["user"]
        s = state.setdefault(u, [dict(n=0, total=0, since=fr.Ts(0)), None])
        if s[0]["n"] == 0:
            s[0]["since"] = r["at"]
        s[0]["n"] += 1; s[0]["total"] += r["amount"]; s[1] = r["at"]
        touched.add(u)
    for u in [u for u, (_, last) in state.items() if wm - last > EXPIRE]:
        assert u not in touched  # the case never updates a key in the batch that expires it
        del state[u]
    out += [(u,) + tuple(state[u][0].values()) for u in sorted(touched)]
fr.write("expected_stdout", fr.csv_lines(["user", "n", "total", "since"], out))
