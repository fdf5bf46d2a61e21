// geohash.cpp — a C++ function for geohash.flow: the geohash of a point
// (Gustavo Niemeyer's public-domain encoding, as in Elasticsearch, Redis and
// PostGIS), a string of `precision` base-32 characters naming a cell that
// shrinks with each character (6: about 1.2 km x 0.6 km). flowc compiles
// this file with clang and inlines it into the pipeline (docs/udf.md).
#include <flowc/udf.h>

namespace {

constexpr char kBase32[] = "0123456789bcdefghjkmnpqrstuvwxyz";
constexpr int64_t kMaxPrecision = 12;  // 60 bits: finer than a double's degrees

}  // namespace

// function geohash(lat: float, lon: float, precision: int): string
// Bits alternate longitude, latitude, starting with longitude; each halves
// the interval the point is in (1: upper half). Five bits make a character.
// A point off the globe (or NaN) gets "" and precision is clamped to 1..12.
extern "C" FlowStr geohash(double lat, double lon, int64_t precision) {
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return FlowStr{"", 0};
  if (precision < 1) precision = 1;
  if (precision > kMaxPrecision) precision = kMaxPrecision;
  // The result lives in memory flowc reclaims after the record (udf.h).
  char* out = static_cast<char*>(flow_udf_alloc(precision));
  double lat_lo = -90, lat_hi = 90, lon_lo = -180, lon_hi = 180;
  bool longitude = true;
  int value = 0, bits = 0;
  for (int64_t n = 0; n < precision;) {
    double& lo = longitude ? lon_lo : lat_lo;
    double& hi = longitude ? lon_hi : lat_hi;
    double x = longitude ? lon : lat;
    double mid = (lo + hi) / 2;
    value <<= 1;
    if (x >= mid) {
      value |= 1;
      lo = mid;
    } else {
      hi = mid;
    }
    longitude = !longitude;
    if (++bits == 5) {
      out[n++] = kBase32[value];
      value = bits = 0;
    }
  }
  return FlowStr{out, precision};
}
