# The summary (last stderr line): records in = the clicks' data rows, table
# rows = the pages' data rows, rows out = the joined rows on stdout.
import re, sys
def rows(path):
    return len([l for l in open(path).read().splitlines()[1:] if l])
err = open(sys.argv[2]).read().splitlines()
want = "flowc: %d records in, %d table rows, %d rows out, " % (
    rows("clicks.csv"), rows("pages.csv"), rows(sys.argv[1]))
if not err or not err[-1].startswith(want):
    print("expected a summary starting %r, got %r" % (want, err[-1] if err else ""))
    sys.exit(1)
