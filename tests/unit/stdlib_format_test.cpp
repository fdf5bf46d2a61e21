// Tests for stdlib/format.cpp and stdlib/parse.cpp: the text forms of
// LANGUAGE.md 3. Expected epoch values are from calendar arithmetic, e.g.
// 2026-11-24 is day 20781 (56 years of 365 days + 14 leap days + 304 + 23).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string fmt_int(int64_t v) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, flow_format_int(v, buf));
}
std::string fmt_float(double v) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, flow_format_float(v, buf));
}
std::string fmt_ts(int64_t v) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, flow_format_timestamp(v, buf));
}

bool parse_int(const std::string& s, int64_t* out) {
  return flow_parse_int(s.data(), s.size(), out);
}
bool parse_float(const std::string& s, double* out) {
  return flow_parse_float(s.data(), s.size(), out);
}
bool parse_ts(const std::string& s, int64_t* out, int32_t unit = 0) {
  return flow_parse_timestamp(s.data(), s.size(), unit, out);
}

int64_t ts_ok(const std::string& s, int32_t unit = 0) {
  int64_t v = 0;
  EXPECT_TRUE(parse_ts(s, &v, unit)) << s;
  return v;
}

constexpr int64_t kDay = 86400000;
constexpr int64_t k20261124 = 20781 * kDay;  // 2026-11-24T00:00:00Z

}  // namespace

TEST(StdlibFormat, Int) {
  EXPECT_EQ(fmt_int(0), "0");
  EXPECT_EQ(fmt_int(-12), "-12");
  EXPECT_EQ(fmt_int(1000000), "1000000");
  EXPECT_EQ(fmt_int(kMax), "9223372036854775807");
  EXPECT_EQ(fmt_int(kMin), "-9223372036854775808");
}

