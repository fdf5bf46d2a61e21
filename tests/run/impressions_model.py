"""tests/run/impressions_model.py — the input and expected output of the
impressions/clicks interval-join cases (join_stream_impressions, and
join_stream_within_param, the same pipeline with `within` as a param),
from flowref's models: the runtime's batches over two files
(source_batches), per-source watermarks (Watermarks), the interval join
(IntervalJoin) and a window (WindowStage). The input is made here too
(seeded). write_case() writes both into the current directory."""
import random

import flowref as fr

MIN = 60_000


def write_case():
    BASE = fr.parse_ts("2026-03-01T09:00:00Z")
    rng = random.Random(17)
    ads = ["a%d" % i for i in range(8)]
    imps, clicks = [], []
    t = BASE
    for i in range(60):
        t += rng.randint(0, 3 * MIN)
        jitter = rng.choice([0, 0, 0, -MIN // 2, -5 * MIN, -40 * MIN])  # some late
        imps.append({"ad": rng.choice(ads), "ts": t + jitter, "user": "u%d" % rng.randint(1, 9)})
    for imp in imps:
        for _ in range(rng.choice([0, 0, 1, 1, 2])):  # clicked 0, 1 or 2 times
            ct = imp["ts"] + rng.choice([-2 * MIN, 30_000, 3 * MIN, 9 * MIN, 10 * MIN, 12 * MIN])
            clicks.append({"ad": imp["ad"], "click_ts": ct, "price": rng.choice([0.5, 1.25, 2.0])})
    for _ in range(8):  # clicks of no impression
        clicks.append({"ad": "z%d" % rng.randint(0, 3), "click_ts": BASE + rng.randint(0, 150 * MIN), "price": 3.0})
    clicks.sort(key=lambda c: c["click_ts"] + rng.choice([0, 0, 0, 4 * MIN, 40 * MIN]))  # some late
    for c in clicks[::7]:
        del c["price"]  # takes its default (-1) in the row too
    for c in clicks[::5]:
        c["page"] = "p%d" % rng.randint(1, 3)

    def js(r):
        parts = []
        for k, v in r.items():
            parts.append('"%s": %s' % (k, '"%s"' % fr.fmt_ts(v) if k in ("ts", "click_ts") else
                                       ('"%s"' % v if isinstance(v, str) else repr(v))))
        return "{" + ", ".join(parts) + "}\n"
    fr.write("impressions.jsonl", "".join(js(r) for r in imps))
    fr.write("clicks.jsonl", "".join(js(r) for r in clicks))

    # What the sources parse into (schema defaults filled in).
    imp_rows = [{"ad": r["ad"], "ts": fr.Ts(r["ts"]), "user": r["user"]} for r in imps]
    click_rows = [{"ad": r["ad"], "click_ts": fr.Ts(r["click_ts"]), "price": float(r.get("price", -1)),
                   "page": r.get("page", "none")} for r in clicks]

    D = 10 * MIN
    s_fields = ["click_ts", "price", "page"]
    inner = fr.IntervalJoin("ad", D, s_fields)
    outer = fr.IntervalJoin("ad", D, s_fields, left_join=True,
                            miss={"click_ts": fr.Ts(0), "price": -1.0, "page": "none"})
    window = fr.WindowStage(lambda r: (),
                            lambda: [fr.Agg("count"),
                                     fr.Agg("sum", lambda r: 1 if r["price"] >= 0 else 0),
                                     fr.Agg("sum", lambda r: r["price"] if r["price"] >= 0 else 0.0, True)],
                            30 * MIN)
    wm = fr.Watermarks([MIN, 2 * MIN])
    clicked, outcome, per_window = [], [], []
    for batch, ended, final in fr.source_batches([fr.FileSource(imp_rows), fr.FileSource(click_rows)], 5):
        w0 = wm.of([0, 1])
        to_window = []
        for src, rec in batch:
            if src == 0:
                t = rec["ts"]
                wm.saw(0, t)
                clicked += inner.left(rec, t, w0)
                pairs = outer.left(rec, t, w0)
            else:
                t = rec["click_ts"]
                wm.saw(1, t)
                clicked += inner.right(rec, t, w0)
                pairs = outer.right(rec, t, w0)
            outcome += pairs
            to_window += pairs
        wm.end_batch(ended, final)
        w = wm.of([0, 1])
        inner.end_batch(w)
        misses = outer.end_batch(w)
        outcome += misses
        for row, t in to_window + misses:  # the window's input trails by D
            window.add(row, t, w0 - D)
        per_window += window.fire(w - D)
    assert window.late == 0
    assert inner.late > 0 and outer.late == inner.late  # the case exercises late rows
    assert any(r["click_ts"] == 0 for r, _ in outcome)  # and misses

    cols = ["ad", "ts", "user", "click_ts", "price", "page"]
    fr.write("expected/out/clicked.jsonl", fr.json_lines(cols, [[r[c] for c in cols] for r, _ in clicked]))
    fr.write("expected/out/outcome.csv", fr.csv_lines(cols, [[r[c] for c in cols] for r, _ in outcome]))
    fr.write("expected/out/per_window.csv",
             fr.csv_lines(["window_start", "window_end", "shown", "clicked", "revenue"], per_window))
    fr.write("expected_late", "%d\n" % (inner.late + outer.late))
