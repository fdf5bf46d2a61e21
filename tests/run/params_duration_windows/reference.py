# Expected output with the args' values: sliding 10 s every 5 s, watermark
# = max event time - 2 s, one record per batch; `expire after 10s` by that
# watermark (a key whose last record is more than 10 s older is removed at
# the batch's end, and starts again from the initial values); `later` =
# at + 1500 ms.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
SIZE, SLIDE, DELAY, IDLE, SHIFT = 10_000, 5_000, 2_000, 10_000, 1_500
recs = fr.read_jsonl("events.jsonl")
for r in recs:
    r["at"] = fr.parse_ts(r["at"])
batches = fr.batches(recs, 1)

rows, late = fr.event_time_windows(
    batches, lambda r: r["at"], lambda r: r, lambda r: (),
    lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["id"]), fr.Agg("last", lambda r: r["id"])],
    SIZE, SLIDE, delay=DELAY)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "n", "ids", "last_id"], fr.flatten(rows)))

state, out, wm, max_seen = {}, [], fr.NEG_INF, fr.NEG_INF
for batch in batches:
    touched = set()
    for r in batch:
        max_seen = max(max_seen, r["at"])
        s = state.setdefault(r["user"], [dict(n=0, first_id=-1), None])
        if s[0]["n"] == 0:
            s[0]["first_id"] = r["id"]
        s[0]["n"] += 1
        s[1] = r["at"]
        touched.add(r["user"])
    wm = max(wm, max_seen - DELAY)
    for u in [u for u, (_, last) in state.items() if wm - last > IDLE]:
        assert u not in touched  # the input never expires a key in the batch that updates it
        del state[u]
    out += [(u, state[u][0]["n"], state[u][0]["first_id"]) for u in sorted(touched)]
fr.write("expected/out/users.csv", fr.csv_lines(["user", "n", "first_id"], out))

fr.write("expected/out/shifted.csv", fr.csv_lines(
    ["id", "later", "shift_ms"], [(r["id"], fr.Ts(r["at"] + SHIFT), SHIFT) for r in recs]))
