# Expected output: in closed form. Window w holds values [w*10000, (w+1)*10000);
# key k holds the values v = k (mod 4) of that range.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
START, COUNT, SIZE = fr.parse_ts("2026-01-01T00:00:00Z"), 1_200_000, 10_000
assert START % SIZE == 0
rows = []
for w in range(COUNT // SIZE):
    for k in range(4):
        vals = range(w * SIZE + k, (w + 1) * SIZE, 4)
        rows.append((fr.Ts(START + w * SIZE), fr.Ts(START + (w + 1) * SIZE), k, len(vals), sum(vals),
                     fr.Ts(START + vals[0]), fr.Ts(START + vals[-1]), vals[-1]))
fr.write("expected/out/windows.csv", fr.csv_lines(
    ["window_start", "window_end", "k", "n", "total", "first_ts", "last_ts", "last_value"], rows))
rows = []
for w in range(-5, COUNT // SIZE):     # window [w*10 s, w*10 s + 60 s)
    lo, hi = max(w * SIZE, 0), min((w + 6) * SIZE, COUNT) - 1
    rows.append((fr.Ts(START + w * SIZE), fr.Ts(START + (w + 6) * SIZE), hi - lo + 1, (lo + hi) * (hi - lo + 1) // 2,
                 lo, hi))
fr.write("expected/out/sliding.csv", fr.csv_lines(["window_start", "window_end", "n", "total", "lo", "hi"], rows))
