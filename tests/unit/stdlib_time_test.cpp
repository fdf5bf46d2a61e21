// Tests for stdlib/time.cpp. Reference dates: 1970-01-01 was a Thursday,
// 1969-12-31 a Wednesday, 1900-01-01 a Monday (-2208988800 s), 2000-02-29 a
// Tuesday (951782400 s), 2026-11-24 a Tuesday (day 20781).
#include <gtest/gtest.h>

#include <limits>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Fields {
  int64_t y, mo, d, h, mi, s, dow;
};

Fields fields(int64_t ms) {
  return {flow_time_year(ms),   flow_time_month(ms),  flow_time_day(ms),
          flow_time_hour(ms),   flow_time_minute(ms), flow_time_second(ms),
          flow_time_day_of_week(ms)};
}

void expect_fields(int64_t ms, Fields want) {
  Fields got = fields(ms);
  EXPECT_EQ(got.y, want.y) << ms;
  EXPECT_EQ(got.mo, want.mo) << ms;
  EXPECT_EQ(got.d, want.d) << ms;
  EXPECT_EQ(got.h, want.h) << ms;
  EXPECT_EQ(got.mi, want.mi) << ms;
  EXPECT_EQ(got.s, want.s) << ms;
  EXPECT_EQ(got.dow, want.dow) << ms;
}

}  // namespace

TEST(StdlibTime, Epoch) { expect_fields(0, {1970, 1, 1, 0, 0, 0, 4}); }

TEST(StdlibTime, OneMillisecondBeforeEpochFloors) {
  expect_fields(-1, {1969, 12, 31, 23, 59, 59, 3});
  expect_fields(-1000, {1969, 12, 31, 23, 59, 59, 3});
  expect_fields(-1001, {1969, 12, 31, 23, 59, 58, 3});
  expect_fields(-kDay, {1969, 12, 31, 0, 0, 0, 3});
  expect_fields(-kDay - 1, {1969, 12, 30, 23, 59, 59, 2});
}

TEST(StdlibTime, KnownDates) {
  expect_fields(20781 * kDay + 31866123, {2026, 11, 24, 8, 51, 6, 2});
  expect_fields(951782400000, {2000, 2, 29, 0, 0, 0, 2});          // leap day
  expect_fields(951782400000 + kDay, {2000, 3, 1, 0, 0, 0, 3});
  expect_fields(-2208988800000, {1900, 1, 1, 0, 0, 0, 1});
  expect_fields(-2203891200000 - 1, {1900, 2, 28, 23, 59, 59, 3});  // no 29th
  expect_fields(-62167219200000, {0, 1, 1, 0, 0, 0, 6});  // 0000-01-01: Sat
  expect_fields(4102444800000 - 1, {2099, 12, 31, 23, 59, 59, 4});
}

TEST(StdlibTime, DayOfWeekCyclesMondayToSunday) {
  // 1970-01-05 was a Monday.
  for (int i = 0; i < 14; ++i) {
    EXPECT_EQ(flow_time_day_of_week((4 + i) * kDay), i % 7 + 1);
    EXPECT_EQ(flow_time_day_of_week((4 - 7 * 100 + i) * kDay + 5), i % 7 + 1);
  }
}

TEST(StdlibTime, ExtremesDoNotOverflow) {
  EXPECT_EQ(flow_time_year(kMax), 292278994);
  EXPECT_EQ(flow_time_month(kMax), 8);
  EXPECT_EQ(flow_time_day(kMax), 17);
  EXPECT_EQ(flow_time_year(kMin), -292275055);
  EXPECT_EQ(flow_time_hour(kMin), 16);
  EXPECT_GE(flow_time_day_of_week(kMin), 1);
  EXPECT_LE(flow_time_day_of_week(kMin), 7);
}

TEST(StdlibTime, CivilDaysRoundTrip) {
  EXPECT_EQ(flow_time_days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(flow_time_days_from_civil(2026, 11, 24), 20781);
  EXPECT_EQ(flow_time_days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(flow_time_days_from_civil(2000, 3, 1), 11017);
  for (int64_t d = -800000; d <= 800000; d += 997) {
    int64_t y, m, dd;
    flow_time_civil_from_days(d, &y, &m, &dd);
    ASSERT_EQ(flow_time_days_from_civil(y, m, dd), d);
  }
}

TEST(StdlibTime, FloorTimeRoundsDownAlsoForNegatives) {
  EXPECT_EQ(flow_time_floor(59999, 60000), 0);
  EXPECT_EQ(flow_time_floor(60000, 60000), 60000);
  EXPECT_EQ(flow_time_floor(60001, 60000), 60000);
  EXPECT_EQ(flow_time_floor(-1, 60000), -60000);
  EXPECT_EQ(flow_time_floor(-60000, 60000), -60000);
  EXPECT_EQ(flow_time_floor(-60001, 60000), -120000);
  EXPECT_EQ(flow_time_floor(20781 * kDay + 31866123, kDay), 20781 * kDay);
  EXPECT_EQ(flow_time_floor(20781 * kDay + 31866123, 3600000),
            20781 * kDay + 8 * 3600000);
  EXPECT_EQ(flow_time_floor(12345, 0), 12345);  // no duration: unchanged
  EXPECT_EQ(flow_time_floor(12345, -5), 12345);
  EXPECT_EQ(flow_time_floor(kMax, 1000), kMax - 807);
}
