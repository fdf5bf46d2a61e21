# Expected output: the table as a dict (later rows replace earlier ones;
# missing fields take defaults), a lookup per order, then the state per
# brand after each batch of 2 orders, updated brands in key order.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
table = {}
for p in fr.read_jsonl("products.jsonl"):
    table[p["sku"]] = (float(p.get("price", 0)), p.get("brand", "unbranded"))
state, rows = {}, []
for batch in fr.batches(fr.read_csv("orders.csv"), 2):
    touched = set()
    for o in batch:
        price, brand = table.get(o["sku"], (0.0, "unbranded"))
        s = state.setdefault(brand, {"spent": 0.0, "items": 0, "buyers": ""})
        s["spent"] += int(o["qty"]) * price
        s["items"] += int(o["qty"])
        if o["user"] not in s["buyers"]:
            s["buyers"] += o["user"] + ";"
        touched.add(brand)
    rows += [(b,) + tuple(state[b].values()) for b in sorted(touched)]
fr.write("expected_stdout", fr.csv_lines(["brand", "spent", "items", "buyers"], rows))
