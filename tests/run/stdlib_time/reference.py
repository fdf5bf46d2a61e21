# Expected output with Python's datetime (UTC); floor_time rounds toward
# minus infinity (Python's // does).
import datetime as dt
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
def show(ms):
    return (EPOCH + dt.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (ms % 1000) + "Z"
out = ["ts,y,mo,d,h,mi,s,dow,f1h,f15m,f1d,plus,minus,diff,now_aligned,now_recent"]
for text in open("times.csv").read().split()[1:]:
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    ms = (t - EPOCH) // dt.timedelta(milliseconds=1)
    H, M, D = 3600000, 900000, 86400000
    vals = [show(ms), t.year, t.month, t.day, t.hour, t.minute, t.second, t.isoweekday(),
            show(ms // H * H), show(ms // M * M), show(ms // D * D), show(ms + 5000), show(ms - 250),
            ms, "true", "true"]
    out.append(",".join(str(v) for v in vals))
open("expected_stdout", "w").write("\n".join(out) + "\n")
