// stdlib/time_format.cpp — timestamps in a text form given by strptime
// directives (LANGUAGE.md 13 "Timestamps in any text form"): a schema
// field's `format "..."` and parse_timestamp(text, format).
//
// A format is compiled once (by the compiler, which checks it and embeds
// the compiled steps as a constant) into FlowTimeFormat; parsing then walks
// the steps. Strict, as the rest of parse.cpp: the whole text must match,
// a literal byte matches only itself (a space too), and a date that does
// not exist (Feb 30) fails.
#include "flow_stdlib.h"

namespace {

constexpr int64_t kMsPerDay = FLOW_MS_PER_DAY;
constexpr int kMsDigits = 3;        // %f keeps milliseconds, truncating
constexpr int kMaxFractionDigits = 9;
constexpr int kMaxEpochDigits = 15;  // %s: seconds whose milliseconds fit int64

// What each directive sets, to refuse a format that sets one thing twice
// or mixes %s (an instant) with calendar fields.
enum Part : uint32_t {
  kYear = 1,
  kMonth = 2,
  kDay = 4,
  kYearDay = 8,
  kHour = 16,
  kMinute = 32,
  kSecond = 64,
  kFraction = 128,
  kZone = 256,
  kEpoch = 512,
};

uint32_t part_of(char directive) {
  switch (directive) {
    case 'Y': return kYear;
    case 'm':
    case 'b': return kMonth;
    case 'd': return kDay;
    case 'j': return kYearDay;
    case 'H': return kHour;
    case 'M': return kMinute;
    case 'S': return kSecond;
    case 'f': return kFraction;
    case 'z': return kZone;
    case 's': return kEpoch;
    default: return 0;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads between `least` and `most` digits at s[*pos] (as many as there are).
bool read_digits(const char* s, int64_t n, int64_t* pos, int least, int most, int64_t* out) {
  int64_t v = 0;
  int count = 0;
  while (count < most && *pos < n && is_digit(s[*pos])) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++count;
  }
  *out = v;
  return count >= least;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t days_in_month(int64_t y, int64_t m) {
  static constexpr int8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// %b: an English month abbreviation, any letter case.
bool read_month_name(const char* s, int64_t n, int64_t* pos, int64_t* month) {
  static constexpr char kMonths[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  if (n - *pos < 3) return false;
  for (int m = 0; m < 12; ++m) {
    if (lower(s[*pos]) == kMonths[m][0] && lower(s[*pos + 1]) == kMonths[m][1] &&
        lower(s[*pos + 2]) == kMonths[m][2]) {
      *pos += 3;
      *month = m + 1;
      return true;
    }
  }
  return false;
}

// %z: Z, +hhmm or +hh:mm (or -); the offset east of UTC in minutes.
bool read_zone(const char* s, int64_t n, int64_t* pos, int64_t* minutes) {
  if (*pos < n && s[*pos] == 'Z') {
    ++*pos;
    *minutes = 0;
    return true;
  }
  if (*pos >= n || (s[*pos] != '+' && s[*pos] != '-')) return false;
  int64_t sign = s[*pos] == '-' ? -1 : 1;
  ++*pos;
  int64_t hh = 0;
  int64_t mm = 0;
  int64_t start = *pos;
  if (!read_digits(s, n, pos, 2, 2, &hh) || *pos - start != 2) return false;
  if (*pos < n && s[*pos] == ':') ++*pos;
  start = *pos;
  if (!read_digits(s, n, pos, 2, 2, &mm) || *pos - start != 2) return false;
  if (hh > 23 || mm > 59) return false;
  *minutes = sign * (hh * 60 + mm);
  return true;
}

}  // namespace

extern "C" {

int32_t flow_time_format_compile(const char* fmt, int64_t n, FlowTimeFormat* out,
                                 int64_t* error_at) {
  *out = FlowTimeFormat{};
  uint32_t seen = 0;
  for (int64_t i = 0; i < n; ++i) {
    *error_at = i;
    if (out->count == FLOW_TIME_FORMAT_MAX) return FLOW_TIME_FORMAT_TOO_LONG;
    uint8_t op = 0;
    uint8_t literal = static_cast<uint8_t>(fmt[i]);
    if (fmt[i] == '%') {
      if (i + 1 == n) return FLOW_TIME_FORMAT_TRAILING_PERCENT;
      char d = fmt[++i];
      if (d != '%') {
        uint32_t part = part_of(d);
        if (part == 0) return FLOW_TIME_FORMAT_UNKNOWN;
        if (seen & part) return FLOW_TIME_FORMAT_REPEATED;
        seen |= part;
        op = static_cast<uint8_t>(d);
      }
      literal = '%';
    }
    out->op[out->count] = op;
    out->literal[out->count] = literal;
    ++out->count;
  }
  *error_at = -1;
  // %s is an instant: only a fraction of its second may join it.
  if ((seen & kEpoch) && (seen & ~(kEpoch | kFraction))) return FLOW_TIME_FORMAT_EPOCH_MIXED;
  if ((seen & kYearDay) && (seen & (kMonth | kDay))) return FLOW_TIME_FORMAT_YEAR_DAY_MIXED;
  return FLOW_TIME_FORMAT_OK;
}

const char* flow_time_format_error_text(int32_t code) {
  switch (code) {
    case FLOW_TIME_FORMAT_UNKNOWN: return "unknown directive";
    case FLOW_TIME_FORMAT_TRAILING_PERCENT: return "a lone '%' at the end";
    case FLOW_TIME_FORMAT_REPEATED: return "a part of the time is given twice";
    case FLOW_TIME_FORMAT_TOO_LONG: return "the format is too long";
    case FLOW_TIME_FORMAT_EPOCH_MIXED:
      return "'%s' (seconds since the epoch) can only be combined with '%f'";
    case FLOW_TIME_FORMAT_YEAR_DAY_MIXED:
      return "'%j' (day of the year) cannot be combined with a month or a day";
    default: return "";
  }
}

int32_t flow_time_parse(const FlowTimeFormat* f, const char* s, int64_t n, int64_t* out) {
  int64_t pos = 0;
  int64_t year = 1970, month = 1, day = 1, year_day = 0;
  int64_t hour = 0, minute = 0, second = 0, fraction_ms = 0, zone_minutes = 0;
  int64_t epoch = 0;
  bool has_epoch = false;
  bool negative_epoch = false;
  for (int32_t k = 0; k < f->count; ++k) {
    int64_t v = 0;
    switch (f->op[k]) {
      case 0:
        if (pos >= n || static_cast<uint8_t>(s[pos]) != f->literal[k]) return 0;
        ++pos;
        break;
      case 'Y': {
        int64_t start = pos;
        if (!read_digits(s, n, &pos, 4, 4, &year) || pos - start != 4) return 0;
        break;
      }
      case 'm':
        if (!read_digits(s, n, &pos, 1, 2, &month) || month < 1 || month > 12) return 0;
        break;
      case 'b':
        if (!read_month_name(s, n, &pos, &month)) return 0;
        break;
      case 'd':
        if (!read_digits(s, n, &pos, 1, 2, &day) || day < 1) return 0;
        break;
      case 'j':
        if (!read_digits(s, n, &pos, 1, 3, &year_day) || year_day < 1) return 0;
        break;
      case 'H':
        if (!read_digits(s, n, &pos, 1, 2, &hour) || hour > 23) return 0;
        break;
      case 'M':
        if (!read_digits(s, n, &pos, 1, 2, &minute) || minute > 59) return 0;
        break;
      case 'S':
        // A leap second (:60) is refused, as in RFC 3339 input.
        if (!read_digits(s, n, &pos, 1, 2, &second) || second > 59) return 0;
        break;
      case 'f': {
        int64_t start = pos;
        if (!read_digits(s, n, &pos, 1, kMaxFractionDigits, &v)) return 0;
        int64_t digits = pos - start;
        for (int64_t i = digits; i > kMsDigits; --i) v /= 10;
        for (int64_t i = digits; i < kMsDigits; ++i) v *= 10;
        fraction_ms = v;
        break;
      }
      case 'z':
        if (!read_zone(s, n, &pos, &zone_minutes)) return 0;
        break;
      case 's':
        if (pos < n && s[pos] == '-') {
          negative_epoch = true;
          ++pos;
        }
        if (!read_digits(s, n, &pos, 1, kMaxEpochDigits, &epoch)) return 0;
        if (pos < n && is_digit(s[pos])) return 0;  // too many digits
        has_epoch = true;
        break;
    }
  }
  if (pos != n) return 0;
  if (has_epoch) {
    // The fraction belongs to the second: -1.5 s is -1500 ms.
    int64_t ms = epoch * 1000 + fraction_ms;
    *out = negative_epoch ? -ms : ms;
    return 1;
  }
  int64_t days;
  if (year_day > 0) {
    if (year_day > (is_leap(year) ? 366 : 365)) return 0;
    days = flow_time_days_from_civil(year, 1, 1) + year_day - 1;
  } else {
    if (day > days_in_month(year, month)) return 0;
    days = flow_time_days_from_civil(year, month, day);
  }
  *out =
      days * kMsPerDay + ((hour * 60 + minute - zone_minutes) * 60 + second) * 1000 + fraction_ms;
  return 1;
}

}  // extern "C"
