// Tests for stdlib/convert.cpp: int(x), float(x), string(x), timestamp(x).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string S(FlowStr s) { return std::string(s.ptr, static_cast<size_t>(s.len)); }

class StdlibConvert : public ::testing::Test {
 protected:
  void TearDown() override { flow_arena_free(&arena_); }
  FlowArena arena_{};
};

}  // namespace

TEST(StdlibConvertInt, FloatTruncatesTowardZero) {
  int64_t v = 0;
  EXPECT_TRUE(flow_conv_int_f64(2.9, &v));
  EXPECT_EQ(v, 2);
  EXPECT_TRUE(flow_conv_int_f64(-2.9, &v));
  EXPECT_EQ(v, -2);
  EXPECT_TRUE(flow_conv_int_f64(-0.5, &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(flow_conv_int_f64(-9223372036854775808.0, &v));
  EXPECT_EQ(v, kMin);
  EXPECT_TRUE(flow_conv_int_f64(9223372036854774784.0, &v));  // largest < 2^63
  EXPECT_EQ(v, 9223372036854774784);
}

TEST(StdlibConvertInt, FloatOutOfRangeOrNanFails) {
  int64_t v = 0;
  EXPECT_FALSE(flow_conv_int_f64(9223372036854775808.0, &v));  // 2^63
  EXPECT_FALSE(flow_conv_int_f64(-9223372036854777856.0, &v));  // below -2^63
  EXPECT_FALSE(flow_conv_int_f64(std::nan(""), &v));
  EXPECT_FALSE(flow_conv_int_f64(kInf, &v));
  EXPECT_FALSE(flow_conv_int_f64(-kInf, &v));
  EXPECT_FALSE(flow_conv_int_f64(1e300, &v));
}

TEST(StdlibConvertInt, StringAndBool) {
  int64_t v = 0;
  EXPECT_TRUE(flow_conv_int_str("-12", 3, &v));
  EXPECT_EQ(v, -12);
  EXPECT_FALSE(flow_conv_int_str("x", 1, &v));
  EXPECT_FALSE(flow_conv_int_str("12.0", 4, &v));
  EXPECT_FALSE(flow_conv_int_str("", 0, &v));
}

TEST(StdlibConvertFloat, FromEachType) {
  double d = 0;
  EXPECT_TRUE(flow_conv_float_str("1e-3", 4, &d));
  EXPECT_EQ(d, 0.001);
  EXPECT_FALSE(flow_conv_float_str("1.2.3", 5, &d));
  EXPECT_FALSE(flow_conv_float_str("", 0, &d));
}

TEST_F(StdlibConvert, StringOfEachTypeIsTheOutputForm) {
  FlowStr out;
  flow_conv_string_i64(&arena_, -42, &out);
  EXPECT_EQ(S(out), "-42");
  flow_conv_string_i64(&arena_, kMin, &out);
  EXPECT_EQ(S(out), "-9223372036854775808");
  flow_conv_string_f64(&arena_, 2.5, &out);
  EXPECT_EQ(S(out), "2.5");
  flow_conv_string_f64(&arena_, 3.0, &out);
  EXPECT_EQ(S(out), "3");
  flow_conv_string_f64(&arena_, -kInf, &out);
  EXPECT_EQ(S(out), "-inf");
  flow_conv_string_bool(&arena_, 1, &out);
  EXPECT_EQ(S(out), "true");
  flow_conv_string_bool(&arena_, 0, &out);
  EXPECT_EQ(S(out), "false");
  flow_conv_string_ts(&arena_, -1, &out);
  EXPECT_EQ(S(out), "1969-12-31T23:59:59.999Z");
}

TEST_F(StdlibConvert, StringResultsSurviveLaterAllocations) {
  FlowStr a, b;
  flow_conv_string_i64(&arena_, 111, &a);
  flow_conv_string_i64(&arena_, 222, &b);
  EXPECT_EQ(S(a), "111");
  EXPECT_EQ(S(b), "222");
}

TEST(StdlibConvertTimestamp, FromIntAndText) {
  int64_t v = 0;
  EXPECT_TRUE(flow_conv_timestamp_str("1970-01-02", 10, &v));
  EXPECT_EQ(v, 86400000);
  EXPECT_TRUE(flow_conv_timestamp_str("1500", 4, &v));  // epoch ms
  EXPECT_EQ(v, 1500);
  EXPECT_FALSE(flow_conv_timestamp_str("yesterday", 9, &v));
  EXPECT_FALSE(flow_conv_timestamp_str("", 0, &v));
}
