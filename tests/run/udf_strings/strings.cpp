// C++ functions for udf_strings: string results of every kind (new bytes
// from flow_udf_alloc, views into an argument, static bytes), strings
// passed in registers and in memory, and every other type.
#include <flowc/udf.h>

#include <cstring>

// New bytes: the argument reversed.
extern "C" FlowStr reversed(FlowStr s) {
  char* out = static_cast<char*>(flow_udf_alloc(s.len));
  for (int64_t i = 0; i < s.len; ++i) out[i] = s.ptr[s.len - 1 - i];
  return FlowStr{out, s.len};
}

// A view into the argument: its bytes up to the first space.
extern "C" FlowStr first_word(FlowStr s) {
  const void* space = std::memchr(s.ptr, ' ', static_cast<size_t>(s.len));
  return FlowStr{s.ptr, space ? static_cast<const char*>(space) - s.ptr : s.len};
}

// Static bytes.
extern "C" FlowStr size_class(int64_t n) {
  return n < 12 ? FlowStr{"short", 5} : FlowStr{"long", 4};
}

// Four strings: the fourth no longer fits in registers (passed in memory).
extern "C" FlowStr join4(FlowStr a, FlowStr b, FlowStr c, FlowStr d) {
  const FlowStr parts[] = {a, b, c, d};
  char* out = static_cast<char*>(flow_udf_alloc(a.len + b.len + c.len + d.len + 3));
  int64_t n = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out[n++] = '|';
    std::memcpy(out + n, parts[i].ptr, static_cast<size_t>(parts[i].len));
    n += parts[i].len;
  }
  return FlowStr{out, n};
}

// Every type; `t` and `u` go in memory while `k` still gets a register.
extern "C" double mix(bool neg, double x, int64_t ts, int64_t n, FlowStr s, FlowStr t, FlowStr u,
                      int64_t k) {
  double v = x + static_cast<double>(ts / 1000 % 100) + static_cast<double>(n) +
             static_cast<double>(s.len + 10 * t.len + 100 * u.len + 1000 * k);
  return neg ? -v : v;
}

extern "C" bool has_digit(FlowStr s) {
  for (int64_t i = 0; i < s.len; ++i) {
    if (s.ptr[i] >= '0' && s.ptr[i] <= '9') return true;
  }
  return false;
}

// The start of the timestamp's hour (ms since the epoch, floored).
extern "C" int64_t hour_start(int64_t ts) {
  constexpr int64_t kHour = 3600000;
  return ts - ((ts % kHour) + kHour) % kHour;
}
