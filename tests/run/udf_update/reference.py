# Expected output of udf_update: score.cpp's functions written again in
# Python and the update block run per record (emit each: the record's
# fields, then the state).
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

POINTS = dict(zip("abcdefghijklmnopqrstuvwxyz",
                  [1, 3, 3, 2, 1, 4, 2, 4, 1, 8, 5, 1, 3, 1, 1, 3, 10, 1, 1, 1, 1, 4, 4, 8, 4, 10]))


def score(word):
    return sum(POINTS.get(c, 0) for c in word.lower())


def shout(s):
    return s.upper() + "!"


state = {}
rows = []
for r in fr.read_csv("plays.csv"):
    st = state.setdefault(r["player"], {"points": 0, "best": "", "first_loud": "", "long_words": 0})
    st["points"] += score(r["word"])
    if score(r["word"]) > score(st["best"]):
        st["best"] = r["word"]
    if st["first_loud"] == "":
        st["first_loud"] = shout(r["word"])
    if len(r["word"]) > 5:
        st["long_words"] += 1
    rows.append((r["player"], r["word"], st["points"], st["best"], st["first_loud"], st["long_words"]))
fr.write("expected_stdout",
         fr.csv_lines(["player", "word", "points", "best", "first_loud", "long_words"], rows))
