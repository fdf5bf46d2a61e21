# Writes this case's folder in/ (run by run_tests.py in each scratch copy, and
# by reference.py): CSV files with their own headers (columns in different
# orders), a gzip file of two members, and what dir() must skip: names that
# begin with "." or "_", a name the pattern does not match, a subfolder.
# Modification times are set here (git keeps none). Deterministic.
import gzip
import os
import shutil

FILES = [
    # name, modification time (s), bytes
    ("b.csv", 1_000, b"shop,amount\nnorth,5\nsouth,7\n"),
    ("c.csv", 1_000, b"shop,amount\nnorth,1\nx,notanumber\neast,2\n"),  # same time as b: by name
    ("a.csv", 2_000, b"amount,shop\n10,south\n20,east\n"),  # newest, other column order
    ("d.csv.gz", 500,  # oldest: first; two gzip members are one stream
     gzip.compress(b"shop,amount\nwest,3\n", mtime=0) + gzip.compress(b"west,4\n", mtime=0)),
    ("_d.csv", 100, b"shop,amount\nskipped,1\n"),
    (".e.csv", 100, b"shop,amount\nskipped,1\n"),
    ("notes.txt", 100, b"shop,amount\nskipped,1\n"),
    ("sub/f.csv", 100, b"shop,amount\nskipped,1\n"),
]

shutil.rmtree("in", ignore_errors=True)
for name, mtime, data in FILES:
    path = os.path.join("in", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))
