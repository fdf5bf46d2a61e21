# Expected output: the table as a dict filled row by row (a later row
# replaces an earlier one with the same key; a missing column takes the
# schema default), then a lookup per click.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
pages = {}
for r in fr.read_csv("pages.csv"):
    cat = r["category"] if r["category"] is not None else "unknown"
    weight = int(r["weight"]) if r["weight"] is not None else -1
    pages[r["page"]] = (cat, weight)
clicks = [(r["user"], r["page"], int(r["ms"])) for r in fr.read_csv("clicks.csv")]
inner, outer, every = [], [], []
for user, page, ms in clicks:
    hit = pages.get(page)
    if hit:
        inner.append((user, page, hit[0], hit[1], ms * hit[1]))
    cat, weight = hit or ("unknown", -1)
    outer.append((user, page, cat, weight, weight >= 0))
    every.append((user, page, ms, cat, weight))
fr.write("expected_stdout", fr.csv_lines(["user", "page", "category", "w", "score"], inner))
fr.write("expected/out/left.csv", fr.csv_lines(["user", "page", "cat", "weight", "matched"], outer))
fr.write("expected/out/all.jsonl", fr.json_lines(["user", "page", "ms", "category", "weight"], every))
