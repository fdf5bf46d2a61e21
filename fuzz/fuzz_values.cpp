// fuzz/fuzz_values.cpp — the value parsers behind every input format
// (stdlib/parse.cpp, convert.cpp): flow_parse_int/float/bool/timestamp and
// the conversions int(s), float(s), timestamp(s), on arbitrary text. What
// parses must survive a round trip through its text form (LANGUAGE.md 3):
// format, parse again, same value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "flow_stdlib.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<char> text(data, data + size);
  const char* p = text.empty() ? nullptr : text.data();
  const int64_t n = static_cast<int64_t>(text.size());
  char buf[FLOW_FORMAT_BUF];

  int64_t i = 0;
  if (flow_parse_int(p, n, &i)) {
    int64_t len = flow_format_int(i, buf);
    int64_t back = 0;
    if (len <= 0 || len > FLOW_FORMAT_BUF || !flow_parse_int(buf, len, &back) || back != i) abort();
  }
  double d = 0;
  if (flow_parse_float(p, n, &d)) {
    int64_t len = flow_format_float(d, buf);
    double back = 0;
    if (len <= 0 || len > FLOW_FORMAT_BUF) abort();
    // nan and inf are text forms of floats too.
    if (flow_parse_float(buf, len, &back)) {
      if (!(std::isnan(d) ? std::isnan(back) : back == d)) abort();
    }
  }
  int32_t b = 0;
  if (flow_parse_bool(p, n, &b)) {
    if (b != 0 && b != 1) abort();
    const char* text = b ? "true" : "false";  // bool's text form (string(x))
    int32_t back = -1;
    if (!flow_parse_bool(text, b ? 4 : 5, &back) || back != b) abort();
  }
  for (int32_t unit = 0; unit < 3; ++unit) {
    int64_t ts = 0;
    if (flow_parse_timestamp(p, n, unit, &ts)) {
      int64_t len = flow_format_timestamp(ts, buf);
      int64_t back = 0;
      if (len <= 0 || len > FLOW_FORMAT_BUF) abort();
      // Years outside 0000..9999 have no RFC 3339 text; the rest round-trip.
      int64_t year = flow_time_year(ts);
      if (year >= 0 && year <= 9999 && (!flow_parse_timestamp(buf, len, 0, &back) || back != ts)) {
        abort();
      }
    }
  }
  int64_t ci = 0;
  (void)flow_conv_int_str(p, n, &ci);
  double cd = 0;
  (void)flow_conv_float_str(p, n, &cd);
  int64_t cts = 0;
  (void)flow_conv_timestamp_str(p, n, &cts);
  return 0;
}
