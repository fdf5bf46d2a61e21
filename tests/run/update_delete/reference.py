# Expected output of update_delete, from flowref.keyed_state: the block on
# a copy of the key's state; `delete` drops the state after the block
# (whatever it assigned after `delete`), and the key leaves the batch's
# updated keys. Batches of 3 records. Input made here.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(11)
recs = [{"user": rng.choice(["ann", "bob", "cy", "dee"]),
         "action": rng.choice(["add", "add", "add", "view", "checkout"]),
         "amount": rng.randint(1, 9)} for _ in range(45)]
fr.write("events.csv", "user,action,amount\n" +
         "".join("%s,%s,%d\n" % (r["user"], r["action"], r["amount"]) for r in recs))
batches = fr.batches(recs, 3)

def cart(st, r):
    if r["action"] == "add":
        st["items"] += 1; st["total"] += r["amount"]; st["note"] += "+"
    elif r["action"] == "checkout":
        st["note"] = st["note"] + "!"; st["items"] = 99
        return True
    return False

def count(st, r):
    st["n"] += 1
    return r["action"] == "checkout"

def spend(st, r):
    st["n"] += 1; st["spent"] += r["amount"]
    return r["action"] == "checkout" and st["spent"] > 10

key = lambda r: (r["user"],)
carts = fr.keyed_state(batches, key, lambda: dict(items=0, total=0, note=""), cart)
per_record = fr.keyed_state(batches, key, lambda: dict(n=0), count, emit=("each",),
                            each_row=lambda r, st: (r["user"], r["action"], r["amount"], st["n"]))
everyone = fr.keyed_state(batches, key, lambda: dict(n=0, spent=0), spend, emit=("all",))
# The case covers a key deleted then re-created within one batch.
assert any(sum(1 for r in b if r["user"] == u) >= 2 and
           any(r["user"] == u and r["action"] == "checkout" for r in b[:-1]) for b in batches for u in "ann bob cy dee".split())

fr.write("expected/out/carts.csv", fr.csv_lines(["user", "items", "total", "note"], carts))
fr.write("expected/out/per_record.csv", fr.csv_lines(["user", "action", "amount", "n"], per_record))
fr.write("expected/out/everyone.csv", fr.csv_lines(["user", "n", "spent"], everyone))
