// stdlib/convert.cpp — int(x), float(x), string(x), timestamp(x) of
// LANGUAGE.md 8. String inputs use the same strict parsers as input data,
// so `int("12.0")` fails exactly like a `12.0` in an int field.
#include <math.h>
#include <string.h>

#include "flow_stdlib.h"

namespace {

// 2^63 as a double: the first value past INT64_MAX. Every double below it
// truncates into range; -2^63 itself is INT64_MIN.
constexpr double kTwoPow63 = 9223372036854775808.0;

void copy_out(FlowArena* arena, const char* buf, int64_t n, FlowStr* out) {
  out->ptr = flow_arena_copy(arena, buf, n);
  out->len = n;
}

}  // namespace

extern "C" {

int32_t flow_conv_int_f64(double v, int64_t* out) {
  // Doubles near 2^63 are 2048 apart, so no fraction lies just outside the
  // range and truncating anything inside it fits. NaN fails the compare.
  if (!(v >= -kTwoPow63 && v < kTwoPow63)) return 0;
  *out = static_cast<int64_t>(v);
  return 1;
}

int32_t flow_conv_int_str(const char* p, int64_t n, int64_t* out) {
  return flow_parse_int(p, n, out);
}

int32_t flow_conv_float_str(const char* p, int64_t n, double* out) {
  return flow_parse_float(p, n, out);
}

void flow_conv_string_i64(FlowArena* arena, int64_t v, FlowStr* out) {
  char buf[FLOW_FORMAT_BUF];
  copy_out(arena, buf, flow_format_int(v, buf), out);
}

void flow_conv_string_f64(FlowArena* arena, double v, FlowStr* out) {
  char buf[FLOW_FORMAT_BUF];
  copy_out(arena, buf, flow_format_float(v, buf), out);
}

void flow_conv_string_bool(FlowArena* arena, int32_t v, FlowStr* out) {
  out->ptr = v ? "true" : "false";
  out->len = v ? 4 : 5;
}

void flow_conv_string_ts(FlowArena* arena, int64_t ms, FlowStr* out) {
  char buf[FLOW_FORMAT_BUF];
  copy_out(arena, buf, flow_format_timestamp(ms, buf), out);
}

int32_t flow_conv_timestamp_str(const char* p, int64_t n, int64_t* out) {
  return flow_parse_timestamp(p, n, 0, out);
}

}  // extern "C"
