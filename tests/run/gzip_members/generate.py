# Writes this case's input events.csv.gz (run by run_tests.py in each
# scratch copy, and by reference.py): one CSV text cut into three gzip
# members at places that split a line and the header's line end (what
# `cat a.gz b.gz c.gz` makes), then zero bytes of padding after the last
# member, which zcat ignores. Deterministic (mtime 0, fixed cuts).
import gzip

TEXT = b"user,amount\n" + b"".join(b"u%d,%d\n" % (i % 5, i) for i in range(1, 301))
CUTS = [11, 1234]  # inside "user,amount\n" (before its \n), and mid-line

parts = [TEXT[:CUTS[0]], TEXT[CUTS[0]:CUTS[1]], TEXT[CUTS[1]:]]
with open("events.csv.gz", "wb") as f:
    for p in parts:
        f.write(gzip.compress(p, mtime=0))
    f.write(b"\0" * 512)
