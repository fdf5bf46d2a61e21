# Expected output of udf_strings: the C++ functions of strings.cpp written
# again in Python, the stages of pipeline.flow applied by hand, and the
# running aggregate emitted per batch of 2 records (LANGUAGE.md 6.2).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))


def first_word(s):
    return s.split(" ", 1)[0]


def size_class(n):
    return "short" if n < 12 else "long"


def join4(a, b, c, d):
    return "|".join([a, b, c, d])


def c_div(a, b):  # C++ integer division truncates toward zero
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def c_mod(a, b):
    return a - b * c_div(a, b)


def mix(neg, x, ts, n, s, t, u, k):
    v = x + c_mod(c_div(ts, 1000), 100) + n + len(s.encode()) + 10 * len(t) + 100 * len(u) + 1000 * k
    return -v if neg else v


def has_digit(s):
    return any(c.isdigit() for c in s)


def hour_start(ts):
    return ts - ts % 3_600_000  # Python's % floors: the start of the hour, also before 1970


notes = fr.read_csv("notes.csv")
for r in notes:
    r["id"], r["at"], r["x"] = int(r["id"]), fr.parse_ts(r["at"]), float(r["x"])
    r["flag"] = r["flag"] == "true"
tags = {t["word"]: t["tag"] for t in fr.read_csv("tags.csv")}

shaped = []
for r in notes:
    text = r["text"]
    if not (not has_digit(text) or r["flag"]):
        continue
    word = first_word(text).lower()
    if word not in tags:
        continue
    shaped.append((r["id"], text[::-1], first_word(text), size_class(len(text)),
                   join4(first_word(text), first_word(text)[::-1], size_class(r["id"]), text),
                   mix(r["flag"], r["x"], r["at"], r["id"], text, "ab", first_word(text), 2),
                   fr.Ts(hour_start(r["at"])), word, tags[word]))
fr.write("expected/out/shaped.jsonl",
         fr.json_lines(["id", "rev", "head", "size", "joined", "mixed", "hour", "word", "tag"], shaped))

groups = {}
rows = []
for batch in fr.batches(notes, 2):
    touched = set()
    for r in batch:
        key = first_word(r["text"])[::-1]
        g = groups.setdefault(key, [0, None, 0.0])
        g[0] += 1
        rev = r["text"][::-1]
        g[1] = rev if g[1] is None or rev.encode() > g[1].encode() else g[1]
        g[2] += mix(not r["flag"], r["x"], r["at"], 1, "", "", "", 0)
        touched.add(key)
    for key in sorted(touched, key=fr.sort_key):
        rows.append((key,) + tuple(groups[key]))
fr.write("expected_stdout", fr.csv_lines(["backwards", "n", "longest", "total"], rows))
