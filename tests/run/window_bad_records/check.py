# The summary line on stderr (--no-quiet) must count the bad and late
# records that reference.py found (expected_bad, expected_late beside this file).
import os, re, sys
here = os.path.dirname(os.path.abspath(__file__))
stderr = open(sys.argv[2], encoding="utf-8", errors="replace").read()
m = re.search(r"^flowc: .*?(\d+) bad, (\d+) late\b", stderr, re.M)
if not m:
    sys.exit("no summary line with bad and late counts on stderr:\n" + stderr)
for what, got in (("bad", m.group(1)), ("late", m.group(2))):
    want = int(open(os.path.join(here, "expected_" + what)).read())
    if int(got) != want:
        sys.exit("%s count %s, expected %d:\n%s" % (what, got, want, stderr))
