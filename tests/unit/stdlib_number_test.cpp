// Tests for stdlib/number.cpp (LANGUAGE.md 5 and 8, numbers).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "flow_stdlib.h"

namespace {
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

int64_t floordiv(int64_t a, int64_t b) {
  int64_t out = 12345;
  EXPECT_TRUE(flow_int_floordiv(a, b, &out));
  return out;
}
int64_t mod(int64_t a, int64_t b) {
  int64_t out = 12345;
  EXPECT_TRUE(flow_int_mod(a, b, &out));
  return out;
}
}  // namespace

TEST(StdlibNumber, AbsIntWrapsAtMin) {
  EXPECT_EQ(flow_num_abs_i64(-5), 5);
  EXPECT_EQ(flow_num_abs_i64(5), 5);
  EXPECT_EQ(flow_num_abs_i64(0), 0);
  EXPECT_EQ(flow_num_abs_i64(kMax), kMax);
  EXPECT_EQ(flow_num_abs_i64(-kMax), kMax);
  EXPECT_EQ(flow_num_abs_i64(kMin), kMin);
}

TEST(StdlibNumber, AbsFloat) {
  EXPECT_EQ(flow_num_abs_f64(-2.5), 2.5);
  EXPECT_EQ(flow_num_abs_f64(-kInf), kInf);
  EXPECT_FALSE(std::signbit(flow_num_abs_f64(-0.0)));
  EXPECT_TRUE(std::isnan(flow_num_abs_f64(kNan)));
}

TEST(StdlibNumber, FloorCeilRound) {
  EXPECT_EQ(flow_num_floor_f64(2.7), 2.0);
  EXPECT_EQ(flow_num_floor_f64(-2.1), -3.0);
  EXPECT_EQ(flow_num_ceil_f64(2.1), 3.0);
  EXPECT_EQ(flow_num_ceil_f64(-2.7), -2.0);
  EXPECT_EQ(flow_num_round_f64(2.5), 3.0);    // half away from zero
  EXPECT_EQ(flow_num_round_f64(-2.5), -3.0);
  EXPECT_EQ(flow_num_round_f64(0.5), 1.0);
  EXPECT_EQ(flow_num_round_f64(1.4999), 1.0);
  EXPECT_EQ(flow_num_round_f64(-0.4), 0.0);
  EXPECT_EQ(flow_num_floor_f64(kInf), kInf);
  EXPECT_TRUE(std::isnan(flow_num_round_f64(kNan)));
}

TEST(StdlibNumber, RoundDigitsFloat) {
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(3.14159, 2), 3.14);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(3.145, 1), 3.1);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(2.5, 0), 3.0);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(-1.25, 1), -1.3);  // 1.25 exact
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(0.125, 2), 0.13);  // exact tie
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(1234.5, -2), 1200.0);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(1250.0, -2), 1300.0);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(-1250.0, -2), -1300.0);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(1e300, 5), 1e300);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(0.1, 400), 0.1);
  EXPECT_DOUBLE_EQ(flow_num_round_digits_f64(123.0, -400), 0.0);
  EXPECT_EQ(flow_num_round_digits_f64(kInf, 2), kInf);
  EXPECT_TRUE(std::isnan(flow_num_round_digits_f64(kNan, 2)));
}

TEST(StdlibNumber, RoundDigitsInt) {
  EXPECT_EQ(flow_num_round_digits_i64(1234, 2), 1234);
  EXPECT_EQ(flow_num_round_digits_i64(1234, -2), 1200);
  EXPECT_EQ(flow_num_round_digits_i64(1250, -2), 1300);
  EXPECT_EQ(flow_num_round_digits_i64(-1250, -2), -1300);
  EXPECT_EQ(flow_num_round_digits_i64(-1249, -2), -1200);
  EXPECT_EQ(flow_num_round_digits_i64(49, -2), 0);
  EXPECT_EQ(flow_num_round_digits_i64(5, -1), 10);
  EXPECT_EQ(flow_num_round_digits_i64(kMax, -18), 9000000000000000000);
  EXPECT_EQ(flow_num_round_digits_i64(kMax, -30), 0);
}

TEST(StdlibNumber, MathFunctions) {
  EXPECT_EQ(flow_num_sqrt_f64(9.0), 3.0);
  EXPECT_TRUE(std::isnan(flow_num_sqrt_f64(-1.0)));
  EXPECT_DOUBLE_EQ(flow_num_ln_f64(std::exp(1.0)), 1.0);
  EXPECT_EQ(flow_num_ln_f64(0.0), -kInf);
  EXPECT_EQ(flow_num_log10_f64(1000.0), 3.0);
  EXPECT_EQ(flow_num_exp_f64(0.0), 1.0);
  EXPECT_EQ(flow_num_pow_f64(2.0, 10.0), 1024.0);
  EXPECT_EQ(flow_num_pow_f64(2.0, -1.0), 0.5);
  EXPECT_EQ(flow_num_pow_f64(0.0, 0.0), 1.0);
}

TEST(StdlibNumber, FloorDivisionRoundsTowardMinusInfinity) {
  EXPECT_EQ(floordiv(7, 2), 3);
  EXPECT_EQ(floordiv(-7, 2), -4);
  EXPECT_EQ(floordiv(7, -2), -4);
  EXPECT_EQ(floordiv(-7, -2), 3);
  EXPECT_EQ(floordiv(-8, 2), -4);
  EXPECT_EQ(floordiv(0, -3), 0);
  EXPECT_EQ(floordiv(kMin, 1), kMin);
  EXPECT_EQ(floordiv(kMin, -1), kMin);  // wraps, must not trap
  EXPECT_EQ(floordiv(kMax, -1), -kMax);
  EXPECT_EQ(floordiv(kMin, 2), kMin / 2);
  EXPECT_EQ(floordiv(kMin, kMax), -2);
}

TEST(StdlibNumber, ModTakesTheSignOfTheDividend) {
  EXPECT_EQ(mod(7, 2), 1);
  EXPECT_EQ(mod(-7, 2), -1);
  EXPECT_EQ(mod(7, -2), 1);
  EXPECT_EQ(mod(-7, -2), -1);
  EXPECT_EQ(mod(6, 3), 0);
  EXPECT_EQ(mod(kMin, -1), 0);  // must not trap
  EXPECT_EQ(mod(kMin, kMax), -1);
}

TEST(StdlibNumber, DivisionByZeroFails) {
  int64_t out = 42;
  EXPECT_FALSE(flow_int_floordiv(1, 0, &out));
  EXPECT_FALSE(flow_int_floordiv(0, 0, &out));
  EXPECT_FALSE(flow_int_mod(1, 0, &out));
  EXPECT_FALSE(flow_int_mod(kMin, 0, &out));
}
