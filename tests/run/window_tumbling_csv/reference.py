# Expected output: rows of orders.csv in 1-minute windows [k*60s, (k+1)*60s),
# one batch, all fired at the end of input in window_end order.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
recs = fr.read_csv("orders.csv")
for r in recs:
    r["at"] = fr.parse_ts(r["at"]); r["qty"] = int(r["qty"]); r["price"] = float(r["price"]); r["id"] = int(r["id"])
rows, late = fr.event_time_windows(
    [recs], lambda r: r["at"], lambda r: r, lambda r: (),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["qty"]), fr.Agg("sum", lambda r: r["price"], True),
             fr.Agg("first", lambda r: r["id"]), fr.Agg("last", lambda r: r["id"])], 60_000)
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "n", "qty", "revenue", "first_id", "last_id"],
                                         fr.flatten(rows)))
