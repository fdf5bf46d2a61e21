# Expected output: word counts (one batch), ordered by word, as csv.
out = []  # the lines of expected_stdout
import collections
counts = collections.Counter()
with open("input.txt", "rb") as f:
    for line in f.read().split(b"\n"):
        for w in line.lower().split():  # runs of ASCII whitespace, no empties
            counts[w.decode()] += 1
out.append("word,n")
for w in sorted(counts, key=lambda s: s.encode()):
    out.append("%s,%d" % (w, counts[w]))
with open("expected_stdout", "w", encoding="utf-8", newline="") as f:
    f.write("".join(line + "\n" for line in out))
