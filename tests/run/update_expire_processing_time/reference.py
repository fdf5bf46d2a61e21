# Expected output: one row per record (emit each): value, k, then the key's
# state; a starts over at value 35 (expired while idle), b counts on.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
state, rows = {}, []
for value in range(40):
    k = "a" if value < 5 or value >= 35 else "b"
    if value == 35:
        del state["a"]  # idle for ~750 ms > 200 ms: expired
    s = state.setdefault(k, {"n": 0, "first": -1})
    s["n"] += 1
    if s["first"] < 0:
        s["first"] = value
    rows.append((value, k, s["n"], s["first"]))
fr.write("expected_stdout", fr.csv_lines(["value", "k", "n", "first"], rows))
