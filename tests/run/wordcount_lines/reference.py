# Expected output: word counts (one batch), ordered by word, as csv.
import collections
counts = collections.Counter()
with open("input.txt", "rb") as f:
    for line in f.read().split(b"\n"):
        for w in line.lower().split():  # runs of ASCII whitespace, no empties
            counts[w.decode()] += 1
print("word,n")
for w in sorted(counts, key=lambda s: s.encode()):
    print("%s,%d" % (w, counts[w]))
