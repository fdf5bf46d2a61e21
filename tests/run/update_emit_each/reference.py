# Expected output: one row per record in arrival order: sensor, value, at,
# positive, then the zone's state after running the block on the record.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
state, rows = {}, []
for r in fr.read_csv("readings.csv"):
    value, at = int(r["value"]), fr.Ts(fr.parse_ts(r["at"]))
    zone = "b" if r["sensor"] == "s3" else "a"
    s = state.setdefault(zone, dict(n=0, running=0, peak=-1000, changes=0, prev=0, since=fr.Ts(0)))
    s["n"] += 1
    s["running"] += value
    if value > s["peak"]:
        s["peak"] = value
    if s["n"] > 1 and value != s["prev"]:
        s["changes"] += 1
    s["prev"] = value
    if s["n"] == 1:
        s["since"] = at
    rows.append((r["sensor"], value, at, value > 0) + tuple(s.values()))
fr.write("expected_stdout", fr.csv_lines(["sensor", "value", "at", "positive", "n", "running", "peak", "changes",
                                          "prev", "since"], rows))
