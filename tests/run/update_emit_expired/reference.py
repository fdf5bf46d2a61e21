# Expected output of update_emit_expired, from flowref.keyed_state under
# event time (watermark = largest event time - 1 s at each batch end,
# batches of 2 records): keys last updated more than D before the
# watermark are removed at a batch end (not the last), their rows emitted
# first by key, then the updated (or all) keys. Input made here.
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

rng = random.Random(23)
recs = []
t = 0
for i in range(60):
    t += rng.choice([100, 400, 900, 2500])
    recs.append({"ts": fr.Ts(max(0, t - rng.choice([0, 0, 0, 1200]))), "user": rng.choice(["u1", "u2", "u3", "u4"]),
                 "page": rng.choice(["home", "cart", "item", "item", "logout"])})
fr.write("events.csv", "ts,user,page\n" + "".join("%d,%s,%s\n" % (r["ts"], r["user"], r["page"]) for r in recs))
batches = fr.batches(recs, 2)
key = lambda r: (r["user"],)
time = lambda r: r["ts"]

def session(st, r):
    if st["clicks"] == 0:
        st["started"] = r["ts"]
    st["ended"] = max(st["ended"], r["ts"])
    st["clicks"] += 1
    st["pages"] += r["page"]
    return r["page"] == "logout"

def count(st, r):
    st["n"] += 1
    return False

def last_page(st, r):
    st["n"] += 1
    st["last_page"] = r["page"]
    return False

sessions = fr.keyed_state(batches, key, lambda: dict(started=fr.Ts(0), ended=fr.Ts(0), clicks=0, pages=""),
                          session, emit=("expired",), expire=5000, time_of=time, delay=1000)
changes = fr.keyed_state(batches, key, lambda: dict(n=0), count, emit=("updated", "expired"), expire=3000,
                         time_of=time, delay=1000)
snapshot = fr.keyed_state(batches, key, lambda: dict(n=0, last_page=""), last_page, emit=("all", "expired"),
                          expire=4000, time_of=time, delay=1000)
assert len(sessions) >= 5  # sessions did expire

fr.write("expected/out/sessions.csv", fr.csv_lines(["user", "started", "ended", "clicks", "pages"], sessions))
fr.write("expected/out/changes.csv", fr.csv_lines(["user", "n"], changes))
fr.write("expected/out/snapshot.csv", fr.csv_lines(["user", "n", "last_page"], snapshot))
