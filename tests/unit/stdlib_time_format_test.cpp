// Tests for stdlib/time_format.cpp (LANGUAGE.md 13 "Timestamps in any text
// form"). Expected epoch values were worked out by hand from the calendar:
// 2000-10-10T13:55:36Z is 971186136 s (day 11240), 2024-02-29 is day 19782,
// 2023-12-31 is day 19722.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kDay = 86400000;

FlowTimeFormat compile(const std::string& fmt) {
  FlowTimeFormat f;
  int64_t at = 0;
  EXPECT_EQ(flow_time_format_compile(fmt.data(), static_cast<int64_t>(fmt.size()), &f, &at),
            FLOW_TIME_FORMAT_OK)
      << fmt;
  return f;
}

std::optional<int64_t> parse(const std::string& fmt, const std::string& text) {
  FlowTimeFormat f = compile(fmt);
  int64_t out = 0;
  if (!flow_time_parse(&f, text.data(), static_cast<int64_t>(text.size()), &out))
    return std::nullopt;
  return out;
}

struct CompileError {
  int32_t code;
  int64_t at;
};

CompileError compile_error(const std::string& fmt) {
  FlowTimeFormat f;
  int64_t at = 0;
  int32_t code = flow_time_format_compile(fmt.data(), static_cast<int64_t>(fmt.size()), &f, &at);
  return {code, at};
}

TEST(TimeFormat, ApacheAccessLogTime) {
  // The Common Log Format's time, with its own offset.
  EXPECT_EQ(parse("%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 -0700"),
            (971186136 + 7 * 3600) * 1000LL);
  EXPECT_EQ(parse("%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 +0000"), 971186136000LL);
  EXPECT_EQ(parse("%d/%b/%Y:%H:%M:%S %z", "10/oct/2000:13:55:36 +02:30"),
            (971186136 - 2 * 3600 - 30 * 60) * 1000LL);
}

TEST(TimeFormat, WithoutZoneIsUtc) {
  EXPECT_EQ(parse("%Y-%m-%d %H:%M:%S", "2000-10-10 13:55:36"), 971186136000LL);
  EXPECT_EQ(parse("%Y%m%d%H%M%S", "20001010135536"), 971186136000LL);
}

TEST(TimeFormat, ZoneForms) {
  EXPECT_EQ(parse("%H:%M%z", "01:00Z"), 3600000);
  EXPECT_EQ(parse("%H:%M%z", "01:00+0100"), 0);
  EXPECT_EQ(parse("%H:%M%z", "01:00+01:00"), 0);
  EXPECT_EQ(parse("%H:%M%z", "01:00-01:30"), 9000000);
  EXPECT_FALSE(parse("%H:%M%z", "01:00+1"));
  EXPECT_FALSE(parse("%H:%M%z", "01:00+01"));
  EXPECT_FALSE(parse("%H:%M%z", "01:00+2400"));
  EXPECT_FALSE(parse("%H:%M%z", "01:00z"));
}

TEST(TimeFormat, MissingDatePartsAreTheEpochDay) {
  EXPECT_EQ(parse("%H:%M:%S", "00:00:01"), 1000);
  EXPECT_EQ(parse("%Y", "2024"), 19723 * kDay);  // 2024-01-01
  EXPECT_EQ(parse("%m/%d", "02/01"), 31 * kDay);
}

TEST(TimeFormat, FractionKeepsMillisecondsTruncated) {
  EXPECT_EQ(parse("%S.%f", "01.5"), 1500);
  EXPECT_EQ(parse("%S.%f", "01.05"), 1050);
  EXPECT_EQ(parse("%S.%f", "01.123"), 1123);
  EXPECT_EQ(parse("%S.%f", "01.123999999"), 1123);
  EXPECT_FALSE(parse("%S.%f", "01.1239999999"));  // 10 digits
  EXPECT_FALSE(parse("%S.%f", "01."));
}

TEST(TimeFormat, MonthNamesInAnyCase) {
  EXPECT_EQ(parse("%b %d", "Feb 01"), 31 * kDay);
  EXPECT_EQ(parse("%b %d", "FEB 01"), 31 * kDay);
  EXPECT_EQ(parse("%b %d", "dec 31"), 364 * kDay);
  EXPECT_FALSE(parse("%b %d", "Fbr 01"));
  EXPECT_FALSE(parse("%b %d", "February 01"));  // only the abbreviation
}

