# Expected output of examples/geohash.flow (this case's pipeline.flow is a
# link to it): pickups per geohash cell (precision 6) and 10-minute window,
# with a Python geohash written from the algorithm's description (checked
# against the published example below), not from geohash.cpp.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def geohash(lat, lon, precision):
    """Interleave longitude and latitude bisection bits (longitude first), 5 per character."""
    bits = []
    ranges = [[-180.0, 180.0], [-90.0, 90.0]]
    while len(bits) < 5 * precision:
        r = ranges[len(bits) % 2]
        x = lon if len(bits) % 2 == 0 else lat
        mid = (r[0] + r[1]) / 2
        bits.append(1 if x >= mid else 0)
        r[0 if x >= mid else 1] = mid
    return "".join(BASE32[int("".join(map(str, bits[i:i + 5])), 2)] for i in range(0, len(bits), 5))


assert geohash(57.64911, 10.40744, 11) == "u4pruydqqvj"  # Wikipedia's example
assert geohash(40.7484, -73.9857, 6) == "dr5ru6"          # the Empire State Building

recs = fr.read_csv("data/pickups.csv")
for r in recs:
    r["time"] = fr.parse_ts(r["time"])
    r["lat"], r["lon"], r["fare"] = float(r["lat"]), float(r["lon"]), float(r["fare"])
    assert r["fare"] * 4 == int(r["fare"] * 4)  # quarters: every sum is exact
rows, late = fr.event_time_windows(
    [recs], lambda r: r["time"], lambda r: r, lambda r: (geohash(r["lat"], r["lon"], 6),),
    lambda: [fr.Agg("count"), fr.Agg("sum", lambda r: r["fare"], True), fr.Agg("max", lambda r: r["fare"])],
    600_000, delay=30_000)
assert late == 0
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "cell", "pickups", "fares", "top_fare"],
                                         fr.flatten(rows)))
