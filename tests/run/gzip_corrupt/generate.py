# Writes this case's input events.csv.gz (run by run_tests.py in each
# scratch copy, and by check.py's expectations): three gzip members, the
# second corrupt (its CRC-32 trailer flipped: inflate finds its data
# complete but wrong at the member's end). check.py needs the members'
# byte ranges: written to members.txt. Deterministic.
import gzip

members = [
    gzip.compress(b"user,amount\n" + b"".join(b"a,%d\n" % i for i in range(200)), mtime=0),
    bytearray(gzip.compress(b"".join(b"b,%d\n" % i for i in range(200)), mtime=0)),
    gzip.compress(b"c,1\n", mtime=0),
]
members[1][-8] ^= 0xFF  # the first byte of its CRC-32
with open("events.csv.gz", "wb") as f:
    for m in members:
        f.write(m)
with open("members.txt", "w") as f:
    at = 0
    for m in members:
        f.write("%d %d\n" % (at, at + len(m)))
        at += len(m)
