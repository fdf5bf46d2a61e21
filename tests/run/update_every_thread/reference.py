# Expected output: flowref's keyed state (LANGUAGE.md 6.3 and 13) over the
# records in arrival order, in batches of 10,000: each key's block per
# record, `delete`, `expire after 20s` by the watermark (largest event time
# - 2 s) at each batch end but the last, then the updated keys by key (the
# file) or the expired keys by key, with their last state (stdout).
import os, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import flowref as fr
os.chdir(HERE)
subprocess.run([sys.executable, "generate.py"], check=True)
recs = fr.read_csv("tx.csv")
os.remove("tx.csv")
for r in recs:
    r["id"], r["amount"], r["ts"] = int(r["id"]), int(r["amount"]), fr.parse_ts(r["ts"])
batches = fr.batches(recs, 10000)


def balance(s, r):
    s["balance"] += r["amount"]
    s["n"] += 1
    s["last"] = r["amount"]
    s["side"] = "debit" if r["amount"] < 0 else "credit"
    if s["first_id"] < 0:
        s["first_id"] = r["id"]
    return s["balance"] > 20000


def range_(s, r):
    s["seen"] += 1
    s["low"] = min(s["low"], r["amount"])
    s["high"] = max(s["high"], r["amount"])
    s["lastid"] = r["id"]
    return False


common = dict(key_of=lambda r: [r["account"]], expire=20000, time_of=lambda r: r["ts"], delay=2000)
rows = fr.keyed_state(batches, initial=lambda: dict(balance=0, n=0, last=0, side="", first_id=-1),
                      block=balance, emit=("updated",), **common)
fr.write("expected/out/balances.csv",
         fr.csv_lines(["account", "balance", "n", "last", "side", "first_id"], rows))
rows = fr.keyed_state(batches, initial=lambda: dict(seen=0, low=1000, high=-1000, lastid=0),
                      block=range_, emit=("expired",), **common)
fr.write("expected_stdout", fr.csv_lines(["account", "seen", "low", "high", "lastid"], rows))