TEST(TimeFormat, DayOfYear) {
  EXPECT_EQ(parse("%Y-%j", "2024-060"), 19782 * kDay);  // 2024-02-29
  EXPECT_EQ(parse("%Y-%j", "2024-366"), (19723 + 365) * kDay);
  EXPECT_FALSE(parse("%Y-%j", "2023-366"));
  EXPECT_FALSE(parse("%Y-%j", "2023-000"));
}

TEST(TimeFormat, EpochSeconds) {
  EXPECT_EQ(parse("%s", "971186136"), 971186136000LL);
  EXPECT_EQ(parse("%s.%f", "971186136.25"), 971186136250LL);
  EXPECT_EQ(parse("%s.%f", "-1.5"), -1500);
  EXPECT_EQ(parse("%s", "0"), 0);
  EXPECT_EQ(parse("%s", "999999999999999"), 999999999999999000LL);
  EXPECT_FALSE(parse("%s", "9999999999999999"));  // would overflow ms
  EXPECT_FALSE(parse("%s", "-"));
}

TEST(TimeFormat, InvalidDatesFail) {
  EXPECT_FALSE(parse("%Y-%m-%d", "2023-02-29"));
  EXPECT_TRUE(parse("%Y-%m-%d", "2024-02-29"));
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-04-31"));
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-13-01"));
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-00-01"));
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-01-00"));
  EXPECT_FALSE(parse("%H:%M:%S", "24:00:00"));
  EXPECT_FALSE(parse("%H:%M:%S", "23:60:00"));
  EXPECT_FALSE(parse("%H:%M:%S", "23:59:60"));
}

TEST(TimeFormat, WholeTextMustMatch) {
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-01-01 "));
  EXPECT_FALSE(parse("%Y-%m-%d", " 2024-01-01"));
  EXPECT_FALSE(parse("%Y-%m-%d", "2024-01-0"));
  EXPECT_TRUE(parse("%Y-%m-%d", "2024-1-1"));  // 1-2 digits for month and day
  EXPECT_FALSE(parse("%Y-%m-%d", "24-01-01"));  // %Y takes 4 digits
  EXPECT_FALSE(parse("%Y-%m-%d", "2024/01/01"));
  EXPECT_FALSE(parse("%Y-%m-%d", ""));
  EXPECT_EQ(parse("[%H%%]", "[01%]"), 3600000);
  EXPECT_FALSE(parse("[%H%%]", "[01]"));
}

TEST(TimeFormat, EmptyFormatMatchesOnlyEmptyText) {
  EXPECT_EQ(parse("", ""), 0);
  EXPECT_FALSE(parse("", "x"));
}

TEST(TimeFormatCompile, RefusesUnknownDirectivesWhereTheyAre) {
  CompileError e = compile_error("%Y-%y");
  EXPECT_EQ(e.code, FLOW_TIME_FORMAT_UNKNOWN);
  EXPECT_EQ(e.at, 3);  // the directive's %
  EXPECT_EQ(compile_error("%B").code, FLOW_TIME_FORMAT_UNKNOWN);
  EXPECT_EQ(compile_error("%H:%").code, FLOW_TIME_FORMAT_TRAILING_PERCENT);
  EXPECT_EQ(compile_error("%H:%").at, 3);
  EXPECT_STREQ(flow_time_format_error_text(FLOW_TIME_FORMAT_UNKNOWN), "unknown directive");
}

TEST(TimeFormatCompile, RefusesContradictions) {
  EXPECT_EQ(compile_error("%Y %Y").code, FLOW_TIME_FORMAT_REPEATED);
  EXPECT_EQ(compile_error("%Y %Y").at, 3);
  EXPECT_EQ(compile_error("%m %b").code, FLOW_TIME_FORMAT_REPEATED);
  EXPECT_EQ(compile_error("%s %H").code, FLOW_TIME_FORMAT_EPOCH_MIXED);
  EXPECT_EQ(compile_error("%s %z").code, FLOW_TIME_FORMAT_EPOCH_MIXED);
  EXPECT_EQ(compile_error("%Y %j %d").code, FLOW_TIME_FORMAT_YEAR_DAY_MIXED);
  EXPECT_EQ(compile_error(std::string(FLOW_TIME_FORMAT_MAX + 1, 'x')).code,
            FLOW_TIME_FORMAT_TOO_LONG);
  EXPECT_EQ(compile_error(std::string(FLOW_TIME_FORMAT_MAX, 'x')).code, FLOW_TIME_FORMAT_OK);
}

}  // namespace
