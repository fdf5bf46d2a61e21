# Both runs name the window, the batch interval's value, and open no sink.
import os, sys
stderr = open(sys.argv[2], encoding="utf-8", errors="replace").read()
for words in ("window length", "10s", "not a multiple of the batch interval", "3s"):
    if words not in stderr:
        sys.exit("stderr does not say %r:\n%s" % (words, stderr))
if os.path.exists("out/counts.csv"):
    sys.exit("out/counts.csv was opened")
