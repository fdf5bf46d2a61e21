# Expected dead letters: lines 2-6 and 9. Source, position and record come
# from the input; the error wording (unspecified) tells a well-formed value
# that is not an object from text that is not one JSON value.
import json, os
lines = open("docs.jsonl").read().split("\n")
os.makedirs("expected/out", exist_ok=True)
with open("expected/out/bad.jsonl", "w") as f:
    for n in (2, 3, 4, 5, 6, 9):
        try:
            json.loads(lines[n - 1])
            error = "expected a JSON object"
        except ValueError:
            error = "malformed JSON"
        f.write(json.dumps({"source": "docs", "position": "docs.jsonl:%d" % n,
                            "error": error, "record": lines[n - 1]},
                           separators=(",", ":")) + "\n")
