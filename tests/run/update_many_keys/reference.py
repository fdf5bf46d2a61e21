# Expected output: batches of 40,000 consecutive values; after each, the
# updated (resp. all live) keys in key order, filtered like the pipeline.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))
COUNT, KEYS, BATCH = 300_000, 100_000, 40_000
state, live = {}, {}
out, out_live = [], []
for start in range(0, COUNT, BATCH):
    touched = set()
    for v in range(start, min(start + BATCH, COUNT)):
        k = v % KEYS
        s = state.setdefault(k, [0, 0, -1, -1])
        s[0] += 1; s[1] += v; s[2] = v if s[2] < 0 else s[2]; s[3] = v
        live[k] = live.get(k, 0) + 1
        touched.add(k)
    out += [(k,) + tuple(state[k]) for k in sorted(touched) if k % 25_000 == 7]
    out_live += [(k, live[k]) for k in sorted(live) if k == 0 or k == 99_999]
fr.write("expected_stdout", fr.csv_lines(["k", "n", "total", "first", "last"], out))
fr.write("expected/out/live.csv", fr.csv_lines(["k", "n"], out_live))
