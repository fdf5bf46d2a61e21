# stderr names the missing table file; nothing on stdout.
import sys
out = open(sys.argv[1], "rb").read()
err = open(sys.argv[2], encoding="utf-8", errors="replace").read()
if out:
    sys.exit("unexpected stdout: %r" % out)
if "no/such/pages.csv" not in err or "error" not in err:
    sys.exit("stderr does not name the missing table file:\n" + err)
