# stderr: `flowc: error: corrupt gzip data in "events.csv.gz" at byte N (in
# the member that starts at byte M): ...` with M the second member's start
# and N inside that member (generate.py's members.txt); no row of the third
# member reaches stdout.
import re, sys
out = open(sys.argv[1], encoding="utf-8", errors="replace").read()
err = open(sys.argv[2], encoding="utf-8", errors="replace").read()
ranges = [tuple(map(int, line.split())) for line in open("members.txt")]
start, end = ranges[1]
m = re.search(r'^flowc: error: corrupt gzip data in "events\.csv\.gz" at byte (\d+) '
              r'\(in the member that starts at byte (\d+)\): \S', err, re.M)
if not m:
    sys.exit("no error naming the file and the offset on stderr:\n" + err)
if int(m.group(2)) != start or not start <= int(m.group(1)) <= end:
    sys.exit("offsets %s (member %s), expected member %d, inside [%d, %d]:\n%s"
             % (m.group(1), m.group(2), start, start, end, err))
if re.search(r"^c,", out, re.M):
    sys.exit("rows of the member after the corrupt one reached stdout:\n" + out)
