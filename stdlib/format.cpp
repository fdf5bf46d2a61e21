// stdlib/format.cpp — the output text forms of LANGUAGE.md 3. Used by sinks
// (runtime), string(x) and error messages, so the same value always prints
// the same way.
#include <charconv>
#include <math.h>
#include <string.h>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kMsPerDay = FLOW_MS_PER_DAY;
// Years 0000..9999 print as 4 digits; others as ISO 8601 expanded years
// (sign and at least 6 digits, as JavaScript's toISOString does).
constexpr int64_t kMaxPlainYear = 9999;
constexpr int kExpandedYearDigits = 6;

// Writes v (< 10^width or longer) zero-padded to at least `width` digits.
char* put_digits(char* w, uint64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < width) tmp[n++] = '0';
  while (n > 0) *w++ = tmp[--n];
  return w;
}

}  // namespace

extern "C" {

int64_t flow_format_int(int64_t v, char* buf) {
  char* w = buf;
  uint64_t u = static_cast<uint64_t>(v);
  if (v < 0) {
    *w++ = '-';
    u = 0 - u;  // INT64_MIN too
  }
  return put_digits(w, u, 1) - buf;
}

int64_t flow_format_float(double v, char* buf) {
  // to_chars would print "-nan" for a negative NaN; the text form has one.
  if (isnan(v)) {
    memcpy(buf, "nan", 3);
    return 3;
  }
  if (isinf(v)) {
    if (v < 0) {
      memcpy(buf, "-inf", 4);
      return 4;
    }
    memcpy(buf, "inf", 3);
    return 3;
  }
  std::to_chars_result r = std::to_chars(buf, buf + FLOW_FORMAT_BUF, v);
  return r.ptr - buf;
}

int64_t flow_format_duration(int64_t ms, char* buf) {
  struct Unit {
    const char* name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  for (const Unit& u : kUnits) {
    if (ms != 0 && ms % u.ms == 0) {
      int64_t n = flow_format_int(ms / u.ms, buf);
      for (const char* c = u.name; *c; ++c) buf[n++] = *c;
      return n;
    }
  }
  int64_t n = flow_format_int(ms, buf);
  buf[n++] = 'm';
  buf[n++] = 's';
  return n;
}

int64_t flow_format_timestamp(int64_t ms, char* buf) {
  int64_t q = ms / kMsPerDay;
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    q -= 1;
  }
  int64_t y, m, d;
  flow_time_civil_from_days(q, &y, &m, &d);
  char* w = buf;
  if (y < 0) {
    *w++ = '-';
    w = put_digits(w, static_cast<uint64_t>(-y), kExpandedYearDigits);
  } else if (y > kMaxPlainYear) {
    *w++ = '+';
    w = put_digits(w, static_cast<uint64_t>(y), kExpandedYearDigits);
  } else {
    w = put_digits(w, static_cast<uint64_t>(y), 4);
  }
  *w++ = '-';
  w = put_digits(w, static_cast<uint64_t>(m), 2);
  *w++ = '-';
  w = put_digits(w, static_cast<uint64_t>(d), 2);
  *w++ = 'T';
  w = put_digits(w, static_cast<uint64_t>(rem / 3600000), 2);
  *w++ = ':';
  w = put_digits(w, static_cast<uint64_t>(rem / 60000 % 60), 2);
  *w++ = ':';
  w = put_digits(w, static_cast<uint64_t>(rem / 1000 % 60), 2);
  *w++ = '.';
  w = put_digits(w, static_cast<uint64_t>(rem % 1000), 3);
  *w++ = 'Z';
  return w - buf;
}

}  // extern "C"
