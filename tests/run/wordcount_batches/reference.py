# Expected output: batches of 2 input lines; per batch, the touched words
# (length > 1) in byte order with their running count and distinct lines.
out = []  # the lines of expected_stdout
lines = open("text.txt").read().split("\n")[:-1]
counts, seen = {}, {}
out.append("word,n,lines")
for start in range(0, len(lines), 2):
    touched = set()
    for line in lines[start:start + 2]:
        for w in line.lower().split():
            if len(w) > 1:
                counts[w] = counts.get(w, 0) + 1
                seen.setdefault(w, set()).add(line)
                touched.add(w)
    for w in sorted(touched):
        out.append("%s,%d,%d" % (w, counts[w], len(seen[w])))
with open("expected_stdout", "w", encoding="utf-8", newline="") as f:
    f.write("".join(line + "\n" for line in out))
