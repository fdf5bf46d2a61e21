# The expected output of gzip_members: generate.py's text, inflated by
# zlib one member at a time (the zero padding after the last one
# skipped, as zcat does), batches of 100 records, a running aggregate per user.
import csv, io, os, subprocess, sys, zlib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr

subprocess.run([sys.executable, "generate.py"], check=True)
data = open("events.csv.gz", "rb").read()
text, members = b"", 0
while data.strip(b"\0"):  # a member follows (not only padding)
    d = zlib.decompressobj(16 + 15)  # one gzip member
    text += d.decompress(data)
    assert d.eof
    data, members = d.unused_data, members + 1
assert members == 3
text = text.decode()
records = [{"user": r["user"], "amount": int(r["amount"])} for r in csv.DictReader(io.StringIO(text))]
assert len(records) == 300
per_batch = fr.running_aggregate(fr.batches(records, 100), lambda r: (r["user"],),
                                 lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["amount"])],
                                 keep=lambda r: r)
fr.write("expected_stdout", fr.csv_lines(["user", "n", "total"], fr.flatten(per_batch)))
os.remove("events.csv.gz")  # generated: not part of the case
