# Expected output of union_watermark, from flowref's models: the runtime's
# batches over three files (source_batches), per-source watermarks (+inf
# once a source has ended), the union's as the least of its inputs', and a
# window (WindowStage). The input is made here too (seeded).
import os, random, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

MIN = 60_000
BASE = fr.parse_ts("2026-07-01T08:00:00Z")
rng = random.Random(8)

def logs(n, span, late_every, hosts):
    out, t = [], BASE
    for i in range(n):
        t += rng.randint(0, span)
        lag = rng.choice([0, 0, 30_000, 25 * MIN]) if i % late_every == late_every - 1 else 0
        out.append({"host": rng.choice(hosts), "level": rng.choice(["error", "error", "info"]), "ts": fr.Ts(t - lag)})
    return out

web = logs(14, 40_000, 5, ["w1", "w2"])    # ends early (about 08:05)
legacy = logs(9, 60_000, 4, ["old"])
app = logs(40, 3 * MIN, 6, ["w1", "a1"])   # runs to about 09:00, some late
fr.write("web.csv", "host,level,ts\n" + "".join("%s,%s,%s\n" % (r["host"], r["level"], fr.fmt_ts(r["ts"])) for r in web))
fr.write("legacy.csv", "machine,severity,at\n" + "".join("%s,%s,%d\n" % (r["host"], r["level"], r["ts"]) for r in legacy))
fr.write("app.jsonl", "".join('{"host": "%s", "ts": "%s", "level": "%s"}\n' % (r["host"], fr.fmt_ts(r["ts"]), r["level"])
                              for r in app))

window = fr.WindowStage(lambda r: (r["host"],),
                        lambda: [fr.Agg("count"), fr.Agg("first", lambda r: r["ts"]), fr.Agg("last", lambda r: r["ts"])],
                        10 * MIN)
wm = fr.Watermarks([MIN, 0, 2 * MIN])
out_logs, out_windows = [], []
for batch, ended, final in fr.source_batches([fr.FileSource(web), fr.FileSource(legacy), fr.FileSource(app)], 6):
    w0 = wm.of([0, 1, 2])
    for src, r in batch:
        wm.saw(src, r["ts"])
        out_logs.append(r)
        if r["level"] == "error":
            window.add(r, r["ts"], w0)
    wm.end_batch(ended, final)
    out_windows += window.fire(wm.of([0, 1, 2]))
assert window.late > 0
fr.write("expected/out/logs.csv", fr.csv_lines(["host", "level", "ts"], [[r["host"], r["level"], r["ts"]] for r in out_logs]))
fr.write("expected/out/per_window.csv",
         fr.csv_lines(["window_start", "window_end", "host", "n", "first_ts", "last_ts"], out_windows))
fr.write("expected_late", "%d\n" % window.late)
