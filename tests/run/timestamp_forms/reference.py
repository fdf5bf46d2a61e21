# Expected output: Python's datetime parses the same RFC 3339 forms (the
# fraction cut to milliseconds); output always UTC with 3 fractional digits.
out = []  # the lines of expected_stdout
import datetime as dt, re
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
def parse(text):
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    if not m:
        return None
    try:
        base = dt.datetime.fromisoformat(m[1] + "T" + m[2] + ("+00:00" if m[4] == "Z" else m[4]))
    except ValueError:
        return None
    ms = int(((m[3] or "") + "000")[:3])
    return (base - EPOCH) // dt.timedelta(milliseconds=1) + ms
def show(ms):
    t = EPOCH + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (ms % 1000) + "Z"
out.append("label,ts,ms")
for line in open("times.csv").read().splitlines():
    label, text = line.split("|")
    ms = parse(text)
    if ms is not None:
        out.append("%s,%s,%d" % (label, show(ms), ms))
with open("expected_stdout", "w", encoding="utf-8", newline="") as f:
    f.write("".join(line + "\n" for line in out))
