// stdlib/number.cpp — numeric functions of LANGUAGE.md 8 and the integer
// `//` and `%` of section 5. Ints wrap (two's complement), so arithmetic that
// could overflow is done on uint64_t.
#include <math.h>

#include "flow_stdlib.h"

namespace {

// 10^18 is the largest power of ten in an int64.
constexpr int kMaxPow10I64 = 18;
// Beyond 10^308 the scale is inf; and a double has at most ~17 significant
// digits, so rounding to more decimals than this never changes it.
constexpr int64_t kMaxRoundDigits = 308;

int64_t pow10_i64(int64_t e) {
  int64_t r = 1;
  for (int64_t i = 0; i < e; ++i) r *= 10;
  return r;
}

}  // namespace

extern "C" {

int64_t flow_num_abs_i64(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  return static_cast<int64_t>(v < 0 ? 0 - u : u);
}

double flow_num_abs_f64(double v) { return fabs(v); }
double flow_num_floor_f64(double v) { return floor(v); }
double flow_num_ceil_f64(double v) { return ceil(v); }
double flow_num_round_f64(double v) { return round(v); }  // C round: away

double flow_num_round_digits_f64(double v, int64_t digits) {
  if (!isfinite(v)) return v;
  if (digits > kMaxRoundDigits) return v;
  if (digits < -kMaxRoundDigits) return copysign(0.0, v);
  if (digits >= 0) {
    double scale = pow(10.0, static_cast<double>(digits));
    double scaled = v * scale;
    // Already an integer at this scale (large v or many digits): dividing
    // back could only add error.
    if (!isfinite(scaled) || fabs(scaled) >= 4503599627370496.0) return v;
    return round(scaled) / scale;
  }
  double scale = pow(10.0, static_cast<double>(-digits));
  return round(v / scale) * scale;
}

int64_t flow_num_round_digits_i64(int64_t v, int64_t digits) {
  if (digits >= 0) return v;
  if (digits < -kMaxPow10I64) return 0;  // |v| < 10^19 / 2 rounds to 0
  int64_t scale = pow10_i64(-digits);
  int64_t q = v / scale;  // toward zero
  int64_t r = v % scale;  // sign of v
  uint64_t half_up = static_cast<uint64_t>(scale) / 2;
  if (r >= 0 ? static_cast<uint64_t>(r) >= half_up
             : static_cast<uint64_t>(0) - static_cast<uint64_t>(r) >= half_up) {
    q += r >= 0 ? 1 : -1;
  }
  return static_cast<int64_t>(static_cast<uint64_t>(q) *
                              static_cast<uint64_t>(scale));
}

double flow_num_sqrt_f64(double v) { return sqrt(v); }
double flow_num_ln_f64(double v) { return log(v); }
double flow_num_log10_f64(double v) { return log10(v); }
double flow_num_exp_f64(double v) { return exp(v); }
double flow_num_pow_f64(double x, double y) { return pow(x, y); }

int32_t flow_int_floordiv(int64_t a, int64_t b, int64_t* out) {
  if (b == 0) return 0;
  if (b == -1) {  // INT64_MIN / -1 traps in hardware; negation wraps
    *out = static_cast<int64_t>(0 - static_cast<uint64_t>(a));
    return 1;
  }
  int64_t q = a / b;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) --q;
  *out = q;
  return 1;
}

int32_t flow_int_mod(int64_t a, int64_t b, int64_t* out) {
  if (b == 0) return 0;
  *out = b == -1 ? 0 : a % b;
  return 1;
}

}  // extern "C"
