# The summary line on stderr (--no-quiet) must count the late records that
# reference.py found (expected_late beside this file): `..., N late, ...`.
import os, re, sys
want = int(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected_late")).read())
stderr = open(sys.argv[2], encoding="utf-8", errors="replace").read()
m = re.search(r"^flowc: .*?(\d+) late\b", stderr, re.M)
if not m:
    sys.exit("no summary line with a late count on stderr:\n" + stderr)
if int(m.group(1)) != want:
    sys.exit("late count %s, expected %d:\n%s" % (m.group(1), want, stderr))