TEST(StdlibFormat, FloatShortestRoundTrip) {
  EXPECT_EQ(fmt_float(2.5), "2.5");
  EXPECT_EQ(fmt_float(0.1), "0.1");
  EXPECT_EQ(fmt_float(3.0), "3");
  EXPECT_EQ(fmt_float(1e300), "1e+300");
  EXPECT_EQ(fmt_float(-1.5), "-1.5");
  EXPECT_EQ(fmt_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(fmt_float(std::nan("")), "nan");
  EXPECT_EQ(fmt_float(-std::nan("")), "nan");
  EXPECT_EQ(fmt_float(kInf), "inf");
  EXPECT_EQ(fmt_float(-kInf), "-inf");
  EXPECT_EQ(fmt_float(0.0), "0");
  // The longest shortest form must fit the buffer.
  EXPECT_EQ(fmt_float(-2.2250738585072014e-308), "-2.2250738585072014e-308");
}

TEST(StdlibFormat, TimestampAlwaysUtcWithMilliseconds) {
  EXPECT_EQ(fmt_ts(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(k20261124 + 31866123), "2026-11-24T08:51:06.123Z");
  EXPECT_EQ(fmt_ts(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(fmt_ts(-kDay), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(-2208988800000), "1900-01-01T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(-2203891200000), "1900-03-01T00:00:00.000Z");  // no 02-29
  EXPECT_EQ(fmt_ts(-62167219200000), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(-62167219200001), "-000001-12-31T23:59:59.999Z");
  EXPECT_EQ(fmt_ts(253402300800000), "+010000-01-01T00:00:00.000Z");
  EXPECT_EQ(fmt_ts(kMax), "+292278994-08-17T07:12:55.807Z");
  EXPECT_EQ(fmt_ts(kMin), "-292275055-05-16T16:47:04.192Z");
}

TEST(StdlibParse, IntStrict) {
  int64_t v = 0;
  EXPECT_TRUE(parse_int("42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(parse_int("-7", &v));
  EXPECT_EQ(v, -7);
  EXPECT_TRUE(parse_int("+7", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(parse_int("007", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(parse_int("9223372036854775807", &v));
  EXPECT_EQ(v, kMax);
  EXPECT_TRUE(parse_int("-9223372036854775808", &v));
  EXPECT_EQ(v, kMin);
  for (const char* bad : {"", "-", "+", "12.0", "1e3", "1_000", " 1", "1 ",
                          "0x10", "9223372036854775808",
                          "-9223372036854775809", "99999999999999999999",
                          "--1", "+-1", "abc", "1a"}) {
    EXPECT_FALSE(parse_int(bad, &v)) << bad;
  }
}

TEST(StdlibParse, Float) {
  double v = 0;
  EXPECT_TRUE(parse_float("2.5", &v));
  EXPECT_EQ(v, 2.5);
  EXPECT_TRUE(parse_float("42", &v));
  EXPECT_EQ(v, 42.0);
  EXPECT_TRUE(parse_float("-1e-3", &v));
  EXPECT_EQ(v, -0.001);
  EXPECT_TRUE(parse_float("2.", &v));
  EXPECT_EQ(v, 2.0);
  EXPECT_TRUE(parse_float("+.5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(parse_float("1E6", &v));
  EXPECT_EQ(v, 1e6);
  EXPECT_TRUE(parse_float("nan", &v));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(parse_float("inf", &v));
  EXPECT_EQ(v, kInf);
  EXPECT_TRUE(parse_float("-inf", &v));
  EXPECT_EQ(v, -kInf);
  EXPECT_TRUE(parse_float("1e400", &v));  // out of range: inf, like strtod
  EXPECT_EQ(v, kInf);
  EXPECT_TRUE(parse_float("1e-400", &v));
  EXPECT_EQ(v, 0.0);
  EXPECT_TRUE(parse_float("0.1", &v));
  EXPECT_EQ(v, 0.1);
  for (const char* bad : {"", "+", "-", ".", "e5", "1e", "1.5x", " 1", "1 ",
                          "+-1", "0x1p3", "abc", "1,5"}) {
    EXPECT_FALSE(parse_float(bad, &v)) << bad;
  }
}

TEST(StdlibParse, Bool) {
  int32_t v = 7;
  EXPECT_TRUE(flow_parse_bool("true", 4, &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(flow_parse_bool("false", 5, &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(flow_parse_bool("1", 1, &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(flow_parse_bool("0", 1, &v));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(flow_parse_bool("", 0, &v));
  EXPECT_FALSE(flow_parse_bool("yes", 3, &v));
  EXPECT_FALSE(flow_parse_bool("2", 1, &v));
  EXPECT_FALSE(flow_parse_bool("tru", 3, &v));
  EXPECT_FALSE(flow_parse_bool("truex", 5, &v));
}

TEST(StdlibParse, TimestampIntegersInEachUnit) {
  EXPECT_EQ(ts_ok("1700000000000"), 1700000000000);
  EXPECT_EQ(ts_ok("-5"), -5);
  EXPECT_EQ(ts_ok("1700000000", 1), 1700000000000);
  EXPECT_EQ(ts_ok("-1", 1), -1000);
  EXPECT_EQ(ts_ok("1700000000123456", 2), 1700000000123);
  EXPECT_EQ(ts_ok("-1", 2), -1);  // floor: -1 us is in the ms before 0
  EXPECT_EQ(ts_ok("-1000", 2), -1);
  EXPECT_EQ(ts_ok("-1001", 2), -2);
  int64_t v;
  EXPECT_FALSE(parse_ts("9223372036854775807", &v, 1));  // overflows in ms
  EXPECT_FALSE(parse_ts("1", &v, 9));                    // unknown unit
  EXPECT_FALSE(parse_ts("", &v));
  EXPECT_FALSE(parse_ts("12.5", &v));
}

TEST(StdlibParse, TimestampRfc3339) {
  const int64_t t = k20261124 + 31866123;  // 08:51:06.123Z
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06.123Z"), t);
  EXPECT_EQ(ts_ok("2026-11-24 08:51:06.123Z"), t);
  EXPECT_EQ(ts_ok("2026-11-24t08:51:06.123z"), t);
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06.123"), t);  // no zone: UTC
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06.123456789Z"), t);  // truncated to ms
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06.1239Z"), t);
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06Z"), t - 123);
  EXPECT_EQ(ts_ok("2026-11-24T08:51:06.1Z"), t - 23);
  EXPECT_EQ(ts_ok("2026-11-24T08:51Z"), t - 6123);
  EXPECT_EQ(ts_ok("2026-11-24T09:51:06.123+01:00"), t);
  EXPECT_EQ(ts_ok("2026-11-24T03:21:06.123-05:30"), t);
  EXPECT_EQ(ts_ok("2026-11-24T03:21:06.123-0530"), t);
  EXPECT_EQ(ts_ok("2026-11-24T09:51:06.123+01"), t);
  EXPECT_EQ(ts_ok("2026-11-24"), k20261124);  // date only: midnight UTC
  EXPECT_EQ(ts_ok("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ts_ok("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(ts_ok("1970-01-01T00:00:00+00:01"), -60000);
  EXPECT_EQ(ts_ok("1900-01-01"), -2208988800000);
  EXPECT_EQ(ts_ok("2000-02-29T00:00:00Z"), 951782400000);
  EXPECT_EQ(ts_ok("-000001-12-31T23:59:59.999Z"), -62167219200001);
  EXPECT_EQ(ts_ok("+010000-01-01T00:00:00.000Z"), 253402300800000);
}

TEST(StdlibParse, TimestampRejectsInvalidText) {
  int64_t v;
  for (const char* bad :
       {"2026-13-01", "2026-00-10", "2026-02-29", "1900-02-29", "2026-04-31",
        "2026-11-24T24:00:00Z", "2026-11-24T08:60:00Z", "2026-11-24T08:51:60Z",
        "2026-11-24T08:51:06.Z", "2026-11-24T08:51:06.123+1:00",
        "2026-11-24T08:51:06.123+24:00", "2026-11-24T08:51:06.123ZZ",
        "2026-11-24T", "2026-11-24X08:51:06", "26-11-24", "2026-1-24",
        "2026/11/24", "2026-11-24T8:51:06Z", "2026-11-24T08:51:06 Z",
        "abc", "-", "2026-11-24T08"}) {
    EXPECT_FALSE(parse_ts(bad, &v)) << bad;
  }
}

TEST(StdlibFormat, TimestampRoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{1795510266123},
                     int64_t{-62167219200001}, int64_t{253402300799999},
                     int64_t{-2208988800000}, int64_t{4102444800000}}) {
    std::string text = fmt_ts(ms);
    EXPECT_EQ(ts_ok(text), ms) << text;
  }
}

TEST(StdlibFormat, DurationsInTheLargestExactUnit) {
  char buf[FLOW_FORMAT_BUF];
  auto text = [&](int64_t ms) {
    return std::string(buf, static_cast<size_t>(flow_format_duration(ms, buf)));
  };
  EXPECT_EQ(text(60000), "1m");
  EXPECT_EQ(text(1500), "1500ms");
  EXPECT_EQ(text(7'200'000), "2h");
  EXPECT_EQ(text(86'400'000 * 3), "3d");
  EXPECT_EQ(text(0), "0ms");
  EXPECT_EQ(text(-5000), "-5s");
}
