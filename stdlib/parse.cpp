// stdlib/parse.cpp — input text to values (LANGUAGE.md 3 and 12). Strict:
// anything a reader could misread (`12.0` as an int, trailing junk, an empty
// field) fails, and the record becomes a bad record instead of a guess.
#include <charconv>
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"
#include "swar.h"

namespace {

constexpr int64_t kMsPerDay = FLOW_MS_PER_DAY;
// strtod fallback (out-of-range floats) needs a NUL-terminated copy; longer
// texts are not numbers anyone writes and fail.
constexpr int64_t kMaxFloatFallbackText = 1024;
// Expanded years (`+012345-01-01`) have exactly this many digits, which
// also keeps every parsed timestamp far from int64 overflow.
constexpr int kExpandedYearDigits = 6;
constexpr int kMsDigits = 3;  // fractional seconds beyond ms are truncated
// Up to 18 decimal digits stay below 10^18 < 2^63: no overflow possible.
constexpr int64_t kNoOverflowDigits = 18;

enum TimestampUnit { kUnitMs = 0, kUnitS = 1, kUnitUs = 2 };

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at s[*pos].
bool read_fixed(const char* s, int64_t n, int64_t* pos, int count,
                int64_t* out) {
  if (n - *pos < count) return false;
  int64_t v = 0;
  for (int i = 0; i < count; ++i) {
    char c = s[*pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += count;
  *out = v;
  return true;
}

bool expect(const char* s, int64_t n, int64_t* pos, char c) {
  if (*pos < n && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t days_in_month(int64_t y, int64_t m) {
  static constexpr int8_t kDays[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Zone designator at s[*pos]: Z, +HH:MM, +HHMM or +HH; none means UTC.
bool parse_zone(const char* s, int64_t n, int64_t* pos, int64_t* offset_ms) {
  *offset_ms = 0;
  if (*pos == n) return true;
  char c = s[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    return true;
  }
  if (c != '+' && c != '-') return false;
  ++*pos;
  int64_t hh = 0;
  int64_t mm = 0;
  if (!read_fixed(s, n, pos, 2, &hh)) return false;
  if (*pos < n) {
    expect(s, n, pos, ':');
    if (!read_fixed(s, n, pos, 2, &mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  *offset_ms = (hh * 60 + mm) * 60000 * (c == '-' ? -1 : 1);
  return true;
}

// RFC 3339 / ISO 8601: DATE [(T|t|' ') HH:MM[:SS[.fff...]] [ZONE]].
// Never inlined: a pipeline's record loop calls it for every timestamp
// field, and one copy per call would make `flowc run` start slower
// (compiler/engine/parallel.cpp compiles it beside, not inside, the loop).
__attribute__((noinline)) bool parse_rfc3339(const char* s, int64_t n, int64_t* out) {
  int64_t pos = 0;
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (s[0] == '+' || s[0] == '-') {
    pos = 1;
    if (!read_fixed(s, n, &pos, kExpandedYearDigits, &year)) return false;
    if (s[0] == '-') year = -year;
  } else if (!read_fixed(s, n, &pos, 4, &year)) {
    return false;
  }
  if (!expect(s, n, &pos, '-') || !read_fixed(s, n, &pos, 2, &month) ||
      !expect(s, n, &pos, '-') || !read_fixed(s, n, &pos, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    return false;
  }
  int64_t ms = flow_time_days_from_civil(year, month, day) * kMsPerDay;
  if (pos == n) {
    *out = ms;
    return true;
  }
  char sep = s[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  int64_t hh = 0;
  int64_t mi = 0;
  int64_t ss = 0;
  int64_t frac = 0;
  if (!read_fixed(s, n, &pos, 2, &hh) || !expect(s, n, &pos, ':') ||
      !read_fixed(s, n, &pos, 2, &mi)) {
    return false;
  }
  if (expect(s, n, &pos, ':')) {
    if (!read_fixed(s, n, &pos, 2, &ss)) return false;
    if (expect(s, n, &pos, '.')) {
      int digits = 0;
      while (pos < n && is_digit(s[pos])) {
        if (digits < kMsDigits) frac = frac * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return false;
      for (int i = digits; i < kMsDigits; ++i) frac *= 10;
    }
  }
  // A leap second (:60) is rejected: UTC milliseconds cannot hold it.
  if (hh > 23 || mi > 59 || ss > 59) return false;
  int64_t offset_ms = 0;
  if (!parse_zone(s, n, &pos, &offset_ms) || pos != n) return false;
  *out = ms + ((hh * 60 + mi) * 60 + ss) * 1000 + frac - offset_ms;
  return true;
}

// Digits of s[i..n) into *acc (at most kNoOverflowDigits of them: no
// overflow); returns the index of the first non-digit, or n.
inline int64_t read_digits(const char* s, int64_t i, int64_t n, uint64_t* acc) {
  uint64_t v = *acc;
  while (n - i >= 8) {
    uint64_t w = flow_swar::load8(s + i);
    if (flow_swar::non_digits(w) != 0) break;
    v = v * 100000000ull + flow_swar::eight_digits(w);
    i += 8;
  }
  for (; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
    if (d > 9) break;
    v = v * 10 + d;
  }
  *acc = v;
  return i;
}

bool all_digits_after_sign(const char* s, int64_t n) {
  int64_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (i == n) return false;
  for (; i < n; ++i) {
    if (!is_digit(s[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" {

int32_t flow_parse_int(const char* s, int64_t n, int64_t* out) {
  if (n <= 0) return 0;
  int64_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
    if (n == 1) return 0;
  }
  uint64_t acc = 0;
  if (n - i <= kNoOverflowDigits) {  // the usual case: no overflow checks
    if (read_digits(s, i, n, &acc) != n) return 0;
    *out = static_cast<int64_t>(neg ? 0 - acc : acc);
    return 1;
  }
  uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
    if (d > 9) return 0;
    if (acc > (limit - d) / 10) return 0;  // acc * 10 + d > limit
    acc = acc * 10 + d;
  }
  *out = static_cast<int64_t>(neg ? 0 - acc : acc);
  return 1;
}

int32_t flow_parse_float(const char* s, int64_t n, double* out) {
  if (n <= 0) return 0;
  const char* b = s;
  const char* e = s + n;
  // from_chars takes no '+'; accept one, but not "+-1".
  if (*b == '+') {
    ++b;
    if (b == e || *b == '-') return 0;
  }
  double v = 0;
  std::from_chars_result r = std::from_chars(b, e, v);
  if (r.ptr != e) return 0;
  if (r.ec == std::errc()) {
    *out = v;
    return 1;
  }
  if (r.ec != std::errc::result_out_of_range) return 0;
  // 1e400 is inf and 1e-400 is 0 for strtod; from_chars only reports them.
  if (n >= kMaxFloatFallbackText) return 0;
  char buf[kMaxFloatFallbackText];
  memcpy(buf, s, static_cast<size_t>(n));
  buf[n] = '\0';
  *out = strtod(buf, nullptr);
  return 1;
}

int32_t flow_parse_bool(const char* s, int64_t n, int32_t* out) {
  if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1')) {
    *out = 1;
    return 1;
  }
  if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0')) {
    *out = 0;
    return 1;
  }
  return 0;
}

int32_t flow_parse_timestamp(const char* s, int64_t n, int32_t unit,
                             int64_t* out) {
  if (n <= 0) return 0;
  // The usual form, epoch digits that cannot overflow, in one pass; a
  // non-digit sends the text to the RFC 3339 parser as below.
  int64_t first = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  bool number = false;
  int64_t v = 0;
  if (first < n && n - first <= kNoOverflowDigits) {
    uint64_t acc = 0;
    if (read_digits(s, first, n, &acc) != n) return parse_rfc3339(s, n, out);
    v = static_cast<int64_t>(s[0] == '-' ? 0 - acc : acc);
    number = true;
  } else if (all_digits_after_sign(s, n)) {
    if (!flow_parse_int(s, n, &v)) return 0;
    number = true;
  }
  if (number) {
    switch (unit) {
      case kUnitMs:
        *out = v;
        return 1;
      case kUnitS:
        return !__builtin_mul_overflow(v, int64_t{1000}, out);
      case kUnitUs: {
        int64_t q = v / 1000;  // floor, like every time split
        *out = (v % 1000 < 0) ? q - 1 : q;
        return 1;
      }
      default:
        return 0;
    }
  }
  return parse_rfc3339(s, n, out);
}

}  // extern "C"
