# Both runs name the window length, its value and the slide on stderr, and
# stop before any sink opens.
import os, sys
stderr = open(sys.argv[2], encoding="utf-8", errors="replace").read()
for words in ("window length", "7s", "not a multiple of the slide", "5s"):
    if words not in stderr:
        sys.exit("stderr does not say %r:\n%s" % (words, stderr))
if os.path.exists("out/w.csv"):
    sys.exit("out/w.csv was opened")
