// stdlib/time.cpp — calendar fields of timestamps (LANGUAGE.md 8), UTC,
// proleptic Gregorian, for any int64 of milliseconds: before 1970 included,
// which is why every split below floors instead of truncating.
#include "flow_stdlib.h"

namespace {

constexpr int64_t kMsPerDay = FLOW_MS_PER_DAY;
constexpr int64_t kMsPerHour = 3600000;
constexpr int64_t kMsPerMinute = 60000;
constexpr int64_t kMsPerSecond = 1000;
// 1970-01-01 was a Thursday: day_of_week 4 with Monday = 1.
constexpr int64_t kEpochWeekdayFromMonday = 3;

// ms = days * kMsPerDay + ms_of_day with 0 <= ms_of_day < kMsPerDay.
// Computed without forming days * kMsPerDay, which overflows near INT64_MIN.
int64_t day_of(int64_t ms) {
  int64_t q = ms / kMsPerDay;
  return (ms % kMsPerDay < 0) ? q - 1 : q;
}

int64_t ms_of_day(int64_t ms) {
  int64_t r = ms % kMsPerDay;
  return r < 0 ? r + kMsPerDay : r;
}

}  // namespace

extern "C" {

int64_t flow_time_days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                   // [0, 399]
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

void flow_time_civil_from_days(int64_t days, int64_t* y, int64_t* m,
                               int64_t* d) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                      // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

int64_t flow_time_year(int64_t ms) {
  int64_t y, m, d;
  flow_time_civil_from_days(day_of(ms), &y, &m, &d);
  return y;
}

int64_t flow_time_month(int64_t ms) {
  int64_t y, m, d;
  flow_time_civil_from_days(day_of(ms), &y, &m, &d);
  return m;
}

int64_t flow_time_day(int64_t ms) {
  int64_t y, m, d;
  flow_time_civil_from_days(day_of(ms), &y, &m, &d);
  return d;
}

int64_t flow_time_hour(int64_t ms) { return ms_of_day(ms) / kMsPerHour; }

int64_t flow_time_minute(int64_t ms) {
  return ms_of_day(ms) % kMsPerHour / kMsPerMinute;
}

int64_t flow_time_second(int64_t ms) {
  return ms_of_day(ms) % kMsPerMinute / kMsPerSecond;
}

int64_t flow_time_day_of_week(int64_t ms) {
  int64_t r = (day_of(ms) + kEpochWeekdayFromMonday) % 7;
  return (r < 0 ? r + 7 : r) + 1;
}

int64_t flow_time_floor(int64_t ms, int64_t duration_ms) {
  if (duration_ms <= 0) return ms;
  int64_t r = ms % duration_ms;
  if (r < 0) r += duration_ms;
  return static_cast<int64_t>(static_cast<uint64_t>(ms) -
                              static_cast<uint64_t>(r));
}

}  // extern "C"
