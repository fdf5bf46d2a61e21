#!/usr/bin/env python3
"""A differential sweep behind the bad-input matrix (not run by CI).

    python3 tests/run/badinput_sweep.py --flowc build/compiler/flowc [--seeds 0:100] [--format csv|json|both]

For each seed, writes generate.flipped(400, seed) of badinput_csv or
badinput_json (400 records, ~40% with one random bit flipped), runs it
through `flowc run` with on_error dead_letter, and compares the good rows
and every dead letter with badref.py, the independent model. Prints each
mismatch and the count; exits 1 on any. 100 seeds of each format agreed when
it was written (issue 9).
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import badref  # noqa: E402

SCHEMA = [("id", "int"), ("name", "string"), ("score", "float"), ("at", "timestamp")]
HEADER = badref.csv_line([b"id", b"name", b"score", b"at"])


def load(case, name):
    spec = importlib.util.spec_from_file_location(case + "_" + name, os.path.join(HERE, case, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def json_model(data, path):
    # The conversion rules of badinput_json/reference.py, without running it.
    src = open(os.path.join(HERE, "badinput_json", "reference.py")).read()
    ns = {"__file__": os.path.join(HERE, "badinput_json", "reference.py")}
    exec(src[:src.index("with tempfile.TemporaryDirectory()")] +
         src[src.index("def records("):src.index("rows, stderr, dead = records(")], ns)
    rows, _, dead = ns["records"](data, path, "f")
    return HEADER + b"".join(badref.csv_line(r) for r in rows), b"".join(dead)


def csv_model(data, path):
    rows, dead = [HEADER], []
    for line, raw, unclosed in badref.csv_records(data):
        try:
            rows.append(badref.csv_line(badref.csv_row(raw, unclosed, SCHEMA)))
        except badref.Bad as e:
            dead.append(badref.dead_letter("f", "%s:%d" % (path, line), str(e), raw))
    return b"".join(rows), b"".join(dead)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--seeds", default="0:100")
    ap.add_argument("--format", default="both", choices=["csv", "json", "both"])
    args = ap.parse_args()
    flowc = os.path.abspath(args.flowc)
    first, last = (int(x) for x in args.seeds.split(":"))
    formats = ["csv", "json"] if args.format == "both" else [args.format]
    mismatches = 0
    with tempfile.TemporaryDirectory(prefix="flowc-sweep-") as tmp:
        for fmt in formats:
            generate = load("badinput_" + fmt, "generate")
            path = "in." + ("csv" if fmt == "csv" else "jsonl")
            with open(os.path.join(tmp, "p.flow"), "w") as f:
                f.write('source f = file("%s")\n  format %s\n'
                        '  schema { id: int, name: string, score: float, at: timestamp }\n'
                        '  on_error dead_letter file("dead.jsonl")\n'
                        'stream g = f | select id, name, score, at\nsink g to file("good.csv")\n'
                        % (path, "csv(header: false)" if fmt == "csv" else "json"))
            for seed in range(first, last):
                data = generate.flipped(400, seed)
                with open(os.path.join(tmp, path), "wb") as f:
                    f.write(data)
                for out in ("dead.jsonl", "good.csv"):
                    if os.path.exists(os.path.join(tmp, out)):
                        os.remove(os.path.join(tmp, out))
                r = subprocess.run([flowc, "run", "p.flow", "--quiet"], cwd=tmp, capture_output=True)
                want_rows, want_dead = (csv_model if fmt == "csv" else json_model)(data, path)
                read = lambda n: open(os.path.join(tmp, n), "rb").read() if os.path.exists(os.path.join(tmp, n)) else b""
                got_rows, got_dead = read("good.csv"), read("dead.jsonl")
                if r.returncode == 0 and got_rows == want_rows and got_dead == want_dead:
                    continue
                mismatches += 1
                print("%s seed %d: exit %d %s" % (fmt, seed, r.returncode, r.stderr[:300]))
                for got, want in ((got_dead, want_dead), (got_rows, want_rows)):
                    for x, y in zip(got.splitlines(), want.splitlines()):
                        if x != y:
                            print("  flowc:", x[:300])
                            print("  model:", y[:300])
                            break
    print("%d mismatching seeds" % mismatches)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
