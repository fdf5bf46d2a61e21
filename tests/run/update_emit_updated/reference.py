# Expected output: the update block run per record in arrival order, per
# account; after every batch of 3 records, the accounts updated in it in
# key order (bytewise), as CSV and as JSON lines.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("transactions.csv")
INIT = dict(balance=0.0, deposits=0, others=0, fees=0.0, growth=1, halves=64.0, log="", overdrawn=False,
            last_at=fr.Ts(0))
def block(s, r):
    kind, amount = r["kind"], float(r["amount"])
    if kind == "deposit":
        s["balance"] += amount; s["deposits"] += 1; s["growth"] *= 2
    elif kind == "withdrawal":
        s["balance"] -= amount; s["halves"] /= 2
    else:
        s["others"] += 1
        if kind == "fee":
            s["fees"] += amount; s["balance"] -= amount
        else:
            s["balance"] += amount
    s["log"] += kind[0:1]
    s["overdrawn"] = s["balance"] < 0
    s["last_at"] = fr.Ts(fr.parse_ts(r["at"]))
state, rows = {}, []
for batch in fr.batches(recs, 3):
    updated = set()
    for r in batch:
        s = state.setdefault(r["account"], dict(INIT))
        block(s, r)
        updated.add(r["account"])
    for key in sorted(updated, key=fr.sort_key):
        rows.append((key,) + tuple(state[key].values()))
cols = ["account"] + list(INIT)
fr.write("expected_stdout", fr.csv_lines(cols, rows))
fr.write("expected/out/balances.jsonl", fr.json_lines(cols, rows))
