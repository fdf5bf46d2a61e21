# Expected output: after every batch of 2 records, every key created so far,
# in (user, device) order, with its state.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
state, rows = {}, []
for batch in fr.batches(fr.read_jsonl("plays.jsonl"), 2):
    for r in batch:
        if r["secs"] <= 0:
            continue
        s = state.setdefault((r["user"], r["device"]), {"plays": 0, "total": 0, "longest": 0})
        s["plays"] += 1; s["total"] += r["secs"]; s["longest"] = max(s["longest"], r["secs"])
    for key in sorted(state, key=lambda k: tuple(map(fr.sort_key, k))):
        rows.append(key + tuple(state[key].values()))
fr.write("expected_stdout", fr.csv_lines(["user", "device", "plays", "total", "longest"], rows))
