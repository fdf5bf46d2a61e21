#!/usr/bin/env python3
"""Memory of a stream-stream join stays flat (LANGUAGE.md 13): each side's
rows are dropped once the watermark passes their time + D, so the peak RSS
of a built program joining 10M records is that of one joining 1M.

Builds tests/memory/join_state.flow with `flowc build`, runs it with
n = 500,000 and n = 5,000,000 records per source (1M and 10M records in all)
in batches of 65,536 records (a multiple of 2 x 4,096, so both generated
sources advance alike: the watermark of the join is the least of theirs),
reads each run's peak RSS from wait4(), and checks:
  - the rows: per hour of event time, every impression, the even ones
    clicked, 8 distinct pages (7, and "" for the misses);
  - the larger run's peak RSS is within 4 MiB of the smaller one's.

usage: join_state_memory.py --flowc PATH
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HOUR = 3_600_000
SMALL, LARGE = 500_000, 5_000_000
SLACK_KB = 4096


def fmt_ts(ms):
    s = ms // 1000
    return "1970-01-01T%02d:%02d:%02d.%03dZ" % (s // 3600, s // 60 % 60, s % 60, ms % 1000)


def expected_rows(n):
    """Per hour: impressions (ts = v ms for v < n), the even ones clicked."""
    out = ["window_start,window_end,shown,clicked,pages"]
    for start in range(0, n, HOUR):
        values = range(start, min(start + HOUR, n))
        clicked = len(range(start + start % 2, values.stop, 2))
        pages = min(clicked, 7) + (1 if clicked < len(values) else 0)
        out.append("%s,%s,%d,%d,%d" % (fmt_ts(start), fmt_ts(start + HOUR), len(values), clicked, pages))
    return "\n".join(out) + "\n"


def run(program, n):
    """(stdout, peak RSS in KiB) of one run."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([program, "--param", "n=%d" % n, "--max-batch-records", "65536", "--quiet"],
                             stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        out.seek(0)
        text = out.read().decode()
    if p.returncode != 0:
        sys.exit("FAIL n=%d: exit %d\n%s" % (n, p.returncode, err))
    return text, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        program = os.path.join(tmp, "join_state")
        subprocess.run([args.flowc, "build", os.path.join(HERE, "join_state.flow"), "-o", program], check=True)
        failed = False
        peaks = {}
        for n in (SMALL, LARGE):
            text, peak = run(program, n)
            peaks[n] = peak
            want = expected_rows(n)
            ok = text == want
            failed |= not ok
            print("%s rows, n=%d: peak RSS %d KiB" % ("PASS" if ok else "FAIL", n, peak))
            if not ok:
                print("expected:\n%sgot:\n%s" % (want, text))
        grown = peaks[LARGE] - peaks[SMALL]
        ok = grown <= SLACK_KB
        failed |= not ok
        print("%s memory flat: 10x the records, %+d KiB (at most %d)" % ("PASS" if ok else "FAIL", grown, SLACK_KB))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
