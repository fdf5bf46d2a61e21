# The expected output of dir_csv_order, from generate.py's files: the
# order of LANGUAGE.md 13 (modification time, then name), each file's own
# header, batches of 2 records (bad ones count), a running aggregate.
import csv, gzip, io, os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr

subprocess.run([sys.executable, "generate.py"], check=True)
names = [n for n in os.listdir("in")
         if not n.startswith((".", "_")) and ".csv" in n and os.path.isfile(os.path.join("in", n))]
names.sort(key=lambda n: (os.stat(os.path.join("in", n)).st_mtime_ns, n))
records, bad = [], []
for n in names:
    data = open(os.path.join("in", n), "rb").read()
    if n.endswith(".gz"):
        data = gzip.decompress(data)
    for line_no, row in enumerate(csv.DictReader(io.StringIO(data.decode())), start=2):
        try:
            records.append({"shop": row["shop"], "amount": int(row["amount"])})
        except ValueError:
            records.append(None)
            bad.append('in/%s:%d: bad record: field "amount": expected int, got "%s"'
                       % (n, line_no, row["amount"]))
good = [r for r in records if r is not None]
fr.write("expected_stdout", fr.csv_lines(["shop", "amount"], [(r["shop"], r["amount"]) for r in good]))
per_batch = fr.running_aggregate(fr.batches(records, 2), lambda r: (r["shop"],),
                                 lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["amount"])],
                                 keep=lambda r: r)
fr.write("expected/out/per_shop.csv", fr.csv_lines(["shop", "n", "total"], fr.flatten(per_batch)))
fr.write("expected_stderr", "\n".join(bad) + "\n")
import shutil; shutil.rmtree("in")  # generated: not part of the case
