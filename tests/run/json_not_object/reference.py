# Expected dead letters: lines 2-6 and 9. Source, position and record come
# from the input; the error wording (unspecified) tells a well-formed value
# that is not an object from text that is not one JSON value. On stdout the
# ids of the other, non-blank lines.
import json, os
lines = open("docs.jsonl").read().split("\n")
good = [json.loads(line)["id"] for n, line in enumerate(lines, start=1)
        if line.strip() and n not in (2, 3, 4, 5, 6, 9)]
with open("expected_stdout", "w") as f:
    f.write("".join("%s\n" % v for v in ["id"] + good))
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
